"""Every `run` command of .circleci/config.yml, verbatim, against the outside world's stand-ins
(outside.py), the jobs of a workflow side by side as on CircleCI (scheduler.py): a command that
fails here fails on CircleCI."""

import pytest
from pipeline import NOT_REHEARSED, Step
from scheduler import Outcome


def test_command(step: Step, rehearsal: dict[Step, Outcome]) -> None:
    if step.command in NOT_REHEARSED:
        pytest.skip(f"not rehearsed: {step.command}: {NOT_REHEARSED[step.command]}")
    outcome = rehearsal[step]
    assert outcome.result == "rehearsed", f"{step.job}: {outcome.result}: {outcome.tail}"
