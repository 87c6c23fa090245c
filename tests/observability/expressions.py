"""Every PromQL expression of the shipped files, read from the files themselves: the dashboard's
panel targets and the alert rules' `expr`s."""

import json
import re
from pathlib import Path
from typing import Any

import yaml
from titanic_release.project import REPO_ROOT

PROMETHEUS_DIR = REPO_ROOT / "deploy" / "prometheus"
GRAFANA_DIR = REPO_ROOT / "deploy" / "grafana"
ALERTS = PROMETHEUS_DIR / "alerts.yml"
DASHBOARD = GRAFANA_DIR / "titanic-api.json"
# Grafana's interval variables, as Grafana would fill them on a short range.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__range": "5m"}
_COMPARISON = re.compile(r"(==|!=|>=|<=|(?<![=!<>])>|(?<![=!<>])<)\s*(?!bool\b)")


def rules(path: Path = ALERTS) -> list[dict[str, Any]]:
    """The rules of every group, in file order."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def dashboard(path: Path = DASHBOARD) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def dashboard_expressions(path: Path = DASHBOARD) -> dict[str, str]:
    """'panel title / refId' -> its expression, Grafana's variables filled in."""
    found = {}
    for panel in dashboard(path)["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"]
            for variable, value in GRAFANA_VARIABLES.items():
                expr = expr.replace(variable, value)
            found[f"{panel['title']} / {target['refId']}"] = expr
    return found


def watched(expr: str) -> str:
    """An alert's expression that returns what it watches even while quiet: each comparison made
    `bool` (0 or 1 instead of a filter) and `unless` made `or`. A misspelt metric or label still
    returns nothing. Label matchers (inside braces) are left alone."""
    parts = re.split(r"(\{[^}]*\})", expr)
    parts[::2] = [_COMPARISON.sub(r"\1 bool ", part) for part in parts[::2]]
    return "".join(parts).replace(" unless ", " or ")


def rule_expressions(path: Path = ALERTS) -> dict[str, str]:
    """'rule name' -> its expression, alerts' comparisons made `bool` (watched)."""
    return {
        rule.get("alert") or rule["record"]: watched(rule["expr"])
        if "alert" in rule
        else rule["expr"]
        for rule in rules(path)
    }
