"""Passenger rows as Open Inference Protocol tensors, written out by hand from the protocol and
MLServer's pandas convention, not by the app's codec: what a client would send."""

from typing import Any

# Each passenger field's tensor datatype, as docs/api.md documents it.
DATATYPES = {
    "pclass": "INT64",
    "sex": "BYTES",
    "age": "FP64",
    "sibsp": "INT64",
    "parch": "INT64",
    "fare": "FP64",
    "cabin": "BYTES",
    "embarked": "BYTES",
    "name": "BYTES",
}
INFER = "/v2/models/titanic/infer"


def infer_body(rows: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """One tensor per field any row has; a row without the field sends null."""
    fields = [name for name in DATATYPES if any(name in row for row in rows)]
    inputs = [
        {
            "name": name,
            "shape": [len(rows)],
            "datatype": DATATYPES[name],
            "data": [row.get(name) for row in rows],
        }
        for name in fields
    ]
    return {"inputs": inputs, **extra}


def output(answer: dict[str, Any], name: str) -> list[Any]:
    (tensor,) = [tensor for tensor in answer["outputs"] if tensor["name"] == name]
    assert tensor["shape"] == [len(tensor["data"])]
    data: list[Any] = tensor["data"]
    return data
