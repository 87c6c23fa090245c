"""The verdict from the paired figures, by the rules of shadow.yml (docs/shadow.md#the-verdict).

INSUFFICIENT (2) below the minimum of labelled pairs, saying how many more; otherwise REJECT (1)
when a metric's interval reaches beyond its tolerance (non-inferiority not shown) or McNemar finds
the candidate less accurate, naming the metric and interval; else PROMOTE (0).
"""

from dataclasses import dataclass

from titanic_paired.rules import Rules
from titanic_paired.stats import PairedDifference

PROMOTE, REJECT, INSUFFICIENT = 0, 1, 2
NAMES = {PROMOTE: "PROMOTE", REJECT: "REJECT", INSUFFICIENT: "INSUFFICIENT"}


@dataclass(frozen=True)
class Verdict:
    code: int
    reasons: list[str]

    @property
    def name(self) -> str:
        return NAMES[self.code]


def decide(
    labelled: int, differences: list[PairedDifference], mcnemar: dict[str, float], rules: Rules
) -> Verdict:
    if labelled < rules.min_labelled_pairs:
        more = rules.min_labelled_pairs - labelled
        return Verdict(
            INSUFFICIENT,
            [f"{labelled} labelled paired rows, {rules.min_labelled_pairs} needed: {more} more"],
        )
    reasons = []
    for difference in differences:
        tolerance = getattr(rules.tolerance, difference.metric)
        if not difference.high <= tolerance:  # a nan interval (one class only) fails too
            reasons.append(
                f"{difference.metric}: candidate worse by {difference.worse_by:+.4f}, "
                f"{rules.confidence:.0%} interval [{difference.low:+.4f}, {difference.high:+.4f}] "
                f"reaches beyond the tolerance {tolerance}"
            )
    candidate_less_accurate = mcnemar["live_only_right"] > mcnemar["candidate_only_right"]
    if candidate_less_accurate and mcnemar["p_value"] < rules.mcnemar_alpha:
        reasons.append(
            f"accuracy: exact McNemar p = {mcnemar['p_value']:.4g} < {rules.mcnemar_alpha} "
            f"({mcnemar['live_only_right']} rows only live got right, "
            f"{mcnemar['candidate_only_right']} only the candidate)"
        )
    if reasons:
        return Verdict(REJECT, reasons)
    return Verdict(PROMOTE, [f"no metric worse beyond its tolerance on {labelled} labelled pairs"])
