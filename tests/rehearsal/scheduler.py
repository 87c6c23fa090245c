"""The rehearsal's runner: jobs run side by side as on CircleCI, at most `slots` at once, each as
soon as every job it `requires` has passed; a job's steps run one after another and stop at the
first that fails, whose dependents then do not run (as CircleCI's). Workflows are independent, as
CircleCI's triggers make them (the scheduled ones run on their own): their jobs share the slots,
a free one going to the first ready job in the file's order. Each command's output streams to
the terminal, each line prefixed with its job, as CircleCI's log of that job would show it.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from pipeline import Step

TAIL_LINES = 120  # of a failed command's output, repeated in its test's failure


@dataclass
class Outcome:
    result: str  # "rehearsed", "FAILED", "not run" (an earlier step or a required job failed)
    seconds: float = 0.0
    tail: str = ""


Report = Callable[[Step, Outcome], None]


def _run_step(step: Step, env: dict[str, str], cwd: str, timeout_s: float) -> Outcome:
    """The step's command as CircleCI runs it (bash -eo pipefail), bounded by `timeout_s`."""
    started = time.monotonic()
    process = subprocess.Popen(
        ["/bin/bash", "-eo", "pipefail", "-c", step.command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its whole process group is ended on timeout
    )
    timer = threading.Timer(timeout_s, os.killpg, (process.pid, signal.SIGKILL))
    timer.start()
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    assert process.stdout is not None
    try:
        for raw in process.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            tail.append(line)
            sys.stdout.write(f"{step.job:<13}| {line}\n")
            sys.stdout.flush()
        code = process.wait()
    finally:
        timer.cancel()
    seconds = time.monotonic() - started
    if code == 0:
        return Outcome("rehearsed", seconds)
    why = f"exited {code}" if code > 0 else f"killed after {timeout_s:.0f} s"
    said = "\n".join(tail)
    return Outcome("FAILED", seconds, f"`{step.command}` {why}; its last lines:\n{said}")


def _run_job(steps: list[Step], run: Callable[[Step], Outcome], report: Report) -> bool:
    failed_at = None
    for step in steps:
        outcome = Outcome("not run", tail=f"{failed_at} failed") if failed_at else run(step)
        if outcome.result == "FAILED":
            failed_at = f"`{step.command}`"
        report(step, outcome)
    return failed_at is None


def rehearse(
    steps: list[Step],
    requires: dict[str, dict[str, list[str]]],
    run: Callable[[Step], Outcome],
    report: Report,
    slots: int,
) -> None:
    """Run every step: each job once the jobs it requires (in its workflow) have passed, at most
    `slots` jobs at once, a free slot going to the first ready job in the file's order."""
    jobs: dict[tuple[str, str], list[Step]] = {}
    for step in steps:
        jobs.setdefault((step.workflow, step.job), []).append(step)
    passed: set[tuple[str, str]] = set()
    ended: set[tuple[str, str]] = set()
    running: dict[tuple[str, str], threading.Thread] = {}
    done = threading.Condition()

    def job_thread(key: tuple[str, str]) -> None:
        ok = _run_job(jobs[key], run, report)
        with done:
            if ok:
                passed.add(key)
            ended.add(key)
            done.notify_all()

    with done:
        while len(ended) < len(jobs):
            for key in [k for k in jobs if k not in ended and k not in running]:
                workflow, job = key
                needs = [(workflow, need) for need in requires.get(workflow, {}).get(job, [])]
                if any(need in ended and need not in passed for need in needs):
                    for step in jobs[key]:
                        report(step, Outcome("not run", tail=f"a job it requires failed: {needs}"))
                    ended.add(key)
                elif all(need in passed for need in needs) and len(running) < slots:
                    running[key] = threading.Thread(target=job_thread, args=(key,), daemon=True)
                    running[key].start()
            done.wait(timeout=1.0)
            for key in [k for k in running if k in ended]:
                running.pop(key).join()


def runner(env: dict[str, str], cwd: str, timeout_s: float) -> Callable[[Step], Outcome]:
    return lambda step: _run_step(step, env, cwd, timeout_s)
