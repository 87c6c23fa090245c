"""docs/batch.md's Spark commands, run by bash exactly as the page prints them (which
tests/ci/test_doc_commands.py checks): the spark-submit command in local mode against the wheel
built from this tree and installed with its [spark] extra into a fresh venv (as on a cluster's
nodes), its `$VENV` and `$JOB` set as the page says; `titanic-model predict --engine spark` on a
Parquet file and on a directory of `;`-separated CSV files. Every JVM on loopback
(SPARK_LOCAL_IP; the CLI's own session also without its UI, through PYSPARK_SUBMIT_ARGS)."""

import os
import shutil
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from shell import bash
from titanic_release.commands import run

from titanic_model import make_prediction
from titanic_model.config import DATASET_DIR, PACKAGE_ROOT

REPO_ROOT = PACKAGE_ROOT.parents[1]
TITANIC_CSV = DATASET_DIR / "titanic3.csv"
SUBMIT = r"""PYSPARK_PYTHON=$VENV/bin/python spark-submit --master local[2] \
  --conf spark.driver.bindAddress=127.0.0.1 --conf spark.driver.host=127.0.0.1 \
  --conf spark.ui.enabled=false --conf spark.pyspark.python=$VENV/bin/python \
  "$JOB" --input titanic3.csv --output scored.parquet"""
PREDICT_PARQUET = (
    "titanic-model predict --engine spark --input passengers.parquet --output scored.parquet"
)
PREDICT_CSV_DIR = (
    "titanic-model predict --engine spark --input csv_dir/ --output scored.csv --sep ';'"
)


@pytest.fixture(scope="module")
def venv_with_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the built wheel and what its [spark] extra pulls in."""
    work = tmp_path_factory.mktemp("submit")
    uv = (sys.executable, "-m", "uv")
    run(
        [*uv, "build", "--wheel", "--quiet", "--out-dir", work / "dist", REPO_ROOT],
        "build",
        cwd=work,
    )
    [wheel] = (work / "dist").glob("titanic_survival_model-*.whl")
    venv = work / "venv"
    run([*uv, "venv", "--quiet", "--python", sys.executable, venv], "venv", cwd=work)
    run(
        [*uv, "pip", "install", "--quiet", "--python", venv / "bin" / "python", f"{wheel}[spark]"],
        "install the wheel with [spark]",
        cwd=work,
    )
    return venv


def test_spark_submit_scores_a_table_with_the_installed_wheel(
    venv_with_wheel: Path, tmp_path: Path
) -> None:
    python = venv_with_wheel / "bin" / "python"
    script = run(
        [python, "-c", "import titanic_model.spark_submit as job; print(job.__file__)"],
        "locate the job script",
        cwd=tmp_path,
    ).strip()
    assert script.startswith(str(venv_with_wheel))  # the wheel's copy, not the source tree
    shutil.copy(TITANIC_CSV, tmp_path / "titanic3.csv")
    # As in the activated venv: spark-submit finds pyspark through the venv's python.
    path = f"{venv_with_wheel / 'bin'}{os.pathsep}{os.environ['PATH']}"
    env = {**os.environ, "PATH": path, "SPARK_LOCAL_IP": "127.0.0.1"}
    bash(SUBMIT, tmp_path, {**env, "VENV": str(venv_with_wheel), "JOB": script}, timeout=600)

    output = tmp_path / "scored.parquet"
    scored = pq.read_table(output).to_pandas()
    expected = make_prediction(input_data=pd.read_csv(TITANIC_CSV, na_values=["?"]))
    assert scored["name"].tolist() == pd.read_csv(TITANIC_CSV)["name"].tolist()
    assert scored["probability"].tolist() == expected["probabilities"]
    assert scored["error"].isna().all()


def test_the_cli_commands_score_a_parquet_file_and_a_csv_directory(
    tmp_path: Path, loopback: dict[str, str]
) -> None:
    passengers = pd.read_csv(TITANIC_CSV, na_values=["?"]).head(40)
    passengers.to_parquet(tmp_path / "passengers.parquet")
    (tmp_path / "csv_dir").mkdir()
    for part, rows in enumerate((passengers.iloc[:25], passengers.iloc[25:])):
        rows.to_csv(tmp_path / "csv_dir" / f"part-{part}.csv", sep=";", index=False)
    confs = " ".join(f"--conf {key}={value}" for key, value in loopback.items())
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"}
    env["PYSPARK_SUBMIT_ARGS"] = f"{confs} pyspark-shell"
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"  # this env's CLI
    bash(f"{PREDICT_PARQUET}\n{PREDICT_CSV_DIR}", tmp_path, env, timeout=600)

    expected = make_prediction(input_data=passengers)["probabilities"]
    from_parquet = pq.read_table(tmp_path / "scored.parquet").to_pandas()
    assert from_parquet["name"].tolist() == passengers["name"].tolist()
    assert from_parquet["probability"].tolist() == expected
    parts = sorted((tmp_path / "scored.csv").glob("part-*.csv"))
    from_csv = pd.concat(pd.read_csv(part, sep=";", float_precision="round_trip") for part in parts)
    assert sorted(from_csv["probability"].tolist()) == sorted(expected)
