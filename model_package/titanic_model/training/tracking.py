"""Experiment tracking: training runs logged to MLflow, so they compare side by side in its UI
instead of as JSON files read next to each other.

On when the [tracking] extra is installed; without it, one line says so. The store is
MLFLOW_TRACKING_URI when set, else a SQLite file under reports/mlflow/ of the working directory.
Runs are logged after the model is saved, and a tracking failure is one warning, never an error:
an unreachable server cannot lose a trained model. The URI is printed only with its credentials
masked, and MLflow's own messages (which quote it whole) are never printed.
"""

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from loguru import logger

from titanic_model.metadata import ModelMetadata
from titanic_model.processing.artifact_files import artifact_paths, scorer_path

if TYPE_CHECKING:
    from mlflow import MlflowClient

TRAINING_EXPERIMENT = "titanic-survival-model"
DEFAULT_STORE_DIR = Path("reports") / "mlflow"
# The hashes of the files a run writes; every other *sha256 of the metadata hashes its data.
MODEL_FILE_HASHES = {"artifact_sha256", "scorer_sha256"}
# Applied while logging unless already set: an unreachable server fails within seconds, not after
# MLflow's default of minutes of retries.
BOUNDED_WAITS = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "20",
}
# Always: MLflow would print the run's URL, built from a URI that may hold a password.
NO_RUN_URL = {"MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT": "true"}
# Longer values are cut, saying so (MLflow caps params at 6000 characters, cutting them silently
# or refusing them): a long list, such as row ids, stays whole in the metadata file, which every
# training run carries as an artifact.
MAX_VALUE_CHARS = 500
OFF_MESSAGE = (
    "experiment tracking is off (MLflow is not installed); to log every training run, "
    "pip install 'titanic-survival-model[tracking]'"
)


@dataclass(frozen=True)
class TrackedRun:
    """One run as MLflow shows it: its inputs (params), results (metrics), facts (tags), files."""

    name: str
    params: Mapping[str, str]
    metrics: Mapping[str, float]
    tags: Mapping[str, str]
    artifacts: Sequence[Path]


def flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """Nested mappings as dotted keys, lists as comma-separated text: MLflow's params are flat."""
    if isinstance(value, Mapping):
        flat: dict[str, str] = {}
        for key, item in value.items():
            flat |= flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return flat
    if isinstance(value, list | tuple):
        return {prefix: ",".join(str(item) for item in value)}
    return {prefix: "" if value is None else str(value)}


def training_run(metadata: ModelMetadata, model_dir: Path) -> TrackedRun:
    """A training run from the metadata it wrote: params are the config and the data hashes,
    metrics the held-out ones, tags the rest; the artifact, scorer and metadata files go along."""
    recorded = metadata.model_dump(mode="json", exclude={"config", "held_out_metrics"})
    facts = flatten(recorded)
    data_hashes = {
        key: value
        for key, value in facts.items()
        if key.endswith("sha256") and key.rpartition(".")[2] not in MODEL_FILE_HASHES
    }
    tags = {key: value for key, value in facts.items() if key not in data_hashes}
    tags["mlflow.source.name"] = "titanic_model.training.train"  # the UI's Source column
    if metadata.git_commit:
        tags["mlflow.source.git.commit"] = metadata.git_commit
    held_out = metadata.held_out_metrics.model_dump()
    return TrackedRun(
        name=f"train v{metadata.version}",
        params=flatten(metadata.config.model_dump(mode="json")) | data_hashes,
        metrics={f"held_out_{name}": value for name, value in held_out.items()},
        tags=tags,
        artifacts=[
            *artifact_paths(metadata.version, model_dir),
            scorer_path(metadata.version, model_dir),
        ],
    )


def default_tracking_uri() -> str:
    """The local store: reports/mlflow/mlflow.db under the working directory."""
    return f"sqlite:///{(Path.cwd() / DEFAULT_STORE_DIR / 'mlflow.db').as_posix()}"


def sqlite_artifacts_dir(uri: str) -> Path | None:
    """Where a SQLite store's runs keep their files: beside the database, rather than MLflow's
    ./mlruns of whatever directory training ran in. None for a server or another database."""
    if not uri.startswith("sqlite:///"):
        return None
    return Path(uri.removeprefix("sqlite:///")).parent / "artifacts"


@contextmanager
def _mlflow_settings() -> Iterator[None]:
    """BOUNDED_WAITS (unless set) and NO_RUN_URL in the environment while logging; then the
    environment as it was."""
    settings = {name: os.environ.get(name, value) for name, value in BOUNDED_WAITS.items()}
    settings |= NO_RUN_URL
    before = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def shown_store(uri: str) -> str:
    """MLFLOW_TRACKING_URI as a log line may show it: a URL without its user, password, query and
    fragment (*** where credentials were); a name or path (databricks, ./mlruns) as it is. The
    project's masker (titanic_masking) is not a dependency of the model package."""
    if "://" not in uri:
        return uri
    parts = urlsplit(uri)
    secret = "***@" if parts.username or parts.password else ""
    where = f"{parts.hostname or ''}:{parts.port}" if parts.port else parts.hostname or ""
    return f"{parts.scheme}://{secret}{where}{parts.path}"


def _causes(error: BaseException) -> str:
    """The exception's type and those of its causes: what went wrong, and never a message that
    could quote the URI's password."""
    names = [type(error).__name__]
    cause = error.__cause__ or error.__context__
    while cause is not None and len(names) < 4:
        names.append(type(cause).__name__)
        cause = cause.__cause__ or cause.__context__
    return " <- ".join(names)


def _experiment_id(client: "MlflowClient", name: str, artifacts_dir: Path | None) -> str:
    found = client.get_experiment_by_name(name)
    if found is not None:
        return str(found.experiment_id)
    location = artifacts_dir.resolve().as_uri() if artifacts_dir else None
    return str(client.create_experiment(name, artifact_location=location))


def _shortened(value: str) -> str:
    if len(value) <= MAX_VALUE_CHARS:
        return value
    return f"{value[: MAX_VALUE_CHARS - 40]}… ({len(value)} characters in all)"


def _log_run(client: "MlflowClient", experiment_id: str, run: TrackedRun) -> str:
    """One run, finished; marked FAILED (where the store still answers) if logging breaks off."""
    from mlflow.entities import Metric, Param, RunTag

    created = client.create_run(experiment_id, run_name=run.name)
    run_id = str(created.info.run_id)
    try:
        client.log_batch(
            run_id,
            metrics=[Metric(k, v, created.info.start_time, 0) for k, v in run.metrics.items()],
            params=[Param(k, _shortened(v)) for k, v in run.params.items()],
            tags=[RunTag(k, _shortened(v)) for k, v in run.tags.items()],
        )
        for path in run.artifacts:
            client.log_artifact(run_id, str(path), artifact_path="model")
    except Exception:
        with suppress(Exception):
            client.set_terminated(run_id, status="FAILED")
        raise
    client.set_terminated(run_id)
    return run_id


def log_runs(experiment: str, runs: Sequence[TrackedRun]) -> list[str]:
    """Log `runs` to `experiment` and return their ids; [] when tracking is off or failed (one
    line says which)."""
    try:
        from mlflow import MlflowClient
    except ModuleNotFoundError as error:
        if error.name != "mlflow":
            raise
        logger.info(OFF_MESSAGE)
        return []
    configured = os.environ.get("MLFLOW_TRACKING_URI")
    uri = configured or default_tracking_uri()
    store = shown_store(configured) if configured else str(DEFAULT_STORE_DIR)
    try:
        with _mlflow_settings():
            artifacts_dir = sqlite_artifacts_dir(uri)
            if artifacts_dir:  # SQLite creates the database file, not its directory
                artifacts_dir.parent.mkdir(parents=True, exist_ok=True)
            client = MlflowClient(tracking_uri=uri)
            experiment_id = _experiment_id(client, experiment, artifacts_dir)
            run_ids = [_log_run(client, experiment_id, run) for run in runs]
    except Exception as error:
        logger.warning(
            "experiment tracking failed, what was trained is kept but not logged to {}: {}",
            store,
            _causes(error),
        )
        return []
    logger.info(
        "tracked in MLflow, experiment {!r} in {}: run {}", experiment, store, ", ".join(run_ids)
    )
    return run_ids
