"""The Titanic survival API: a thin HTTP layer over the `titanic-survival-model` package."""

__version__ = "0.3.0"
