"""A make target run as CircleCI runs it, with stand-in tools first on PATH that log each call
they get to the file named by CALLS."""

import shutil
import subprocess
from pathlib import Path

from titanic_release.project import REPO_ROOT


def make_with_stand_ins(
    target: str, env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """`make <target> RELEASE_ID=abc123` in the repository; its result and the calls logged."""
    make = shutil.which("make")
    assert make is not None
    result = subprocess.run(
        [make, "--no-print-directory", "-C", str(REPO_ROOT), target, "RELEASE_ID=abc123"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    calls = Path(env["CALLS"])
    return result, calls.read_text().splitlines() if calls.exists() else []
