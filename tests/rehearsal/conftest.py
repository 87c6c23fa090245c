"""The pipeline rehearsal: `--circleci-config PATH` (default .circleci/config.yml), the outside
world started once, and one line per command (job, command, result, seconds) as it ends, the
whole table again at the end; the commands that are not rehearsed are listed with their reason.
Under CI=true a command of the config that neither passed nor is a listed exception fails the run.
"""

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from outside import outside_world
from pipeline import CONFIG, NOT_REHEARSED, Step, load, steps
from titanic_release.project import REPORTS_DIR

TABLE = REPORTS_DIR / "rehearsal.txt"
_results: dict[str, tuple[Step, str, float]] = {}
_collected: list[Step] = []  # the steps of the config this session rehearses


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--circleci-config", type=Path, default=CONFIG, help="the config to rehearse")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "step" in metafunc.fixturenames:
        found = steps(load(metafunc.config.getoption("--circleci-config")))
        _collected[:] = found
        metafunc.parametrize("step", found, ids=[step.test_id for step in found])


@pytest.fixture(scope="session")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with outside_world(tmp_path_factory.mktemp("outside")) as env:
        yield env


def _line(step: Step, result: str, seconds: float) -> str:
    command = " ".join(step.command.split())
    return f"{step.job:<14} {result:<14} {seconds:7.1f} s  {command}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    started = time.monotonic()
    outcome = yield
    step = getattr(item, "callspec", None) and item.callspec.params.get("step")
    if isinstance(step, Step):
        excinfo = outcome.excinfo
        if excinfo is None:
            result = "rehearsed"
        elif excinfo[0] is pytest.skip.Exception:
            result = "not rehearsed"
        else:
            result = "FAILED"
        seconds = time.monotonic() - started
        _results[step.test_id] = (step, result, seconds)
        print(f"\nrehearsal: {_line(step, result, seconds)}", flush=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _results:
        return
    lines = [_line(*entry) for entry in _results.values()]
    lines += [f"not rehearsed: {command}: {why}" for command, why in NOT_REHEARSED.items()]
    terminalreporter.write_sep("=", "pipeline rehearsal (job, result, seconds, command)")
    for line in lines:
        terminalreporter.write_line(line)
    TABLE.parent.mkdir(parents=True, exist_ok=True)
    TABLE.write_text("\n".join(lines) + "\n", encoding="utf-8")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under CI=true, every command of the config was rehearsed or is a listed exception: one
    deselected or skipped by other means fails the run."""
    if os.environ.get("CI") != "true" or not _collected:
        return
    missing = [
        step.test_id
        for step in _collected
        if step.command not in NOT_REHEARSED
        and _results.get(step.test_id, (step, "", 0.0))[1] != "rehearsed"
    ]
    if missing:
        print(f"\nCI=true: neither rehearsed nor a listed exception: {missing}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
