"""Titanic survival model: `make_prediction(input_data=...)` scores passengers.

The names below are the package's public contract. Code outside the package (the API, the
release tools, the differential capture) uses only these, never the submodules behind them.
"""

from titanic_model.predict import load_pipeline, make_prediction, model_metadata, warm_up
from titanic_model.processing.errors import ArtifactError
from titanic_model.processing.rules import extract_deck, extract_title
from titanic_model.processing.schemas import (
    Explanation,
    PassengerInput,
    PredictionResult,
    RowError,
)
from titanic_model.reference import reference_data
from titanic_model.version import __version__

__all__ = [
    "ArtifactError",
    "Explanation",
    "PassengerInput",
    "PredictionResult",
    "RowError",
    "__version__",
    "extract_deck",
    "extract_title",
    "load_pipeline",
    "make_prediction",
    "model_metadata",
    "reference_data",
    "warm_up",
]
