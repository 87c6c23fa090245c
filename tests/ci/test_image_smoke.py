"""`make image-smoke` (CircleCI's image job) with a stand-in `docker` that records its calls and
answers as a healthy or a broken container would: the script's order and its failures."""

import subprocess
from pathlib import Path

import pytest
from stand_in_make import make_with_stand_ins

ROOT = Path(__file__).resolve().parents[2]

STAND_IN_DOCKER = """#!/bin/sh
echo "$*" >> "$CALLS"
case "$1 $3" in
  "inspect {{.State.Health.Status}}") echo "$HEALTH" ;;
  "inspect {{.State.ExitCode}}") echo "$EXIT_CODE" ;;
esac
case "$1" in
  run|create) echo 0123456789ab ;;
  cp) cat > "$ARCHIVE" ;;
  start) exit "$SMOKE_EXIT" ;;
  logs) echo "Application shutdown complete." ;;
esac
"""


def _image_smoke(
    tmp_path: Path, *, health: str = "healthy", smoke_exit: int = 0, exit_code: int = 0
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    docker = tmp_path / "docker"
    docker.write_text(STAND_IN_DOCKER)
    docker.chmod(0o755)
    calls = tmp_path / "calls.txt"
    env = {
        "PATH": f"{tmp_path}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "CALLS": str(calls),
        "ARCHIVE": str(tmp_path / "project.tar"),
        "HEALTH": health,
        "SMOKE_EXIT": str(smoke_exit),
        "EXIT_CODE": str(exit_code),
    }
    return make_with_stand_ins("image-smoke", env)


def test_a_healthy_image_is_smoke_tested_from_its_network_then_stopped(tmp_path: Path) -> None:
    result, calls = _image_smoke(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    verbs = [call.split()[0] for call in calls]
    assert verbs.index("run") < verbs.index("create") < verbs.index("start") < verbs.index("stop")
    run = next(call for call in calls if call.startswith("run "))
    assert "--env RELEASE_ID=abc123" in run
    version = (ROOT / "model_package" / "titanic_model" / "VERSION").read_text().strip()
    assert run.endswith(f"titanic-api:{version}")
    create = next(call for call in calls if call.startswith("create "))
    api = run.split("--name ", 1)[1].split()[0]
    assert f"--network container:{api}" in create
    assert "tox run -e smoke -- --url http://127.0.0.1:8001 --expected-release abc123" in create
    assert (tmp_path / "project.tar").stat().st_size > 0  # this commit, for the smoke runner
    assert calls[-1].startswith("rm --force")  # both containers go, whatever happened


@pytest.mark.parametrize(
    ("case", "options"),
    [
        ("unhealthy", {"health": "unhealthy"}),
        ("smoke test fails", {"smoke_exit": 1}),
        ("killed at stop", {"exit_code": 137}),
    ],
)
def test_it_fails_when_the_image_is_not_fit_to_deploy(
    tmp_path: Path, case: str, options: dict[str, object]
) -> None:
    result, calls = _image_smoke(tmp_path, **options)  # type: ignore[arg-type]

    assert result.returncode != 0, case
    assert calls[-1].startswith("rm --force"), case
