"""summary.json's figures from the paired rows: agreement, flips, probability shift, quality and
the paired tests on the labelled rows, the candidate's latency, and the verdict."""

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from titanic_paired.rules import Rules
from titanic_paired.stats import METRIC_FUNCTIONS, mcnemar_exact, paired_bootstrap
from titanic_paired.verdict import decide


def age_band(age: object, bands: list[float]) -> str:
    if age is None or (isinstance(age, float) and np.isnan(age)):
        return "unknown"
    lower = 0.0
    for upper in bands:
        if float(age) < upper:  # type: ignore[arg-type]
            return f"{lower:g}-{upper:g}"
        lower = upper
    return f"{lower:g}+"


def flips(frame: pd.DataFrame) -> dict[str, Any]:
    live, shadow = frame["live_prediction"], frame["shadow_prediction"]
    return {
        "rows": len(frame),
        "agreement": float((live == shadow).mean()) if len(frame) else None,
        "survived_to_died": int(((live == 1) & (shadow == 0)).sum()),
        "died_to_survived": int(((live == 0) & (shadow == 1)).sum()),
    }


def flip_table(frame: pd.DataFrame, rules: Rules) -> dict[str, dict[str, Any]]:
    groups = frame.assign(
        age_band=[age_band(age, rules.age_bands) for age in frame["age"]],
        pclass=frame["pclass"].astype("string").fillna("unknown"),
        sex=frame["sex"].astype("string").fillna("unknown"),
    )
    return {
        column: {str(key): flips(rows) for key, rows in groups.groupby(column, sort=True)}
        for column in ("sex", "pclass", "age_band")
    }


def quality(frame: pd.DataFrame, rules: Rules) -> tuple[dict[str, Any], list[str], int]:
    labelled = frame[frame["survived"].notna()]
    y = labelled["survived"].to_numpy(dtype=float)
    live = labelled["live_probability"].to_numpy(dtype=float)
    shadow = labelled["shadow_probability"].to_numpy(dtype=float)
    figures: dict[str, Any] = {"labelled_pairs": len(labelled)}
    if len(labelled) == 0:
        return figures, decide(0, [], {}, rules).reasons, decide(0, [], {}, rules).code
    figures["live"] = {name: f(live, y) for name, f in METRIC_FUNCTIONS.items()}
    figures["candidate"] = {name: f(shadow, y) for name, f in METRIC_FUNCTIONS.items()}
    mcnemar = mcnemar_exact((live >= 0.5) == (y == 1), (shadow >= 0.5) == (y == 1))
    differences = paired_bootstrap(
        live, shadow, y, rules.bootstrap_resamples, rules.confidence, rules.seed
    )
    figures["mcnemar"] = mcnemar
    figures["differences"] = [asdict(difference) for difference in differences]
    verdict = decide(len(labelled), differences, mcnemar, rules)
    return figures, verdict.reasons, verdict.code


def summarise(version: str, frame: pd.DataFrame, rules: Rules) -> dict[str, Any]:
    shift = frame["shadow_probability"] - frame["live_probability"]
    figures, reasons, code = quality(frame, rules)
    latency = frame["shadow_latency_ms"]
    return {
        "generated_at": datetime.now(UTC).isoformat(),
        "candidate_version": version,
        "live_versions": sorted(frame["live_version"].dropna().unique().tolist()),
        "verdict": {0: "PROMOTE", 1: "REJECT", 2: "INSUFFICIENT"}[code],
        "exit_code": code,
        "reasons": reasons,
        "rules": rules.model_dump(),
        "pairs": len(frame),
        "flips": flips(frame),
        "flips_by": flip_table(frame, rules),
        "probability_shift": {
            "mean": float(shift.mean()) if len(frame) else None,
            "mean_abs": float(shift.abs().mean()) if len(frame) else None,
            "p95_abs": float(shift.abs().quantile(0.95)) if len(frame) else None,
        },
        "quality": figures,
        "latency_ms": {
            "candidate_p50": float(latency.quantile(0.5)) if len(frame) else None,
            "candidate_p99": float(latency.quantile(0.99)) if len(frame) else None,
            "live": "titanic_api_request_duration_seconds on the live /metrics (not stored)",
        },
    }
