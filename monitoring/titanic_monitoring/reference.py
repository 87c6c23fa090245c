"""What the window is compared with: the training rows, shaped like the store's rows (the model's
inputs and its own answers), the model card's held-out metrics, and the model's answers on the
held-out rows."""

import pandas as pd

from titanic_model import contract, make_prediction, model_metadata, reference_data


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


def held_out_probabilities() -> list[float]:
    """The model's probabilities on the held-out rows: what the quality estimate is held to."""
    probabilities = make_prediction(input_data=reference_data("held_out"))["probabilities"]
    return [float(p) for p in probabilities if p is not None]  # every held-out row is valid


def held_out_metrics() -> dict[str, float]:
    """The installed model's held-out figures (its model card): what live quality is held to."""
    return model_metadata().held_out_metrics.model_dump()
