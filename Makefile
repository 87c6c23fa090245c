# Two commands for a newcomer: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3.11
VENV := .venv
TOX := $(VENV)/bin/tox
# Caches stay inside the clone; installs compile bytecode so imports are fast from the first run.
export UV_CACHE_DIR := $(CURDIR)/.cache/uv
export PIP_CACHE_DIR := $(CURDIR)/.cache/pip
export UV_COMPILE_BYTECODE := 1

.PHONY: test train build bench clean index index-stop publish run venv deploy-api java monitor postgres-bin
.PHONY: image image-tools index-published image-smoke

$(VENV)/.ready:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet "tox>=4.20" "tox-uv>=1.11"
	touch $@

## make test: everything CI checks (lint/types, package, API, end-to-end, differential, Spark, image)
test: $(VENV)/.ready image-tools
	$(TOX) run -e checks,test_ci,test_package,test_app,test_monitor,e2e,differential,test_spark,test_image

## make train: train the model for the current VERSION
train: $(VENV)/.ready
	$(TOX) run -e train

## make build: sdist + wheel with the trained artifact in dist/
build: $(VENV)/.ready
	$(TOX) run -e build

# The index env's Python has the release package (python -m release.local_index ...).
INDEX_PY := .tox/index/bin/python

## make index: start the local private index (pypiserver + htpasswd, .index/) in the background
index: $(VENV)/.ready
	$(TOX) run -q -e index -- start

## make index-stop: stop the local index by the PID it recorded
index-stop:
	@if test -x $(INDEX_PY); then $(INDEX_PY) -m release.local_index stop; \
	else echo "No local index was started here (make index)."; fi

## make publish: train if needed, build, twine check + upload (TWINE_* or the local index)
publish: $(VENV)/.ready
	$(TOX) run -e publish_model

## make run: fresh clone -> train -> build -> local index -> publish (or reuse) -> install the API
## from the index through PIP_EXTRA_INDEX_URL only (release.install_api: the model package must
## come from that index; reinstalled each time so its source is checked) -> serve on 127.0.0.1:$(PORT)
API_VENV := .venv-api
PORT ?= 8001
# The prediction store of `make run` (and what `make monitor` reads): a SQLite file under data/.
PREDICTION_STORE_URL ?= sqlite:///$(CURDIR)/data/predictions.sqlite3
run: index-published
	$(INDEX_PY) -m release.install_api --venv $(API_VENV)
	mkdir -p data
	PORT=$(PORT) PREDICTION_STORE_URL=$(PREDICTION_STORE_URL) $(INDEX_PY) -m release.run_api --venv $(API_VENV)

## make index-published: the local index running with this VERSION on it (make run, make image)
index-published: index
	$(TOX) run -q -e publish_model -- --local-index --reuse-existing

## make image: api/Dockerfile built with podman (or docker) as titanic-api:{VERSION}, the tag printed;
## the index (a build secret) is PIP_EXTRA_INDEX_URL, else the local one (started, published to);
## its id and the SBOM of its Python environment go to reports/image/. BASE_IMAGE=local builds on
## a local Debian bookworm base (debootstrap, cached in .cache/local-base/), BASE_IMAGE=IMAGE on IMAGE.
BASE_IMAGE ?=
image: $(if $(PIP_EXTRA_INDEX_URL),$(VENV)/.ready,index-published)
	$(TOX) run -q -e image -- $(if $(BASE_IMAGE),--base $(BASE_IMAGE))

## make image-smoke: `make image`'s image started by docker (a real runtime), healthy by its own
## HEALTHCHECK, `tox -e smoke` against it from a container in its network, stopped by SIGTERM
## (CircleCI's image job, on its remote Docker; .ci/image_smoke.sh)
image-smoke:
	RELEASE_ID=$(RELEASE_ID) bash .ci/image_smoke.sh

## make monitor: drift and quality report over the last 7 days of `make run`'s store, in
## reports/monitoring/ (exit 1 when something drifted, 2 when there is nothing to report)
monitor: $(VENV)/.ready
	$(TOX) run -e monitor -- --store-url $(PREDICTION_STORE_URL) --since 7d --output reports/monitoring

## make bench: speed and memory figures beside their baselines, then a 10-minute soak of the API
## (RSS growth < 5 %); not part of make test
bench: $(VENV)/.ready
	$(TOX) run -e bench,bench_api,bench_batch,soak_api

## make java: a Java runtime for Spark 4 (Debian's default-jre-headless) when none, or one older than 17,
## is present (.ci/run and CircleCI's test_spark job)
java:
	@major=$$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1); \
	if [ "$${major:-0}" -lt 17 ]; then \
	  as_root=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$as_root apt-get update -qq && \
	  $$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; \
	else echo "Java $$major is present."; fi

## make venv: just .venv with tox + tox-uv (what every CI job installs before its tox env)
venv: $(VENV)/.ready

## make postgres-bin: Debian/Ubuntu's PostgreSQL binaries, which the store tests start a throwaway
## server from (tests/api/postgres_cluster.py), when they are missing
postgres-bin:
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || { \
	  as_root=""; [ "$$(id -u)" -eq 0 ] || as_root="sudo"; \
	  $$as_root apt-get update -qq && \
	  $$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; }

## make deploy-api: deploy api/ to Railway with the Railway CLI from npm (needs RAILWAY_TOKEN;
## RAILWAY_SERVICE picks the service when the project has several). CircleCI runs it on main.
## It first sets the service's RELEASE_ID (the commit; health reports it) without redeploying, then
## `up --ci` streams the build log and fails when the build fails; CircleCI then waits for that
## release with `tox -e smoke -- --url "$$API_URL" --expected-release "$$CIRCLE_SHA1" --wait 300`.
RAILWAY_CLI := .cache/railway-cli/node_modules/.bin/railway
RELEASE_ID ?= $(or $(CIRCLE_SHA1),$(shell git rev-parse HEAD))
deploy-api:
	@test -n "$$RAILWAY_TOKEN" || { echo "deploy-api: RAILWAY_TOKEN is not set" >&2; exit 1; }
	test -x $(RAILWAY_CLI) || npm install --no-save --no-audit --no-fund --prefix .cache/railway-cli @railway/cli
	cd api && $(abspath $(RAILWAY_CLI)) variables --set "RELEASE_ID=$(RELEASE_ID)" --skip-deploys $${RAILWAY_SERVICE:+--service "$$RAILWAY_SERVICE"}
	cd api && $(abspath $(RAILWAY_CLI)) up --ci $${RAILWAY_SERVICE:+--service "$$RAILWAY_SERVICE"}

## make image-tools: Debian's podman (builds the API image without a daemon) and debootstrap (makes
## the local base image) when missing (.ci/run and make test call it, like make java)
image-tools:
	@command -v podman >/dev/null && test -x /usr/sbin/debootstrap || { \
	  as_root=""; [ "$$(id -u)" -eq 0 ] || as_root="sudo"; \
	  $$as_root apt-get update -qq && \
	  $$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman debootstrap \
	    debian-archive-keyring; }

clean:
	rm -rf .tox dist build model_package/*.egg-info reports
