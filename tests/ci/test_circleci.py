"""The CircleCI pipeline: valid for CircleCI, and every command it runs exists in this repo.

A typo in a tox env name or a make target would only show on CircleCI, after a push; these tests
catch it locally. Each checker is also run on a deliberately broken copy, to show it can fail.
"""

import configparser
import copy
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CIRCLECI = ROOT / ".circleci" / "config.yml"
TOX_INI = ROOT / "tox.ini"
MAKEFILE = ROOT / "Makefile"
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")

TEST_JOBS = (
    "checks",
    "test_package",
    "test_app",
    "test_monitor",
    "e2e",
    "differential",
    "test_spark",
    "security",
    "observability",
    "shadow",
)
RELEASE_JOBS = ("publish_model", "image", "deploy_api")
# On a machine executor (a VM with its own Docker), after image, beside deploy_api.
CLUSTER_JOBS = ("kind_smoke",)
# A test job whose tox env has another name; every other test job runs its namesake.
JOB_TOX_ENV = {"observability": "test_observability", "shadow": "test_shadow"}
# `.venv/bin/tox run -e a,b` in the CircleCI config, `$(TOX) run -e a,b` in the Makefile.
# `tox run -e ENVS` or `tox run-parallel [options] -e ENVS`, not a set-up line (`--notest`)
_TOX_RUN = re.compile(
    r"(?:\btox|\$\(TOX\))(?:\s+run(?:-parallel)?)?(?:\s+--?[\w-]+(?:\s+\d+)?)*"
    r"\s+-e\s+([\w,-]+)(?![^\n]*--notest)"
)
_MAKE = re.compile(r"(?:^|[;&|]\s*)make\s+([\w-]+)")


def _load() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(CIRCLECI.read_text(encoding="utf-8"))
    return loaded


def _run_commands(config: dict[str, Any]) -> list[str]:
    """The shell commands of every `run` step, in jobs and in reusable commands."""
    blocks = [*config.get("jobs", {}).values(), *config.get("commands", {}).values()]
    commands = []
    for block in blocks:
        for step in block.get("steps", []):
            if isinstance(step, dict) and "run" in step:
                run = step["run"]
                commands.append(run if isinstance(run, str) else run["command"])
    return commands


def tox_envs_named(config: dict[str, Any]) -> set[str]:
    return {
        env
        for command in _run_commands(config)
        for match in _TOX_RUN.finditer(command)
        for env in match.group(1).split(",")
    }


def make_targets_named(config: dict[str, Any]) -> set[str]:
    return {
        match.group(1) for command in _run_commands(config) for match in _MAKE.finditer(command)
    }


def tox_envs_defined() -> set[str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(TOX_INI, encoding="utf-8")
    return {
        section.split(":", 1)[1] for section in parser.sections() if section.startswith("testenv:")
    }


def make_targets_defined() -> set[str]:
    text = MAKEFILE.read_text(encoding="utf-8")
    return set(re.findall(r"^([\w-]+):(?!=)", text, flags=re.MULTILINE))


def _tox_envs_of_make_test() -> set[str]:
    makefile = MAKEFILE.read_text(encoding="utf-8")
    recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe is not None, "the Makefile has no `test` target"
    text = recipe.group(1)
    for name, value in re.findall(r"^(\w+) :?= (.*)$", makefile, re.M):  # the recipe's variables
        text = text.replace(f"$({name})", value.strip())
    return {env for match in _TOX_RUN.finditer(text) for env in match.group(1).split(",")}


def uncovered_steps(config: dict[str, Any]) -> list[str]:
    """`run` steps that are neither a tox env nor a make target."""
    return [
        command
        for command in _run_commands(config)
        if not (_TOX_RUN.search(command) or _MAKE.search(command))
    ]


def _schema_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.circle-ci", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_config_validates_against_circleci_schema() -> None:
    result = _schema_check(CIRCLECI)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_a_broken_config(tmp_path: Path) -> None:
    broken = _load()
    broken["jobs"]["checks"]["steps"].append({"run": {"command": 5, "no_such_key": True}})
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    result = _schema_check(path)
    assert result.returncode != 0
    assert "command" in result.stdout


def test_schema_is_bundled_so_the_check_works_offline() -> None:
    import check_jsonschema

    bundled = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor"
    schema = bundled / "circle-ci.json"
    assert schema.is_file()
    assert '"$ref": "http' not in schema.read_text(encoding="utf-8")


def test_every_tox_env_it_names_exists() -> None:
    named = tox_envs_named(_load())
    assert {*(JOB_TOX_ENV.get(job, job) for job in TEST_JOBS), "publish_model", "test_ci"} <= named
    assert named - tox_envs_defined() == set()


def test_every_make_target_it_names_exists() -> None:
    named = make_targets_named(_load())
    assert {"venv", "deploy-api"} <= named
    assert named - make_targets_defined() == set()


def test_checkers_see_a_missing_env_and_target() -> None:
    broken = copy.deepcopy(_load())
    broken["jobs"]["e2e"]["steps"].append({"run": ".venv/bin/tox run -e e2e_typo"})
    broken["jobs"]["e2e"]["steps"].append({"run": {"command": "make no-such-target"}})
    assert "e2e_typo" in tox_envs_named(broken) - tox_envs_defined()
    assert "no-such-target" in make_targets_named(broken) - make_targets_defined()


def test_every_step_that_does_work_is_a_tox_env_or_make_target() -> None:
    assert uncovered_steps(_load()) == []
    broken = copy.deepcopy(_load())
    broken["jobs"]["checks"]["steps"].append({"run": "pip install ruff && ruff check ."})
    assert uncovered_steps(broken) == ["pip install ruff && ruff check ."]


# What make test runs beside the rehearsal of this config (tests/rehearsal), which runs every
# command CircleCI runs: test_image stands in for a container runtime that these machines lack
# (CircleCI's `image` job runs the image with a real one).
COVERED_BY_A_REAL_RUNTIME = {"test_image"}


def test_make_test_runs_the_rehearsal_of_this_config() -> None:
    assert _tox_envs_of_make_test() - tox_envs_named(_load()) == {
        "rehearse",
        *COVERED_BY_A_REAL_RUNTIME,
    }


def test_remote_docker_is_set_up_before_any_command_that_needs_docker() -> None:
    for name, job in _load()["jobs"].items():
        steps = [step if isinstance(step, str) else next(iter(step)) for step in job["steps"]]
        if "setup_remote_docker" in steps:
            assert steps.index("setup_remote_docker") < steps.index("run"), name
            assert make_targets_named({"jobs": {name: job}}) & {"image", "image-smoke"}, name


def test_tests_on_every_push_then_publish_and_deploy_on_main_only() -> None:
    config = _load()
    assert config["version"] == 2.1
    for job in (*TEST_JOBS, *RELEASE_JOBS):  # CLUSTER_JOBS: a VM, checked below
        executor = config["jobs"][job]["executor"]
        image = config["executors"][executor]["docker"][0]["image"]
        assert image.startswith("cimg/python:3.11"), (job, image)
    workflow = config["workflows"]["test-publish-deploy"]
    entries: dict[str, dict[str, Any]] = {}
    for entry in workflow["jobs"]:
        name, settings = (entry, {}) if isinstance(entry, str) else next(iter(entry.items()))
        entries[name] = settings
    assert set(entries) == {*TEST_JOBS, *RELEASE_JOBS, *CLUSTER_JOBS}
    for job in TEST_JOBS:
        assert "filters" not in entries[job]
        assert "requires" not in entries[job]
    assert set(entries["publish_model"]["requires"]) == set(TEST_JOBS)
    assert entries["image"]["requires"] == ["publish_model"]
    assert entries["deploy_api"]["requires"] == ["publish_model", "image"]
    for job in (*RELEASE_JOBS, *CLUSTER_JOBS):
        assert entries[job]["filters"] == {"branches": {"only": "main"}}


def test_kind_smoke_runs_the_base_on_a_vm_after_the_image_without_gating_the_deploy() -> None:
    """kind needs a Docker daemon of the job's own (remote Docker runs no cluster); the deploy
    to Railway does not wait for it."""
    config = _load()
    job = config["jobs"]["kind_smoke"]
    executor = config["executors"][job["executor"]]
    assert "machine" in executor
    assert "docker" not in executor
    assert {"image", "kind-smoke"} <= make_targets_named({"jobs": {"kind_smoke": job}})
    # make venv (in `prepare`) needs the python3.11 that a run step (make python311) selects first
    names = [step if isinstance(step, str) else next(iter(step)) for step in job["steps"]]
    assert names.index("checkout") < names.index("run") < names.index("prepare")
    entries = {
        next(iter(entry)): next(iter(entry.values()))
        for entry in config["workflows"]["test-publish-deploy"]["jobs"]
        if isinstance(entry, dict)
    }
    assert entries["kind_smoke"]["requires"] == ["image"]
    assert "kind_smoke" not in entries["deploy_api"]["requires"]


def test_the_rehearsal_lists_what_needs_docker_and_rehearses_the_rest_of_kind_smoke() -> None:
    """Under CI=true the rehearsal fails on a command neither rehearsed nor listed: kind's needs
    a Docker daemon, its image build and Python step run here (podman, python3.11)."""
    spec = importlib.util.spec_from_file_location("pipeline", ROOT / "tests/rehearsal/pipeline.py")
    assert spec is not None
    assert spec.loader is not None
    pipeline = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pipeline)
    NOT_REHEARSED = pipeline.NOT_REHEARSED  # noqa: N806
    kind_steps = [step for step in pipeline.steps(_load()) if step.job == "kind_smoke"]
    listed = {step.command: NOT_REHEARSED.get(step.command) for step in kind_steps}
    assert listed == {
        "make python311": None,
        "make venv": None,
        "make image": None,
        "make kind-smoke": NOT_REHEARSED["make kind-smoke"],
    }
    assert NOT_REHEARSED["make kind-smoke"].startswith("needs Docker (kind)")


def test_pip_and_tox_caches_are_keyed_on_the_dependency_files() -> None:
    config = _load()
    prepare = config["commands"]["prepare"]["steps"]
    restore = next(step["restore_cache"] for step in prepare if "restore_cache" in step)
    for source in ("tox.ini", "pyproject.toml", "api/requirements.txt", "constraints.txt"):
        assert f'checksum "{source}"' in restore["keys"][0]
    saved = config["commands"]["keep_caches"]["steps"][0]["save_cache"]
    assert saved["key"] == restore["keys"][0]
    assert ".cache" in saved["paths"]


def reports_not_kept_on_failure(config: dict[str, Any]) -> list[str]:
    """Jobs keeping a reports/ directory only when they pass: a report matters most on failure."""
    return [
        name
        for name, job in config["jobs"].items()
        for step in job["steps"]
        if isinstance(step, dict)
        and "store_artifacts" in step
        and step["store_artifacts"]["path"].startswith("reports/")
        and step["store_artifacts"].get("when") != "always"
    ]


def test_every_report_is_kept_even_when_its_job_fails() -> None:
    assert reports_not_kept_on_failure(_load()) == []
    broken = copy.deepcopy(_load())
    (stored,) = [s for s in broken["jobs"]["differential"]["steps"] if "store_artifacts" in s]
    del stored["store_artifacts"]["when"]
    assert reports_not_kept_on_failure(broken) == ["differential"]


def store_urls_written(config: dict[str, Any]) -> list[str]:
    """What a command passes as a store URL (--store-url, --traffic) other than `env:NAME`, and
    any database URL written out: a store's URL holds its password and belongs in a variable."""
    written = []
    for command in _run_commands(config):
        for option in re.finditer(r"--(?:store-url|traffic)[ =](\S+)", command):
            if not re.fullmatch(r"env:[A-Z_]+", option.group(1)):
                written.append(option.group(1))
        written += re.findall(r"\b(?:postgresql|sqlite)(?:\+\w+)?://\S*", command)
    return written


def test_no_command_writes_a_store_url() -> None:
    assert store_urls_written(_load()) == []
    broken = copy.deepcopy(_load())
    broken["jobs"]["monitor"]["steps"].append(
        {"run": ".venv/bin/tox run -e monitor -- --store-url postgresql://db.example/store"}
    )
    assert store_urls_written(broken) == [
        "postgresql://db.example/store",
        "postgresql://db.example/store",
    ]


def _make_deploy_api(env: dict[str, str], *variables: str) -> subprocess.CompletedProcess[str]:
    make = shutil.which("make")
    assert make is not None
    return subprocess.run(
        [make, "--no-print-directory", "-C", str(ROOT), "deploy-api", *variables],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_deploy_needs_the_railway_token(tmp_path: Path) -> None:
    result = _make_deploy_api({"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})

    assert result.returncode != 0
    assert "RAILWAY_TOKEN is not set" in result.stderr


def test_deploy_sets_the_release_id_then_builds_from_the_root(tmp_path: Path) -> None:
    """`make deploy-api` with a stand-in Railway CLI recording how and from where it is called:
    the repository's root, where Railway builds api/Dockerfile (api/railway.json)."""
    calls = tmp_path / "calls.txt"
    railway = tmp_path / "railway"
    railway.write_text(f'#!/bin/sh\necho "$(pwd) $*" >> {calls}\n')
    railway.chmod(0o755)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "RAILWAY_TOKEN": "token-for-the-test",
        "RAILWAY_SERVICE": "titanic-api",
        "CIRCLE_SHA1": "0123abc",
    }

    result = _make_deploy_api(env, f"RAILWAY_CLI={railway}")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "token-for-the-test" not in result.stdout + result.stderr
    assert calls.read_text().splitlines() == [
        f"{ROOT} variables --set RELEASE_ID=0123abc --skip-deploys --service titanic-api",
        f"{ROOT} up --ci --service titanic-api",
    ]


def test_deploy_stops_when_the_build_fails(tmp_path: Path) -> None:
    railway = tmp_path / "railway"
    railway.write_text('#!/bin/sh\ntest "$1" != up\n')  # `up` fails, as a failed build does
    railway.chmod(0o755)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "RAILWAY_TOKEN": "t"}

    result = _make_deploy_api(env, f"RAILWAY_CLI={railway}", "RELEASE_ID=r1")

    assert result.returncode != 0


def variables_in_the_header() -> list[str]:
    """The project's variables and the retrain context's, as the config's header lists them."""
    header = CIRCLECI.read_text(encoding="utf-8").split("\nversion:", 1)[0]
    return re.findall(r"^#   ([A-Z][A-Z0-9_]+)\s", header, re.MULTILINE)


def test_every_variable_a_command_reads_is_listed_in_the_header() -> None:
    """CircleCI's own (CIRCLE_*) aside: `$NAME`, `${NAME...}` and the tools' `env:NAME`."""
    commands = "\n".join(_run_commands(_load()))
    read = set(re.findall(r"\$\{?([A-Z][A-Z0-9_]+)|env:([A-Z][A-Z0-9_]+)", commands))
    names = {name for pair in read for name in pair if name and not name.startswith("CIRCLE_")}
    assert names
    assert names <= set(variables_in_the_header())


@pytest.mark.parametrize("variable", variables_in_the_header())
def test_every_variable_of_the_header_is_documented_in_the_ci_page(variable: str) -> None:
    ci_page = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    secrets_section = ci_page.split("## Secrets and settings", 1)[1].split("\n## ", 1)[0]
    assert f"| `{variable}` |" in secrets_section


def test_scheduled_workflows_run_on_main_only_and_deploy_nothing_live() -> None:
    config = _load()
    scheduled = [
        name
        for name, workflow in config["workflows"].items()
        if isinstance(workflow, dict) and "triggers" in workflow
    ]
    assert scheduled  # the daily report and the weekly retrain
    for name in scheduled:
        for trigger in config["workflows"][name]["triggers"]:
            assert trigger["schedule"]["filters"] == {"branches": {"only": "main"}}, name
        # The weekly retrain deploys its candidate as the shadow at most, never the live service.
        allowed = {"deploy_shadow"} if name == "weekly-retrain" else set()
        assert set(deploying_jobs(config, name)) <= allowed, name


def test_store_tests_get_postgresql_binaries_in_ci() -> None:
    steps = _load()["jobs"]["test_app"]["steps"]
    commands = [s["run"]["command"] for s in steps if isinstance(s, dict) and "run" in s]
    assert commands.index("make postgres-bin") < commands.index(".venv/bin/tox run -e test_app")
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^test: .*system-deps", MAKEFILE.read_text(encoding="utf-8"), re.M)
    assert re.search(r"^system-deps: .*postgres-bin", MAKEFILE.read_text(encoding="utf-8"), re.M)


def test_differential_replays_the_store_only_when_its_url_is_set() -> None:
    """The traffic gate runs when PREDICTION_STORE_URL is set, and the URL (with its password)
    is read from the environment by the gate, never written on tox's logged command line."""
    steps = _load()["jobs"]["differential"]["steps"]
    commands = [
        step["run"]["command"] for step in steps if isinstance(step, dict) and "run" in step
    ]
    (gate,) = [command for command in commands if "tox run -e differential" in command]
    tox_calls = []
    for value in ("", "postgresql://reader:s3cret@db.example/store"):  # pragma: allowlist secret
        stand_in = subprocess.run(
            ["bash", "-euc", gate.replace(".venv/bin/tox", "echo tox")],
            env={"PATH": "/usr/bin:/bin", "PREDICTION_STORE_URL": value},
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        tox_calls.append(stand_in.stdout.strip())
    assert tox_calls[0] == "tox run -e differential"
    assert tox_calls[1] == (
        "tox run -e differential -- --traffic env:PREDICTION_STORE_URL --since 30d"
    )
    assert "postgres-bin" in make_targets_named({"jobs": {"differential": {"steps": steps}}})
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(TOX_INI, encoding="utf-8")
    assert "PREDICTION_STORE_URL" in parser["testenv:differential"]["pass_env"].split()


def deploying_jobs(config: dict[str, Any], workflow: str) -> list[str]:
    """The jobs of `workflow` that publish an API or deploy: a release job, or a step that runs
    the deploy target or the image."""
    names = [
        entry if isinstance(entry, str) else next(iter(entry))
        for entry in config["workflows"][workflow]["jobs"]
    ]
    return [
        name
        for name in names
        if name in ("image", "deploy_api")
        or {"deploy-api", "deploy-shadow", "image", "image-smoke"}
        & make_targets_named({"jobs": {name: config["jobs"][name]}})
    ]


def test_weekly_retrain_is_weekly_with_the_read_only_role_its_env_passes_on() -> None:
    config = _load()
    workflow = config["workflows"]["weekly-retrain"]
    (trigger,) = workflow["triggers"]
    *_, day, month, weekday = trigger["schedule"]["cron"].split()
    assert (day, month) == ("*", "*"), "once a week"
    assert weekday.isdigit(), "once a week"
    assert workflow["jobs"] == [
        {"retrain": {"context": ["retrain"]}},
        {"deploy_shadow": {"requires": ["retrain"]}},
    ]
    # The weekly workflow deploys a candidate as the shadow at most, never live's service.
    assert deploying_jobs(config, "weekly-retrain") == ["deploy_shadow"]
    shadow_steps = config["jobs"]["deploy_shadow"]["steps"]
    assert "make deploy-shadow" in [s["run"]["command"] for s in shadow_steps if "run" in s]
    assert "make deploy-api" not in [s["run"]["command"] for s in shadow_steps if "run" in s]
    steps = config["jobs"]["retrain"]["steps"]
    (command,) = [s["run"]["command"] for s in steps if isinstance(s, dict) and "run" in s]
    # The read-only role's URL, from the context's variable (test_no_command_writes_a_store_url).
    assert "--store-url env:PREDICTION_STORE_READONLY_URL" in command
    # deploy_shadow finds the published candidate in the retrain job's reports.
    (persisted,) = [
        step["persist_to_workspace"] for step in steps if "persist_to_workspace" in step
    ]
    assert "reports/retrain" in persisted["paths"]
    assert {"at": "."} in [s.get("attach_workspace") for s in shadow_steps if isinstance(s, dict)]
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(TOX_INI, encoding="utf-8")
    passed = parser["testenv:retrain"]["pass_env"].split()
    assert {"PREDICTION_STORE_READONLY_URL", "CIRCLECI"} <= set(passed)
    assert "{[testenv]pass_env}" in passed  # the TWINE_* publish token


def test_the_deploy_check_sees_a_deploy_added_to_the_retrain_workflow() -> None:
    broken = copy.deepcopy(_load())
    broken["workflows"]["weekly-retrain"]["jobs"].append({"deploy_api": {"requires": ["retrain"]}})
    assert deploying_jobs(broken, "weekly-retrain") == ["deploy_shadow", "deploy_api"]
    sneaky = copy.deepcopy(_load())
    sneaky["jobs"]["retrain"]["steps"].append({"run": {"command": "make deploy-api"}})
    assert deploying_jobs(sneaky, "weekly-retrain") == ["retrain", "deploy_shadow"]
    # kind_smoke builds the image too (for its own cluster; it publishes nothing).
    assert deploying_jobs(_load(), "test-publish-deploy") == ["image", "deploy_api", "kind_smoke"]
