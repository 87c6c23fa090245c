"""The CircleCI pipeline as data: every `run` step of every job, in the order CircleCI runs them.

Workflows in the file's order; within one, jobs in an order that honours `requires`; within a
job, its steps with reusable commands (`prepare`) expanded. CircleCI's built-in steps (checkout,
caches, artifacts, remote Docker) do no work of ours and are not commands. A `run` step added to
the config later is a step here without any change to this file.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CONFIG = Path(__file__).resolve().parents[2] / ".circleci" / "config.yml"

# Commands that cannot run on this machine, each with the reason. Keyed by the command as written:
# a changed or new command is rehearsed (or fails) instead of inheriting an exception.
NOT_REHEARSED = {
    ".venv/bin/tox run -e security": (
        "pip-audit asks an online vulnerability database (PyPI's advisories, OSV) and fails the "
        "job on whatever it reports today; CircleCI's job has it, a rehearsal must not depend on it"
    ),
    ".venv/bin/tox run -e audit_sbom -- reports/image/sbom.cdx.json": (
        "pip-audit of the image's SBOM: the same online vulnerability database as `security`"
    ),
    "make image-smoke": (
        "needs a container runtime (docker run with its HEALTHCHECK, a second container joining "
        "the first's network namespace, docker stop); none can start here. The image's own "
        "command, HEALTHCHECK and SIGTERM drain run under chroot in tests/image, and the "
        "rehearsal's deploy_api serves this same image to `tox -e smoke`"
    ),
    "make kind-smoke": (
        "needs Docker (kind): a kind cluster runs its node as a Docker container, which podman "
        "without a daemon cannot stand in for. Its manifests are rendered and validated in "
        "tests/ci/test_kubernetes.py, its kind and kubectl calls checked by a stand-in in "
        "tests/ci/test_kind_smoke.py"
    ),
}


@dataclass(frozen=True)
class Step:
    workflow: str
    job: str
    name: str
    command: str

    @property
    def test_id(self) -> str:
        return f"{self.job}: {self.command.splitlines()[0]}"


def load(path: Path = CONFIG) -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return config


def job_requires(workflow: dict[str, Any]) -> dict[str, list[str]]:
    """job -> the jobs it `requires`, for every job of the workflow, in the listed order."""
    requires: dict[str, list[str]] = {}
    for entry in workflow["jobs"]:
        name, options = (entry, {}) if isinstance(entry, str) else next(iter(entry.items()))
        requires[name] = list((options or {}).get("requires", []))
    return requires


def job_order(workflow: dict[str, Any]) -> list[str]:
    """The workflow's jobs, each after every job it requires, otherwise in the listed order."""
    requires = job_requires(workflow)
    ordered: list[str] = []
    while len(ordered) < len(requires):
        ready = [job for job, needs in requires.items() if job not in ordered]
        ready = [job for job in ready if all(need in ordered for need in requires[job])]
        if not ready:
            raise ValueError(f"a cycle in `requires`: {requires}")
        ordered.append(ready[0])
    return ordered


def _run_steps(steps: list[Any], commands: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for step in steps:
        if isinstance(step, str) and step in commands:
            yield from _run_steps(commands[step]["steps"], commands)
        elif isinstance(step, dict) and "run" in step:
            run = step["run"]
            if isinstance(run, str):
                yield run, run
            else:
                yield run.get("name", run["command"]), run["command"].rstrip("\n")


def workflows(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The workflows, without config 2.0's `version:` entry among them."""
    return {name: w for name, w in config["workflows"].items() if isinstance(w, dict)}


def steps(config: dict[str, Any]) -> list[Step]:
    """Every `run` step of the pipeline, in the order a merge to main and the schedules run."""
    commands = config.get("commands", {})
    found = []
    for workflow_name, workflow in workflows(config).items():
        for job in job_order(workflow):
            for name, command in _run_steps(config["jobs"][job]["steps"], commands):
                found.append(Step(workflow_name, job, name, command))
    return found
