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

docker create --name "$runner" --user root --network "container:$api" --workdir /project \
    "$runner_image" bash -c "make venv && .venv/bin/tox run -e smoke -- \
        --url http://127.0.0.1:8001 --expected-release $release_id --wait 60" >/dev/null
git archive --format=tar HEAD | docker cp - "$runner:/project"
docker start --attach "$runner"

# SIGTERM, as a deploy's stop sends it: the API drains its store queue and exits 0 in time.
docker stop --time 30 "$api" >/dev/null
exit_code="$(docker inspect --format '{{.State.ExitCode}}' "$api")"
[ "$exit_code" = 0 ] || { docker logs "$api" >&2; echo "image-smoke: exit $exit_code" >&2; exit 1; }
echo "$tag stopped cleanly on SIGTERM"
