"""Shared fixtures: the packaged data, its held-out split, the pipeline and the scorer; an MLflow
store of their own for the runs these tests train."""

from collections.abc import Iterator

import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

from titanic_model import __version__, load_pipeline
from titanic_model.config import config
from titanic_model.scorer import LinearScorer, load_scorer
from titanic_model.training.data import load_dataset, split_dataset


@pytest.fixture(scope="session", autouse=True)
def tracking_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Training in these tests logs to a throwaway store, not to the clone's reports/mlflow/."""
    uri = f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", uri)
        yield uri


@pytest.fixture(scope="session")
def dataset() -> pd.DataFrame:
    return load_dataset()


@pytest.fixture(scope="session")
def held_out(dataset: pd.DataFrame) -> pd.DataFrame:
    return split_dataset(dataset, config)[1]


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    """The packaged pickle: the source of truth."""
    return load_pipeline()


@pytest.fixture(scope="session")
def scorer() -> LinearScorer:
    """The packaged scorer artifact: what serving uses."""
    return load_scorer(__version__)
