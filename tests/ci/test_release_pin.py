"""Release discipline: the API installs exactly the model version this commit defines, or a
retrained candidate of it that a reviewed change promoted (docs/releasing.md).

VERSION and the pin in api/requirements.txt move together in one change; if only one of them
moves, the API would serve a different model from the one the differential report was about. The
one exception is a candidate of `make retrain`, gated against this VERSION: the next patch's dev
release (X.Y.Z+1.devN for VERSION X.Y.Z).
"""

import re

from titanic_release.candidate_version import is_retrained_candidate
from titanic_release.project import API_DIR, DIST_NAME, VERSION_FILE

REQUIREMENTS = API_DIR / "requirements.txt"
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*?)\s*$")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def model_pins(requirements: str) -> list[str]:
    """The version specifiers given for the model package ('==0.1.0', '>=0.1' …)."""
    pins = []
    for line in requirements.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        match = _REQUIREMENT.match(line)
        if match and _normalise(match.group(1)) == DIST_NAME:
            pins.append(match.group(2).replace(" ", ""))
    return pins


def pin_problems(requirements: str, version: str) -> list[str]:
    pins = model_pins(requirements)
    if len(pins) == 1 and pins[0].startswith("==") and is_retrained_candidate(pins[0][2:], version):
        return []
    if pins != [f"=={version}"]:
        return [
            f"{DIST_NAME} must be pinned exactly once as =={version} (or a promoted candidate "
            f"of make retrain), found {pins or 'no pin'}"
        ]
    return []


def test_api_pins_exactly_the_package_version() -> None:
    version = VERSION_FILE.read_text(encoding="utf-8").strip()
    assert pin_problems(REQUIREMENTS.read_text(encoding="utf-8"), version) == []


def test_requirements_install_from_the_private_index_through_the_variable() -> None:
    first = REQUIREMENTS.read_text(encoding="utf-8").splitlines()[0].strip()
    assert first == "--extra-index-url=${PIP_EXTRA_INDEX_URL}"


def test_pin_check_catches_a_pin_that_was_not_bumped() -> None:
    text = "--extra-index-url=${PIP_EXTRA_INDEX_URL}\ntitanic-survival-model==0.1.0\n"
    assert pin_problems(text, "0.1.0") == []
    assert pin_problems(text, "0.2.0") != []
    assert pin_problems(text.replace("==0.1.0", ">=0.1.0"), "0.1.0") != []
    assert pin_problems("Titanic_Survival.Model == 0.2.0  # the model\n", "0.2.0") == []
    assert pin_problems("fastapi==0.1\n", "0.1.0") != []
    assert pin_problems(text + "titanic-survival-model==0.1.0\n", "0.1.0") != []


def test_a_promoted_retrained_candidate_of_this_version_may_be_pinned() -> None:
    text = "titanic-survival-model==0.1.1.dev20261130221500\n"
    assert pin_problems(text, "0.1.0") == []
    assert pin_problems(text, "0.2.0") != []  # a candidate of another version
    assert pin_problems(text.replace(".dev", ".post"), "0.1.0") != []
    assert pin_problems(text.replace("==", ">="), "0.1.0") != []
    assert pin_problems("titanic-survival-model==0.1.1\n", "0.1.0") != []
