"""Fixtures shared by the differential tests: the fixed inputs, the candidate, the baseline.

The baseline is resolved, installed and captured once per session (a venv and possibly a build
from git); anything that keeps it from being found fails the tests that need it, never skips them.
"""

import os
from pathlib import Path
from typing import Any

import pytest
from titanic_release.baseline import Baseline, BaselineError, resolve_baseline, run_capture
from titanic_release.capture import capture
from titanic_release.gate import Gate, load_gate
from titanic_release.inputs import InputSet, build_input_set, write_input_file

from titanic_model import __version__, model_metadata
from titanic_model.config import config

# The parts of config.yml that decide what the trained model is.
TRAINING_SETTINGS = ("data", "target", "features", "split", "model")


@pytest.fixture(scope="session")
def gate() -> Gate:
    """The gate's own tolerances (release/gate.yml), never the candidate's."""
    return load_gate()


@pytest.fixture(scope="session")
def inputs() -> InputSet:
    return build_input_set()


@pytest.fixture(scope="session")
def inputs_file(inputs: InputSet, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_input_file(inputs, tmp_path_factory.mktemp("inputs") / "inputs.json")


@pytest.fixture(scope="session")
def candidate_capture(inputs_file: Path) -> dict[str, Any]:
    """The working tree's model through its public make_prediction, in this process."""
    trained_with = model_metadata().config.model_dump(mode="json")
    current = config.model_dump(mode="json")
    stale = [key for key in TRAINING_SETTINGS if trained_with.get(key) != current[key]]
    if stale:
        pytest.fail(
            f"the trained artifact of {__version__} does not match config.yml ({', '.join(stale)} "
            "changed since it was trained): run `titanic-model train` (tox -e differential does)",
            pytrace=False,
        )
    return capture(inputs_file)


@pytest.fixture(scope="session")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    try:
        return resolve_baseline(__version__, tmp_path_factory.mktemp("baseline"), os.environ)
    except BaselineError as error:
        pytest.fail(f"no baseline to compare the candidate with: {error}", pytrace=False)


@pytest.fixture(scope="session")
def baseline_capture(
    baseline: Baseline, inputs_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    try:
        return run_capture(baseline.python, inputs_file, tmp_path_factory.mktemp("capture"))
    except BaselineError as error:
        pytest.fail(f"the baseline {baseline.version} could not be run: {error}", pytrace=False)
