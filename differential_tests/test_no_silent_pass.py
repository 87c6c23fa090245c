"""Nothing to compare with is a failure, never a pass: unreachable or refusing indexes, versions
that are not there, captures that do not match the input set."""

import copy
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version
from titanic_release.baseline import (
    BaselineError,
    choose_published,
    install,
    published_versions,
    resolve_baseline,
)
from titanic_release.compare import compare
from titanic_release.gate import load_gate
from titanic_release.inputs import InputSet
from titanic_release.local_index import Credentials, authenticated_simple_url, running_index
from titanic_release.servers import free_port
from titanic_release.simple_index import SimpleIndex

pytestmark = pytest.mark.differential

SECRET = "s3cret-Pa55word"


def test_unreachable_index_fails_and_says_so() -> None:
    index = SimpleIndex(f"http://user:{SECRET}@127.0.0.1:{free_port()}/simple/", timeout=5)
    with pytest.raises(BaselineError, match="cannot be reached") as raised:
        published_versions(index)
    assert SECRET not in str(raised.value)
    assert "***@127.0.0.1" in str(raised.value)


def test_unreachable_index_fails_the_whole_resolution(tmp_path: Path) -> None:
    environ = {"PIP_EXTRA_INDEX_URL": f"http://user:{SECRET}@127.0.0.1:{free_port()}/simple/"}
    with pytest.raises(BaselineError, match="cannot be reached"):
        resolve_baseline("0.1.0", tmp_path, environ)


def test_index_that_refuses_the_credentials_fails(tmp_path: Path) -> None:
    with running_index(tmp_path / "index") as index:
        wrong = authenticated_simple_url(index.host, index.port, Credentials("publisher", SECRET))
        with pytest.raises(BaselineError, match=r"HTTP 40[13]") as raised:
            published_versions(SimpleIndex(wrong))
        assert published_versions(SimpleIndex(index.authenticated_simple_url())) == []
    assert SECRET not in str(raised.value)


def test_baseline_version_missing_from_the_index_fails(tmp_path: Path) -> None:
    with running_index(tmp_path / "index") as index:
        environ = {
            "PIP_EXTRA_INDEX_URL": index.authenticated_simple_url(),
            "BASELINE_VERSION": "0.0.1",
        }
        with pytest.raises(BaselineError, match=r"BASELINE_VERSION=0\.0\.1 is not on the index"):
            resolve_baseline("0.1.0", tmp_path / "work", environ)


def test_baseline_that_cannot_be_installed_fails(tmp_path: Path) -> None:
    with running_index(tmp_path / "index") as index:
        target = SimpleIndex(index.authenticated_simple_url())
        with pytest.raises(BaselineError, match=r"installing titanic-survival-model==0\.0\.1"):
            install(Version("0.0.1"), target, tmp_path / "venv")


def test_unknown_git_ref_fails(tmp_path: Path) -> None:
    with running_index(tmp_path / "index") as index:
        environ = {
            "PIP_EXTRA_INDEX_URL": index.authenticated_simple_url(),
            "BASELINE_REF": "no-such-ref-anywhere",
        }
        with pytest.raises(BaselineError, match="BASELINE_REF=no-such-ref-anywhere"):
            resolve_baseline("0.1.0", tmp_path / "work", environ)


@pytest.mark.parametrize(
    ("published", "candidate", "requested", "expected"),
    [
        (["0.1.0", "0.2.0", "0.4.0"], "0.3.0", None, "0.2.0"),
        (["0.1.0", "0.2.0", "0.3.0"], "0.2.5", None, "0.2.0"),
        (["0.1.0", "0.10.0", "0.9.0"], "0.11.0", None, "0.10.0"),
        (["0.2.0", "0.3.0"], "0.1.0", None, None),
        (["0.1.0", "0.2.0", "0.3.0"], "0.2.0", None, "0.2.0"),
        (["0.1.0", "0.2.0"], "0.2.0", "0.1.0", "0.1.0"),
        ([], "0.1.0", None, None),
        (["0.1.0", "0.2.0"], "0.2.0", "0.2.0", "0.2.0"),
        # A retrained candidate (make retrain) was never a release: the baseline skips it.
        (["0.2.0", "0.2.1.dev20261130221500"], "0.3.0", None, "0.2.0"),
        (
            ["0.2.0", "0.2.1.dev20261130221500"],
            "0.3.0",
            "0.2.1.dev20261130221500",
            "0.2.1.dev20261130221500",
        ),
    ],
)
def test_choice_of_the_published_baseline(
    published: list[str], candidate: str, requested: str | None, expected: str | None
) -> None:
    chosen = choose_published(sorted(map(Version, published)), Version(candidate), requested)
    assert chosen == (Version(expected) if expected else None)


def _compare(baseline: dict[str, Any], candidate: dict[str, Any], inputs: InputSet) -> list[str]:
    comparison = compare(
        baseline,
        candidate,
        inputs,
        load_gate(),
        baseline_origin="test",
        candidate_origin="test",
    )
    return comparison.failures


def test_capture_of_another_input_set_fails(
    candidate_capture: dict[str, Any], inputs: InputSet
) -> None:
    other = copy.deepcopy(candidate_capture)
    other["row_ids"] = other["row_ids"][1:] + other["row_ids"][:1]
    failures = _compare(other, candidate_capture, inputs)
    assert failures == ["the baseline capture is not of this input set (its row ids differ)"]


def test_rows_the_candidate_rejects_fail(
    candidate_capture: dict[str, Any], inputs: InputSet
) -> None:
    broken = copy.deepcopy(candidate_capture)
    broken["probabilities"][3] = None
    broken["predictions"][3] = None
    failures = _compare(candidate_capture, broken, inputs)
    assert any(
        inputs.row_ids[3] in failure and "candidate rejected 1" in failure for failure in failures
    )


def test_identical_captures_pass(candidate_capture: dict[str, Any], inputs: InputSet) -> None:
    assert _compare(candidate_capture, copy.deepcopy(candidate_capture), inputs) == []
