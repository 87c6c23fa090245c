# Two commands for a newcomer: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3.11
VENV := .venv
TOX := $(VENV)/bin/tox
# Caches stay inside the clone. Installs compile no bytecode: Python writes it on first import, for
# what runs (a PYTHONDONTWRITEBYTECODE in the shell would make every run compile its imports again).
export UV_CACHE_DIR := $(CURDIR)/.cache/uv
export PIP_CACHE_DIR := $(CURDIR)/.cache/pip
unexport PYTHONDONTWRITEBYTECODE

.PHONY: test train build bench clean index index-stop publish run venv deploy-api java monitor postgres-bin \
	chromium system-deps index-url
.PHONY: image image-tools index-published image-smoke retrain rehearse prometheus-bin haproxy-bin
.PHONY: shadow shadow-report promote rollback kind-smoke python311 deploy-shadow docs-slow

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

## make test: everything CI checks, as CI runs it: the image suite beside the pipeline rehearsal (make
## rehearse: every run command of .circleci/config.yml, verbatim, the jobs side by side as on
## CircleCI, against local stand-ins), after make system-deps; ends with a summary naming skipped suites and tests and the
## commands not rehearsed (titanic_release.test_summary; under CI=true a suite that did not run fails)
## The image suite's build without the cache (the one that installs the API) is over long before
## the rehearsal's two `make image` (the image and kind_smoke jobs, after every test job), which
## reuse its layers.
# The envs whose pytest writes reports/junit/<env>.xml: the config's test jobs (run by the
# rehearsal), the rehearsal itself and the image suite.
JUNIT_SUITES := test_ci test_package test_app test_replicas test_monitor e2e differential test_spark test_observability test_shadow rehearse test_image
# Every env the rehearsal and the image suite use, set up first three at a time (downloads and
# installs, no test: a fresh clone's installs wait mostly on the network) while pyspark's wheel is
# built (below); then the image suite (mostly the image's pip install, waiting on the network)
# beside the rehearsal. test_spark is left to its job, which finds the wheel by then.
SETUP_ENVS := checks,test_ci,test_package,test_app,test_replicas,test_monitor,e2e,differential,test_observability,test_shadow,shadow_report,rehearse,publish_model,image,smoke,monitor,retrain,test_image
# The [spark] extra's pyspark is on PyPI as an sdist only, and its downloads here carry no cache
# headers, so uv fetched and built it again for each venv that installs it (the test_spark env,
# then its suite's own venv; docs/performance.md). make test and make rehearse build its wheel
# once into WHEELHOUSE (again only when pyproject.toml changed) and point uv there (UV_FIND_LINKS).
WHEELHOUSE := .cache/wheels
PYSPARK_WHEEL = test $(WHEELHOUSE)/.pyspark -nt pyproject.toml || { $(VENV)/bin/python -m pip wheel \
	  --quiet --no-deps --wheel-dir $(WHEELHOUSE) $(shell grep -o '"pyspark[<>=!~][^"]*"' pyproject.toml) \
	  && touch $(WHEELHOUSE)/.pyspark; }
test rehearse: export UV_FIND_LINKS := $(CURDIR)/$(WHEELHOUSE)
test: $(VENV)/.ready system-deps
	@rm -rf reports/junit
	@mkdir -p $(WHEELHOUSE)  # uv refuses a missing find-links directory
	@{ $(PYSPARK_WHEEL); } & wheel=$$!; \
	$(TOX) run-parallel -e $(SETUP_ENVS) --notest --parallel 3 --parallel-no-spinner -q; \
	wait $$wheel
	@$(TOX) run-parallel --parallel 2 --parallel-live -e test_image,rehearse; \
	tox_status=$$?; \
	PYTHONPATH=release/src $(PYTHON) -m titanic_release.test_summary --junit-dir reports/junit $(JUNIT_SUITES); \
	summary_status=$$?; exit $$(( tox_status ? tox_status : summary_status ))

## make rehearse: the CircleCI pipeline here: each run command of .circleci/config.yml, verbatim,
## REHEARSE_JOBS jobs at once (default 2) as their requires allow, with a fresh local index for Gemfury, a throwaway PostgreSQL for the production
## store, podman on a local Debian base for Docker, a stand-in Railway CLI serving the built image
## as API_URL; one line per command (job, result, seconds, command), the table in
## reports/rehearsal.txt; the few commands that cannot run here are listed with their reason
rehearse: $(VENV)/.ready system-deps
	@$(PYSPARK_WHEEL)
	$(TOX) run -e rehearse

## make train: train the model for the current VERSION
train: $(VENV)/.ready
	$(TOX) run -e train

## make build: sdist + wheel with the trained artifact in dist/
build: $(VENV)/.ready
	$(TOX) run -e build

# The index env's Python has the release package (python -m titanic_release.local_index ...).
INDEX_PY := .tox/index/bin/python

## make index: start the local private index (pypiserver + htpasswd, .index/) in the background
index: $(VENV)/.ready
	$(TOX) run -q -e index -- start

## make index-stop: stop the local index by the PID it recorded
index-stop:
	@if test -x $(INDEX_PY); then $(INDEX_PY) -m titanic_release.local_index stop; \
	else echo "No local index was started here (make index)."; fi

## make publish: train if needed, build, twine check + upload (TWINE_* or the local index)
publish: $(VENV)/.ready
	$(TOX) run -e publish_model

## make index-url: the local index's pip URL, credentials included (a secret: for
## PIP_EXTRA_INDEX_URL, not for logs)
index-url:
	@if test -x $(INDEX_PY); then $(INDEX_PY) -m titanic_release.local_index pip-url; \
	else echo "No local index was started here (make index)." >&2; exit 1; fi

## make run: fresh clone -> train -> build -> local index -> publish (or reuse) -> install the API
## from the index through PIP_EXTRA_INDEX_URL only (titanic_release.install_api: the model package must
## come from that index; reinstalled each time so its source is checked) -> serve on 127.0.0.1:$(PORT)
## Busy ports are found first; each step prints one line with its time, its output goes to
## $(RUN_LOG) (printed in full when the step fails).
API_VENV := .venv-api
PORT ?= 8001
INDEX_PORT ?= 8090
export INDEX_PORT
RUN_LOG := reports/make-run.log
STEP := PYTHONPATH=release/src:masking $(PYTHON) -m titanic_release.make_step --log $(RUN_LOG)
# The prediction store of `make run` (and what `make monitor` reads): a SQLite file under data/.
PREDICTION_STORE_URL ?= sqlite:///$(CURDIR)/data/predictions.sqlite3
# The targets that use it read it from their environment, never from a command line: a password in
# it is never printed or logged, and one given in the environment reaches them untouched (make
# would expand a `$` in it).
STORE_TARGETS := run monitor shadow shadow-report
ifneq ($(origin PREDICTION_STORE_URL),environment)
$(STORE_TARGETS): export PREDICTION_STORE_URL := $(PREDICTION_STORE_URL)
endif
run:
	@PYTHONPATH=release/src $(PYTHON) -m titanic_release.free_ports --api-port "$(PORT)" \
	  --index-port "$(INDEX_PORT)" --index-state .index/server.json
	@echo "make run: one line per step; their output goes to $(CURDIR)/$(RUN_LOG)"
	@$(STEP) --new-log "[1/6] .venv with tox" -- $(MAKE) --no-print-directory venv
	@$(STEP) "[2/6] the local index on port $(INDEX_PORT)" -- $(TOX) run -e index -- start
	@$(STEP) "[3/6] the build and publish env (tox -e publish_model)" -- \
	  $(TOX) run -e publish_model --notest
	@$(STEP) "[4/6] train if needed, build, twine check, publish" -- \
	  $(TOX) run -e publish_model -- --local-index --reuse-existing
	@$(STEP) "[5/6] install the API from the local index into $(API_VENV)" -- \
	  $(INDEX_PY) -m titanic_release.install_api --venv $(API_VENV)
	@mkdir -p data
	@$(STEP) "[6/6] the prediction store's schema (titanic-store upgrade)" -- \
	  $(API_VENV)/bin/titanic-store upgrade
	@$(INDEX_PY) -m titanic_release.local_index status
	@echo "Its pip URL: make -s index-url. Stop it: make index-stop."
	@PORT=$(PORT) $(INDEX_PY) -m titanic_release.run_api --venv $(API_VENV)

## make index-published: the local index running with this VERSION on it (make run, make image)
index-published: index
	$(TOX) run -q -e publish_model -- --local-index --reuse-existing

## make image: api/Dockerfile built with podman (or docker) as titanic-api:{VERSION}, the tag printed;
## the index (a build secret) is PIP_EXTRA_INDEX_URL, else the local one (started, published to);
## its id and the SBOM of its Python environment go to reports/image/. BASE_IMAGE=local builds on
## a local Debian bookworm base (debootstrap, cached in .cache/local-base/), BASE_IMAGE=IMAGE on IMAGE.
## NO_CACHE=1 builds every step again (the install and its provenance check included).
BASE_IMAGE ?=
NO_CACHE ?=
image: $(if $(PIP_EXTRA_INDEX_URL),$(VENV)/.ready,index-published)
	$(TOX) run -q -e image -- $(if $(BASE_IMAGE),--base $(BASE_IMAGE)) $(if $(NO_CACHE),--no-cache)

## make image-smoke: `make image`'s image started by docker (a real runtime), healthy by its own
## HEALTHCHECK, `tox -e smoke` against it from a container in its network, stopped by SIGTERM
## (CircleCI's image job, on its remote Docker; .ci/image_smoke.sh)
image-smoke:
	RELEASE_ID=$(RELEASE_ID) bash .ci/image_smoke.sh

## make kind-smoke: the Kustomize base on a kind cluster with `make image`'s image: a PostgreSQL in
## the cluster, the migration Job first, the base rolled out, `tox -e smoke` through a port-forward;
## the cluster deleted after (CircleCI's kind_smoke job, machine executor; .ci/kind_smoke.sh)
kind-smoke:
	RELEASE_ID=$(RELEASE_ID) bash .ci/kind_smoke.sh

## make python311: python3.11 made the default of a machine whose Python comes from pyenv (CircleCI's
## machine images), so that make venv finds it; nothing where python3.11 already runs
python311:
	@if python3.11 --version >/dev/null 2>&1; then python3.11 --version; else \
	  version="$$(pyenv versions --bare | grep -E '^3\.11\.[0-9]+$$' | sort -V | tail -1)"; \
	  test -n "$$version" || { echo "no Python 3.11 here, nor in pyenv" >&2; exit 1; }; \
	  pyenv global "$$version" && python3.11 --version; fi

## make monitor: drift and quality report over the last 7 days of `make run`'s store, in
## reports/monitoring/; exits with the report's own code: 0 no drift, 1 drift (named),
## 2 nothing to report
MONITOR_BIN := .tox/monitor/bin
monitor:
	+@env -u MAKEFLAGS $(MAKE) --no-print-directory -s venv
	+@$(TOX) run -q -e monitor --notest >/dev/null
	+@$(MONITOR_BIN)/titanic-model train --if-missing >/dev/null
	+@$(MONITOR_BIN)/titanic-monitor --since 7d --output reports/monitoring

# make itself exits 0, 1 or 2 only in question mode (-q): 0 done, 1 "not up to date", 2 failed.
# `make monitor` and `make shadow-report`, each alone, run in it (their recipe lines start with
# `+`, which run even then), so a report's exit 1 (drift, REJECT) reaches the shell as 1, with no
# `make: *** Error` line, instead of make's 2.
ifneq ($(filter $(MAKECMDGOALS),monitor shadow-report),)
ifeq ($(words $(MAKECMDGOALS)),1)
MAKEFLAGS += --question
endif
endif

## make retrain: retrain on the labelled rows of the store's last $(RETRAIN_SINCE) (RETRAIN_STORE_URL,
## default make run's store) beside the historical data: a candidate under a dev version
## (build/retrain/), judged by non-inferiority on held-out rows (reports/retrain/), published to
## the private index (TWINE_* or the local one) only if it passes; api/requirements.txt untouched.
## Exit 2 with the count when fewer labelled rows than release's retrain.yml minimum.
RETRAIN_SINCE ?= 90d
RETRAIN_STORE_URL ?= $(PREDICTION_STORE_URL)
# The URL reaches the job through the environment (env:NAME), as for STORE_TARGETS.
ifneq ($(origin RETRAIN_STORE_URL),environment)
retrain: export RETRAIN_STORE_URL := $(RETRAIN_STORE_URL)
endif
retrain: $(VENV)/.ready
	$(TOX) run -e retrain -- --store-url env:RETRAIN_STORE_URL --since $(RETRAIN_SINCE)

## make shadow VERSION=<candidate>: that version from the local index into its own venv
## ($(SHADOW_VENV)), served as the shadow (SERVING_ROLE=shadow) on 127.0.0.1:$(SHADOW_PORT), storing
## its answers in make run's store; needs SHADOW_TOKEN. Then: SHADOW_URL=http://127.0.0.1:8002 make run
SHADOW_PORT ?= 8002
SHADOW_VENV := .venv-shadow
shadow: $(VENV)/.ready
	@test -n "$(VERSION)" || { echo "make shadow VERSION=<candidate version on the index>" >&2; exit 1; }
	$(TOX) run -q -e index -- start
	@mkdir -p data
	PORT=$(SHADOW_PORT) $(INDEX_PY) -m titanic_release.shadow_serve \
	  --version $(VERSION) --venv $(SHADOW_VENV) --port $(SHADOW_PORT)

## make shadow-report: live and shadow answers of make run's store paired by id, last $(SHADOW_SINCE),
## into reports/shadow/ (report.html, summary.json); exit 0 PROMOTE, 1 REJECT, 2 INSUFFICIENT
SHADOW_SINCE ?= 7d
# Its store comes from the environment (STORE_TARGETS); its exit code is the verdict's, as make
# monitor's is the report's (question mode, below).
shadow-report:
	+@env -u MAKEFLAGS $(MAKE) --no-print-directory -s venv
	+@$(TOX) run -q -e shadow_report -- --since $(SHADOW_SINCE) --output reports/shadow

## make promote VERSION=<candidate>: refuses without a PROMOTE report (reports/shadow/) for that
## version younger than shadow.yml's max_report_age_hours; else moves the pin and VERSION and
## commits with the report's summary as the message. make rollback: the previous release's commit
## (before the pin last moved) redeployed from its own tree with make deploy-api, the smoke test
## waiting until that release id answers at API_URL with its version, then the pin moved back.
promote:
	PYTHONPATH=release/src $(PYTHON) -m titanic_release.promote promote --version "$(VERSION)" --report reports/shadow
ROLLBACK_WAIT ?= 300
rollback: $(VENV)/.ready
	PYTHONPATH=release/src $(PYTHON) -m titanic_release.rollback --wait $(ROLLBACK_WAIT) \
	  --smoke "$(TOX) run -e smoke --"

## make bench: speed and memory figures beside their baselines, the monitoring report and the
## traffic replay on a 1M-row PostgreSQL store, then a 10-minute soak of the API (RSS growth < 5 %);
## not part of make test
bench: $(VENV)/.ready postgres-bin
	$(TOX) run -e bench,bench_api,bench_batch,bench_monitor,bench_replay,soak_api

## make docs-slow: the pages' commands too slow for make test (the benchmarks, make bench among
## them, the differential suite, model selection, pre-commit, the lock's recompile, MLflow's UI),
## run exactly as printed in copies of the tree, two at a time: about an hour
docs-slow: $(VENV)/.ready postgres-bin
	$(TOX) run -e docs_slow

# apt-get install $(1), as root or through sudo; without either, stop at once naming the command.
define apt_install
as_root=""; \
if [ "$$(id -u)" -ne 0 ]; then \
  if sudo -n true 2>/dev/null; then as_root=sudo; \
  else echo "$(1) is needed and missing; install it (and the rest make test needs) with: sudo make system-deps" >&2; exit 1; fi; \
fi; \
$$as_root apt-get update -qq && \
$$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1)
endef

## make system-deps: what make test needs beyond Python, from apt when missing: Java 17+ (Spark),
## PostgreSQL's binaries (the store tests), Chromium (the browser tests), Prometheus and its
## Pushgateway (the observability tests), HAProxy (the replica tests). make test runs it first.
system-deps: java postgres-bin chromium image-tools prometheus-bin haproxy-bin

## make java: a Java runtime for Spark 4 (Debian's default-jre-headless) when none, or one older than 17,
## is present (make system-deps, and CircleCI's test_spark job)
java:
	@major=$$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1); \
	if [ "$${major:-0}" -lt 17 ]; then $(call apt_install,default-jre-headless); fi

## make chromium: Debian's chromium for the browser tests, unless it or Google Chrome is present
chromium:
	@test -x /usr/bin/chromium || test -x /usr/bin/google-chrome || { $(call apt_install,chromium); }

## make venv: just .venv with tox + tox-uv (what every CI job installs before its tox env)
venv: $(VENV)/.ready

## make postgres-bin: Debian/Ubuntu's PostgreSQL binaries, which the store tests start a throwaway
## server from (tests/api/postgres_cluster.py), when they are missing
postgres-bin:
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || { $(call apt_install,postgresql); }

## make haproxy-bin: Debian's haproxy, which tests/replicas puts in front of several API
## processes (started and stopped by the test, by PID), when it is missing
haproxy-bin:
	@command -v haproxy >/dev/null || test -x /usr/sbin/haproxy || { $(call apt_install,haproxy); }

## make prometheus-bin: Debian's prometheus (with promtool) and prometheus-pushgateway, which
## tests/observability starts throwaway servers from, when they are missing
prometheus-bin:
	@command -v promtool >/dev/null && command -v prometheus-pushgateway >/dev/null || { \
	  $(call apt_install,prometheus prometheus-pushgateway); }

## make deploy-api: deploy the API to Railway (api/Dockerfile, built from the repository's root, as
## api/railway.json says) with the Railway CLI from npm (needs RAILWAY_TOKEN;
## RAILWAY_SERVICE picks the service when the project has several). CircleCI runs it on main.
## It first sets the service's RELEASE_ID (the commit; health reports it) without redeploying, then
## `up --ci` streams the build log and fails when the build fails; CircleCI then waits for that
## release with `tox -e smoke -- --url "$$API_URL" --expected-release "$$CIRCLE_SHA1" --wait 300`.
# RAILWAY_CLI from the environment: the pipeline rehearsal gives its stand-in (tests/rehearsal).
RAILWAY_CLI ?= .cache/railway-cli/node_modules/.bin/railway
RELEASE_ID ?= $(or $(CIRCLE_SHA1),$(shell git rev-parse HEAD))
# make rollback deploys another commit's tree (exported from git) with its own RELEASE_ID.
DEPLOY_DIR ?= .
deploy-api:
	@test -n "$$RAILWAY_TOKEN" || { echo "deploy-api: RAILWAY_TOKEN is not set" >&2; exit 1; }
	test -x $(RAILWAY_CLI) || npm install --no-save --no-audit --no-fund --prefix .cache/railway-cli @railway/cli
	cd $(DEPLOY_DIR) && $(abspath $(RAILWAY_CLI)) variables --set "RELEASE_ID=$(RELEASE_ID)" --skip-deploys $${RAILWAY_SERVICE:+--service "$$RAILWAY_SERVICE"}
	cd $(DEPLOY_DIR) && $(abspath $(RAILWAY_CLI)) up --ci $${RAILWAY_SERVICE:+--service "$$RAILWAY_SERVICE"}

## make deploy-shadow: the candidate make retrain published last (reports/retrain/; or
## VERSION=<candidate>) deployed as the shadow Railway service RAILWAY_SHADOW_SERVICE: the API's
## tree (api/, store/, masking/) copied to $(SHADOW_API_DIR)/ with that pin (titanic_release.shadow_api), then make deploy-api from the
## copy with RAILWAY_SERVICE set to that service. Without RAILWAY_SHADOW_SERVICE it says so and
## exits 0 (no shadow service). CircleCI's weekly retrain runs it after a published candidate.
SHADOW_API_DIR := build/shadow-api
deploy-shadow:
	@if [ -z "$$RAILWAY_SHADOW_SERVICE" ]; then \
	  echo "deploy-shadow: RAILWAY_SHADOW_SERVICE is not set, so there is no shadow service to deploy to: nothing deployed (docs/deploy-railway.md#a-shadow-service)"; \
	  exit 0; fi; \
	$(MAKE) --no-print-directory venv && \
	PYTHONPATH=release/src $(VENV)/bin/python -m titanic_release.shadow_api --output $(SHADOW_API_DIR) \
	  $(if $(VERSION),--version $(VERSION)) && \
	$(MAKE) --no-print-directory deploy-api DEPLOY_DIR=$(SHADOW_API_DIR) RAILWAY_SERVICE="$$RAILWAY_SHADOW_SERVICE"

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
