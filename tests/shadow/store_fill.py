"""Live rows, shadow answers and outcomes written straight into a migrated store, for the report's
tests: titanic held-out passengers scored by the working tree's model, the candidate's answers
given by the test."""

import secrets
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from titanic_store.tables import outcomes, predictions, shadow_predictions


def fill(
    url: str,
    rows: Sequence[dict[str, Any]],
    live: Sequence[float],
    candidate: Sequence[float],
    labelled: int,
    candidate_version: str = "0.4.0.dev1",
    live_rows: bool = True,
) -> None:
    """Without `live_rows`, only the shadow's answers (to ids no live row has)."""
    now = datetime.now(UTC)
    ids = [secrets.token_hex(16) for _ in rows]
    live_rows_ = [
        {
            "created_at": now,
            "request_id": "fill",
            "row_index": index,
            "model_version": "0.3.0",
            "sex": row["sex"],
            "pclass": row["pclass"],
            "age": row["age"],
            "probability": p,
            "prediction": int(p >= 0.5),
            "prediction_id": ids[index],
        }
        for index, (row, p) in enumerate(zip(rows, live, strict=True))
    ]
    shadow_rows = [
        {
            "created_at": now,
            "live_prediction_id": ids[index],
            "model_version": candidate_version,
            "probability": p,
            "prediction": int(p >= 0.5),
            "latency_ms": 1.0,
        }
        for index, p in enumerate(candidate)
    ]
    labels = [
        {"prediction_id": ids[index], "survived": int(row["survived"]), "received_at": now}
        for index, row in enumerate(rows[:labelled])
    ]
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            for table, values in (
                (predictions, live_rows_ if live_rows else []),
                (shadow_predictions, shadow_rows),
                (outcomes, labels),
            ):
                if values:
                    connection.execute(table.insert(), values)
    finally:
        engine.dispose()


def shadow_report(url: str, output: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(Path(sys.executable).parent / "titanic-shadow-report"),
        "--store-url",
        url,
        "--since",
        "7d",
        "--output",
        str(output),
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
