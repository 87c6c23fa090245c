"""The spark-submit command of docs/batch.md, run in local mode against the wheel built from
this tree and installed with its [spark] extra into a fresh venv (as on a cluster's nodes)."""

import os
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from titanic_release.commands import run

from titanic_model import make_prediction
from titanic_model.config import DATASET_DIR, PACKAGE_ROOT

REPO_ROOT = PACKAGE_ROOT.parents[1]
TITANIC_CSV = DATASET_DIR / "titanic3.csv"


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
    venv_with_wheel: Path, tmp_path: Path, loopback: dict[str, str]
) -> None:
    python = venv_with_wheel / "bin" / "python"
    script = run(
        [python, "-c", "import titanic_model.spark_submit as job; print(job.__file__)"],
        "locate the job script",
        cwd=tmp_path,
    ).strip()
    assert script.startswith(str(venv_with_wheel))  # the wheel's copy, not the source tree
    output = tmp_path / "scored.parquet"
    settings = [("--conf", f"{key}={value}") for key, value in loopback.items()]
    run(
        [
            venv_with_wheel / "bin" / "spark-submit",
            *("--master", "local[2]"),
            *(part for setting in settings for part in setting),
            *("--conf", f"spark.pyspark.python={python}"),
            script,
            *("--input", TITANIC_CSV, "--output", output),
        ],
        "spark-submit",
        cwd=tmp_path,
        # As in the activated venv: spark-submit finds pyspark through the venv's python.
        env={
            **os.environ,
            "PATH": f"{venv_with_wheel / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "PYSPARK_PYTHON": str(python),
            "SPARK_LOCAL_IP": "127.0.0.1",
        },
    )

    scored = pq.read_table(output).to_pandas()
    expected = make_prediction(input_data=pd.read_csv(TITANIC_CSV, na_values=["?"]))
    assert scored["name"].tolist() == pd.read_csv(TITANIC_CSV)["name"].tolist()
    assert scored["probability"].tolist() == expected["probabilities"]
    assert scored["error"].isna().all()
