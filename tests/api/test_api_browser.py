"""The home page in a real headless Chromium, against a real uvicorn server.

Debian's chromium here and in .ci/run; Google Chrome on CircleCI's `-browsers` image.
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from live_server import LiveServer

from titanic_model import make_prediction

BROWSERS = (Path("/usr/bin/chromium"), Path("/usr/bin/google-chrome"))
CHROMIUM = next((path for path in BROWSERS if path.exists()), None)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="needs Chromium at /usr/bin/chromium or Chrome at /usr/bin/google-chrome "
        "(.ci/run installs Debian's: apt-get install -y chromium)",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.base_url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto("/")
    try:
        yield page
    finally:
        context.close()


def shown_percentage(page: Any) -> float:
    text = page.locator("#probability").inner_text()
    match = re.fullmatch(r"(\d+\.\d) %", text)
    assert match, text
    return float(match[1])


def test_form_shows_probability_and_model_version(page: Any, model_version: str) -> None:
    passenger = {"pclass": 1, "sex": "female", "age": 29.0, "sibsp": 0, "parch": 0, "fare": 211.34}
    expected = make_prediction(input_data={**passenger, "embarked": "S", "name": "Allen, Miss. E"})

    page.select_option("#pclass", "1")
    page.select_option("#sex", "female")
    page.fill("#age", "29")
    page.fill("#fare", "211.34")
    page.fill("#name", "Allen, Miss. E")
    page.click("#submit")
    page.locator("#result").wait_for(state="visible")

    assert shown_percentage(page) == round(expected["probabilities"][0] * 100, 1)
    assert page.locator("#version").inner_text() == model_version
    survived = expected["predictions"][0] == 1
    assert page.locator("#prediction").inner_text() == (
        "survived" if survived else "did not survive"
    )


def test_unknown_age_and_fare_are_sent_as_null_and_still_scored(page: Any) -> None:
    expected = make_prediction(
        input_data={"pclass": 3, "sex": "male", "age": None, "fare": None, "embarked": "S"}
    )

    page.click("#submit")  # the defaults: 3rd class, male, age and fare left empty
    page.locator("#result").wait_for(state="visible")

    assert shown_percentage(page) == round(expected["probabilities"][0] * 100, 1)
    assert page.locator("#error").is_hidden()


def test_model_card_is_shown_under_the_form(page: Any, model_version: str) -> None:
    models = Path(__file__).resolve().parents[2] / "model_package/titanic_model/trained_models"
    metadata = json.loads((models / f"titanic_model_v{model_version}.json").read_text())
    card = page.locator("#model-card")
    card.wait_for(state="visible")
    facts = dict(
        zip(card.locator("dt").all_inner_texts(), card.locator("dd").all_inner_texts(), strict=True)
    )
    assert facts["Version"] == model_version
    assert facts["Git commit"] == metadata["git_commit"]
    assert facts["Artifact sha256"] == metadata["artifact_sha256"]
    assert facts["Held-out ROC AUC"] == f"{metadata['held_out_metrics']['roc_auc']:.3f}"
    assert "title" in facts["Features"]
    assert "pclass" in facts["Features"]
    form_bottom = page.locator("#passenger-form").bounding_box()["y"]
    assert card.bounding_box()["y"] > form_bottom  # under the form
