"""How a retrained candidate is judged: better or no worse, not merely "little changed".

The change budgets of gate.yml are for code changes, where the model should barely move; a
candidate that learnt from new outcomes is meant to move. It is judged instead by non-inferiority
on the held-out rows it never trained on, with the shadow report's own paired statistics
(titanic_paired: paired bootstrap intervals, exact McNemar, the same decision rule), so
the weekly retrain and the shadow release cannot disagree about what "worse" means. Production
rows that repeat a held-out passenger are left out of training (and counted), or the held-out
rows would grade the candidate on answers it had learnt.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import ValidationError

from titanic_model import PassengerInput, extract_deck, extract_title
from titanic_paired.rules import Rules, load_rules
from titanic_paired.stats import PairedDifference, mcnemar_exact, paired_bootstrap
from titanic_paired.verdict import PROMOTE, decide
from titanic_release.compare import Comparison
from titanic_release.inputs import HELD_OUT, InputSet
from titanic_release.retrain_config import NonInferiority
from titanic_release.retrain_rows import TrainingRows

HELD_OUT_PASSENGER = "held_out_passenger"


def passenger_key(record: dict[str, Any]) -> tuple[Any, ...] | None:
    """What the store keeps of a passenger (title for name, deck for cabin), for matching a
    production row with a held-out one; None when the contract refuses the record."""
    try:
        passenger = PassengerInput.model_validate(record).model_dump()
    except ValidationError:
        return None
    kept = tuple(value for name, value in passenger.items() if name not in ("name", "cabin"))
    return (*kept, extract_title(passenger["name"]), extract_deck(passenger["cabin"]))


def leave_out_held_out(rows: TrainingRows, inputs: InputSet) -> TrainingRows:
    """`rows` without those that repeat a held-out passenger of `inputs`, counted as left out."""
    held_out = {passenger_key(inputs.records[i]) for i in inputs.held_out_positions()}
    kept = [i for i, record in enumerate(rows.records) if passenger_key(record) not in held_out]
    return TrainingRows(
        row_ids=[rows.row_ids[i] for i in kept],
        records=[rows.records[i] for i in kept],
        truth=[rows.truth[i] for i in kept],
        left_out={**rows.left_out, HELD_OUT_PASSENGER: len(rows.row_ids) - len(kept)},
    )


def rules(settings: NonInferiority) -> Rules:
    """The shadow report's rules with retrain.yml's margins, confidence and minimum."""
    return load_rules().model_copy(
        update={
            "min_labelled_pairs": settings.min_held_out_rows,
            "confidence": settings.confidence,
            "mcnemar_alpha": settings.mcnemar_alpha,
            "bootstrap_resamples": settings.bootstrap_resamples,
            "seed": settings.seed,
            "tolerance": settings.tolerance,
        }
    )


@dataclass(frozen=True)
class Judgement:
    """The verdict with its evidence: each metric's paired difference and interval."""

    passed: bool
    reasons: list[str]
    rows: int
    differences: list[PairedDifference]
    mcnemar: dict[str, float]

    def lines(self) -> list[str]:
        figures = [
            f"{d.metric} {d.live:.4f} -> {d.candidate:.4f}, worse by {d.worse_by:+.4f} "
            f"[{d.low:+.4f}, {d.high:+.4f}]"
            for d in self.differences
        ]
        if self.mcnemar:
            figures.append(
                f"McNemar p = {self.mcnemar['p_value']:.4g} ({self.mcnemar['live_only_right']} "
                f"only current right, {self.mcnemar['candidate_only_right']} only candidate)"
            )
        return figures


def structural_failures(comparison: Comparison) -> list[str]:
    """The comparison's failures that are not change budgets: misaligned captures, rows the
    candidate refused, a changed model under an unchanged version. These refuse any candidate."""
    budgets = tuple(f"{check.name}:" for check in comparison.checks if not check.passed)
    return [failure for failure in comparison.failures if not failure.startswith(budgets)]


def judge(comparison: Comparison, inputs: InputSet, settings: NonInferiority) -> Judgement:
    """Non-inferiority of the candidate against the current version on the held-out rows."""
    failures = structural_failures(comparison)
    truth = dict(zip(inputs.row_ids, inputs.truth, strict=True))
    subset = {row_id: inputs.subsets[i] for i, row_id in enumerate(inputs.row_ids)}
    rows = [
        r for r in comparison.rows if subset[r.row_id] == HELD_OUT and truth[r.row_id] is not None
    ]
    if failures or not rows:
        return Judgement(
            False, failures or ["no held-out row was scored by both"], len(rows), [], {}
        )
    y = np.array([truth[r.row_id] for r in rows], dtype=float)
    current = np.array([r.baseline_probability for r in rows])
    candidate = np.array([r.candidate_probability for r in rows])
    decision_rules = rules(settings)
    differences = paired_bootstrap(
        current,
        candidate,
        y,
        decision_rules.bootstrap_resamples,
        decision_rules.confidence,
        decision_rules.seed,
    )
    mcnemar = mcnemar_exact((current >= 0.5) == (y == 1), (candidate >= 0.5) == (y == 1))
    verdict = decide(len(rows), differences, mcnemar, decision_rules)
    return Judgement(verdict.code == PROMOTE, verdict.reasons, len(rows), differences, mcnemar)
