"""Where a version's files live and the checks that make reading them trustworthy.

One package version = titanic_model_v{version}.pkl (the fitted pipeline, the training artifact),
.scorer.json (what serving needs) and .json (the metadata, holding both files' sha256). Nothing
here imports scikit-learn or joblib: serving reads the metadata and the scorer through this module.
"""

import hashlib
from pathlib import Path

from pydantic import ValidationError

from titanic_model.config import TRAINED_MODEL_DIR, config
from titanic_model.metadata import ModelMetadata
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


def load_metadata(version: str, directory: Path = TRAINED_MODEL_DIR) -> ModelMetadata:
    _, metadata_path = artifact_paths(version, directory)
    if not metadata_path.is_file():
        raise ArtifactError(
            f"no model metadata at {metadata_path}; train with `titanic-model train`"
        )
    try:
        return ModelMetadata.model_validate_json(metadata_path.read_bytes())
    except OSError as exc:
        raise ArtifactError(f"cannot read model metadata {metadata_path}: {exc}") from None
    except ValidationError as exc:
        fields = ", ".join(".".join(map(str, error["loc"])) for error in exc.errors())
        raise ArtifactError(
            f"{metadata_path} is not this package's model metadata (check {fields or 'its JSON'}); "
            "retrain with `titanic-model train`"
        ) from None


def verified_bytes(path: Path, expected_sha256: str) -> bytes:
    """The file's content, after checking it is there and is the file the metadata names."""
    if not path.is_file():
        raise ArtifactError(f"no trained model file at {path}; train with `titanic-model train`")
    content = path.read_bytes()
    actual = hashlib.sha256(content).hexdigest()
    if actual != expected_sha256:
        raise ArtifactError(
            f"{path} does not match its metadata (sha256 {actual}, expected "
            f"{expected_sha256}): the file was altered or replaced; refusing to load it"
        )
    return content
