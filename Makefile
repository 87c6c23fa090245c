# Two commands for a newcomer: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3.11
VENV := .venv
TOX := $(VENV)/bin/tox

.PHONY: test train build clean

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

clean:
	rm -rf .tox dist build model_package/*.egg-info reports
