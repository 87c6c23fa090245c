"""The Open Inference Protocol's REST bodies (kserve/open-inference-protocol, inference_rest.md).

Only the shape of a request is validated here; which tensors this model takes, and their values,
are checked by app/api/tensors.py and the package, so that a bad value is named by row and field.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

Datatype = Literal[
    "BOOL",
    "UINT8",
    "UINT16",
    "UINT32",
    "UINT64",
    "INT8",
    "INT16",
    "INT32",
    "INT64",
    "FP16",
    "FP32",
    "FP64",
    "BYTES",
]
# The protocol's parameter values are strings, numbers and booleans.
Parameters = dict[str, str | int | float | bool]
Dimension = Annotated[int, Field(ge=0)]


class ServerLive(BaseModel):
    live: bool


class ServerReady(BaseModel):
    ready: bool


class ModelReady(BaseModel):
    name: str
    ready: bool


class ServerMetadata(BaseModel):
    name: str
    version: str
    extensions: list[str]


class MetadataTensor(BaseModel):
    name: str
    datatype: Datatype
    shape: list[int] = Field(description="-1: any number of rows")


class ModelMetadata(BaseModel):
    name: str
    versions: list[str]
    platform: str
    inputs: list[MetadataTensor]
    outputs: list[MetadataTensor]


class RequestInput(BaseModel):
    name: str = Field(description="A passenger field: pclass, sex, age, ... (model metadata)")
    shape: list[Dimension] = Field(min_length=1, max_length=2, description="[rows] or [rows, 1]")
    datatype: Datatype
    parameters: Parameters | None = None
    data: list[Any] = Field(description="One value per row (null: unknown), flat or nested")


class RequestOutput(BaseModel):
    name: str
    parameters: Parameters | None = None


class InferenceRequest(BaseModel):
    id: str | None = None
    parameters: Parameters | None = Field(
        default=None,
        description='"content_type": "pd" (the only one); "explain": true adds `explanations`',
    )
    inputs: list[RequestInput] = Field(min_length=1, description="One tensor per column")
    outputs: list[RequestOutput] | None = Field(
        default=None, description="predictions, probabilities, explanations; default: the first two"
    )


class ResponseOutput(BaseModel):
    name: str
    shape: list[int]
    datatype: Datatype
    parameters: Parameters | None = None
    data: list[Any]


class InferenceResponse(BaseModel):
    model_name: str
    model_version: str
    id: str
    parameters: Parameters = Field(
        description='"ids": the rows\' prediction ids, comma-separated (for POST /api/v1/outcomes)'
    )
    outputs: list[ResponseOutput]


class InferenceError(BaseModel):
    error: str
