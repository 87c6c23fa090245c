"""What make retrain says and keeps about its verdict: the lines it prints and retrain.json.

The verdict comes with its evidence (each metric's paired difference and interval), so a refused
candidate names what was worse and by how much, and a published one shows it was no worse.
"""

from dataclasses import asdict
from typing import Any

from titanic_release.compare import Comparison
from titanic_release.retrain_judge import Judgement, structural_failures
from titanic_release.retrain_rows import TrainingRows


def budgets_line(name: str, comparison: Comparison) -> str:
    """gate.yml's change budgets on `name`, as information: they judge code changes."""
    hard = structural_failures(comparison)
    exceeded = [failure.split(":")[0] for failure in comparison.failures if failure not in hard]
    within = "within" if not exceeded else "exceeds " + ", ".join(exceeded) + " of"
    return f"{name}: {within} gate.yml's change budgets (for code changes; not applied here)"


def refusal_reasons(judgement: Judgement, traffic: Comparison) -> list[str]:
    """Why the candidate is refused (empty: published): held-out non-inferiority not shown, or
    a recorded-traffic row it could not answer."""
    reasons = [] if judgement.passed else list(judgement.reasons)
    return reasons + [f"traffic: {failure}" for failure in structural_failures(traffic)]


def verdict_text(judgement: Judgement, refusals: list[str]) -> str:
    """The verdict line, each metric's paired difference and interval, and why."""
    head = "REFUSED" if refusals else "PASSED"
    lines = [f"non-inferiority on {judgement.rows} held-out rows: {head}"]
    lines += [f"  {line}" for line in judgement.lines()]
    lines += [f"  refused: {reason}" for reason in refusals] or [f"  {judgement.reasons[0]}"]
    return "\n".join(lines)


def retrain_summary(
    version: str,
    rows: TrainingRows,
    rejected_by_api: int,
    judgement: Judgement,
    comparisons: dict[str, Comparison],
) -> dict[str, Any]:
    """retrain.json's figures: rows learnt from and left out, the paired differences, budgets."""
    return {
        "version": version,
        "production_rows": len(rows.row_ids),
        "left_out": {**rows.left_out, "rejected_by_api": rejected_by_api},
        "verdict": "refuse" if refusal_reasons(judgement, comparisons["traffic"]) else "publish",
        "non_inferiority": {
            "held_out_rows": judgement.rows,
            "differences": [asdict(difference) for difference in judgement.differences],
            "mcnemar": judgement.mcnemar,
            "reasons": judgement.reasons,
        },
        "change_budgets": {
            name: comparison.failures or "within" for name, comparison in comparisons.items()
        },
    }
