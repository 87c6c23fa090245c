"""CI hygiene: JUnit results kept, dependencies audited, secrets scanned, deploys
smoke-tested. The secret scanner is run for real on planted secrets."""

import configparser
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from uv import find_uv_bin

ROOT = Path(__file__).resolve().parents[2]
SCAN_SECRETS = ROOT / ".ci" / "scan_secrets.py"
BASELINE = ROOT / ".secrets.baseline"


def circleci() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / ".circleci" / "config.yml").read_text())
    return loaded


def tox_commands(env: str) -> str:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "tox.ini", encoding="utf-8")
    return parser[f"testenv:{env}"]["commands"]


def run_commands(job: str) -> list[str]:
    steps = circleci()["jobs"][job]["steps"]
    return [step["run"]["command"] for step in steps if isinstance(step, dict) and "run" in step]


def pytest_envs(job: str) -> list[str]:
    """The tox envs a CircleCI job runs whose commands run pytest."""
    envs = [
        match.group(1)
        for command in run_commands(job)
        if (match := re.search(r"tox run -e (\w+)", command))
    ]
    return [env for env in envs if "pytest" in tox_commands(env)]


PYTEST_JOBS = {job: pytest_envs(job) for job in circleci()["jobs"] if pytest_envs(job)}


def test_every_job_that_runs_pytest_is_checked() -> None:
    assert {"checks", "test_package", "test_app", "test_spark", "deploy_api"} <= set(PYTEST_JOBS)


def scan(*files: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCAN_SECRETS), "--baseline", str(BASELINE)]
    return subprocess.run(
        [*command, *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(("job", "envs"), PYTEST_JOBS.items())
def test_every_test_job_stores_its_junit_results(job: str, envs: list[str]) -> None:
    steps = circleci()["jobs"][job]["steps"]
    stored = [step["store_test_results"] for step in steps if "store_test_results" in step]
    assert stored == [{"path": "reports/junit", "when": "always"}]
    for env in envs:
        assert "--junitxml={tox_root}/reports/junit/{env_name}.xml" in tox_commands(env)


def test_security_job_audits_the_locked_dependencies_and_gates_publishing() -> None:
    assert run_commands("security") == [".venv/bin/tox run -e security"]
    assert (
        "pip-audit --strict --disable-pip --no-deps -r constraints.txt -r api/requirements-app.txt"
        in (tox_commands("security"))
    )
    workflow = circleci()["workflows"]["test-publish-deploy"]
    publish = next(job["publish_model"] for job in workflow["jobs"] if "publish_model" in job)
    assert "security" in publish["requires"]


def test_security_env_audits_the_package_its_extras_and_the_monitor(tmp_path: Path) -> None:
    """The env's `uv pip compile` steps, run here: together they resolve everything that ships,
    and each set they write is audited strictly."""
    lines = [line.strip() for line in tox_commands("security").splitlines() if line.strip()]
    compiles = [line for line in lines if line.startswith("uv pip compile ")]
    audits = [line for line in lines if line.startswith("pip-audit --strict ")]
    resolved: set[str] = set()
    for command in compiles:
        argv = command.replace("{env_tmp_dir}", str(tmp_path)).split()
        output = Path(argv[argv.index("-o") + 1])
        result = subprocess.run(
            [find_uv_bin(), *argv[1:]], cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr
        resolved |= {
            line.split("==")[0] for line in output.read_text().splitlines() if "==" in line
        }
        audited = f"-r {output.relative_to(tmp_path).as_posix()}"
        assert any(audited.replace("-r ", "-r {env_tmp_dir}/") in audit for audit in audits)
    shipped = {"pandas", "pydantic", "loguru", "tqdm", "scikit-learn", "joblib", "pyarrow"}
    assert shipped | {"pyspark", "evidently", "sqlalchemy"} <= resolved


def test_deploy_waits_for_the_build_then_smoke_tests_api_url() -> None:
    commands = run_commands("deploy_api")
    assert commands[-2:] == [
        "make deploy-api",
        '.venv/bin/tox run -e smoke -- --url "$API_URL" --expected-release "$CIRCLE_SHA1"'
        " --wait 300",
    ]
    makefile = (ROOT / "Makefile").read_text()
    assert "up --ci" in makefile
    assert "up --detach" not in makefile  # --detach returns before the build is even done


def test_api_url_is_documented() -> None:
    header = (ROOT / ".circleci" / "config.yml").read_text().split("\nversion:", 1)[0]
    assert "API_URL" in header
    assert "API_URL" in (ROOT / "docs" / "operations.md").read_text()


def test_checks_env_runs_the_secret_scan_over_the_tree() -> None:
    """The scan of the tree itself is `tox -e checks`' to run (CircleCI's checks job runs it just
    before this suite, as does the rehearsal); the scanner's teeth are the two tests below."""
    assert "python .ci/scan_secrets.py --baseline .secrets.baseline" in tox_commands("checks")
    assert ".venv/bin/tox run -e checks" in run_commands("checks")


def test_secret_scan_fails_on_a_planted_secret(tmp_path: Path) -> None:
    planted = tmp_path / "settings.py"
    # Assembled at run time, so this file itself holds no secret for the scanner to find.
    aws_key = "AKIA" + "QWERTYUIOPASDFGH"
    planted.write_text(f'AWS_ACCESS_KEY_ID = "{aws_key}"\n')

    result = scan(planted)

    assert result.returncode == 1
    assert f"{planted}:1: possible secret (AWS Access Key)" in result.stdout


def test_secret_scan_passes_a_clean_file(tmp_path: Path) -> None:
    clean = tmp_path / "clean.py"
    clean.write_text('GREETING = "hello"\n')

    result = scan(clean)

    assert result.returncode == 0, result.stdout
