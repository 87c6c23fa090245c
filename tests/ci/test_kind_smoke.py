"""`make kind-smoke` (CircleCI's kind_smoke job) with stand-in `kind`, `kubectl` and `tox` that
record their calls: it loads the image the manifests name, applies the manifests the Kubernetes
tests render (the migration Job before the base), waits for what they define, smoke-tests through
the port-forward, and deletes the cluster whatever happened."""

import subprocess
from pathlib import Path

import pytest
from kube import DEPLOY, MIGRATE, by_kind, rendered
from stand_in_make import make_with_stand_ins
from titanic_release.project import REPO_ROOT

STAND_IN = """#!/bin/sh
echo "$(basename "$0") $*" >> "$CALLS"
case "$(basename "$0") $1 $2 $3" in
  "kubectl rollout status deployment/titanic-api") exit "$ROLLOUT_EXIT" ;;
  "kubectl port-forward "*) echo "Forwarding from 127.0.0.1:${3%%:*} -> 8001" ;;
  "tox run -e smoke") exit "$SMOKE_EXIT" ;;
esac
exit 0
"""


def _kind_smoke(
    tmp_path: Path, *, rollout_exit: int = 0, smoke_exit: int = 0
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("kind", "kubectl", "tox"):
        (bin_dir / tool).write_text(STAND_IN)
        (bin_dir / tool).chmod(0o755)
    calls = tmp_path / "calls.txt"
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "CALLS": str(calls),
        "KIND_SMOKE_TOX": str(bin_dir / "tox"),
        "ROLLOUT_EXIT": str(rollout_exit),
        "SMOKE_EXIT": str(smoke_exit),
    }
    return make_with_stand_ins("kind-smoke", env)


def _index(calls: list[str], call: str) -> int:
    """Where `call` was made: that call exactly, or any call it begins if it ends in a space."""
    (found,) = [
        number
        for number, made in enumerate(calls)
        if made == call or (call.endswith(" ") and made.startswith(call))
    ]
    return found


def test_it_applies_the_rendered_manifests_in_order_and_smoke_tests_them(tmp_path: Path) -> None:
    result, calls = _kind_smoke(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    (job,) = by_kind(rendered(MIGRATE), "Job")
    (deployment,) = by_kind(rendered(DEPLOY), "Deployment")
    (service,) = by_kind(rendered(DEPLOY), "Service")
    (image,) = {c["image"] for c in deployment["spec"]["template"]["spec"]["containers"]}
    order = [
        _index(calls, "kind create cluster --name titanic-smoke "),
        _index(calls, f"kind load docker-image {image} --name titanic-smoke"),
        _index(calls, "kubectl create secret generic titanic-api "),
        _index(calls, f"kubectl apply -k {MIGRATE.relative_to(REPO_ROOT)}"),
        _index(calls, f"kubectl wait --for=condition=complete job/{job['metadata']['name']} "),
        _index(calls, f"kubectl apply -k {DEPLOY.relative_to(REPO_ROOT)}"),
        _index(calls, f"kubectl rollout status deployment/{deployment['metadata']['name']} "),
        _index(calls, f"kubectl port-forward service/{service['metadata']['name']} 18001:80"),
        _index(
            calls, "tox run -e smoke -- --url http://127.0.0.1:18001 --expected-release abc123 "
        ),
        _index(calls, "kind delete cluster --name titanic-smoke"),
    ]
    assert order == sorted(order)
    assert service["spec"]["ports"][0]["port"] == 80
    assert calls[-1] == "kind delete cluster --name titanic-smoke"
    # The Secret's values are generated and passed to kubectl, never printed.
    secret = calls[_index(calls, "kubectl create secret generic titanic-api ")]
    assert "RELEASE_ID=abc123" in secret
    assert secret.split("METRICS_TOKEN=")[1].split()[0] not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("case", "options"),
    [("rollout fails", {"rollout_exit": 1}), ("smoke test fails", {"smoke_exit": 1})],
)
def test_it_fails_keeps_the_clusters_state_and_deletes_it(
    tmp_path: Path, case: str, options: dict[str, int]
) -> None:
    result, calls = _kind_smoke(tmp_path, **options)

    assert result.returncode != 0, case
    assert calls[-1] == "kind delete cluster --name titanic-smoke", case
    assert any(call.startswith("kubectl logs --selector") for call in calls), case
    assert "reports/kind/" in result.stderr, case
    smoked = any(call.startswith("tox run -e smoke") for call in calls)
    assert smoked == (case == "smoke test fails"), case  # no smoke test of a failed rollout
