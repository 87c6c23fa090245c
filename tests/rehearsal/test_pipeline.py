"""Every `run` command of .circleci/config.yml, verbatim, in job order, against the outside
world's stand-ins (outside.py): a command that fails here fails on CircleCI."""

import subprocess

import pytest
from pipeline import NOT_REHEARSED, Step
from titanic_release.project import REPO_ROOT

STEP_TIMEOUT_S = 20 * 60  # the longest job (test_app) takes about 4 minutes


def test_command(step: Step, outside: dict[str, str]) -> None:
    if step.command in NOT_REHEARSED:
        pytest.skip(f"not rehearsed: {step.command}: {NOT_REHEARSED[step.command]}")
    # CircleCI runs a step with bash -eo pipefail, from the checkout's root.
    done = subprocess.run(
        ["/bin/bash", "-eo", "pipefail", "-c", step.command],
        cwd=REPO_ROOT,
        env=outside,
        timeout=STEP_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, f"{step.job}: `{step.command}` exited {done.returncode}"
