"""Saving and loading the trained artifact, with the checks that make loading it trustworthy.

One package version = one artifact: titanic_model_v{version}.pkl plus its metadata .json, which
holds the artifact's sha256 and the library versions it was trained with.
"""

import json
from pathlib import Path
from typing import Any

import joblib
import sklearn
from sklearn.pipeline import Pipeline

from titanic_model.config import TRAINED_MODEL_DIR, config
from titanic_model.processing.data_manager import file_sha256
from titanic_model.processing.errors import ArtifactError


def artifact_paths(version: str, directory: Path = TRAINED_MODEL_DIR) -> tuple[Path, Path]:
    stem = f"{config.pipeline_name}_v{version}"
    return directory / f"{stem}.pkl", directory / f"{stem}.json"


def save_artifact(
    pipeline: Pipeline, metadata: dict[str, Any], version: str, directory: Path = TRAINED_MODEL_DIR
) -> Path:
    """Write the pipeline and its metadata, and remove every other version's artifacts."""
    directory.mkdir(parents=True, exist_ok=True)
    model_path, metadata_path = artifact_paths(version, directory)
    for stale in directory.glob(f"{config.pipeline_name}_v*"):
        if stale not in (model_path, metadata_path):
            stale.unlink()
    joblib.dump(pipeline, model_path)
    metadata = {
        **metadata,
        "artifact_file": model_path.name,
        "artifact_sha256": file_sha256(model_path),
    }
    metadata_path.write_text(
        json.dumps(metadata, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return model_path


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def load_metadata(version: str, directory: Path = TRAINED_MODEL_DIR) -> dict[str, Any]:
    _, metadata_path = artifact_paths(version, directory)
    if not metadata_path.is_file():
        raise ArtifactError(
            f"no model metadata at {metadata_path}; train with `titanic-model train`"
        )
    try:
        metadata: dict[str, Any] = json.loads(metadata_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"cannot read model metadata {metadata_path}: {exc}") from None
    return metadata


def load_artifact(version: str, directory: Path = TRAINED_MODEL_DIR) -> Pipeline:
    """Load the fitted pipeline after checking its checksum and scikit-learn version."""
    model_path, _ = artifact_paths(version, directory)
    metadata = load_metadata(version, directory)
    if not model_path.is_file():
        raise ArtifactError(f"no trained model at {model_path}; train with `titanic-model train`")
    actual = file_sha256(model_path)
    if actual != metadata.get("artifact_sha256"):
        raise ArtifactError(
            f"{model_path} does not match its metadata (sha256 {actual}, expected "
            f"{metadata.get('artifact_sha256')}): the file was altered or replaced; "
            "refusing to load it"
        )
    trained_with = str(metadata.get("library_versions", {}).get("scikit-learn", "unknown"))
    if _minor(trained_with) != _minor(sklearn.__version__):
        raise ArtifactError(
            f"{model_path} was trained with scikit-learn {trained_with} but scikit-learn "
            f"{sklearn.__version__} is installed; install scikit-learn=={trained_with} "
            "or retrain the model"
        )
    pipeline: Pipeline = joblib.load(model_path)
    return pipeline
