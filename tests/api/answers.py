"""Predict answers compared with the package's result: the `ids` are the API's own addition."""

from typing import Any


def without_ids(answer: dict[str, Any]) -> dict[str, Any]:
    """A predict answer as the package gives it: its `ids` (one per row, random) are checked,
    then left out."""
    ids, labels = answer["ids"], answer["predictions"]
    assert len(ids) == len(labels)
    assert all(
        (row_id is None) == (label is None) for row_id, label in zip(ids, labels, strict=True)
    )
    return {key: value for key, value in answer.items() if key != "ids"}
