"""The alert rules offline: promtool's own checks and unit tests, a firing and a quiet case for
every alert, a runbook section behind every summary, and the base rate held to the training
data."""

import re
import shutil
import subprocess
from pathlib import Path

import yaml
from expressions import ALERTS, PROMETHEUS_DIR, rules
from observability_servers import PROMTOOL, binary
from titanic_release.project import REPO_ROOT

from titanic_model import reference_data

OPERATIONS = REPO_ROOT / "docs" / "operations.md"


def promtool(*args: str, cwd: Path = PROMETHEUS_DIR) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary(PROMTOOL, "promtool"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def alert_names() -> list[str]:
    return [rule["alert"] for rule in rules() if "alert" in rule]


def test_promtool_checks_the_rules() -> None:
    checked = promtool("check", "rules", "alerts.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(rules())} rules found" in checked.stdout


def test_promtool_unit_tests_pass() -> None:
    tested = promtool("test", "rules", "alerts.test.yml")
    print(tested.stdout)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_a_loosened_threshold_fails_the_unit_tests(tmp_path: Path) -> None:
    """The unit tests have teeth: a 5xx threshold of 4 % misses their 3 % case."""
    shutil.copy(PROMETHEUS_DIR / "alerts.test.yml", tmp_path)
    text = ALERTS.read_text(encoding="utf-8")
    assert text.count("> 0.01\n") == 1
    (tmp_path / "alerts.yml").write_text(text.replace("> 0.01\n", "> 0.04\n"), encoding="utf-8")
    tested = promtool("test", "rules", "alerts.test.yml", cwd=tmp_path)
    assert tested.returncode != 0
    assert "alertname: TitanicApiErrors" in tested.stdout + tested.stderr


def test_every_alert_has_a_firing_and_a_quiet_case() -> None:
    document = yaml.safe_load((PROMETHEUS_DIR / "alerts.test.yml").read_text(encoding="utf-8"))
    cases = [case for test in document["tests"] for case in test["alert_rule_test"]]
    for name in alert_names():
        expected = [case.get("exp_alerts") for case in cases if case["alertname"] == name]
        assert any(expected), f"{name}: no case that fires it"
        assert not all(expected), f"{name}: no case that must not fire it"


def _anchors(markdown: str) -> set[str]:
    """GitHub's anchors of the headings: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+ (.+)$", markdown, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def test_every_summary_says_what_to_do_and_links_its_runbook() -> None:
    anchors = _anchors(OPERATIONS.read_text(encoding="utf-8"))
    for rule in rules():
        if "alert" not in rule:
            continue
        summary = rule["annotations"]["summary"]
        assert ":" in summary, f"{rule['alert']}: no action after the finding"
        link = re.search(r"docs/operations\.md#([\w-]+)", summary)
        assert link, f"{rule['alert']}: no link into docs/operations.md"
        assert link[1] == rule["alert"].lower(), (rule["alert"], link[1])
        assert link[1] in anchors, f"{rule['alert']}: docs/operations.md has no #{link[1]}"


def test_the_base_rate_is_the_training_data_survival_rate() -> None:
    (recorded,) = [
        rule for rule in rules() if rule.get("record") == "titanic:model_card:survival_rate"
    ]
    constant = re.fullmatch(r"vector\(([\d.]+)\)", recorded["expr"])
    assert constant, recorded["expr"]
    value = float(constant[1])
    assert value == round(float(reference_data("train")["survived"].mean()), 3)


def test_promtool_checks_the_example_config_with_its_token_file(tmp_path: Path) -> None:
    """The bearer comes from a credentials file beside the config, never from the config."""
    for name in ("prometheus.yml", "alerts.yml"):
        shutil.copy(PROMETHEUS_DIR / name, tmp_path)
    config = yaml.safe_load((tmp_path / "prometheus.yml").read_text(encoding="utf-8"))
    (api_job,) = [job for job in config["scrape_configs"] if job["job_name"] == "titanic-api"]
    assert set(api_job["authorization"]) == {"type", "credentials_file"}
    missing = promtool("check", "config", "prometheus.yml", cwd=tmp_path)
    assert missing.returncode != 0  # no token file: refused
    (tmp_path / api_job["authorization"]["credentials_file"]).write_text("t0ken\n")
    checked = promtool("check", "config", "prometheus.yml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
