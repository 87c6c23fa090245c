"""docs/shadow.md's local shadow release, exactly as printed, in a copy of the working tree: the
page's candidate version published to the copy's local index first (the working tree's package
under that VERSION, trained and published by `make publish`, then the tree put back), then the
block in one bash: `make shadow ... &` and `make run` with SHADOW_URL. The live API answers on
PORT, the candidate on the page's 127.0.0.1:8002, and a live answer is stored again by the
candidate under its own version. Both are stopped through their process group."""

import contextlib
import json
import signal
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from doc_run import copy_tree, printed
from shell import bash
from slow_commands import SHADOW_BLOCK, SHADOW_VERSION
from slow_run import reader_env, stop_group
from titanic_release.local_index.background import stop_background_index
from titanic_release.project import current_version
from titanic_release.servers import HOST, free_port

SHADOW = "http://127.0.0.1:8002"
VERSION_FILE = "model_package/titanic_model/VERSION"
PASSENGER = {"inputs": [{"pclass": 1, "sex": "female", "age": 29}]}


def _get(url: str) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            body: dict[str, object] = json.load(answer)
            return body
    except (urllib.error.URLError, OSError, ValueError):
        return None


def _predict(base: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/v1/predict",
        data=json.dumps(PASSENGER).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        ids: list[str] = json.load(answer)["ids"]
    return ids[0]


def _shadow_versions(store: Path, prediction_id: str) -> list[str]:
    with contextlib.closing(sqlite3.connect(store, timeout=10)) as connection:
        rows = connection.execute(
            "SELECT model_version FROM shadow_predictions WHERE live_prediction_id = ?",
            (prediction_id,),
        ).fetchall()
    return [version for (version,) in rows]


def _publish_candidate(tree: Path, env: dict[str, str]) -> None:
    """The page's candidate on the copy's index: what a retrain would have published."""
    (tree / VERSION_FILE).write_text(SHADOW_VERSION + "\n", encoding="utf-8")
    bash("make publish", tree, env, timeout=900)
    bash(
        f"git checkout -- {VERSION_FILE} && rm -rf dist"
        f" model_package/titanic_model/trained_models/titanic_model_v{SHADOW_VERSION}.*",
        tree,
        env,
    )


def test_the_live_api_mirrors_to_the_candidate_make_shadow_serves(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    tree = copy_tree(tmp_path_factory.mktemp("shadow"))
    env = reader_env(tree, INDEX_PORT=str(free_port()), PORT=str(free_port()))
    assert _get(f"{SHADOW}/api/v1/health") is None, "the page's port 8002 must be free"
    live = f"http://{HOST}:{env['PORT']}"
    log = tree.parent / "block.log"
    try:
        _publish_candidate(tree, env)
        with log.open("w") as out:
            block = subprocess.Popen(
                ["bash", "-e", "-c", printed("docs/shadow.md", SHADOW_BLOCK)],
                cwd=tree,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # one group: make shadow, make run and their servers
            )
        try:
            deadline = time.monotonic() + 900
            while not (_get(f"{live}/api/v1/ready") and _get(f"{SHADOW}/api/v1/ready")):
                assert block.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(2)
            assert (_get(f"{SHADOW}/api/v1/health") or {})["model_version"] == SHADOW_VERSION
            assert (_get(f"{live}/api/v1/health") or {})["model_version"] == current_version()
            prediction_id = _predict(live)
            store = tree / "data" / "predictions.sqlite3"
            while not _shadow_versions(store, prediction_id):
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(1)
            assert _shadow_versions(store, prediction_id) == [SHADOW_VERSION]
        finally:  # the whole group (a background job ignores Ctrl-C)
            stop_group(block, signal.SIGTERM)
    finally:
        stop_background_index(tree / ".index")
