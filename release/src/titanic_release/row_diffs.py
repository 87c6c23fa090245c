"""One compared row and the segments they fall into: what moved between baseline and candidate,
row by row and group by group, for the gate's report (compare.py makes them)."""

from dataclasses import dataclass
from typing import Any

import numpy as np

# Passengers grouped by these fields: a change confined to one group (all first-class women,
# say) shows as that group's mean shift even when no single row moves past a tolerance.
SEGMENT_FIELDS = ("sex", "pclass")


@dataclass(frozen=True)
class RowDiff:
    row_id: str
    subset: str
    baseline_probability: float
    candidate_probability: float
    abs_diff: float
    baseline_label: int
    candidate_label: int
    record: dict[str, Any]

    @property
    def flipped(self) -> bool:
        return self.baseline_label != self.candidate_label


@dataclass(frozen=True)
class SegmentEffect:
    """How one segment's probabilities moved on average, and how many of its labels flipped."""

    segment: str  # e.g. "sex=female, pclass=1"
    rows: int
    baseline_mean: float
    candidate_mean: float
    flipped: int

    @property
    def shift(self) -> float:
        return self.candidate_mean - self.baseline_mean

    def describe(self) -> str:
        return (
            f"{self.segment}: mean probability {self.baseline_mean:.3f} -> "
            f"{self.candidate_mean:.3f} ({self.shift:+.3f}) over {self.rows} rows, "
            f"{self.flipped} labels flipped"
        )


def segment_effects(rows: list[RowDiff]) -> list[SegmentEffect]:
    """Every segment of the compared rows, the largest mean shift first."""
    groups: dict[str, list[RowDiff]] = {}
    for row in rows:
        key = ", ".join(f"{name}={row.record.get(name)}" for name in SEGMENT_FIELDS)
        groups.setdefault(key, []).append(row)
    effects = [
        SegmentEffect(
            segment=key,
            rows=len(members),
            baseline_mean=float(np.mean([row.baseline_probability for row in members])),
            candidate_mean=float(np.mean([row.candidate_probability for row in members])),
            flipped=sum(row.flipped for row in members),
        )
        for key, members in groups.items()
    ]
    return sorted(effects, key=lambda effect: (-abs(effect.shift), effect.segment))
