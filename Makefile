# Two commands for a newcomer: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3.11
VENV := .venv
TOX := $(VENV)/bin/tox
# Caches stay inside the clone; installs compile bytecode so imports are fast from the first run.
export UV_CACHE_DIR := $(CURDIR)/.cache/uv
export PIP_CACHE_DIR := $(CURDIR)/.cache/pip
export UV_COMPILE_BYTECODE := 1

.PHONY: test train build bench clean index index-stop publish run venv deploy-api java monitor postgres-bin

# tox, tox-uv and all they pull in come from the lock (constraints.txt), so every machine runs
# the same tox; a changed lock reinstalls them. A .venv that is not a directory (such as the PEP 832
# redirect file tox 4.67+ writes where tox.ini does not say venv_redirect = false) is explained.
$(VENV)/.ready: constraints.txt
	@if [ ! -d $(VENV) ] && { [ -e $(VENV) ] || [ -L $(VENV) ]; }; then \
	  echo "$(VENV) is not a directory: $$(ls -ld $(VENV))" >&2; \
	  if [ -f $(VENV) ]; then echo "It reads: $$(head -c 200 $(VENV))" >&2; \
	    echo "A $(VENV) file naming a .tox env is only a pointer that tox 4.67+ writes (PEP 832) unless" >&2; \
	    echo "tox.ini sets venv_redirect = false, as this one does; removing it loses nothing." >&2; fi; \
	  echo "make keeps tox in the directory $(VENV): move or remove it (rm $(VENV)), then run make again." >&2; \
	  exit 1; fi
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --constraint constraints.txt pip
	$(VENV)/bin/python -m pip install --quiet --constraint constraints.txt tox tox-uv
	@echo "$(VENV) holds (pinned by constraints.txt): $$($(VENV)/bin/python -m pip freeze --all | tr '\n' ' ')"
	touch $@

## make test: everything CI checks (lint/types, package, API, end-to-end, differential, Spark)
test: $(VENV)/.ready
	$(TOX) run -e checks,test_ci,test_package,test_app,test_monitor,e2e,differential,test_spark

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
run: index
	$(TOX) run -q -e publish_model -- --local-index --reuse-existing
	$(INDEX_PY) -m release.install_api --venv $(API_VENV)
	mkdir -p data
	$(API_VENV)/bin/titanic-store upgrade --url $(PREDICTION_STORE_URL)
	PORT=$(PORT) PREDICTION_STORE_URL=$(PREDICTION_STORE_URL) $(INDEX_PY) -m release.run_api --venv $(API_VENV)

## make monitor: drift and quality report over the last 7 days of `make run`'s store, in
## reports/monitoring/ (exit 1 when something drifted, 2 when there is nothing to report)
monitor: $(VENV)/.ready
	$(TOX) run -e monitor -- --store-url $(PREDICTION_STORE_URL) --since 7d --output reports/monitoring

## make bench: speed and memory figures beside their baselines (the monitoring report on a
## 1,000,000-row PostgreSQL store among them), then a 10-minute soak of the API (RSS growth < 5 %);
## not part of make test
bench: $(VENV)/.ready postgres-bin
	$(TOX) run -e bench,bench_api,bench_batch,bench_monitor,soak_api

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

clean:
	rm -rf .tox dist build model_package/*.egg-info reports
