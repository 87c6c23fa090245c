"""Shared fixtures: the packaged data, its held-out split and the trained model."""

import pandas as pd
import pytest

from titanic_model.config import config
from titanic_model.predict import LoadedModel, load_model
from titanic_model.processing.data_manager import load_dataset, split_dataset


@pytest.fixture(scope="session")
def dataset() -> pd.DataFrame:
    return load_dataset()


@pytest.fixture(scope="session")
def held_out(dataset: pd.DataFrame) -> pd.DataFrame:
    return split_dataset(dataset, config)[1]


@pytest.fixture(scope="session")
def model() -> LoadedModel:
    return load_model()
