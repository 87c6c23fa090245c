"""Saving the trained artifacts, and loading the pickled pipeline (scikit-learn and joblib).

Training writes the pickle (the source of truth), the scorer compiled from it, and the metadata
with both files' sha256 and the library versions. Loading the pickle also checks that the
installed scikit-learn is the minor version it was trained with.
"""

import io
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
import sklearn
from sklearn.pipeline import Pipeline

from titanic_model.config import TRAINED_MODEL_DIR, config
from titanic_model.metadata import ModelMetadata
from titanic_model.processing.artifact_files import (
    artifact_paths,
    file_sha256,
    load_metadata,
    scorer_path,
    verified_bytes,
)
from titanic_model.processing.errors import ArtifactError
from titanic_model.training.compile_scorer import compile_scorer
from titanic_model.version import __version__


def save_artifact(
    pipeline: Pipeline, facts: dict[str, Any], version: str, directory: Path = TRAINED_MODEL_DIR
) -> ModelMetadata:
    """Write the pipeline, its compiled scorer and the metadata (`facts` plus the files' names
    and sha256); remove other versions' files."""
    directory.mkdir(parents=True, exist_ok=True)
    model_path, metadata_path = artifact_paths(version, directory)
    scorer_file = scorer_path(version, directory)
    for stale in directory.glob(f"{config.pipeline_name}_v*"):
        if stale not in (model_path, metadata_path, scorer_file):
            stale.unlink()
    joblib.dump(pipeline, model_path)
    scorer_file.write_text(json.dumps(compile_scorer(pipeline), indent=1) + "\n", encoding="utf-8")
    metadata = ModelMetadata(
        **facts,
        artifact_file=model_path.name,
        artifact_sha256=file_sha256(model_path),
        scorer_file=scorer_file.name,
        scorer_sha256=file_sha256(scorer_file),
    )
    metadata_path.write_text(
        json.dumps(metadata.model_dump(mode="json"), indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    return metadata


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def load_artifact(version: str, directory: Path = TRAINED_MODEL_DIR) -> Pipeline:
    """Load the fitted pipeline after checking its checksum and scikit-learn version."""
    model_path, _ = artifact_paths(version, directory)
    metadata = load_metadata(version, directory)
    content = verified_bytes(model_path, metadata.artifact_sha256)
    trained_with = metadata.library_versions.get("scikit-learn", "unknown")
    if _minor(trained_with) != _minor(sklearn.__version__):
        raise ArtifactError(
            f"{model_path} was trained with scikit-learn {trained_with} but scikit-learn "
            f"{sklearn.__version__} is installed; install scikit-learn=={trained_with} "
            "or retrain the model"
        )
    pipeline: Pipeline = joblib.load(io.BytesIO(content))  # the bytes that were checked
    return pipeline


@lru_cache(maxsize=1)
def load_pipeline() -> Pipeline:
    """The fitted scikit-learn pipeline: the training artifact and source of truth.

    Needs the `train` extra (scikit-learn, joblib); refused if the installed scikit-learn is not
    the minor version it was trained with.
    """
    return load_artifact(__version__)
