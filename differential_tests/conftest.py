"""Fixtures shared by the differential tests: the fixed inputs, the candidate, the baseline,
and with `--traffic STORE_URL [--since 30d] [--traffic-sample N]` recorded production traffic.

The baseline is resolved, installed and captured once per session (a venv and possibly a build
from git); anything that keeps it from being found fails the tests that need it, never skips them.
Without --traffic the tests marked `traffic` are deselected (pytest counts them); with it, a store
that cannot be read or holds no replayable rows fails them.
"""

import os
from pathlib import Path
from typing import Any

import pytest
from titanic_release.baseline import Baseline, BaselineError, resolve_baseline, run_capture
from titanic_release.capture import capture
from titanic_release.gate import Gate, load_gate
from titanic_release.inputs import InputSet, build_input_set, write_input_file
from titanic_release.traffic import (
    DEFAULT_SAMPLE_ROWS,
    Traffic,
    TrafficError,
    parse_since,
    read_traffic,
    store_url,
)

from titanic_model import __version__, model_metadata
from titanic_model.config import config

# The parts of config.yml that decide what the trained model is.
TRAINING_SETTINGS = ("data", "target", "features", "split", "model")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("differential", "the differential gate")
    group.addoption(
        "--traffic",
        metavar="STORE_URL",
        help="also replay recorded traffic from this prediction store (SQLAlchemy URL, or "
        "env:NAME to read it from the environment variable NAME); a read-only role is enough",
    )
    group.addoption("--since", default="30d", help="traffic window, e.g. 30d, 24h (default 30d)")
    group.addoption(
        "--traffic-sample",
        type=int,
        default=DEFAULT_SAMPLE_ROWS,
        help=f"replay at most this many stored rows (default {DEFAULT_SAMPLE_ROWS})",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "traffic: replays recorded traffic (needs --traffic)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--traffic"):
        return
    deselected = [item for item in items if item.get_closest_marker("traffic")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


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


def _fail_if_stale() -> None:
    trained_with = model_metadata().config.model_dump(mode="json")
    current = config.model_dump(mode="json")
    stale = [key for key in TRAINING_SETTINGS if trained_with.get(key) != current[key]]
    if stale:
        pytest.fail(
            f"the trained artifact of {__version__} does not match config.yml ({', '.join(stale)} "
            "changed since it was trained): run `titanic-model train` (tox -e differential does)",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def candidate_capture(inputs_file: Path) -> dict[str, Any]:
    """The working tree's model through its public make_prediction, in this process."""
    _fail_if_stale()
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


@pytest.fixture(scope="session")
def traffic(pytestconfig: pytest.Config) -> Traffic:
    """The window's stored rows, sampled to --traffic-sample; none to replay fails."""
    try:
        url = store_url(pytestconfig.getoption("--traffic"))
        since = parse_since(pytestconfig.getoption("--since"))
        recorded = read_traffic(url, since, pytestconfig.getoption("--traffic-sample"))
    except (ValueError, TrafficError) as error:
        pytest.fail(f"no traffic to replay: {error}", pytrace=False)
    if not recorded.replayed_rows:
        pytest.fail(f"no scored rows to replay: {recorded.describe()}", pytrace=False)
    return recorded


@pytest.fixture(scope="session")
def traffic_file(traffic: Traffic, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_input_file(traffic.inputs, tmp_path_factory.mktemp("traffic") / "traffic.json")


@pytest.fixture(scope="session")
def candidate_traffic_capture(traffic_file: Path) -> dict[str, Any]:
    _fail_if_stale()
    return capture(traffic_file)


@pytest.fixture(scope="session")
def baseline_traffic_capture(
    baseline: Baseline, traffic_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    try:
        return run_capture(baseline.python, traffic_file, tmp_path_factory.mktemp("capture"))
    except BaselineError as error:
        pytest.fail(f"the baseline {baseline.version} could not be run: {error}", pytrace=False)
