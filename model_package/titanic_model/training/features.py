"""Feature engineering on raw text columns, as scikit-learn transformers.

The transformers wrap the plain rules of rules.py, which the compiled scorer applies too:
training and serving cannot drift apart.
"""

from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from titanic_model.rules import extract_deck, extract_title


class _ColumnwiseTextTransformer(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Applies a str -> str rule to every cell; stateless apart from the input's shape and names."""

    output_suffix = ""

    def extract_one(self, value: object) -> str:
        """The rule for one cell (one of rules.py's functions)."""
        raise NotImplementedError

    def fit(self, X: Any, y: Any = None) -> "_ColumnwiseTextTransformer":
        validate_data(self, X, dtype=None, ensure_all_finite=False)
        return self

    def transform(self, X: Any) -> npt.NDArray[np.object_]:
        check_is_fitted(self, "n_features_in_")
        values = validate_data(self, X, dtype=None, ensure_all_finite=False, reset=False)
        rule = np.frompyfunc(self.extract_one, 1, 1)
        result: npt.NDArray[np.object_] = rule(values).astype(object)
        return result

    def get_feature_names_out(self, input_features: Any = None) -> npt.NDArray[np.object_]:
        check_is_fitted(self, "n_features_in_")
        if input_features is None:
            input_features = getattr(
                self, "feature_names_in_", [f"x{i}" for i in range(self.n_features_in_)]
            )
        return np.asarray([f"{name}_{self.output_suffix}" for name in input_features], dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.requires_fit = True
        return tags


class TitleExtractor(_ColumnwiseTextTransformer):
    """Passenger name -> title (Mr, Mrs, Miss, Master, Rare, Unknown)."""

    output_suffix = "title"

    def extract_one(self, value: object) -> str:
        return extract_title(value)


class CabinDeckExtractor(_ColumnwiseTextTransformer):
    """Cabin number -> deck letter (A-G, T) or Unknown."""

    output_suffix = "deck"

    def extract_one(self, value: object) -> str:
        return extract_deck(value)
