"""Whether this process should get traffic: the one place readiness is decided.

GET /api/v1/ready, GET /v2/health/ready, GET /v2/models/titanic/ready and the probes of
Railway, Kubernetes and a load balancer all ask `not_ready`. Ready means: the model is loaded and
warmed, the prediction store's schema is current (or the store is off), and the process is not
draining after SIGTERM. Predict and infer ask `unavailable` (the same minus draining): while not
ready they answer 503 with Retry-After rather than answering and dropping the rows; while
draining they keep answering, for the requests a balancer sent before it noticed (core/drain.py).
A database that cannot be reached is an outage, not unreadiness: the store's outage policy
applies (app/store/admission.py), so one database blip does not take every replica out.
"""

from fastapi import FastAPI

DRAINING = "draining: the process got SIGTERM and is shutting down"


def mark_model_loaded(app: FastAPI, loaded: bool) -> None:
    app.state.model_loaded = loaded


def mark_draining(app: FastAPI) -> None:
    app.state.draining = True


def is_draining(app: FastAPI) -> bool:
    return bool(getattr(app.state, "draining", False))


def unavailable(app: FastAPI) -> str | None:
    """Why a prediction cannot be answered and stored now, or None."""
    if not getattr(app.state, "model_loaded", False):
        return "the model is not loaded"
    live_store = getattr(app.state, "prediction_store", None)
    store = live_store or getattr(app.state, "shadow_answers", None)  # a candidate's (app/shadow)
    if store is not None:
        reason: str | None = store.not_ready()
        return reason
    return None


def not_ready(app: FastAPI) -> str | None:
    """Why this process should get no new traffic, or None when it is ready."""
    return DRAINING if is_draining(app) else unavailable(app)


def is_ready(app: FastAPI) -> bool:
    return not_ready(app) is None
