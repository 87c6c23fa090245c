"""The pipeline rehearsal: `--circleci-config PATH` (default .circleci/config.yml), the outside
world started once, the jobs run side by side as CircleCI runs them (REHEARSE_JOBS at once,
default 2: this machine's cores; scheduler.py), one line per command (job,
result, seconds, command) as it ends, the whole table again at the end; the commands that are not
rehearsed are listed with their reason. Under CI=true a command of the config that neither passed
nor is a listed exception fails the run.
"""

import os
import signal
import threading
from pathlib import Path

import pytest
from outside import outside_world
from pipeline import CONFIG, NOT_REHEARSED, Step, job_requires, load, steps, workflows
from scheduler import Outcome, rehearse, run_step
from titanic_release.project import REPO_ROOT, REPORTS_DIR

TABLE = REPORTS_DIR / "rehearsal.txt"
STEP_TIMEOUT_S = 20 * 60  # the longest command (test_app) takes about 5 minutes side by side
_results: dict[Step, Outcome] = {}
_collected: list[Step] = []  # the steps of the config this session rehearses
_requires: dict[str, dict[str, list[str]]] = {}  # workflow -> job -> the jobs it requires
_printing = threading.Lock()


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C reaches the rehearsal and its commands even when it was started in the background
    of a non-interactive shell, which starts it with SIGINT ignored: the commands would inherit
    that, and neither bash's trap nor pytest's fixtures could then stop their servers on the
    scheduler's SIGINT (only its SIGKILL, after the grace, would end them). A handled signal is
    back to its default in every command the rehearsal starts."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--circleci-config", type=Path, default=CONFIG, help="the config to rehearse")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "step" in metafunc.fixturenames:
        config = load(metafunc.config.getoption("--circleci-config"))
        found = steps(config)
        _collected[:] = found
        _requires.update({name: job_requires(w) for name, w in workflows(config).items()})
        metafunc.parametrize("step", found, ids=[step.test_id for step in found])


def _line(step: Step, outcome: Outcome) -> str:
    command = " ".join(step.command.split())
    return f"{step.job:<14} {outcome.result:<14} {outcome.seconds:7.1f} s  {command}"


def _report(step: Step, outcome: Outcome) -> None:
    with _printing:
        _results[step] = outcome
        print(f"\nrehearsal: {_line(step, outcome)}", flush=True)


@pytest.fixture(scope="session")
def rehearsal(tmp_path_factory: pytest.TempPathFactory) -> dict[Step, Outcome]:
    """Every collected step's outcome: the whole pipeline runs once, at the first test."""
    slots = int(os.environ.get("REHEARSE_JOBS", "2"))
    # SIGTERM (a CI timeout, a supervisor) ends the rehearsal as Ctrl-C does: the jobs' commands
    # run in sessions of their own and are stopped by the scheduler, the outside world after.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with outside_world(tmp_path_factory.mktemp("outside")) as env:

        def run(step: Step) -> Outcome:
            if step.command in NOT_REHEARSED:
                return Outcome("not rehearsed", tail=NOT_REHEARSED[step.command])
            return run_step(step, env, str(REPO_ROOT), STEP_TIMEOUT_S)

        rehearse(_collected, _requires, run, _report, slots)
    return _results


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _results:
        return
    lines = [_line(step, _results[step]) for step in _collected if step in _results]
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
        and _results.get(step, Outcome("")).result != "rehearsed"
    ]
    if missing:
        print(f"\nCI=true: neither rehearsed nor a listed exception: {missing}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
