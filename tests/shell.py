"""A command as a reader types it: through bash -e, failing the test with its whole output."""

import subprocess
from pathlib import Path


def bash(script: str, cwd: Path, env: dict[str, str], timeout: float = 120) -> str:
    """Run `script` with bash -e in `cwd`; its stdout (the whole output if it fails)."""
    ran = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert ran.returncode == 0, f"{script}\nexit {ran.returncode}\n{ran.stdout}\n{ran.stderr}"
    return ran.stdout
