"""report.html: the summary as a self-contained page (no script, no remote asset)."""

import html
import json
from typing import Any


def _table(rows: list[list[Any]], header: list[str]) -> str:
    head = "".join(f"<th>{html.escape(str(cell))}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(cell))}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _cell(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def render(summary: dict[str, Any]) -> str:
    flips = [["all", *summary["flips"].values()]]
    for column, groups in summary["flips_by"].items():
        flips += [[f"{column}={key}", *figures.values()] for key, figures in groups.items()]
    quality = summary["quality"]
    tests = [
        [
            d["metric"],
            d["live"],
            d["candidate"],
            d["worse_by"],
            f"[{d['low']:+.4f}, {d['high']:+.4f}]",
        ]
        for d in quality.get("differences", [])
    ]
    reasons = "".join(f"<li>{html.escape(reason)}</li>" for reason in summary["reasons"])
    version = html.escape(summary["candidate_version"])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shadow report {version}</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{border:1px solid #ccc;padding:3px 8px}}
table{{border-collapse:collapse;margin-bottom:1em}}</style></head><body>
<h1>Shadow report: candidate {version}</h1>
<p id="verdict"><strong>{summary["verdict"]}</strong> (exit {summary["exit_code"]})</p>
<ul>{reasons}</ul>
<p>{summary["pairs"]} paired rows, {quality["labelled_pairs"]} with outcomes; live versions
{html.escape(", ".join(summary["live_versions"]))}.</p>
<h2>Agreement and flips</h2>
{_table(flips, ["group", "rows", "agreement", "survived to died", "died to survived"])}
<h2>Probability shift (candidate - live)</h2>
{_table([[k, v] for k, v in summary["probability_shift"].items()], ["figure", "value"])}
<h2>Quality on labelled rows (worse by: candidate - live, positive is worse)</h2>
{_table(tests, ["metric", "live", "candidate", "worse by", "interval"])}
<p>Exact McNemar: {html.escape(json.dumps(quality.get("mcnemar", {})))}</p>
<h2>Latency</h2>
{_table([[k, v] for k, v in summary["latency_ms"].items()], ["figure", "value"])}
</body></html>
"""
