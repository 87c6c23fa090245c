"""Experiment tracking: a training run read back through MLflow's own API, a run without MLflow,
a store that cannot be reached, and a serving install without MLflow."""

import hashlib
import json
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from loguru import logger
from mlflow import MlflowClient
from mlflow.entities import Run
from packaging.requirements import Requirement

from titanic_model import __version__
from titanic_model.config import CONFIG_FILE, PACKAGE_ROOT
from titanic_model.processing.artifact_files import artifact_paths, scorer_path
from titanic_model.training.tracking import TRAINING_EXPERIMENT, TrackedRun, log_runs
from titanic_model.training.train import train

REPO_ROOT = PACKAGE_ROOT.parents[1]
# A training's run as MLflow returns it, the metadata file it wrote, the directory it wrote to.
Tracked = tuple[Run, dict[str, Any], Path]


def _run_ids(client: MlflowClient) -> set[str]:
    experiment = client.get_experiment_by_name(TRAINING_EXPERIMENT)
    if experiment is None:
        return set()
    return {run.info.run_id for run in client.search_runs([experiment.experiment_id])}


@pytest.fixture(scope="module")
def tracked(tracking_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Tracked:
    """Train once; the run this training added to the store, its metadata file, its model dir."""
    client = MlflowClient(tracking_uri)
    before = _run_ids(client)
    model_dir = tmp_path_factory.mktemp("model")
    train(model_dir=model_dir)
    [run_id] = _run_ids(client) - before
    metadata = json.loads(artifact_paths(__version__, model_dir)[1].read_text(encoding="utf-8"))
    return client.get_run(run_id), metadata, model_dir


def test_the_run_records_the_metadata_metrics(tracked: Tracked) -> None:
    run, metadata, _ = tracked
    assert run.info.status == "FINISHED"
    assert run.info.run_name == f"train v{__version__}"
    expected = {f"held_out_{name}": value for name, value in metadata["held_out_metrics"].items()}
    assert run.data.metrics == expected
    assert set(expected) == {
        "held_out_roc_auc",
        "held_out_accuracy",
        "held_out_f1",
        "held_out_log_loss",
        "held_out_brier",
    }


def test_the_run_records_the_config_and_the_data_hash(tracked: Tracked) -> None:
    run, metadata, _ = tracked
    params = run.data.params
    config_yml = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
    for section in ("model", "split", "quality_gate"):
        for key, value in config_yml[section].items():
            assert params[f"{section}.{key}"] == str(value), (section, key)
    assert params["features.numeric"] == ",".join(config_yml["features"]["numeric"])
    assert params["data.sha256"] == config_yml["data"]["sha256"]
    # The hash of the data this run read, from the metadata it wrote.
    assert params["data_sha256"] == metadata["data_sha256"]
    # The hashes of the files it wrote are facts about the run (tags), not inputs.
    assert "artifact_sha256" not in params


def test_the_run_records_version_and_provenance(tracked: Tracked) -> None:
    run, metadata, _ = tracked
    tags = run.data.tags
    assert tags["version"] == __version__
    for key in ("training_fingerprint", "artifact_sha256", "scorer_sha256", "trained_at"):
        assert tags[key] == metadata[key], key
    assert tags["rows.held_out"] == str(metadata["rows"]["held_out"])
    assert tags["library_versions.scikit-learn"] == metadata["library_versions"]["scikit-learn"]


def test_the_run_carries_the_trained_files(
    tracked: Tracked, tracking_uri: str, tmp_path: Path
) -> None:
    run, metadata, model_dir = tracked
    client = MlflowClient(tracking_uri)
    written = [*artifact_paths(__version__, model_dir), scorer_path(__version__, model_dir)]
    listed = {Path(item.path).name for item in client.list_artifacts(run.info.run_id, "model")}
    assert listed == {path.name for path in written}
    model_file = metadata["artifact_file"]
    local = client.download_artifacts(run.info.run_id, f"model/{model_file}", str(tmp_path))
    assert hashlib.sha256(Path(local).read_bytes()).hexdigest() == metadata["artifact_sha256"]


def test_a_long_value_is_shortened_not_refused(tracking_uri: str, tmp_path: Path) -> None:
    """Such as the ids of thousands of rows: MLflow would cut a param past 6000 characters
    without a word, or refuse it."""
    row_ids = ",".join(str(n) for n in range(3000))
    run = TrackedRun("long values", {"row_ids": row_ids}, {"score": 1.0}, {"row_ids": row_ids}, [])
    [run_id] = log_runs("titanic-tracking-test", [run])
    logged = MlflowClient(tracking_uri).get_run(run_id).data
    for value in (logged.params["row_ids"], logged.tags["row_ids"]):
        assert row_ids.startswith(value.partition("…")[0])
        assert value.endswith(f"({len(row_ids)} characters in all)")
        assert len(value) <= 500
    assert logged.metrics == {"score": 1.0}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_an_unreachable_store_costs_a_warning_not_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    password = "s3cret-Pa55"  # pragma: allowlist secret
    uri = f"http://trainer:{password}@127.0.0.1:{_closed_port()}/"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    logged: list[str] = []
    sink = logger.add(logged.append, level="INFO", format="{level} {message}")
    started = time.monotonic()
    try:
        metadata = train(model_dir=tmp_path)
    finally:
        logger.remove(sink)
    elapsed = time.monotonic() - started
    # What MLflow and its HTTP client printed themselves, and what the package logged.
    output = "".join(capfd.readouterr()) + "".join(logged)
    for path in (*artifact_paths(__version__, tmp_path), scorer_path(__version__, tmp_path)):
        assert path.is_file(), path
    assert metadata.version == __version__
    warnings = [line for line in output.splitlines() if "experiment tracking failed" in line]
    assert len(warnings) == 1, output
    assert warnings[0].startswith("WARNING ")
    assert "to http://***@127.0.0.1:" in warnings[0]  # where, with the credentials masked
    assert password not in output
    assert "trainer" not in output
    assert elapsed < 60  # bounded retries, not MLflow's minutes of them


def test_without_mlflow_training_says_so_in_one_line_and_saves(tmp_path: Path) -> None:
    """MLflow made unimportable, as where the extra is not installed."""
    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["mlflow"] = None  # `import mlflow` now raises ModuleNotFoundError
        from pathlib import Path
        from titanic_model.training.train import train
        train(model_dir=Path({str(tmp_path / "model")!r}))
        print("mlflow imported:", any(name.startswith("mlflow.") for name in sys.modules))
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr
    lines = completed.stderr.splitlines()
    mentions = [line for line in lines if "tracking" in line.lower() or "mlflow" in line.lower()]
    assert len(mentions) == 1, completed.stderr
    assert "experiment tracking is off" in mentions[0]
    assert "pip install 'titanic-survival-model[tracking]'" in mentions[0]
    assert "mlflow imported: False" in completed.stdout
    assert artifact_paths(__version__, tmp_path / "model")[0].is_file()
    assert not (tmp_path / "reports").exists()


def test_the_serving_install_names_no_mlflow() -> None:
    """The API installs the package without extras and its own pins, none of them MLflow (the
    plain wheel install in test_wheel.py and the e2e API install check what actually lands)."""
    names = []
    for path in sorted((REPO_ROOT / "api").glob("requirements*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith(("-", ".")):
                requirement = Requirement(line)
                names.append(requirement.name.lower())
                if requirement.name == "titanic-survival-model":
                    assert requirement.extras == set(), line
    assert "titanic-survival-model" in names
    assert "fastapi" in names
    assert not [name for name in names if "mlflow" in name]
