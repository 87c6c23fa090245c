"""Loading refuses a pickle or scorer that is missing, altered, or from another scikit-learn or
scorer format."""

import json
import shutil
from pathlib import Path

import pytest

from titanic_model import __version__
from titanic_model.config import TRAINED_MODEL_DIR
from titanic_model.processing.artifact_files import artifact_paths, file_sha256, scorer_path
from titanic_model.processing.errors import ArtifactError
from titanic_model.scorer import load_scorer
from titanic_model.training.artifacts import load_artifact


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    for path in (*artifact_paths(__version__, TRAINED_MODEL_DIR), scorer_path(__version__)):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _rewrite_scorer(model_dir: Path, change: dict[str, object]) -> None:
    """Change the scorer file and record its new sha256, as a retraining would."""
    path = scorer_path(__version__, model_dir)
    path.write_text(json.dumps({**json.loads(path.read_text()), **change}))
    _, metadata_path = artifact_paths(__version__, model_dir)
    metadata = json.loads(metadata_path.read_text())
    metadata["scorer_sha256"] = file_sha256(path)
    metadata_path.write_text(json.dumps(metadata))


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


def test_intact_scorer_loads(model_dir: Path) -> None:
    assert load_scorer(__version__, model_dir).lookups


def test_tampered_scorer_is_refused_naming_the_file(model_dir: Path) -> None:
    path = scorer_path(__version__, model_dir)
    path.write_text(path.read_text().replace('"intercept": ', '"intercept": 1'))
    with pytest.raises(ArtifactError, match="altered or replaced") as caught:
        load_scorer(__version__, model_dir)
    assert path.name in str(caught.value)


def test_missing_scorer_says_how_to_fix_it(model_dir: Path) -> None:
    scorer_path(__version__, model_dir).unlink()
    with pytest.raises(ArtifactError, match="titanic-model train"):
        load_scorer(__version__, model_dir)


def test_metadata_without_the_scorer_checksum_is_refused(model_dir: Path) -> None:
    _, metadata_path = artifact_paths(__version__, model_dir)
    metadata = json.loads(metadata_path.read_text())
    del metadata["scorer_sha256"]
    metadata_path.write_text(json.dumps(metadata))
    with pytest.raises(
        ArtifactError, match=r"not this package's model metadata \(check scorer_sha256\)"
    ):
        load_scorer(__version__, model_dir)


def test_other_scorer_format_version_is_refused(model_dir: Path) -> None:
    _rewrite_scorer(model_dir, {"format_version": 99})
    with pytest.raises(ArtifactError, match="format version 99"):
        load_scorer(__version__, model_dir)


def test_malformed_scorer_is_refused(model_dir: Path) -> None:
    _rewrite_scorer(model_dir, {"intercept": "high"})
    with pytest.raises(ArtifactError, match="not a valid scorer"):
        load_scorer(__version__, model_dir)


def test_scorer_naming_an_unknown_rule_is_refused(model_dir: Path) -> None:
    spec = json.loads(scorer_path(__version__, model_dir).read_text())
    spec["categories"][-1]["rule"] = "nickname"
    _rewrite_scorer(model_dir, {"categories": spec["categories"]})
    with pytest.raises(ArtifactError, match="unknown rule 'nickname'"):
        load_scorer(__version__, model_dir)
