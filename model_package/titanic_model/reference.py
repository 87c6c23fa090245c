"""The data a version was trained and judged on, for monitoring and for the release gate.

Imported lazily by callers that need it: reading and splitting the data needs pandas and
scikit-learn, which serving does not.
"""

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd


def reference_data(part: Literal["train", "held_out"] = "train") -> "pd.DataFrame":
    """The packaged titanic3 rows of the training split or of the held-out split, raw columns."""
    from titanic_model.processing.data_manager import load_dataset, split_dataset

    train, held_out = split_dataset(load_dataset())
    return train if part == "train" else held_out
