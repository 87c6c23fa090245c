"""The pages' commands that build, publish, install and serve, run exactly as printed in one copy
of this working tree (doc_run.copy_tree: its own git repository; `.venv` and the download cache
`.cache` are this clone's): `make publish` to the copy's own local index, `make run` until its API
answers (then stopped by its PID), `make retrain` on make run's still empty store, the README's
and the tracking page's installs from the index `make run` started into a fresh venv,
`make build`, `make train`. The ports are free loopback ports given as the settings
the pages name (INDEX_PORT, PORT); the index is stopped by its PID at the end, whatever happened.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from doc_commands import documented
from doc_run import bash, clean_env, copy_tree, printed
from titanic_release.local_index.background import stop_background_index
from titanic_release.project import REPO_ROOT, current_version
from titanic_release.servers import HOST, free_port

MAKE_RUN = "make run"
PUBLISH = "make publish"
INSTALL = (
    'PIP_EXTRA_INDEX_URL=$(make -s index-url) pip install "titanic-survival-model=='
    '$(cat model_package/titanic_model/VERSION)"'
)
INSTALL_TRACKING = INSTALL.replace("model==", "model[tracking]==")
TRAIN, BUILD, RETRAIN = "make train", "make build", "make retrain"
RUN_HERE = {
    "README.md": [MAKE_RUN, INSTALL],
    "docs/tracking.md": [INSTALL_TRACKING],
    "docs/private-index.md": [PUBLISH],
    "docs/model.md": [TRAIN, BUILD],
    "docs/releasing.md": [RETRAIN],
}
SHOW_VERSION_AND_PATH = "import titanic_model as m; print(m.__version__, m.__file__)"
# A reader's shell has none of the outside world's settings that CI (or the pipeline rehearsal,
# which runs this suite) passes on: `make publish` would upload to TWINE_REPOSITORY_URL's index.
OUTSIDE = ("TWINE_", "PIP_EXTRA_INDEX_URL", "INDEX_URL", "BASELINE_", "PREDICTION_STORE", "CIRCLE")
MAKE_RUN_BOUND_S = 600  # a fresh copy: the envs are built from the download cache, then installs


@dataclass(frozen=True)
class Tree:
    path: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tree]:
    copy = copy_tree(tmp_path_factory.mktemp("published"))
    env = {k: v for k, v in clean_env().items() if not k.startswith(OUTSIDE)}
    env.update(INDEX_PORT=str(free_port()), PORT=str(free_port()))
    env["PIP_CACHE_DIR"] = str(REPO_ROOT / ".cache" / "pip")  # as make sets it for its own pip
    try:
        yield Tree(copy, env)
    finally:  # the index that make publish started, stopped by the PID it recorded
        stop_background_index(copy / ".index")


def test_make_publish_uploads_this_version_to_the_local_index(tree: Tree) -> None:
    shown = bash(printed("docs/private-index.md", [PUBLISH]), tree.path, tree.env, timeout=600)
    version = current_version()
    assert f"titanic_survival_model-{version}-py3-none-any.whl" in shown, shown[-2000:]
    state = json.loads((tree.path / ".index" / "server.json").read_text())
    packages = tree.path / ".index" / "packages"
    assert {p.name for p in packages.iterdir()} >= {
        f"titanic_survival_model-{version}-py3-none-any.whl",
        f"titanic_survival_model-{version}.tar.gz",
    }, state


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _signal_group(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group has already ended
        os.killpg(pid, signum)


@contextlib.contextmanager
def _served(command: str, tree: Tree, env: dict[str, str], health: str) -> Iterator[Path]:
    """`command` run in the background until `health` answers 200; then SIGTERM to its process
    group (make and what it started), SIGKILL if it lingers. Yields its output's file."""
    log = tree.path.parent / f"{command.split()[1]}.out"
    with log.open("w") as out:
        served = subprocess.Popen(
            ["bash", "-e", "-c", command],
            cwd=tree.path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: make, run_api and uvicorn
        )
    try:
        deadline = time.monotonic() + MAKE_RUN_BOUND_S
        while not _answers(health):
            assert served.poll() is None, f"exited {served.returncode}:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"no answer:\n{log.read_text()}"
            time.sleep(1)
        yield log
    finally:  # the group started above, by its leader's PID (its members, should it be gone)
        _signal_group(served.pid, signal.SIGTERM)
        try:
            served.wait(timeout=60)
        except subprocess.TimeoutExpired:
            _signal_group(served.pid, signal.SIGKILL)
            served.wait(timeout=30)


def _health(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=5) as answer:
        body: dict[str, object] = json.load(answer)
    return body


def test_make_run_serves_the_api_until_stopped(tree: Tree) -> None:
    health = f"http://{HOST}:{tree.env['PORT']}/api/v1/health"
    with _served(printed("README.md", [MAKE_RUN]), tree, tree.env, health) as log:
        body = _health(health)
        assert body["model_version"] == current_version(), body
    shown = log.read_text()
    assert "[6/6] the prediction store's schema" in shown, shown


def test_make_shadow_installs_a_version_from_the_index_and_serves_it_as_the_shadow(
    tree: Tree,
) -> None:
    """docs/shadow.md's `make shadow VERSION=...` with a version this copy's index holds (the
    page's is a retrained candidate's): a fresh venv (a new one once lost its requirements)."""
    port = free_port()
    env = {**tree.env, "SHADOW_TOKEN": "a-token-of-the-test", "SHADOW_PORT": str(port)}
    shadow = f"make shadow VERSION={current_version()}"
    assert documented("docs/shadow.md", "make shadow VERSION=0.3.1.dev20261206120000 &")
    health = f"http://{HOST}:{port}/api/v1/health"
    with _served(shadow, tree, env, health):
        assert _health(health)["model_version"] == current_version()
    assert (tree.path / ".venv-shadow" / "bin" / "titanic-store").exists()


def test_make_retrain_on_make_run_s_empty_store_stops_at_the_count(tree: Tree) -> None:
    """The page: fewer usable rows than retrain.yml's minimum: exit 2 with the count, nothing
    written. make run's store (data/predictions.sqlite3) holds no outcome yet."""
    ran = subprocess.run(
        ["bash", "-e", "-c", printed("docs/releasing.md", [RETRAIN])],
        cwd=tree.path,
        env=tree.env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert ran.returncode == 2, (ran.stdout, ran.stderr)
    shown = "0 usable labelled rows, fewer than the minimum 50 (retrain.yml): nothing trained"
    assert shown in ran.stderr, ran.stderr
    assert not (tree.path / "build" / "retrain").exists()
    assert not (tree.path / "reports" / "retrain").exists()


def _reader_venv(tree: Tree) -> tuple[Path, dict[str, str]]:
    """The reader's own environment: a venv, first on PATH (so `pip` is its pip)."""
    venv = tree.path.parent / "reader-venv"
    if not venv.exists():
        subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
    return venv, {**tree.env, "PATH": f"{venv / 'bin'}{os.pathsep}{tree.env['PATH']}"}


def _imported(venv: Path, code: str) -> list[str]:
    return subprocess.run(
        [venv / "bin" / "python", "-c", code],
        cwd=venv.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()


def test_the_readme_install_puts_this_version_from_the_index_in_a_fresh_venv(tree: Tree) -> None:
    venv, env = _reader_venv(tree)
    bash(printed("README.md", [INSTALL]), tree.path, env, timeout=600)
    shown = _imported(venv, SHOW_VERSION_AND_PATH)
    assert shown[0] == current_version()
    assert Path(shown[1]).is_relative_to(venv), shown  # installed from the index, not this tree


def test_the_tracking_install_adds_mlflow_s_client(tree: Tree) -> None:
    venv, env = _reader_venv(tree)
    bash(printed("docs/tracking.md", [INSTALL_TRACKING]), tree.path, env, timeout=600)
    code = "import mlflow, sqlalchemy, alembic, titanic_model as m; print(m.__version__)"
    assert _imported(venv, code) == [current_version()]


def test_make_build_writes_the_sdist_and_the_wheel(tree: Tree) -> None:
    version = current_version()
    bash(printed("docs/model.md", [BUILD]), tree.path, tree.env, timeout=600)
    assert {p.name for p in (tree.path / "dist").iterdir()} == {
        f"titanic_survival_model-{version}-py3-none-any.whl",
        f"titanic_survival_model-{version}.tar.gz",
    }


def test_make_train_writes_the_artifact_again(tree: Tree) -> None:
    models = tree.path / "model_package" / "titanic_model" / "trained_models"
    before = {p.name: p.stat().st_mtime_ns for p in models.glob("titanic_model_v*")}
    assert len(before) == 3, before  # the pipeline, its metadata, the compiled scorer
    bash(printed("docs/model.md", [TRAIN]), tree.path, tree.env, timeout=600)
    after = {p.name: p.stat().st_mtime_ns for p in models.glob("titanic_model_v*")}
    assert after.keys() == before.keys()
    assert all(after[name] > before[name] for name in before), (before, after)
