"""The differential report: Markdown for a reviewer, JSON for tools, from one Comparison."""

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from titanic_model import contract
from titanic_release.compare import MOST_MOVED_ROWS, Comparison
from titanic_release.project import REPORTS_DIR
from titanic_release.row_diffs import SEGMENT_FIELDS, RowDiff

REPORT_DIR = REPORTS_DIR / "differential"


def _row_json(row: RowDiff) -> dict[str, Any]:
    return {**asdict(row), "flipped": row.flipped}


def as_json(comparison: Comparison) -> dict[str, Any]:
    return {
        "verdict": "pass" if comparison.passed else "fail",
        "failures": comparison.failures,
        "baseline": {
            "version": comparison.baseline_version,
            "origin": comparison.baseline_origin,
            "environment": comparison.environments["baseline"],
        },
        "candidate": {
            "version": comparison.candidate_version,
            "origin": comparison.candidate_origin,
            "environment": comparison.environments["candidate"],
        },
        "tolerances": {"file": comparison.tolerances_file, "values": comparison.tolerances},
        "checks": [asdict(check) for check in comparison.checks],
        "inputs": comparison.inputs_description,
        "labelled_rows": comparison.labelled_rows,
        "metrics": comparison.metrics,
        "rows_compared": len(comparison.rows),
        "rows_changed": len(comparison.changed),
        "flipped_rows": [_row_json(row) for row in comparison.flipped],
        "most_moved_rows": [_row_json(row) for row in comparison.most_moved],
        "segments": [{**asdict(effect), "shift": effect.shift} for effect in comparison.segments],
    }


def _cell(value: object) -> str:
    if value is None:
        return "·"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("|", "\\|")


def _rows_table(rows: list[RowDiff]) -> list[str]:
    if not rows:
        return ["(none)", ""]
    header = ["row", "baseline p", "candidate p", "|Δp|", "labels", *contract.FIELD_NAMES]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [
            row.row_id,
            f"{row.baseline_probability:.4f}",
            f"{row.candidate_probability:.4f}",
            f"{row.abs_diff:.3g}",
            f"{row.baseline_label} → {row.candidate_label}",
            *(_cell(row.record.get(name)) for name in contract.FIELD_NAMES),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def _segments_heading() -> str:
    return f"## By segment ({', '.join(SEGMENT_FIELDS)}), the largest mean shift first"


def _segments_table(comparison: Comparison) -> list[str]:
    if not comparison.segments:
        return ["(none)", ""]
    lines = [
        "| segment | rows | baseline mean p | candidate mean p | shift | flipped |",
        "|---|---|---|---|---|---|",
    ]
    for effect in comparison.segments:
        lines.append(
            f"| {effect.segment} | {effect.rows} | {effect.baseline_mean:.4f} | "
            f"{effect.candidate_mean:.4f} | {effect.shift:+.4f} | {effect.flipped} |"
        )
    return [*lines, ""]


def as_markdown(comparison: Comparison) -> str:
    verdict = "PASS" if comparison.passed else "FAIL"
    lines = [
        f"# Differential report: {verdict}",
        "",
        f"- baseline: **{comparison.baseline_version}** ({comparison.baseline_origin})",
        f"- candidate: **{comparison.candidate_version}** ({comparison.candidate_origin})",
        f"- inputs: {comparison.inputs_description}",
        f"- rows compared: {len(comparison.rows)}; "
        f"rows whose output changed: {len(comparison.changed)}; "
        f"flipped labels: {len(comparison.flipped)}",
        "",
    ]
    if comparison.failures:
        lines += ["## Why it fails", ""]
        lines += [f"- {failure}" for failure in comparison.failures]
        if comparison.segments:
            lines.append(f"- the largest effect by segment: {comparison.segments[0].describe()}")
        lines.append("")
    lines += [f"## Checks (tolerances from `{comparison.tolerances_file}`)", ""]
    lines += ["| check | value | tolerance | result |", "|---|---|---|---|"]
    for check in comparison.checks:
        result = "ok" if check.passed else "**FAIL**"
        lines.append(f"| {check.name} | {check.value:.4f} | {check.limit:.4f} | {result} |")
    lines.append("")
    if not comparison.metrics:
        lines += [
            "## Metrics",
            "",
            f"Not measured: {comparison.labelled_rows} rows have a known outcome (both classes "
            "are needed). The checks above show how predictions changed, not whether they got "
            "better or worse.",
            "",
        ]
    else:
        lines += [f"## Metrics on the {comparison.labelled_rows} rows with a known outcome", ""]
        lines += ["| metric | baseline | candidate | delta |", "|---|---|---|---|"]
        for name, old in comparison.metrics["baseline"].items():
            new = comparison.metrics["candidate"][name]
            lines.append(f"| {name} | {old:.4f} | {new:.4f} | {new - old:+.4f} |")
        lines.append("")
    lines += [_segments_heading(), "", *_segments_table(comparison)]
    lines += ["## Flipped rows", "", *_rows_table(comparison.flipped)]
    lines += [f"## The rows that moved most (up to {MOST_MOVED_ROWS})", ""]
    lines += _rows_table(comparison.most_moved)
    lines += ["## Environments", "", "| library | baseline | candidate |", "|---|---|---|"]
    old_env, new_env = comparison.environments["baseline"], comparison.environments["candidate"]
    for name in sorted(set(old_env) | set(new_env)):
        lines.append(f"| {name} | {_cell(old_env.get(name))} | {_cell(new_env.get(name))} |")
    return "\n".join(lines) + "\n"


def write_report(comparison: Comparison, name: str, directory: Path = REPORT_DIR) -> Path:
    """Write NAME.md and NAME.json; return the Markdown path."""
    directory.mkdir(parents=True, exist_ok=True)
    markdown = directory / f"{name}.md"
    markdown.write_text(as_markdown(comparison), encoding="utf-8")
    (directory / f"{name}.json").write_text(
        json.dumps(as_json(comparison), indent=2) + "\n", encoding="utf-8"
    )
    return markdown
