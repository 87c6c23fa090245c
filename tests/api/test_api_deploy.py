"""Deploy files agree with each other and with the package; the Procfile command really serves."""

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
from live_server import API_DIR, PROCFILE_COMMAND, serve
from titanic_release.project import DIST_NAME
from titanic_release.servers import free_port

from app.core.config import Settings

PIN = re.compile(rf"^{re.escape(DIST_NAME)}==(?P<version>\S+)$")


def requirement_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_requirements_start_with_the_index_and_pin_the_package_version(model_version: str) -> None:
    lines = (API_DIR / "requirements.txt").read_text(encoding="utf-8").splitlines()

    assert lines[0] == "--extra-index-url=${PIP_EXTRA_INDEX_URL}"
    pins = [match["version"] for line in lines if (match := PIN.match(line.strip()))]
    assert pins == [model_version], "api/requirements.txt must pin model_package VERSION exactly"


def test_api_dependencies_are_pinned_and_include_the_serving_stack() -> None:
    lines = requirement_lines(API_DIR / "requirements-app.txt")

    assert all("==" in line for line in lines), lines
    names = {line.split("==")[0] for line in lines}
    assert {"fastapi", "uvicorn[standard]", "pydantic-settings", "loguru"} <= names
    assert "-r requirements-app.txt" in requirement_lines(API_DIR / "requirements.txt")


def test_procfile_is_the_documented_command() -> None:
    assert (API_DIR / "Procfile").read_text(encoding="utf-8") == f"web: {PROCFILE_COMMAND}\n"


def test_railway_starts_the_same_command_and_checks_readiness() -> None:
    railway = json.loads((API_DIR / "railway.json").read_text(encoding="utf-8"))

    deploy = railway["deploy"]
    assert PROCFILE_COMMAND in deploy["startCommand"]
    # the store's schema is brought up to date before the new release starts (never by the API)
    assert deploy["preDeployCommand"] == ["titanic-store upgrade"]
    # readiness: the new release gets traffic once its schema is current
    assert deploy["healthcheckPath"] == "/api/v1/ready"
    # SIGTERM to SIGKILL: the whole shutdown's bound with the default settings (operations.md)
    defaults = Settings.model_fields
    bound = sum(
        defaults[name].default
        for name in ("SHUTDOWN_DELAY_S", "SHUTDOWN_GRACE_S", "STORE_SHUTDOWN_TIMEOUT_S")
    )
    assert deploy["drainingSeconds"] >= bound + 5
    assert deploy["restartPolicyType"] in {"ON_FAILURE", "ALWAYS"}
    assert railway["build"]["builder"] == "DOCKERFILE"


def dockerfile_stages() -> list[list[str]]:
    """Instructions per stage, continuation lines joined; the global ARGs before the first FROM
    are stage 0."""
    text = (API_DIR / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    instructions = [line.strip() for line in text.splitlines()]
    stages: list[list[str]] = [[]]
    for line in instructions:
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        stages[-1].append(line)
    return stages


def test_dockerfile_builds_on_a_pinned_official_python_slim_by_default() -> None:
    global_args, *stages = dockerfile_stages()

    (base,) = [line for line in global_args if line.startswith("ARG BASE_IMAGE=")]
    assert re.fullmatch(r"ARG BASE_IMAGE=python:3\.11\.\d+-slim-bookworm", base)
    assert all(stage[0].startswith("FROM ${BASE_IMAGE}") for stage in stages)


def test_dockerfile_keeps_the_index_url_out_of_the_final_image() -> None:
    _, *build_stages, final = dockerfile_stages()

    build_lines = [line for stage in build_stages for line in stage]
    assert any(line.startswith("ARG PIP_EXTRA_INDEX_URL") for line in build_lines)
    assert not [line for line in final if "PIP_EXTRA_INDEX_URL" in line]
    every_line = [line for stage in [*build_stages, final] for line in stage]
    assert not [line for line in every_line if line.startswith("ENV") and "INDEX_URL" in line]
    assert not [line for line in every_line if "INDEX_URL" in line and ">" in line]  # no file


def test_dockerfile_runs_the_procfile_command_as_a_non_root_user_with_a_healthcheck() -> None:
    final = dockerfile_stages()[-1]

    users = [line.split()[1] for line in final if line.startswith("USER ")]
    assert users
    assert users[-1] not in {"root", "0"}
    assert any(line.startswith("HEALTHCHECK ") for line in final)
    (cmd,) = [line for line in final if line.startswith("CMD ")]
    assert PROCFILE_COMMAND in json.loads(cmd.removeprefix("CMD "))[-1]


def test_procfile_command_serves_health(model_version: str) -> None:
    """The Procfile's command with PORT set, as Railway runs it, but listening on loopback only:
    tests never bind beyond 127.0.0.1 (the host part is checked by the test above)."""
    command = (API_DIR / "Procfile").read_text(encoding="utf-8").removeprefix("web: ").strip()
    assert command.count("--host 0.0.0.0") == 1

    with serve(command.replace("--host 0.0.0.0", "--host 127.0.0.1")) as server:
        health = httpx.get(f"{server.base_url}/api/v1/health").json()

    assert health["model_version"] == model_version
    assert health["status"] == "ok"


def test_healthcheck_module_exits_0_with_a_server_and_1_without() -> None:
    check = [sys.executable, "-m", "app.healthcheck"]
    with serve() as server:
        port = server.base_url.rsplit(":", 1)[1]
        up = subprocess.run(check, cwd=API_DIR, env={"PORT": port}, timeout=60, check=False)
    down = subprocess.run(
        check, cwd=API_DIR, env={"PORT": str(free_port())}, timeout=60, check=False
    )

    assert (up.returncode, down.returncode) == (0, 1)


def test_dockerfile_install_fails_unless_the_model_came_from_the_private_index() -> None:
    build = dockerfile_stages()[1]

    (install,) = [" ".join(line.split()) for line in build if "pip install" in line]
    assert install.startswith("RUN ")
    report = install.split("--report ", 1)[1].split()[0]
    # The index: the build secret when mounted (make image), else the stage's ARG (Railway).
    assert "--mount=type=secret,id=pip_extra_index_url,required=false" in install
    index, install_and_check = install.split("&& export PIP_EXTRA_INDEX_URL &&", 1)
    assert 'PIP_EXTRA_INDEX_URL="$(cat /run/secrets/pip_extra_index_url)"' in index
    pip, check = install_and_check.split("&&", 1)
    assert "pip install" in pip
    assert f"verify_install.py {report}" in check
    assert any(line.startswith("COPY ") and "verify_install.py" in line for line in build)
