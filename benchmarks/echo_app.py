"""The baseline of bench_api.py: a bare FastAPI app that parses the predict body and answers it.

Same body model as the real endpoint (so the same JSON parsing and validation), same JSON response
class, and nothing else: no middleware, no logging (it is started with --no-access-log), no model.
"""

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from app.schemas.predict import PredictionRequest

app = FastAPI()


@app.post("/echo")
async def echo(body: PredictionRequest) -> JSONResponse:
    return JSONResponse({"inputs": body.inputs})


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
