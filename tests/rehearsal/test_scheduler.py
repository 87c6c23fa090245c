"""The rehearsal's scheduler keeps CircleCI's rules: `requires` waits for the jobs named, jobs
without one run side by side (never more than the slots), a failed step ends its job, and the jobs
requiring a failed one do not run."""

import os
import threading
import time
from pathlib import Path

from pipeline import Step
from scheduler import Outcome, rehearse, run_step, stop_all


def _steps(spec: dict[str, list[str]], workflow: str = "push") -> list[Step]:
    return [Step(workflow, job, cmd, cmd) for job, commands in spec.items() for cmd in commands]


class Recorder:
    def __init__(self, failing: set[str] = frozenset(), seconds: float = 0.2) -> None:
        self.failing, self.seconds = failing, seconds
        self.lock = threading.Lock()
        self.running = 0
        self.most_at_once = 0
        self.spans: dict[str, tuple[float, float]] = {}
        self.outcomes: dict[str, str] = {}

    def run(self, step: Step) -> Outcome:
        with self.lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        started = time.monotonic()
        time.sleep(self.seconds)
        with self.lock:
            self.running -= 1
        self.spans[step.command] = (started, time.monotonic())
        return Outcome("FAILED" if step.command in self.failing else "rehearsed")

    def report(self, step: Step, outcome: Outcome) -> None:
        self.outcomes[step.command] = outcome.result


def test_independent_jobs_run_side_by_side_up_to_the_slots_and_requires_waits() -> None:
    steps = _steps({"a": ["a1", "a2"], "b": ["b1"], "c": ["c1"], "publish": ["p1"]})
    requires = {"push": {"a": [], "b": [], "c": [], "publish": ["a", "b", "c"]}}
    recorder = Recorder()
    rehearse(steps, requires, recorder.run, recorder.report, slots=2)
    assert recorder.most_at_once == 2
    assert set(recorder.outcomes.values()) == {"rehearsed"}
    assert recorder.spans["a1"][1] <= recorder.spans["a2"][0]  # a job's steps in turn
    last_before = max(recorder.spans[c][1] for c in ("a2", "b1", "c1"))
    assert recorder.spans["p1"][0] >= last_before


def test_a_failed_step_ends_its_job_and_its_dependents_do_not_run() -> None:
    steps = _steps({"a": ["a1", "a2"], "b": ["b1"], "publish": ["p1"], "deploy": ["d1"]})
    requires = {"push": {"publish": ["a", "b"], "deploy": ["publish"]}}
    recorder = Recorder(failing={"a1"}, seconds=0.05)
    rehearse(steps, requires, recorder.run, recorder.report, slots=2)
    assert recorder.outcomes == {
        "a1": "FAILED",
        "a2": "not run",
        "b1": "rehearsed",
        "p1": "not run",
        "d1": "not run",
    }
    assert set(recorder.spans) == {"a1", "b1"}


def test_a_later_workflow_takes_a_slot_only_when_no_earlier_job_is_ready() -> None:
    steps = _steps({"a": ["a1"], "b": ["b1"], "publish": ["p1"]})
    steps += _steps({"m": ["m1"]}, workflow="daily")
    requires = {"push": {"publish": ["a", "b"]}}
    recorder = Recorder(seconds=0.2)
    rehearse(steps, requires, recorder.run, recorder.report, slots=2)
    assert set(recorder.outcomes.values()) == {"rehearsed"}
    # a and b take both slots; m waits for one, and runs beside publish (which waits for both)
    assert recorder.spans["m1"][0] >= min(recorder.spans["a1"][1], recorder.spans["b1"][1])
    assert recorder.spans["m1"][0] < recorder.spans["p1"][1]


def test_stopping_ends_a_running_command_as_ctrl_c_does_and_a_timeout_is_named(
    tmp_path: Path,
) -> None:
    """A command whose SIGINT handler writes a file (as pytest's fixtures stop their servers)
    gets the chance to; one that ignores SIGINT is killed after the grace."""
    cleaned = tmp_path / "cleaned"
    ready = [tmp_path / "polite-ready", tmp_path / "stubborn-ready"]  # their traps are set
    polite = f"trap 'touch {cleaned}; exit 130' INT; touch {ready[0]}; sleep 60 & wait"
    stubborn = f"trap '' INT; touch {ready[1]}; sleep 60"
    env = {"PATH": os.environ["PATH"]}
    outcomes: dict[str, Outcome] = {}

    def run(name: str, command: str, timeout_s: float) -> None:
        step = Step("push", name, command, command)
        outcomes[name] = run_step(step, env, str(tmp_path), timeout_s)

    threads = [
        threading.Thread(target=run, args=("polite", polite, 60.0)),
        threading.Thread(target=run, args=("stubborn", stubborn, 60.0)),
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30  # a loaded machine starts a shell slowly
    while not all(path.exists() for path in ready) and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    stop_all(grace_s=1.0)
    for thread in threads:
        thread.join(10)
    assert time.monotonic() - started < 5
    assert cleaned.exists()
    assert outcomes["polite"].result == outcomes["stubborn"].result == "FAILED"

    run("slow", "sleep 30", 0.5)
    assert (
        "stopped after 0 s" in outcomes["slow"].tail or "stopped after 1 s" in outcomes["slow"].tail
    )


def test_a_failed_commands_pytest_verdicts_are_named_though_its_log_runs_on(tmp_path: Path) -> None:
    """pytest's `FAILED` summary line comes before pages of captured log; the failure names it."""
    verdict = "FAILED tests/api/test_x.py::test_y - httpx.ReadError"
    noise = "DEBUG    httpcore.connection:_trace.py:87 close.complete"
    script = tmp_path / "suite.sh"  # the verdict is not in the command line the failure quotes
    script.write_text(f"echo '{verdict}'; for i in $(seq 300); do echo '{noise}'; done; exit 1")
    step = Step("push", "test_app", "pytest", f"bash {script}")
    outcome = run_step(step, {"PATH": os.environ["PATH"]}, str(tmp_path), 30.0)
    assert outcome.result == "FAILED"
    assert verdict in outcome.tail
    assert outcome.tail.count(noise) < 300  # the log itself is still cut to its last lines
