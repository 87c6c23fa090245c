"""The retrained candidate's version scheme keeps the API's release pins away from it, and
`make retrain`'s command refuses what it cannot use (a bad retrain file, a store variable not
set) before it reads anything."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from titanic_release.candidate_version import candidate_version
from titanic_release.retrain import main
from titanic_release.retrain_config import RetrainConfigError, load_retrain_settings

pytestmark = pytest.mark.differential


INDEX_VERSIONS = ["0.1.0", "0.2.0"]  # hand-made releases on the index beside the candidate


def _picked(pin: str, versions: list[str]) -> str:
    """What pip installs for `pin`: the newest version the specifier lets through, with
    pre-releases only when nothing else matches (packaging's filter, which pip uses)."""
    return str(max(SpecifierSet(pin).filter(versions), key=Version))


@pytest.mark.parametrize("pin", ["==0.2.0", ">=0.2.0", "~=0.2.0", ">=0.2", "<0.3", "==0.2.*"])
def test_the_candidate_version_is_never_picked_by_a_release_pin(pin: str) -> None:
    candidate = candidate_version("0.2.0", datetime(2026, 11, 30, 22, 15, tzinfo=UTC))
    assert candidate == "0.2.1.dev20261130221500"
    assert _picked(pin, [*INDEX_VERSIONS, candidate]) != candidate
    assert _picked(f"=={candidate}", [*INDEX_VERSIONS, candidate]) == candidate
    assert Version("0.2.0") < Version(candidate) < Version("0.2.1") < Version("0.3.0")


@pytest.mark.parametrize(
    ("other_scheme", "pin"), [("0.2.0+retrain.20261130", "==0.2.0"), ("0.2.0.post1", ">=0.2.0")]
)
def test_a_local_or_post_version_would_be_picked_by_a_release_pin(
    other_scheme: str, pin: str
) -> None:
    """Why not a local (+...) or a post release: the API's kind of pin would take them."""
    assert _picked(pin, [*INDEX_VERSIONS, other_scheme]) == other_scheme


def test_an_invalid_retrain_file_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "retrain.yml"
    path.write_text("min_labelled_rows: 0\nmax_labelled_rows: 10\n", encoding="utf-8")
    with pytest.raises(
        RetrainConfigError, match=r"^invalid retrain file .*:\n  min_labelled_rows: "
    ):
        load_retrain_settings(path)


def test_a_store_variable_that_is_not_set_is_refused_with_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--store-url", "env:NO_SUCH_STORE_VARIABLE"], {})
    assert exited.value.code == 2
    assert "the environment variable NO_SUCH_STORE_VARIABLE is not set" in capsys.readouterr().err
