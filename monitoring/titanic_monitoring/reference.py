"""The training rows, shaped like the store's rows: the model's inputs and its own answers."""

import pandas as pd

from titanic_model import contract, make_prediction, reference_data


def reference_frame() -> pd.DataFrame:
    """The training split in the contract's recorded form (title, deck derived by the model's
    rules), and its predictions."""
    raw = reference_data("train")
    frame = raw[list(contract.RECORDED_INPUTS)].copy()
    for name, how in contract.DERIVED.items():
        frame[name] = raw[how.source].map(how.rule)
    result = make_prediction(input_data=raw)
    frame["prediction"] = result["predictions"]
    frame["probability"] = result["probabilities"]
    return frame
