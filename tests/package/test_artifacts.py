"""Loading refuses an artifact that is missing, altered, or from another scikit-learn."""

import json
import shutil
from pathlib import Path

import pytest

from titanic_model import __version__
from titanic_model.config import TRAINED_MODEL_DIR
from titanic_model.processing.artifacts import ArtifactError, artifact_paths, load_artifact


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    for path in artifact_paths(__version__, TRAINED_MODEL_DIR):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def test_intact_copy_loads(model_dir: Path) -> None:
    assert hasattr(load_artifact(__version__, model_dir), "predict_proba")


def test_tampered_artifact_is_refused_naming_the_file(model_dir: Path) -> None:
    model_path, _ = artifact_paths(__version__, model_dir)
    model_path.write_bytes(model_path.read_bytes() + b"\0")
    with pytest.raises(ArtifactError, match="does not match its metadata") as caught:
        load_artifact(__version__, model_dir)
    assert model_path.name in str(caught.value)


def test_replaced_artifact_is_refused(model_dir: Path) -> None:
    model_path, _ = artifact_paths(__version__, model_dir)
    model_path.write_bytes(b"not a pickle")
    with pytest.raises(ArtifactError, match="altered or replaced"):
        load_artifact(__version__, model_dir)


def test_missing_artifact_says_how_to_fix_it(model_dir: Path) -> None:
    artifact_paths(__version__, model_dir)[0].unlink()
    with pytest.raises(ArtifactError, match="titanic-model train"):
        load_artifact(__version__, model_dir)


def test_missing_metadata(model_dir: Path) -> None:
    artifact_paths(__version__, model_dir)[1].unlink()
    with pytest.raises(ArtifactError, match="no model metadata"):
        load_artifact(__version__, model_dir)


def test_other_scikit_learn_minor_version_is_refused_naming_both(model_dir: Path) -> None:
    import sklearn

    _, metadata_path = artifact_paths(__version__, model_dir)
    metadata = json.loads(metadata_path.read_text())
    metadata["library_versions"]["scikit-learn"] = "1.2.2"
    metadata_path.write_text(json.dumps(metadata))
    with pytest.raises(ArtifactError) as caught:
        load_artifact(__version__, model_dir)
    assert "1.2.2" in str(caught.value)
    assert sklearn.__version__ in str(caught.value)
