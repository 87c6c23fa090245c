"""`make run` as a newcomer meets it: busy ports found before any work, naming the setting that
moves them; one line per step with its time; a failed step's output shown in full."""

import ast
import configparser
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from titanic_release.free_ports import busy_ports
from titanic_release.make_step import elapsed_text, run_step

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port something listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield int(listener.getsockname()[1])


MakeRun = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def make_run(tmp_path: Path) -> MakeRun:
    """`make run VAR=...` in a copy holding only the Makefile, release/src and the masker: anything
    past the port check would fail at once there, and nothing of the real clone is touched."""
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copytree(ROOT / "release" / "src", tmp_path / "release" / "src")
    shutil.copytree(ROOT / "masking" / "titanic_masking", tmp_path / "masking" / "titanic_masking")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOX_", "MAKE", "VIRTUAL_ENV"))}

    def run(*variables: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["make", "--no-print-directory", "run", f"PYTHON={sys.executable}", *variables],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    return run


def test_a_busy_api_port_stops_make_run_before_any_work_naming_port(
    make_run: MakeRun, busy_port: int, tmp_path: Path
) -> None:
    result = make_run(f"PORT={busy_port}", "INDEX_PORT=1")

    assert result.returncode != 0
    assert f"port {busy_port} on 127.0.0.1 (the API's, PORT) is in use" in result.stderr
    assert f"make run PORT={busy_port + 1}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / ".venv").exists()  # no step started
    assert "[1/5]" not in result.stdout


def test_a_busy_index_port_stops_make_run_before_any_work_naming_index_port(
    make_run: MakeRun, busy_port: int, tmp_path: Path
) -> None:
    result = make_run("PORT=1", f"INDEX_PORT={busy_port}")

    assert result.returncode != 0
    assert f"port {busy_port} on 127.0.0.1 (the local index's, INDEX_PORT)" in result.stderr
    assert f"make run INDEX_PORT={busy_port + 1}" in result.stderr
    assert not (tmp_path / ".venv").exists()


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        (("PORT=abc",), "PORT='abc'"),
        (("PORT=99999",), "PORT='99999'"),
        (("PORT=",), "PORT=''"),
        (("PORT=8²",), "PORT='8²'"),
        (("INDEX_PORT=-1",), "INDEX_PORT='-1'"),
    ],
)
def test_a_port_setting_that_is_no_port_stops_make_run_naming_the_setting(
    make_run: MakeRun, variables: tuple[str, ...], named: str, tmp_path: Path
) -> None:
    result = make_run(*variables)

    assert result.returncode != 0
    assert f"{named} is not a port: give a number from 1 to 65535" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / ".venv").exists()


def test_make_index_with_an_index_port_that_is_no_port_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "titanic_release.local_index",
            "--state-dir",
            str(tmp_path),
            "start",
        ],
        env={**os.environ, "INDEX_PORT": "70000"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "The local index did not start: INDEX_PORT='70000' is not a port: "
        "give a number from 1 to 65535"
    )


def test_the_port_held_by_this_clone_s_own_index_is_not_busy(
    busy_port: int, tmp_path: Path
) -> None:
    state = tmp_path / "server.json"
    state.write_text(json.dumps({"pid": os.getpid(), "port": busy_port}))
    assert busy_ports(1, busy_port, state) == []
    state.write_text(json.dumps({"pid": os.getpid(), "port": busy_port + 1}))
    assert len(busy_ports(1, busy_port, state)) == 1


def test_make_index_on_a_busy_port_is_one_line_naming_index_port(
    busy_port: int, tmp_path: Path
) -> None:
    state_dir = str(tmp_path / "index")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "titanic_release.local_index",
            "--state-dir",
            state_dir,
            "start",
            "--port",
            str(busy_port),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"port {busy_port} on 127.0.0.1 is already in use; choose another with INDEX_PORT" in (
        result.stderr
    )
    assert not (tmp_path / "index").exists()  # no credentials written for an index that never ran


def test_a_step_prints_one_line_with_its_time_and_logs_its_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "run.log"
    noisy = [sys.executable, "-c", "for i in range(300): print('copying', i)"]
    assert run_step("[1/2] noisy", noisy, log, new_log=True) == 0
    assert run_step("[2/2] quiet", [sys.executable, "-c", "pass"], log, new_log=False) == 0

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("[1/2] noisy ... ")
    assert lines[0].endswith(" s")
    assert "copying 299" in log.read_text()


def test_a_failed_step_shows_its_whole_output_and_keeps_its_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "run.log"
    run_step("[1/2] fine", [sys.executable, "-c", "print('earlier step')"], log, new_log=True)
    failing = [sys.executable, "-c", "print('first'); print('x' * 10); raise SystemExit(3)"]
    assert run_step("[2/2] broken", failing, log, new_log=False) == 3

    out = capsys.readouterr().out
    assert "[2/2] broken ... FAILED after" in out
    assert f"(exit 3); its output (also in {log}):" in out
    assert "first\nxxxxxxxxxx\n" in out
    assert "earlier step" not in out  # only the failed step's output


def test_a_step_logs_its_command_without_the_credentials_of_a_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "run.log"
    user, password = "writer", "s3cr%40t"  # pragma: allowlist secret (a test value)
    url = f"postgresql+psycopg://{user}:{password}@db:5432/store?sslmode=require"
    command = [sys.executable, "-c", "pass", "--url", url]
    assert run_step("[1/1] upgrade", command, log, new_log=True) == 0
    logged = log.read_text()
    assert "db:5432/store?sslmode=require" in logged
    assert "s3cr" not in logged
    assert "writer" not in logged


def test_elapsed_time_reads_in_seconds_then_minutes() -> None:
    assert elapsed_text(4.26) == "4.3 s"
    assert elapsed_text(125.2) == "2 min 05 s"


def test_the_two_commands_section_names_both_port_settings() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n## Two commands")
    section = readme[start : readme.index("\n## ", start + 1)]
    assert "PORT=" in section
    assert "INDEX_PORT=" in section


def _tox_env(name: str) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "tox.ini", encoding="utf-8")
    return dict(parser[f"testenv:{name}"])


def _imports_the_model_package(module: Path) -> bool:
    return any(
        isinstance(node, ast.ImportFrom) and (node.module or "").startswith("titanic_model")
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8")))
    )


def test_the_index_env_holds_the_model_package_that_release_code_imports() -> None:
    """`make run` runs titanic_release's install_api and local_index with the index env's python:
    release code imports the model package (its credential masker), so that env must install it,
    and without the [train] extra (a fresh clone once failed here with ModuleNotFoundError)."""
    release_modules = (ROOT / "release" / "src" / "titanic_release").rglob("*.py")
    assert any(_imports_the_model_package(path) for path in release_modules)
    index = _tox_env("index")
    assert index.get("skip_install", "false").strip().lower() != "true"
    assert index.get("package", "").strip() != "skip"
    assert "train" not in index.get("extras", "").split()
    assert "extras" in index  # set, and empty: the base env's [train] extra is not wanted here
