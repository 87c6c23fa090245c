#!/usr/bin/env bash
# `make image-smoke`: the image `make image` built, started by Docker (a real runtime: namespaces,
# cgroups, its HEALTHCHECK), then `tox -e smoke` against it, then a stop with SIGTERM.
#
# CircleCI's remote Docker runs containers on another host: the job cannot reach their ports. So
# the smoke test runs in a second container that joins the API container's network namespace
# (`--network container:...`) and reaches it on 127.0.0.1, with a copy of this commit (git archive).
set -euo pipefail
cd "$(dirname "$0")/.."

tag="titanic-api:$(cat model_package/titanic_model/VERSION)"
api="titanic-api-smoke-$$"
runner="$api-runner"
release_id="${RELEASE_ID:-$(git rev-parse HEAD)}"
runner_image="${SMOKE_RUNNER_IMAGE:-cimg/python:3.11}"

cleanup() { docker rm --force "$api" "$runner" >/dev/null 2>&1 || true; }
trap cleanup EXIT

docker run --detach --name "$api" --env "RELEASE_ID=$release_id" \
    --health-interval 2s --health-start-period 30s "$tag" >/dev/null
status=starting
for _ in $(seq 60); do
    status="$(docker inspect --format '{{.State.Health.Status}}' "$api")"
    [ "$status" = starting ] || break
    sleep 2
done
if [ "$status" != healthy ]; then
    docker logs "$api" >&2
    echo "image-smoke: $tag is $status, not healthy" >&2
    exit 1
fi
echo "$tag is healthy (its HEALTHCHECK, run by Docker)"

smoke="tox run -e smoke -- --url http://127.0.0.1:8001 --expected-release $release_id --wait 60"
# PIP_EXTRA_INDEX_URL (passed by name, its value never on a command line): a promoted candidate
# of make retrain is compared with its published package.
docker create --name "$runner" --user root --network "container:$api" --workdir /tmp/project \
    --env PIP_EXTRA_INDEX_URL \
    "$runner_image" bash -c "make venv && .venv/bin/$smoke" >/dev/null
git archive --format=tar --prefix=project/ HEAD | docker cp - "$runner:/tmp"
docker start --attach "$runner"

# SIGTERM, as a deploy's stop sends it: the API drains its store queue and shuts down in time.
# uvicorn re-raises the SIGTERM it handled once shut down: exit 0 as PID 1 (the kernel ignores it
# there), 143 (128 + 15) otherwise; 137 would be Docker's SIGKILL after the 30 s.
docker stop --time 30 "$api" >/dev/null
exit_code="$(docker inspect --format '{{.State.ExitCode}}' "$api")"
shutdown_logged="$(docker logs "$api" 2>&1 | grep -c "Application shutdown complete" || true)"
if { [ "$exit_code" != 0 ] && [ "$exit_code" != 143 ]; } || [ "$shutdown_logged" = 0 ]; then
    docker logs "$api" >&2
    echo "image-smoke: $tag did not shut down cleanly on SIGTERM (exit $exit_code)" >&2
    exit 1
fi
echo "$tag shut down cleanly on SIGTERM"
