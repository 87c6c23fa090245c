"""The baseline of bench_api.py: a bare FastAPI app that parses the predict body and answers it.

It imports nothing from `app` or `titanic_model`, so its start-up time and memory are those of
FastAPI + uvicorn alone: the floor the real service is measured against. The body has the predict
endpoint's shape (a non-empty `inputs` list of objects, an optional strict-boolean `explain`) and
the answer is rendered like the service's SafeJSONResponse (ASCII-escaped compact JSON). No
middleware, no logging (it is started with --no-access-log), no model.
"""

import json
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field, StrictBool
from starlette.responses import JSONResponse


class EchoRequest(BaseModel):
    inputs: list[dict[str, Any]] = Field(min_length=1)
    explain: StrictBool = False


class AsciiJSONResponse(JSONResponse):
    """Renders as app.core.responses.SafeJSONResponse does."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
        return text.encode("ascii")


app = FastAPI(default_response_class=AsciiJSONResponse)


@app.post("/echo")
async def echo(body: EchoRequest) -> AsciiJSONResponse:
    return AsciiJSONResponse({"inputs": body.inputs})


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
