"""Training: what it writes, what it records, and that it is reproducible."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.pipeline import Pipeline

from titanic_model import __version__, model_metadata
from titanic_model.config import config
from titanic_model.processing.artifact_files import artifact_paths, file_sha256, scorer_path
from titanic_model.training.artifacts import load_artifact, save_artifact
from titanic_model.training.data import ProductionSnapshot, split_dataset
from titanic_model.training.train import train


@pytest.fixture(scope="module")
def trained_twice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    train(model_dir=first)
    train(model_dir=second)
    return first, second


def test_training_writes_one_artifact_and_its_metadata(trained_twice: tuple[Path, Path]) -> None:
    directory = trained_twice[0]
    model_path, metadata_path = artifact_paths(__version__, directory)
    scorer_file = scorer_path(__version__, directory)
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        [model_path.name, metadata_path.name, scorer_file.name]
    )
    assert model_path.name == f"titanic_model_v{__version__}.pkl"
    assert scorer_file.name == f"titanic_model_v{__version__}.scorer.json"
    metadata = json.loads(metadata_path.read_text())
    assert metadata["version"] == __version__
    assert metadata["artifact_sha256"] == file_sha256(model_path)
    assert metadata["scorer_sha256"] == file_sha256(scorer_file)
    assert metadata["data_sha256"] == config.data.sha256
    assert metadata["rows"] == {"total": 1309, "train": 1047, "held_out": 262}
    assert metadata["library_versions"]["scikit-learn"] == sklearn.__version__
    assert metadata["trained_at"]
    assert set(metadata["held_out_metrics"]) == {"roc_auc", "accuracy", "f1", "log_loss", "brier"}


def test_training_twice_gives_identical_predictions(
    trained_twice: tuple[Path, Path], held_out: pd.DataFrame
) -> None:
    first, second = (load_artifact(__version__, d) for d in trained_twice)
    np.testing.assert_array_equal(first.predict_proba(held_out), second.predict_proba(held_out))


def test_packaged_model_matches_a_fresh_training(
    trained_twice: tuple[Path, Path], held_out: pd.DataFrame, pipeline: Pipeline
) -> None:
    fresh = load_artifact(__version__, trained_twice[0])
    np.testing.assert_array_equal(fresh.predict_proba(held_out), pipeline.predict_proba(held_out))


def test_saving_removes_other_versions(tmp_path: Path, pipeline: Pipeline) -> None:
    for path in (*artifact_paths("0.0.1", tmp_path), scorer_path("0.0.1", tmp_path)):
        path.write_text("old")
    files = {"artifact_file", "artifact_sha256", "scorer_file", "scorer_sha256"}
    facts = {**model_metadata().model_dump(exclude=files), "version": "9.9.9"}
    saved = save_artifact(pipeline, facts, "9.9.9", tmp_path)
    assert saved.version == "9.9.9"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in (*artifact_paths("9.9.9", tmp_path), scorer_path("9.9.9", tmp_path))
    )


def test_split_is_stratified_and_deterministic(dataset: pd.DataFrame) -> None:
    train_a, held_a = split_dataset(dataset, config)
    _, held_b = split_dataset(dataset, config)
    assert list(held_a.index) == list(held_b.index)
    assert len(held_a) == round(len(dataset) * config.split.test_size)
    overall = dataset[config.target].mean()
    assert abs(held_a[config.target].mean() - overall) < 0.005
    assert abs(train_a[config.target].mean() - overall) < 0.005


def test_leaky_columns_do_not_influence_the_model(
    pipeline: Pipeline, held_out: pd.DataFrame
) -> None:
    """Scrambling boat/body/home.dest/ticket must not move a single prediction."""
    scrambled = held_out.assign(
        boat="13", body=1.0, **{"home.dest": "Nowhere", "ticket": "X"}, survived=0
    )
    np.testing.assert_array_equal(
        pipeline.predict_proba(scrambled), pipeline.predict_proba(held_out)
    )


def test_changed_training_data_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from titanic_model.training import train as training

    copy = tmp_path / "titanic3.csv"
    copy.write_text(Path(training.default_data_path()).read_text() + "\n")
    monkeypatch.setattr(training, "default_data_path", lambda cfg=config: copy)
    with pytest.raises(ValueError, match="packaged training data was changed"):
        train(model_dir=tmp_path)


def test_training_with_production_rows_records_them_beside_the_historical_data(
    tmp_path: Path, dataset: pd.DataFrame
) -> None:
    train_split, _ = split_dataset(dataset, config)
    snapshot = tmp_path / "production_rows.csv"
    columns = ["pclass", "sex", "age", "sibsp", "parch", "fare", "embarked", "name", "cabin"]
    train_split.head(40)[[*columns, "survived"]].to_csv(snapshot, index=False)
    production = ProductionSnapshot(
        path=snapshot,
        store="sqlite:///store.sqlite3",
        since="2026-09-01T00:00:00+00:00",
        until="2026-11-30T00:00:00+00:00",
        left_out={"duplicate_id": 2},
    )

    metadata = train(model_dir=tmp_path / "model", production=production, version="9.9.9.dev1")

    assert metadata.version == "9.9.9.dev1"
    assert metadata.data_sha256 == config.data.sha256
    assert metadata.rows.model_dump() == {"total": 1349, "train": 1087, "held_out": 262}
    assert metadata.production_data is not None
    assert metadata.production_data.rows == 40
    assert metadata.production_data.sha256 == file_sha256(snapshot)
    assert metadata.production_data.left_out == {"duplicate_id": 2}
    assert metadata.training_fingerprint != model_metadata().training_fingerprint
    assert artifact_paths("9.9.9.dev1", tmp_path / "model")[0].is_file()
    assert model_metadata().production_data is None  # the source tree's model is untouched
