# Two commands for a newcomer: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3.11
VENV := .venv
TOX := $(VENV)/bin/tox
# Caches stay inside the clone; installs compile bytecode so imports are fast from the first run.
export UV_CACHE_DIR := $(CURDIR)/.cache/uv
export PIP_CACHE_DIR := $(CURDIR)/.cache/pip
export UV_COMPILE_BYTECODE := 1

.PHONY: test train build bench clean

$(VENV)/.ready:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet "tox>=4.20" "tox-uv>=1.11"
	touch $@

## make test: everything CI checks (lint/types, package, API, end-to-end, differential)
test: $(VENV)/.ready
	$(TOX) run -e checks,test_package

## make train: train the model for the current VERSION
train: $(VENV)/.ready
	$(TOX) run -e train

## make build: sdist + wheel with the trained artifact in dist/
build: $(VENV)/.ready
	$(TOX) run -e build

## make bench: speed and memory figures beside their baselines (not part of make test)
bench: $(VENV)/.ready
	$(TOX) run -e bench

clean:
	rm -rf .tox dist build model_package/*.egg-info reports
