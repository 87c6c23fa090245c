"""The home page in a real headless Chromium, against a real uvicorn server.

Debian's chromium here and in .ci/run; Google Chrome on CircleCI's `-browsers` image.
"""

import io
import json
import os
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

# Skipped without a browser, and named in make test's summary; on CI (CI=true) never skipped:
# there the browser must be installed (make chromium), so its absence fails the tests.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None and os.environ.get("CI") != "true",
        reason="needs Chromium at /usr/bin/chromium or Chrome at /usr/bin/google-chrome "
        "(make chromium installs Debian's)",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        pytest.fail("CI=true and no Chromium: install it with make chromium")
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


def submit_first_class_passenger(page: Any) -> None:
    """Fill the form with a first-class passenger (Allen, Miss. E, 29, fare 211.34) and send it."""
    page.select_option("#pclass", "1")
    page.select_option("#sex", "female")
    page.fill("#age", "29")
    page.fill("#fare", "211.34")
    page.fill("#name", "Allen, Miss. E")
    page.click("#submit")


def test_form_shows_probability_and_model_version(page: Any, model_version: str) -> None:
    passenger = {"pclass": 1, "sex": "female", "age": 29.0, "sibsp": 0, "parch": 0, "fare": 211.34}
    expected = make_prediction(input_data={**passenger, "embarked": "S", "name": "Allen, Miss. E"})

    submit_first_class_passenger(page)
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


GREEN, RED = (0x2E, 0x7D, 0x32), (0xC6, 0x28, 0x28)  # the bars' fill colours in index.html


def _pixels_near(image: Any, colour: tuple[int, int, int], tolerance: int = 12) -> int:
    return sum(
        count
        for count, pixel in image.getcolors(maxcolors=1 << 20)
        if all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))
    )


def test_top_reasons_are_drawn_as_bars(page: Any, tmp_path: Path) -> None:
    from PIL import Image

    passenger = {"pclass": 1, "sex": "female", "age": 29.0, "fare": 211.34, "embarked": "S"}
    passenger |= {"name": "Allen, Miss. E", "sibsp": 0, "parch": 0}
    [explanation] = make_prediction(input_data=passenger, explain=True)["explanations"]
    assert explanation is not None
    ranked = sorted(explanation["contributions"].items(), key=lambda item: -abs(item[1]))
    top = [(feature, value) for feature, value in ranked if value != 0][:5]

    submit_first_class_passenger(page)
    page.locator("#reasons").wait_for(state="visible")

    bars = page.locator("#reasons-chart rect.bar")
    assert bars.count() == len(top) == 5
    assert [bars.nth(i).get_attribute("data-feature") for i in range(5)] == [f for f, _ in top]
    widths = [float(bars.nth(i).get_attribute("width")) for i in range(5)]
    assert widths == sorted(widths, reverse=True)

    shot = tmp_path / "reasons.png"
    page.locator("#reasons-chart").screenshot(path=str(shot))  # the bars, not the caption
    image = Image.open(io.BytesIO(shot.read_bytes())).convert("RGB")
    assert len(image.getcolors(maxcolors=1 << 20)) > 2, "the screenshot is blank"
    for colour, wanted in ((GREEN, any(v > 0 for _, v in top)), (RED, any(v < 0 for _, v in top))):
        # A bar of at least 2 x 16 CSS pixels in that colour, or none if no reason has that sign.
        assert (_pixels_near(image, colour) >= 32) == wanted, colour


def test_a_deck_from_no_cabin_is_labelled_unknown(page: Any) -> None:
    submit_first_class_passenger(page)  # no cabin: the deck is among the top reasons
    page.locator("#reasons").wait_for(state="visible")

    label = page.locator('#reasons-chart text[data-feature="deck"]')
    assert label.text_content() == "Deck: unknown (no cabin)"
    assert page.locator('#reasons-chart text[data-feature="sex"]').text_content() == "Sex"


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
