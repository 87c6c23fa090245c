"""The pages' other slow commands, exactly as printed, each page's in a copy of the working tree:
the differential suite with its default baseline and with `BASELINE_REF=v0.1.0` (the copy tags
its commit so; this repository's history has no such tag), the model selection, the tools' lock
recompiled from PyPI, pre-commit installed into the copy's own .venv and run over its tree, and
MLflow's UI over the runs `make train` tracked (a server: stopped by its process group)."""

import json
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from doc_run import copy_tree, printed
from shell import bash
from slow_commands import COMPILE, DIFFERENTIAL, MLFLOW_UI, MODEL_SELECTION, PRE_COMMIT
from slow_run import reader_env, run_page, stop_group

UI = "http://127.0.0.1:5000"


def _copy(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    return copy_tree(tmp_path_factory.mktemp(name))


def test_the_differential_suite_passes_with_either_baseline(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    tree = _copy(tmp_path_factory, "differential")
    env = reader_env(tree)
    for command in DIFFERENTIAL:
        if command.startswith("BASELINE_REF=v0.1.0"):
            bash("git tag v0.1.0", tree, env)
        run_page("docs/differential-gate.md", [command], tree, env)
        report = json.loads((tree / "reports" / "differential" / "report.json").read_text())
        assert report["verdict"] == "pass", report["failures"]
        if command.startswith("BASELINE_REF"):
            assert "v0.1.0" in report["baseline"]["origin"], report["baseline"]


def test_the_model_selection_writes_its_comparison(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    tree = _copy(tmp_path_factory, "selection")
    table = tree / "research" / "model_comparison.md"
    before = table.stat().st_mtime_ns
    run_page("docs/model.md", [MODEL_SELECTION], tree, reader_env(tree))
    assert table.stat().st_mtime_ns > before
    assert "ROC AUC" in table.read_text(encoding="utf-8")


def _pinned(lock: str) -> set[str]:
    return {line.split("==")[0] for line in lock.splitlines() if "==" in line and line[0].isalnum()}


def test_the_lock_recompiles_from_pypi(tmp_path_factory: pytest.TempPathFactory) -> None:
    tree = _copy(tmp_path_factory, "lock")
    committed = (tree / "constraints.txt").read_text(encoding="utf-8")
    run_page("docs/ci.md", [COMPILE], tree, reader_env(tree))
    lock = (tree / "constraints.txt").read_text(encoding="utf-8")
    assert _pinned(lock) == _pinned(committed)  # versions may move (tox's), never the set
    assert "uv pip compile constraints.in" in lock.splitlines()[1], lock[:500]
    assert any(line.startswith("tox==") for line in lock.splitlines()), lock
    assert "#   -c " not in lock, lock[:2000]  # compiled from constraints.in alone


def test_pre_commit_installs_its_hook_and_passes_on_the_tree(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The copy's own .venv (pre-commit goes into it), made as make makes it."""
    tree = _copy(tmp_path_factory, "pre-commit")
    (tree / ".venv").unlink()
    env = reader_env(tree, PRE_COMMIT_HOME=str(tree.parent / "pre-commit-home"))
    bash("make venv", tree, env, timeout=600)
    run_page("docs/ci.md", PRE_COMMIT, tree, env)
    assert "pre-commit" in (tree / ".git" / "hooks" / "pre-commit").read_text(encoding="utf-8")


def _answers(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return bytes(answer.read())
    except (urllib.error.URLError, OSError):
        return None


def test_mlflow_s_ui_lists_the_tracked_training_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    tree = _copy(tmp_path_factory, "mlflow")
    env = reader_env(tree)
    assert _answers(UI) is None, f"{UI} already answers: the page's port must be free"
    bash("make train", tree, env, timeout=900)  # the page's runs: reports/mlflow/mlflow.db
    run_page("docs/tracking.md", MLFLOW_UI[:2], tree, env)
    log = tree.parent / "mlflow-ui.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            ["bash", "-e", "-c", printed("docs/tracking.md", MLFLOW_UI[2:])],
            cwd=tree,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: the server and the workers beside it
        )
    try:
        deadline = time.monotonic() + 300
        while _answers(UI) is None:
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(2)
        found = _answers(f"{UI}/api/2.0/mlflow/experiments/search?max_results=50")
        assert found is not None, log.read_text()
        names = {experiment["name"] for experiment in json.loads(found)["experiments"]}
        assert "titanic-survival-model" in names, names
    finally:  # Ctrl-C as the page says, to the whole group
        stop_group(server, signal.SIGINT)
