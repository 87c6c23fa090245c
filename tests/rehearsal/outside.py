"""The outside world of the pipeline, stood in for by real local components.

- Gemfury (TWINE_*, PIP_EXTRA_INDEX_URL): a fresh authenticated local index (pypiserver).
- The production store (PREDICTION_STORE_URL, PREDICTION_STORE_READONLY_URL): a throwaway
  PostgreSQL at the newest schema, holding traffic and outcomes sent through the real API, as
  production had them before this merge.
- Remote Docker and Docker Hub's python image: podman on the local Debian base (BASE_IMAGE=local).
- Railway (RAILWAY_TOKEN, the `railway` CLI): railway_standin.py, serving the image the image job
  built under chroot; API_URL is that service's loopback URL. A second service,
  RAILWAY_SHADOW_SERVICE, has the shadow's variables set once as docs/deploy-railway.md says
  (SERVING_ROLE=shadow, SHADOW_TOKEN), for the weekly retrain's deploy_shadow job.
- CircleCI's own variables: CI, CIRCLECI, CIRCLE_SHA1 (this commit), CIRCLE_BRANCH=main.
"""

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
from api_traffic import INPUTS, send_outcomes, send_through_api
from postgres_cluster import postgres_cluster
from titanic_release.local_index import running_index
from titanic_release.project import REPO_ROOT
from titanic_release.servers import HOST, free_port

from titanic_model import reference_data

HERE = Path(__file__).resolve().parent
# Passengers scored: enough that the daily drift report sees no drift in a sample of the training
# population (with 150 it flagged the probability's distribution).
TRAFFIC_ROWS = 300
# Those with outcomes: above retrain.yml's minimum; as many as make retrain's own teeth test
# (differential_tests/test_retrain.py) passes a candidate with (with 300 the held-out gate failed
# it on flipped labels).
LABELLED_ROWS = 150
SHADOW_SERVICE = "titanic-shadow"
# What the rehearsal's own tox env sets, which a CircleCI job's shell would not have.
_NOT_PASSED = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "TOX_", "_TOX", "PIP_", "TWINE_")


def _seed_traffic(store_url: str) -> None:
    """Training-split passengers through the real API, then the first ones' outcomes: what
    production's store holds before the merge (the differential job replays it, monitor and
    retrain read it)."""
    frame = reference_data("train").head(TRAFFIC_ROWS)
    truth = [int(label) for label in frame["survived"]]
    frame = frame.astype(object).where(frame.notna(), None)
    ids = send_through_api(pd.DataFrame(frame[INPUTS]), store_url)
    labelled = zip(ids[:LABELLED_ROWS], truth, strict=False)
    send_outcomes(store_url, [(i, t) for i, t in labelled if i is not None])


def _railway_cli(directory: Path) -> Path:
    """An executable `railway` that runs the stand-in with this Python and these helpers."""
    path = directory / "railway"
    helpers = os.pathsep.join(str(HERE.parent / name) for name in ("rehearsal", "image", "api"))
    path.write_text(
        f'#!/bin/sh\nPYTHONPATH="{helpers}" exec "{sys.executable}" '
        f'"{HERE / "railway_standin.py"}" "$@"\n',
        encoding="utf-8",
    )
    path.chmod(0o755)
    return path


def _commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


@contextmanager
def outside_world(tmp: Path) -> Iterator[dict[str, str]]:
    """The environment every rehearsed command runs with; everything started is stopped after,
    the Railway stand-in's services included."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(_NOT_PASSED)}
    base["PATH"] = os.pathsep.join(
        p for p in base.get("PATH", "").split(os.pathsep) if not p.startswith(sys.prefix)
    )
    with running_index(tmp / "index") as index, postgres_cluster() as cluster:
        cluster.reset_store()
        _seed_traffic(cluster.url)
        state = tmp / "railway"
        state.mkdir()
        api_port = free_port()
        env: dict[str, Any] = {
            **base,
            **index.twine_env(),
            "PIP_EXTRA_INDEX_URL": index.authenticated_simple_url(),
            "PREDICTION_STORE_URL": cluster.url,
            "PREDICTION_STORE_READONLY_URL": cluster.url,
            "BASE_IMAGE": "local",
            "RAILWAY_TOKEN": "rehearsal-token",
            "RAILWAY_CLI": str(_railway_cli(state)),
            "RAILWAY_STANDIN_STATE": str(state),
            "RAILWAY_STANDIN_PORT": str(api_port),
            "API_URL": f"http://{HOST}:{api_port}",
            "RAILWAY_SHADOW_SERVICE": SHADOW_SERVICE,
            "CI": "true",
            "CIRCLECI": "true",
            "CIRCLE_SHA1": _commit(),
            "CIRCLE_BRANCH": "main",
        }
        shadow = ["--set", "SERVING_ROLE=shadow", "--set", f"SHADOW_TOKEN={secrets.token_hex(16)}"]
        subprocess.run(
            [str(env["RAILWAY_CLI"]), "variables", *shadow, "--service", SHADOW_SERVICE],
            env=env,
            check=True,
            timeout=60,
        )
        try:
            yield env
        finally:
            subprocess.run(
                [str(env["RAILWAY_CLI"]), "down"], env=env, capture_output=True, timeout=120
            )
