"""The report's quality section as plain HTML: figures, calibration table and an inline SVG plot
(no scripts: it renders offline like the rest of the page)."""

import html
from typing import Any

NAMES = {
    "accuracy": "accuracy",
    "roc_auc": "ROC AUC",
    "brier": "Brier score",
    "log_loss": "log loss",
}
DEGRADED_STYLE = ' style="background:#f8d7d3;font-weight:bold"'
PLOT_SIZE = 240  # pixels of the plot's square; the axes run 0..1 on both sides


def _figure_row(name: str, figure: dict[str, Any]) -> str:
    degraded = figure["degraded"]
    return (
        f'<tr class="{"degraded" if degraded else "within"}"'
        f"{DEGRADED_STYLE if degraded else ''}>"
        f"<td>{html.escape(name)}</td><td>{figure['value']:.4f}</td>"
        f"<td>{figure['low']:.4f} to {figure['high']:.4f}</td>"
        f"<td>{figure['held_out']:.4f}</td><td>{figure['bound']:.4f}</td>"
        f"<td>{'DEGRADED' if degraded else 'ok'}</td></tr>"
    )


def _figures_table(caption: str, figures: dict[str, dict[str, Any]], css_id: str) -> str:
    rows = "".join(_figure_row(NAMES[name], figure) for name, figure in figures.items())
    return (
        f'<table id="{css_id}" border="1" cellpadding="4" style="border-collapse:collapse">'
        f"<caption>{html.escape(caption)}</caption>"
        "<tr><th>metric</th><th>value</th><th>95 % interval</th><th>held-out</th>"
        f"<th>bound</th><th>quality</th></tr>{rows}</table>"
    )


def _calibration_plot(table: list[dict[str, Any]]) -> str:
    """Mean predicted probability (x) against the share that survived (y), one dot per bin whose
    area grows with its rows; the diagonal is perfect calibration."""
    size = PLOT_SIZE
    filled = [row for row in table if row["rows"]]
    most = max(row["rows"] for row in filled)
    dots = "".join(
        f'<circle cx="{row["mean_probability"] * size:.1f}" '
        f'cy="{(1 - row["survived_share"]) * size:.1f}" '
        f'r="{3 + 7 * (row["rows"] / most) ** 0.5:.1f}" fill="#1f77b4" fill-opacity="0.7">'
        f"<title>{row['bin']}: {row['rows']} rows</title></circle>"
        for row in filled
    )
    return (
        f'<svg id="calibration-plot" width="{size + 60}" height="{size + 50}" '
        f'viewBox="-40 -10 {size + 60} {size + 50}" role="img" '
        'aria-label="calibration: predicted probability against observed survival">'
        f'<rect x="0" y="0" width="{size}" height="{size}" fill="none" stroke="#888"/>'
        f'<line x1="0" y1="{size}" x2="{size}" y2="0" stroke="#888" stroke-dasharray="4"/>'
        f"{dots}"
        f'<text x="{size / 2}" y="{size + 30}" text-anchor="middle" font-size="12">'
        "predicted probability</text>"
        f'<text x="-28" y="{size / 2}" font-size="12" text-anchor="middle" '
        f'transform="rotate(-90 -28 {size / 2})">share survived</text>'
        f'<text x="0" y="{size + 14}" font-size="10">0</text>'
        f'<text x="{size - 6}" y="{size + 14}" font-size="10">1</text></svg>'
    )


def _calibration(table: list[dict[str, Any]]) -> str:
    def cell(value: float | None) -> str:
        return "" if value is None else f"{value:.3f}"

    rows = "".join(
        f"<tr><td>{row['bin']}</td><td>{row['rows']}</td>"
        f"<td>{cell(row['mean_probability'])}</td><td>{cell(row['survived_share'])}</td></tr>"
        for row in table
    )
    return (
        '<div style="display:flex;gap:2rem;align-items:flex-start">'
        '<table id="calibration" border="1" cellpadding="4" style="border-collapse:collapse">'
        "<caption>Calibration by probability decile (labelled rows)</caption>"
        "<tr><th>probability</th><th>rows</th><th>mean predicted</th><th>share survived</th>"
        f"</tr>{rows}</table>{_calibration_plot(table)}</div>"
    )


def quality_section(quality: dict[str, Any]) -> str:
    """The quality part of the page: what the outcomes say, then the estimate for every row."""
    labelled = (
        f"Rows with an outcome: {quality['labelled_rows']:,} "
        f"({quality['labelled_share']:.1%} of the scored rows)"
    )
    if quality["labelled_rows_used"] < quality["labelled_rows"]:
        labelled += f"; the figures use a random sample of {quality['labelled_rows_used']:,}"
    if quality["measured"] is None:
        measured = (
            f'<p id="quality-note">{labelled}. Too few outcomes to measure quality: '
            "<strong>estimate only</strong>, from the model's own probabilities.</p>"
        )
    else:
        measured = (
            f'<p id="quality-note">{labelled}.</p>'
            + _figures_table(
                "Measured on the rows with an outcome", quality["measured"], "measured"
            )
            + _calibration(quality["calibration"])
        )
    degraded = ", ".join(quality["degraded_metrics"])
    return (
        '<section id="titanic-quality">'
        f"<h2>Model quality: {html.escape(quality['verdict'].upper())}</h2>"
        + (f"<p>Degraded: {html.escape(degraded)}</p>" if degraded else "")
        + measured
        + _figures_table(
            "Estimated for every scored row, assuming calibrated probabilities (CBPE); "
            "held-out: the same estimate on the held-out rows",
            quality["estimated"],
            "estimated",
        )
        + "</section>"
    )
