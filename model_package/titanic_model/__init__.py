"""Titanic survival model: `make_prediction(input_data=...)` scores passengers."""

from titanic_model.config import PACKAGE_ROOT

__version__ = (PACKAGE_ROOT / "VERSION").read_text(encoding="utf-8").strip()

from titanic_model.predict import make_prediction

__all__ = ["__version__", "make_prediction"]
