"""deploy/kserve/inferenceservice.yaml against the kserve SDK's own model of the CRD (pinned in
constraints.txt, installed here for the stock-client tests): every key a field of the class the
SDK generated from KServe's OpenAPI definitions, every value of its type, down through the
embedded Kubernetes objects (the `kubernetes` client's classes, generated the same way).

KServe's CRD YAML itself is not vendored: it ships in KServe's release manifests and repository
only, and no package of PyPI, Debian or npm (the registries these machines reach) carries it;
neither the kserve wheel nor its sdist holds it. The SDK's classes are the same definitions,
generated: they catch an unknown or misspelled field and a wrong type, not the CRD's
`x-kubernetes-validations` rules or enums (none apply to the fields used here)."""

import re
from pathlib import Path
from typing import Any

import kserve.models
import kubernetes.client.models
import pytest
import yaml

INFERENCE_SERVICE = (
    Path(__file__).resolve().parents[2] / "deploy" / "kserve" / "inferenceservice.yaml"
)
PRIMITIVES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "bool": (bool,),
    "float": (int, float),
    "object": (object,),
    "ResourceQuantity": (str, int, float),
    "IntOrString": (str, int),
    "datetime": (str,),
}


def _class(name: str) -> type:
    for module in (kserve.models, kubernetes.client.models):
        if hasattr(module, name):
            found: type = getattr(module, name)
            return found
    raise AssertionError(f"no SDK class {name}")


def problems(value: Any, type_name: str, where: str = "") -> list[str]:
    """What in `value` the SDK's type `type_name` does not allow, each with its path."""
    if type_name.startswith(("list[", "List[")):  # kserve's spelling, then kubernetes'
        if not isinstance(value, list):
            return [f"{where}: a list expected"]
        inner = type_name[5:-1]
        return [p for i, item in enumerate(value) for p in problems(item, inner, f"{where}[{i}]")]
    if match := re.fullmatch(r"dict\(str, (.+)\)|Dict\[str, (.+)\]", type_name):
        if not isinstance(value, dict):
            return [f"{where}: a mapping expected"]
        inner = match[1] or match[2]
        return [p for k, v in value.items() for p in problems(v, inner, f"{where}.{k}")]
    if type_name in PRIMITIVES:
        if isinstance(value, bool) and bool not in PRIMITIVES[type_name]:
            return [f"{where}: {type_name} expected, not a boolean"]
        ok = isinstance(value, PRIMITIVES[type_name])
        return [] if ok else [f"{where}: {type_name} expected, got {value!r}"]
    model = _class(type_name)
    if not isinstance(value, dict):
        return [f"{where}: a {type_name} mapping expected"]
    fields = {key: attribute for attribute, key in model.attribute_map.items()}
    found = [f"{where}.{key}: not a field of {type_name}" for key in value if key not in fields]
    for key, item in value.items():
        if key in fields:
            found += problems(item, model.openapi_types[fields[key]], f"{where}.{key}")
    return found


def test_the_inference_service_is_what_the_kserve_sdk_models() -> None:
    service = yaml.safe_load(INFERENCE_SERVICE.read_text(encoding="utf-8"))
    assert problems(service, "V1beta1InferenceService") == []
    assert service["spec"]["predictor"]["containers"][0]["name"] == "kserve-container"


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("spec", "predictor", "protocolVersion"), "v2", "not a field of V1beta1PredictorSpec"),
        (("spec", "predictor", "minReplicas"), "one", "int expected"),
        (("spec", "predictor", "scaleTarget"), True, "int expected, not a boolean"),
        (("spec", "predictor", "containers", 0, "imagePullPolicey"), "Always", "V1Container"),
    ],
)
def test_the_check_finds_an_unknown_field_and_a_wrong_type(
    path: tuple[Any, ...], value: Any, expected: str
) -> None:
    service = yaml.safe_load(INFERENCE_SERVICE.read_text(encoding="utf-8"))
    parent = service
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    found = problems(service, "V1beta1InferenceService")
    assert len(found) == 1
    assert expected in found[0]
