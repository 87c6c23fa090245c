"""Errors the package raises to its callers (bad data never raises: it becomes a row error)."""


class ArtifactError(RuntimeError):
    """The trained artifact is missing, altered, or from an incompatible scikit-learn."""
