"""Tensors <-> passenger rows, by MLServer's pandas convention (`content_type: "pd"`).

Each input tensor is one column of the passenger table, named as the passenger field, shape
[rows] or [rows, 1], strings as BYTES; a null in `data` is an unknown value and a column left out
is unknown in every row, as a missing key is in /api/v1. The values themselves go to the package
unconverted, so it judges them exactly as it judges /api/v1's JSON rows.
"""

import json
import math
from typing import Any

from app.schemas.inference import (
    Datatype,
    InferenceRequest,
    MetadataTensor,
    ResponseOutput,
)
from titanic_model import contract

CONTENT_TYPE = "pd"
INTEGERS = {"INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64"}
NUMBERS = INTEGERS | {"FP16", "FP32", "FP64"}


class TensorError(ValueError):
    """A request this model cannot read as a passenger table (the message says why)."""


def _declared(declaration: contract.Field) -> Datatype:
    if isinstance(declaration, contract.Number):
        return "FP64"
    if isinstance(declaration, contract.Count) or (
        isinstance(declaration, contract.Category) and isinstance(declaration.values[0], int)
    ):
        return "INT64"
    return "BYTES"


INPUTS = {declared.name: _declared(declared) for declared in contract.FIELDS}
OUTPUTS: dict[str, Datatype] = {
    "predictions": "INT64",
    "probabilities": "FP64",
    "explanations": "BYTES",
}
DEFAULT_OUTPUTS = ("predictions", "probabilities")


def metadata_inputs() -> list[MetadataTensor]:
    return [MetadataTensor(name=name, datatype=kind, shape=[-1]) for name, kind in INPUTS.items()]


def metadata_outputs() -> list[MetadataTensor]:
    return [MetadataTensor(name=name, datatype=kind, shape=[-1]) for name, kind in OUTPUTS.items()]


def _flat(name: str, data: list[Any]) -> list[Any]:
    """Row-major: the protocol allows `data` flat or nested like its shape (two dimensions)."""
    values: list[Any] = []
    for item in data:
        if not isinstance(item, list):
            values.append(item)
        elif any(isinstance(inner, list) for inner in item):
            raise TensorError(f"input {name!r} has data nested deeper than two dimensions")
        else:
            values.extend(item)
    return values


def _missing_as_none(values: list[Any]) -> list[Any]:
    """NaN is a numeric column's missing value in pandas, and what clients encoding from NumPy
    send for one (the package takes only null as unknown)."""
    return [None if isinstance(value, float) and math.isnan(value) else value for value in values]


def _accepts(column: str, datatype: str) -> bool:
    return datatype == "BYTES" if INPUTS[column] == "BYTES" else datatype in NUMBERS


def decode_rows(body: InferenceRequest) -> list[dict[str, Any]]:
    """The passenger rows of a request, or TensorError naming the tensor at fault."""
    content_type = (body.parameters or {}).get("content_type", CONTENT_TYPE)
    if content_type != CONTENT_TYPE:
        raise TensorError(f'content_type {content_type!r} is not supported: send "pd"')
    columns: dict[str, list[Any]] = {}
    for tensor in body.inputs:
        if tensor.name not in INPUTS:
            raise TensorError(f"unknown input {tensor.name!r}: inputs are {', '.join(INPUTS)}")
        if tensor.name in columns:
            raise TensorError(f"input {tensor.name!r} is given twice")
        if not _accepts(tensor.name, tensor.datatype):
            raise TensorError(
                f"input {tensor.name!r} has datatype {tensor.datatype}, "
                f"expected {INPUTS[tensor.name]}"
            )
        if len(tensor.shape) == 2 and tensor.shape[1] != 1:
            raise TensorError(f"input {tensor.name!r} has shape {tensor.shape}: one column only")
        values = _flat(tensor.name, tensor.data)
        if len(values) != math.prod(tensor.shape):
            raise TensorError(
                f"input {tensor.name!r} has {len(values)} values for shape {tensor.shape}"
            )
        columns[tensor.name] = values if tensor.datatype == "BYTES" else _missing_as_none(values)
    counts = {len(values) for values in columns.values()}
    if len(counts) != 1:
        raise TensorError(f"the inputs have different row counts: {sorted(counts)}")
    (rows,) = counts
    if rows == 0:
        raise TensorError("the inputs have no rows")
    return [{name: values[row] for name, values in columns.items()} for row in range(rows)]


def requested_outputs(body: InferenceRequest) -> tuple[list[str], bool]:
    """The outputs asked for, and whether to explain (`explain: true` or `explanations` asked)."""
    explain = (body.parameters or {}).get("explain", False)
    if not isinstance(explain, bool):
        raise TensorError("parameter 'explain' must be true or false")
    names = [output.name for output in body.outputs or ()]
    for name in names:
        if name not in OUTPUTS:
            raise TensorError(f"unknown output {name!r}: outputs are {', '.join(OUTPUTS)}")
    if not names:
        names = [*DEFAULT_OUTPUTS, *(["explanations"] if explain else [])]
    return names, explain or "explanations" in names


def encode_outputs(result: dict[str, Any], names: list[str]) -> list[ResponseOutput]:
    """The result's lists as tensors of shape [rows]; each explanation as a JSON string."""
    outputs = []
    for name in names:
        data = result[name]
        if name == "explanations":
            data = [json.dumps(explanation, separators=(",", ":")) for explanation in data]
        outputs.append(
            ResponseOutput(name=name, shape=[len(data)], datatype=OUTPUTS[name], data=data)
        )
    return outputs
