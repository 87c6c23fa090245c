"""The training rows, shaped like the store's rows: the model's inputs and its own answers."""

import pandas as pd

from titanic_model import extract_deck, extract_title, make_prediction, reference_data

INPUT_COLUMNS = ["pclass", "sex", "age", "sibsp", "parch", "fare", "embarked"]


def reference_frame() -> pd.DataFrame:
    """The training split with title/deck derived by the model's rules, and its predictions."""
    raw = reference_data("train")
    frame = raw[INPUT_COLUMNS].copy()
    frame["title"] = raw["name"].map(extract_title)
    frame["deck"] = raw["cabin"].map(extract_deck)
    result = make_prediction(input_data=raw)
    frame["prediction"] = result["predictions"]
    frame["probability"] = result["probabilities"]
    return frame
