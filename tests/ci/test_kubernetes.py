"""deploy/kubernetes and deploy/kserve, offline: rendered by `kubectl kustomize` (kubectl from its
PyPI wheel, pinned), each object validated strictly against Kubernetes' OpenAPI schemas of
KUBERNETES (kubernetes-validate), then the policies a cluster would not check for us. The shadow
overlay's own rules are in test_kubernetes_shadow.py."""

import re
import tempfile
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from kube import DEPLOY, INFERENCE_SERVICE, KUBERNETES, MIGRATE, SHADOW, by_kind, rendered
from titanic_release.project import API_DIR, current_version

from app.core.config import DEFAULT_STORE_URL, Settings
from app.main import create_app

KUSTOMIZATIONS = [DEPLOY, MIGRATE, SHADOW, SHADOW / "live", SHADOW / "candidate"]
DOCKERFILE = (API_DIR / "Dockerfile").read_text(encoding="utf-8")
CANDIDATE_TAG = "titanic-api:candidate"  # shadow/candidate's placeholder: set to its version


def everything() -> list[dict[str, Any]]:
    """The live API as `kubectl apply -k deploy/kubernetes` and its migration Job apply it."""
    return [obj for path in (DEPLOY, MIGRATE) for obj in rendered(path)]


def of_kind(kind: str) -> dict[str, Any]:
    (obj,) = [obj for obj in everything() if obj["kind"] == kind]
    return obj


def pod_specs() -> list[dict[str, Any]]:
    """Every pod template that may run: the base's, the migration's, the shadow overlay's (live
    with its mirror on and the candidate) and the KServe predictor's."""
    objects = [*everything(), *rendered(SHADOW)]
    specs = [
        obj["spec"]["template"]["spec"] for obj in objects if "template" in obj.get("spec", {})
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
    kinds = {obj["kind"]: obj["apiVersion"] for obj in rendered(DEPLOY)}
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
    """Every image is this VERSION's, but the shadow candidate's (its own version, set where
    test_kubernetes_shadow.py checks it)."""
    (exposed,) = re.findall(r"^EXPOSE (\d+)$", DOCKERFILE, re.MULTILINE)
    images = [container["image"] for container in containers()]
    assert images.count(CANDIDATE_TAG) == 1
    assert set(images) == {f"titanic-api:{current_version()}", CANDIDATE_TAG}
    for container in containers():
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


# Named like a credential, but the candidate's in-cluster Service (test_kubernetes_shadow.py).
NOT_SECRET = {"SHADOW_URL"}


def test_no_secret_value_is_in_the_manifests() -> None:
    """No Secret object; a variable named like a credential comes from a Secret's key."""
    objects = [*everything(), *rendered(SHADOW)]
    assert not by_kind(objects, "Secret")
    for container in containers():
        for variable in container.get("env", []):
            if re.search(r"TOKEN|PASSWORD|URL|SECRET", variable["name"]):
                source = variable.get("valueFrom", {})
                assert "secretKeyRef" in source or variable["name"] in NOT_SECRET, variable
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
