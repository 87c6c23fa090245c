"""The baseline of bench_api.py: a bare FastAPI app that parses the predict body and answers it.

It imports nothing from `app` or `titanic_model`, so its start-up time and memory are those of
FastAPI + uvicorn alone: the floor the real service is measured against. The body has the predict
endpoint's shape and the answer is rendered like the service's (echo_wire.py). No
middleware, no logging (it is started with --no-access-log), no model.
"""

from echo_wire import AsciiJSONResponse, EchoRequest
from fastapi import FastAPI

app = FastAPI(default_response_class=AsciiJSONResponse)


@app.post("/echo")
async def echo(body: EchoRequest) -> AsciiJSONResponse:
    return AsciiJSONResponse({"inputs": body.inputs})


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
