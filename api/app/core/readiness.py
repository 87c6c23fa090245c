"""Whether this process should get traffic: the one place readiness is decided.

GET /v2/health/ready, GET /v2/models/titanic/ready and the Kubernetes readiness probe all ask
`is_ready`. Today ready means the model is loaded and warmed (the lifespan marks it, and unmarks
it when shutdown begins); a richer notion (the store reachable, draining) belongs here.
"""

from fastapi import FastAPI


def mark_model_loaded(app: FastAPI, loaded: bool) -> None:
    app.state.model_loaded = loaded


def is_ready(app: FastAPI) -> bool:
    return bool(getattr(app.state, "model_loaded", False))
