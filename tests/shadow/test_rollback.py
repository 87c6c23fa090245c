"""make rollback against a stand-in Railway CLI: the previous release's tree is deployed with its
own release id, the real smoke test waits until that release answers, then the pin moves back.

The stand-in keeps answering with the release being undone for a moment after `up`, as a rollout
does, so a smoke test that did not wait for the release id would fail."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from scratch_git import git
from titanic_release.project import REPO_ROOT
from titanic_release.promote import current_pin

PIN = "titanic-survival-model=={}\n"
STANDIN = textwrap.dedent(
    """\
    #!{python}
    import json, os, subprocess, sys
    from pathlib import Path
    state = Path({state!r})
    calls = state / "calls.txt"
    with calls.open("a") as log:
        log.write(os.getcwd() + " " + " ".join(sys.argv[1:]) + "\\n")
    if sys.argv[1] == "variables":
        name, _, value = sys.argv[sys.argv.index("--set") + 1].partition("=")
        (state / "variables.json").write_text(json.dumps({{name: value}}))
    elif sys.argv[1] == "up":
        pinned = Path("api/requirements.txt").read_text().split("==")[1].strip()
        release = json.loads((state / "variables.json").read_text())["RELEASE_ID"]
        server = subprocess.Popen(
            [sys.executable, {server!r}, str({port}), pinned, release],
            start_new_session=True,
            stdout=subprocess.DEVNULL,  # not the caller's pipe: its reader would wait for it
            stderr=subprocess.DEVNULL,
        )
        (state / "pid").write_text(str(server.pid))
        print(f"railway (stand-in): built {{os.getcwd()}}, deploying {{release}}")
    """
)
SERVER = textwrap.dedent(
    """\
    import json, os, sys, time
    from http.server import BaseHTTPRequestHandler, HTTPServer
    port, version, release = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    rollout_s = float(os.environ.get("STANDIN_ROLLOUT_S", "3"))  # the old release answers meanwhile
    started, deadline = time.monotonic(), time.monotonic() + 60
    class Health(BaseHTTPRequestHandler):
        def do_GET(self):
            rolled_out = time.monotonic() - started > rollout_s
            body = {"model_version": version if rolled_out else "0.4.0",
                    "release_id": release if rolled_out else "the-bad-release",
                    "status": "ok", "ready": True}
            data = json.dumps(body).encode()
            self.send_response(200 if self.path == "/api/v1/health" else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(data)
        def log_message(self, *args):
            pass
    server = HTTPServer(("127.0.0.1", port), Health)
    server.timeout = 0.5
    while time.monotonic() < deadline:
        server.handle_request()
    """
)

# The smoke test's own health check (the one that waits for the release id), as tox -e smoke
# runs it; its other checks need a real API and the published package.
ROLLBACK = [sys.executable, "-m", "titanic_release.rollback"]
SMOKE = f"{sys.executable} -m pytest {REPO_ROOT / 'tests/smoke'} -p no:cacheprovider -q -k health"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def released(tmp_path: Path) -> Iterator[tuple[Path, Path, str]]:
    """A repository whose pin went 0.3.0 -> 0.4.0 (a promotion), with a stand-in Railway CLI;
    the stand-in's server is stopped by its PID whatever the test's outcome."""
    root, state = tmp_path / "repo", tmp_path / "railway"
    (root / "api").mkdir(parents=True)
    (root / "model_package/titanic_model").mkdir(parents=True)
    state.mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.name", "t")
    git(root, "config", "user.email", "t@example.invalid")
    for version in ("0.3.0", "0.4.0"):
        (root / "api/requirements.txt").write_text(PIN.format(version))
        (root / "model_package/titanic_model/VERSION").write_text(version + "\n")
        git(root, "add", ".")
        git(root, "commit", "-qm", f"release {version}")
    previous = git(root, "rev-parse", "HEAD^").strip()
    server = tmp_path / "server.py"
    server.write_text(SERVER)
    railway = tmp_path / "railway-cli"
    port = _free_port()
    railway.write_text(
        STANDIN.format(python=sys.executable, state=str(state), server=str(server), port=port)
    )
    railway.chmod(0o755)
    yield root, railway, f"http://127.0.0.1:{port}|{previous}"
    pid_file = state / "pid"
    if pid_file.exists():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid_file.read_text()), signal.SIGTERM)


def test_rollback_deploys_the_previous_release_and_waits_until_it_answers(
    released: tuple[Path, Path, str], tmp_path: Path
) -> None:
    root, railway, target = released
    url, previous = target.split("|")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "RAILWAY_TOKEN": "token-for-the-test",
        "RAILWAY_CLI": str(railway),
        "API_URL": url,
    }
    result = subprocess.run(
        [*ROLLBACK, "--root", str(root), "--wait", "30", "--smoke", SMOKE],
        env={**env, "PYTHONPATH": str(REPO_ROOT / "release/src")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    transcript = result.stdout + result.stderr
    print(transcript)
    assert result.returncode == 0, transcript
    exported = root / "build" / "rollback" / previous
    calls = (tmp_path / "railway" / "calls.txt").read_text().splitlines()
    assert calls == [
        f"{exported} variables --set RELEASE_ID={previous} --skip-deploys",
        f"{exported} up --ci",
    ]
    assert (exported / "api/requirements.txt").read_text() == PIN.format("0.3.0")
    assert "1 passed" in transcript  # the smoke test's health check, after waiting
    assert current_pin(root) == "0.3.0"
    assert git(root, "log", "-1", "--format=%s").strip().startswith("Roll back")
    assert "token-for-the-test" not in transcript


def test_rollback_stops_before_the_pin_moves_when_the_release_never_answers(
    released: tuple[Path, Path, str], tmp_path: Path
) -> None:
    root, railway, target = released
    url, _ = target.split("|")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "RAILWAY_TOKEN": "t"}
    env["STANDIN_ROLLOUT_S"] = "3600"  # never rolled out, however slowly the smoke test starts
    env |= {"RAILWAY_CLI": str(railway), "PYTHONPATH": str(REPO_ROOT / "release/src")}
    result = subprocess.run(
        [*ROLLBACK, "--root", str(root), "--api-url", url, "--wait", "1", "--smoke", SMOKE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "production may still serve the release being undone" in result.stderr
    assert current_pin(root) == "0.4.0"
