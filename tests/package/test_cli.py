"""The titanic-model command, run as a user runs it."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from titanic_model import __version__, make_prediction
from titanic_model.cli import main


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "titanic_model.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_info_shows_version_metrics_and_checksum() -> None:
    result = _run("info")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["version"] == __version__
    assert len(info["artifact_sha256"]) == 64
    assert info["held_out_metrics"]["roc_auc"] > 0.5


def test_evaluate_passes_the_quality_gate() -> None:
    result = _run("evaluate")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["version"] == __version__


def test_train_if_missing_does_not_retrain_an_intact_artifact(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["train", "--if-missing"]) == 0
    assert "not retraining" in capsys.readouterr().out


def test_train_if_missing_retrains_when_the_model_definition_changed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from titanic_model import cli
    from titanic_model.training import fingerprint

    assert cli._is_up_to_date()
    monkeypatch.setattr(fingerprint, "training_fingerprint", lambda data_sha256: "edited")
    assert not cli._is_up_to_date()
    assert "changed since the last training" in capsys.readouterr().err


def _libraries_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in an env whose pandas (say) is not the training's: only loading the pickle tells."""
    from titanic_model.training import fingerprint

    monkeypatch.setattr(fingerprint, "pickled_with_these_libraries", lambda metadata: False)


def test_the_libraries_as_trained_are_the_installed_ones_of_every_pickled_library() -> None:
    from importlib.metadata import version

    from titanic_model.metadata import ModelMetadata
    from titanic_model.processing.artifact_files import load_metadata
    from titanic_model.training.fingerprint import PICKLED_WITH, pickled_with_these_libraries

    metadata = load_metadata(__version__).model_dump()
    here = {name: version(name) for name in PICKLED_WITH}
    assert pickled_with_these_libraries(
        ModelMetadata.model_validate({**metadata, "library_versions": here})
    )
    for name in PICKLED_WITH:
        other = {**here, name: f"{here[name]}.post1"}
        assert not pickled_with_these_libraries(
            ModelMetadata.model_validate({**metadata, "library_versions": other})
        ), name
    missing = {key: value for key, value in here.items() if key != "pandas"}
    assert not pickled_with_these_libraries(
        ModelMetadata.model_validate({**metadata, "library_versions": missing})
    )


def test_with_the_training_s_libraries_the_pickle_is_checked_by_its_sha256_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The check before every tox env's commands then imports no scikit-learn; an altered pickle
    is still caught."""
    from titanic_model import cli
    from titanic_model.processing import artifact_files
    from titanic_model.training import artifacts, fingerprint

    def not_loaded(version: str) -> None:
        raise AssertionError("the pickle was loaded")

    monkeypatch.setattr(fingerprint, "pickled_with_these_libraries", lambda metadata: True)
    monkeypatch.setattr(artifacts, "load_artifact", not_loaded)
    assert cli._is_up_to_date()
    altered = tmp_path / "altered.pkl"
    altered.write_bytes(b"not the trained pipeline")
    real_paths = artifact_files.artifact_paths
    monkeypatch.setattr(
        artifact_files, "artifact_paths", lambda *args: (altered, real_paths(*args)[1])
    )
    assert not cli._is_up_to_date()


def test_train_if_missing_retrains_an_artifact_pickled_by_code_that_moved(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pickle names its classes' modules: one trained before a module moved cannot be loaded."""
    from titanic_model import cli
    from titanic_model.training import artifacts

    def moved(version: str) -> None:
        raise ModuleNotFoundError("No module named 'titanic_model.processing.features'")

    _libraries_differ(monkeypatch)
    monkeypatch.setattr(artifacts, "load_artifact", moved)
    assert not cli._is_up_to_date()
    assert "names code that no longer exists" in capsys.readouterr().err


def test_train_if_missing_says_it_trains_now_without_telling_the_user_to(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make run` trains by itself: its log must not read like an instruction to the user."""
    from titanic_model import cli
    from titanic_model.processing.errors import ArtifactError
    from titanic_model.training import artifacts

    def missing(version: str) -> None:
        raise ArtifactError(
            f"no model metadata at m_{version}.json; train with `titanic-model train`"
        )

    _libraries_differ(monkeypatch)
    monkeypatch.setattr(artifacts, "load_artifact", missing)
    assert not cli._is_up_to_date()
    error = capsys.readouterr().err
    assert error.startswith("training now: no model metadata at m_")
    assert "train with" not in error


def test_predict_streams_keeps_order_and_reports_bad_rows(
    tmp_path: Path, dataset: pd.DataFrame
) -> None:
    rows = dataset.head(250).copy().reset_index(drop=True)
    rows["age"] = rows["age"].astype(object)
    rows.loc[3, "age"] = "unknown"
    rows.loc[120, "sex"] = "robot"
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    rows.to_csv(source, index=False)

    result = _run("predict", "--input", str(source), "--output", str(target), "--chunk-rows", "64")
    assert result.returncode == 0, result.stderr
    assert "rows read: 250; scored: 248; rejected: 2" in result.stderr
    assert "100%" in result.stderr  # progress reached the end

    out = pd.read_csv(target)
    assert list(out["name"]) == list(rows["name"])
    assert out["prediction"].isna().tolist() == [i in (3, 120) for i in range(250)]
    assert out.loc[3, "error"].startswith("age:")
    assert out.loc[120, "error"].startswith("sex:")
    expected = make_prediction(input_data=dataset.head(250).reset_index(drop=True))
    good = [i for i in range(250) if i not in (3, 120)]
    assert out.loc[good, "probability"].tolist() == pytest.approx(
        [expected["probabilities"][i] for i in good], abs=1e-12
    )


def test_predict_on_a_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    result = _run("predict", "--input", str(tmp_path / "nope.csv"), "--output", "x.csv")
    assert result.returncode == 1
    assert result.stderr.startswith("titanic-model: error:")
    assert "Traceback" not in result.stderr


# A plain install (no [train] extra): these imports fail as they would there.
_WITHOUT_TRAIN_EXTRA = (
    "import sys\n"
    "for name in ('sklearn', 'scipy', 'joblib', 'threadpoolctl'):\n"
    "    sys.modules[name] = None\n"
    "from titanic_model.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_a_missing_train_extra_names_the_extra_and_the_pip_command(command: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_TRAIN_EXTRA, command],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"titanic-model {command} needs the [train] extra" in result.stderr
    assert f"pip install 'titanic-survival-model[train]=={__version__}'" in result.stderr


def test_help_says_which_commands_need_the_train_extra(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())  # argparse wraps the lines
    assert "train train and save the artifact for this version (needs the [train] extra)" in (
        help_text
    )
    assert "quality gate (needs the [train] extra) predict" in help_text
