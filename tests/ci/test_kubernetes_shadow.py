"""deploy/kubernetes/shadow: the live API with its mirror on (live/) beside the shadow candidate
(candidate/), both built from the base so that neither can drift from it. A cluster would accept
a candidate the live Service also routes to, or a mirror pointing nowhere: these tests do not."""

import copy
from typing import Any
from urllib.parse import urlsplit

import pytest
from kube import DEPLOY, SHADOW, by_kind, named, pod_labels, rendered, selects, settings_of

from app.core.config import Settings
from app.shadow.settings import ShadowSettings

LIVE, CANDIDATE = "titanic-api", "titanic-api-shadow"
TOKEN_SECRET = {"name": "titanic-api-shadow", "key": "SHADOW_TOKEN"}


def deployment(name: str, objects: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return named(rendered(SHADOW) if objects is None else objects, "Deployment", name)


def container(name: str) -> dict[str, Any]:
    (api,) = deployment(name)["spec"]["template"]["spec"]["containers"]
    return api


def env_from_secret(api: dict[str, Any], variable: str) -> dict[str, str]:
    (found,) = [var for var in api.get("env", []) if var["name"] == variable]
    reference: dict[str, str] = found["valueFrom"]["secretKeyRef"]
    return reference


def misrouted(objects: list[dict[str, Any]]) -> list[str]:
    """Services and PDBs whose selector reaches another Deployment's pods than their namesake's
    (a PDB: the live one's), and HPAs scaling anything but the live Deployment."""
    pods = {obj["metadata"]["name"]: pod_labels(obj) for obj in by_kind(objects, "Deployment")}
    wrong = []
    for kind, selector_of, owner_of in (
        ("Service", lambda o: o["spec"]["selector"], lambda o: o["metadata"]["name"]),
        ("PodDisruptionBudget", lambda o: o["spec"]["selector"]["matchLabels"], lambda o: LIVE),
    ):
        for obj in by_kind(objects, kind):
            reached = {name for name, labels in pods.items() if selects(selector_of(obj), labels)}
            if reached != {owner_of(obj)}:
                wrong.append(f"{kind} {obj['metadata']['name']} reaches {sorted(reached)}")
    for hpa in by_kind(objects, "HorizontalPodAutoscaler"):
        if hpa["spec"]["scaleTargetRef"]["name"] != LIVE:
            wrong.append(f"HorizontalPodAutoscaler scales {hpa['spec']['scaleTargetRef']['name']}")
    return wrong


def test_live_and_candidate_each_have_their_own_objects_and_one_hpa_and_pdb() -> None:
    names = sorted((obj["kind"], obj["metadata"]["name"]) for obj in rendered(SHADOW))
    configmaps = [name for kind, name in names if kind == "ConfigMap"]
    assert [name.rsplit("-", 1)[0] for name in configmaps] == [
        "titanic-api-settings",
        "titanic-api-settings-shadow",
    ]
    assert [entry for entry in names if entry[0] != "ConfigMap"] == [
        ("Deployment", LIVE),
        ("Deployment", CANDIDATE),
        ("HorizontalPodAutoscaler", LIVE),
        ("PodDisruptionBudget", LIVE),
        ("Service", LIVE),
        ("Service", CANDIDATE),
    ]
    assert deployment(CANDIDATE)["spec"]["replicas"] == 1  # no HPA: evidence, not capacity


def test_no_service_pdb_or_hpa_reaches_the_other_sides_pods() -> None:
    assert misrouted(rendered(SHADOW)) == []


def test_the_routing_check_sees_a_candidate_the_live_service_reaches() -> None:
    broken = copy.deepcopy(rendered(SHADOW))
    candidate = deployment(CANDIDATE, broken)
    candidate["spec"]["template"]["metadata"]["labels"] = pod_labels(deployment(LIVE))
    assert misrouted(broken) == [
        f"Service {LIVE} reaches {sorted([LIVE, CANDIDATE])}",
        f"Service {CANDIDATE} reaches []",
        f"PodDisruptionBudget {LIVE} reaches {sorted([LIVE, CANDIDATE])}",
    ]


def test_the_candidate_serves_the_shadow_role_with_its_token_from_the_secret() -> None:
    api = container(CANDIDATE)
    env = settings_of(rendered(SHADOW), api)
    assert env["SERVING_ROLE"] == "shadow"
    assert "SHADOW_URL" not in env  # a candidate never mirrors
    assert env_from_secret(api, "SHADOW_TOKEN") == TOKEN_SECRET
    Settings(**env)  # type: ignore[arg-type]
    assert ShadowSettings(**env, SHADOW_TOKEN="from-the-secret").is_shadow  # type: ignore[arg-type]


def test_the_live_api_mirrors_to_the_candidates_service() -> None:
    api = container(LIVE)
    env = settings_of(rendered(SHADOW), api)
    assert env.get("SERVING_ROLE", "live") == "live"
    url = urlsplit(env["SHADOW_URL"])
    service = named(rendered(SHADOW), "Service", CANDIDATE)
    (port,) = service["spec"]["ports"]
    assert (url.scheme, url.hostname, url.port or 80, url.path) == (
        "http",
        CANDIDATE,
        port["port"],
        "",
    )
    assert env_from_secret(api, "SHADOW_TOKEN") == TOKEN_SECRET  # the same token on both sides
    settings = ShadowSettings(**env, SHADOW_TOKEN="from-the-secret")  # type: ignore[arg-type]
    assert settings.SHADOW_URL
    assert not settings.is_shadow


def test_the_base_alone_has_the_mirror_off() -> None:
    (api,) = named(rendered(DEPLOY), "Deployment", LIVE)["spec"]["template"]["spec"]["containers"]
    env = settings_of(rendered(DEPLOY), api)
    assert not [name for name in env if name.startswith(("SHADOW_", "SERVING_ROLE"))]
    assert "env" not in api


@pytest.mark.parametrize("name", [LIVE, CANDIDATE])
def test_each_side_is_the_base_but_for_image_settings_and_replicas(name: str) -> None:
    """Probes, resources, security and volumes come from base/ only: nothing to keep in step."""
    base = named(rendered(DEPLOY), "Deployment", LIVE)["spec"]["template"]["spec"]
    side = deployment(name)["spec"]["template"]["spec"]
    unchanged = ("env", "envFrom", "image")
    (base_api,), (side_api,) = base["containers"], side["containers"]
    assert {k: v for k, v in side_api.items() if k not in unchanged} == {
        k: v for k, v in base_api.items() if k not in unchanged
    }
    assert {k: v for k, v in side.items() if k != "containers"} == {
        k: v for k, v in base.items() if k != "containers"
    }


def test_the_candidate_runs_another_image_of_the_same_repository() -> None:
    live, candidate = container(LIVE)["image"], container(CANDIDATE)["image"]
    assert live.split(":")[0] == candidate.split(":")[0] == "titanic-api"
    assert live != candidate
