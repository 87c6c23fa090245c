"""Titanic survival model: `make_prediction(input_data=...)` scores passengers.

The names below are the package's public contract, with the modules `titanic_model.contract`
(what a passenger is) and `titanic_model.settings_yaml` (how a YAML settings file is read).
Code outside the package (the API, the release tools, the differential capture) uses only these,
never the submodules behind them.

`load_pipeline` and `reference_data` need the `train` extra and live in titanic_model.training:
they are imported when first used, so that `import titanic_model` loads nothing of training.
"""

import importlib
from typing import TYPE_CHECKING

from titanic_model import contract
from titanic_model.metadata import ModelMetadata
from titanic_model.predict import make_prediction, model_metadata, warm_up
from titanic_model.processing.errors import ArtifactError
from titanic_model.processing.schemas import (
    Explanation,
    PassengerInput,
    PredictionResult,
    RowError,
)
from titanic_model.rules import extract_deck, extract_title
from titanic_model.version import __version__

if TYPE_CHECKING:
    from titanic_model.training.artifacts import load_pipeline
    from titanic_model.training.data import ProductionSnapshot, reference_data
    from titanic_model.training.train import train

# Also `train` (what `titanic-model train` runs) and `ProductionSnapshot`, for make retrain.
_TRAINING_NAMES = {
    "load_pipeline": "titanic_model.training.artifacts",
    "reference_data": "titanic_model.training.data",
    "ProductionSnapshot": "titanic_model.training.data",
    "train": "titanic_model.training.train",
}


def __getattr__(name: str) -> object:
    """`titanic_model.load_pipeline` and `reference_data`, imported on first use."""
    if name in _TRAINING_NAMES:
        return getattr(importlib.import_module(_TRAINING_NAMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ArtifactError",
    "Explanation",
    "ModelMetadata",
    "PassengerInput",
    "PredictionResult",
    "ProductionSnapshot",
    "RowError",
    "__version__",
    "contract",
    "extract_deck",
    "extract_title",
    "load_pipeline",
    "make_prediction",
    "model_metadata",
    "reference_data",
    "train",
    "warm_up",
]
