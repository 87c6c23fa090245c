"""Where a version's files live and the checks that make reading them trustworthy.

One package version = titanic_model_v{version}.pkl (the fitted pipeline, the training artifact),
.scorer.json (what serving needs) and .json (the metadata, holding both files' sha256). Nothing
here imports scikit-learn or joblib: serving reads the metadata and the scorer through this module.
"""

import hashlib
import json
from pathlib import Path
from typing import Any

from titanic_model.config import TRAINED_MODEL_DIR, config
from titanic_model.processing.errors import ArtifactError


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stem(version: str) -> str:
    return f"{config.pipeline_name}_v{version}"


def artifact_paths(version: str, directory: Path = TRAINED_MODEL_DIR) -> tuple[Path, Path]:
    """(pickled pipeline, metadata json) of a version."""
    return directory / f"{_stem(version)}.pkl", directory / f"{_stem(version)}.json"


def scorer_path(version: str, directory: Path = TRAINED_MODEL_DIR) -> Path:
    return directory / f"{_stem(version)}.scorer.json"


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


def verified_bytes(path: Path, expected_sha256: object) -> bytes:
    """The file's content, after checking it is there and is the file the metadata names."""
    if not path.is_file():
        raise ArtifactError(f"no trained model file at {path}; train with `titanic-model train`")
    if expected_sha256 is None:
        raise ArtifactError(
            f"the metadata records no sha256 for {path.name}; retrain with `titanic-model train`"
        )
    content = path.read_bytes()
    actual = hashlib.sha256(content).hexdigest()
    if actual != expected_sha256:
        raise ArtifactError(
            f"{path} does not match its metadata (sha256 {actual}, expected "
            f"{expected_sha256}): the file was altered or replaced; refusing to load it"
        )
    return content
