"""The rehearsal's runner: jobs run side by side as on CircleCI, at most `slots` at once, each as
soon as every job it `requires` has passed; a job's steps run one after another and stop at the
first that fails, whose dependents then do not run (as CircleCI's). Workflows are independent, as
CircleCI's triggers make them (the scheduled ones run on their own): their jobs share the slots,
a free one going to the first ready job in the file's order. Each command's output streams to
the terminal, each line prefixed with its job, as CircleCI's log of that job would show it.
"""

import contextlib
import os
import re
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
VERDICT_LINES = 40  # pytest's `FAILED`/`ERROR` summary lines, named first in that failure
VERDICT = re.compile(r"^(FAILED|ERROR) \S")


@dataclass
class Outcome:
    # "rehearsed", "FAILED", "not run" (an earlier step or a required job failed), "not rehearsed"
    result: str
    seconds: float = 0.0
    tail: str = ""


Report = Callable[[Step, Outcome], None]


_live: set["subprocess.Popen[bytes]"] = set()  # the commands running now
_live_lock = threading.Lock()
STOP_GRACE_S = 30.0  # after Ctrl-C's SIGINT, before SIGKILL


def _end(process: "subprocess.Popen[bytes]", grace_s: float = STOP_GRACE_S) -> None:
    """Stop a command as Ctrl-C would (SIGINT to its process group: pytest then stops the servers
    its fixtures started), then SIGKILL what is left of the group after `grace_s` or once the
    command has ended (a child that ignored SIGINT would hold its output open)."""
    with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGINT)
        process.wait(grace_s)
    with contextlib.suppress(ProcessLookupError):  # nothing of it is left
        os.killpg(process.pid, signal.SIGKILL)


def stop_all(grace_s: float = STOP_GRACE_S) -> None:
    """End every command still running (the rehearsal interrupted or torn down)."""
    with _live_lock:
        running = list(_live)
    stoppers = [threading.Thread(target=_end, args=(p, grace_s)) for p in running]
    for stopper in stoppers:
        stopper.start()
    for stopper in stoppers:
        stopper.join()


def run_step(step: Step, env: dict[str, str], cwd: str, timeout_s: float) -> Outcome:
    """The step's command as CircleCI runs it (bash -eo pipefail), bounded by `timeout_s`."""
    started = time.monotonic()
    process = subprocess.Popen(
        ["/bin/bash", "-eo", "pipefail", "-c", step.command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its whole process group is ended on timeout or interrupt
    )
    with _live_lock:
        _live.add(process)
    timed_out = threading.Event()
    timer = threading.Timer(timeout_s, lambda: (timed_out.set(), _end(process)))
    timer.daemon = True  # never what keeps an interrupted rehearsal's interpreter alive
    timer.start()
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    verdicts: list[str] = []  # a long log's captured output would push them out of the tail
    assert process.stdout is not None
    try:
        for raw in process.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            tail.append(line)
            if VERDICT.match(line) and len(verdicts) < VERDICT_LINES:
                verdicts.append(line)
            sys.stdout.write(f"{step.job:<13}| {line}\n")
            sys.stdout.flush()
        code = process.wait()
    finally:
        timer.cancel()
        with _live_lock:
            _live.discard(process)
    seconds = time.monotonic() - started
    if code == 0:
        return Outcome("rehearsed", seconds)
    why = f"stopped after {timeout_s:.0f} s" if timed_out.is_set() else f"exited {code}"
    named = "".join(f"\n{line}" for line in verdicts)
    said = "\n".join(tail)
    return Outcome("FAILED", seconds, f"`{step.command}` {why}{named}\nits last lines:\n{said}")


def _run_job(steps: list[Step], run: Callable[[Step], Outcome], report: Report) -> bool:
    failed_at = None
    for step in steps:
        outcome = Outcome("not run", tail=f"{failed_at} failed") if failed_at else run(step)
        if outcome.result == "FAILED":
            failed_at = f"`{step.command}`"
        report(step, outcome)
    return failed_at is None


Key = tuple[str, str]  # (workflow, job)


class _Pool:
    """The jobs, what each requires, and which have passed or ended; the scheduling loop."""

    def __init__(
        self, steps: list[Step], requires: dict[str, dict[str, list[str]]], slots: int
    ) -> None:
        self.jobs: dict[Key, list[Step]] = {}
        for step in steps:
            self.jobs.setdefault((step.workflow, step.job), []).append(step)
        self.requires = requires
        self.slots = slots
        self.passed: set[Key] = set()
        self.ended: set[Key] = set()
        self.running: dict[Key, threading.Thread] = {}
        self.done = threading.Condition()

    def needs(self, key: Key) -> list[Key]:
        workflow, job = key
        return [(workflow, need) for need in self.requires.get(workflow, {}).get(job, [])]

    def run(self, run: Callable[[Step], Outcome], report: Report) -> None:
        def job_thread(key: Key) -> None:
            ok = _run_job(self.jobs[key], run, report)
            with self.done:
                if ok:
                    self.passed.add(key)
                self.ended.add(key)
                self.done.notify_all()

        with self.done:
            while len(self.ended) < len(self.jobs):
                for key in [k for k in self.jobs if k not in self.ended | set(self.running)]:
                    needs = self.needs(key)
                    if any(need in self.ended and need not in self.passed for need in needs):
                        for step in self.jobs[key]:
                            report(step, Outcome("not run", tail=f"a required job failed: {needs}"))
                        self.ended.add(key)
                    elif (
                        all(need in self.passed for need in needs)
                        and len(self.running) < self.slots
                    ):
                        thread = threading.Thread(target=job_thread, args=(key,), daemon=True)
                        self.running[key] = thread
                        thread.start()
                self.done.wait(timeout=1.0)
                for key in [k for k in self.running if k in self.ended]:
                    self.running.pop(key).join()


def rehearse(
    steps: list[Step],
    requires: dict[str, dict[str, list[str]]],
    run: Callable[[Step], Outcome],
    report: Report,
    slots: int,
) -> None:
    """Run every step: each job once the jobs it requires (in its workflow) have passed, at most
    `slots` jobs at once, a free slot going to the first ready job in the file's order."""
    try:
        _Pool(steps, requires, slots).run(run, report)
    finally:  # interrupted (Ctrl-C): the commands still running end as Ctrl-C ends them
        stop_all()
