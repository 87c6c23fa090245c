"""The differential gate's traffic replay at production size: a throwaway PostgreSQL filled with
1,000,000 stored rows (30 days, 2 % rejected, 10 % with outcomes), then a 100,000-row sample
replayed the way `tox -e differential -- --traffic URL --since 30d` does it. Budget: 60 s.

    python benchmarks/bench_replay.py [--rows 1000000] [--sample 100000]

Timed: reading the sample (SQL sampling, the outcomes join), turning rows back into inputs,
writing the input file, the baseline's capture in a separate interpreter through capture.py (as
in its own venv; here the working tree's model stands in for it, same code path and size), the
candidate's in-process, the comparison and the report. Not timed: resolving and installing the
baseline, which the held-out gate does anyway. Prints figures; exits 1 when over budget.
"""

import argparse
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

# The store tests' throwaway PostgreSQL (tox's bench_replay env puts tests/api on PYTHONPATH).
from postgres_cluster import postgres_cluster
from titanic_release.baseline import CAPTURE_SCRIPT
from titanic_release.capture import capture
from titanic_release.compare import compare
from titanic_release.gate import load_gate
from titanic_release.inputs import write_input_file
from titanic_release.report import write_report
from titanic_release.traffic import read_traffic

from titanic_model import extract_deck, extract_title, reference_data
from titanic_store.engine import open_engine
from titanic_store.schema import upgrade

BUDGET_S = 60.0
WINDOW = timedelta(days=30)
REJECTED_SHARE, LABELLED_SHARE = 0.02, 0.10
REJECTED_ERRORS = '[{"row": 0, "field": "pclass", "message": "Input should be 1, 2 or 3"}]'
COPY_COLUMNS = (
    "created_at, request_id, row_index, model_version, pclass, sex, age, sibsp, parch, fare, "
    "embarked, title, deck, probability, prediction, errors, prediction_id"
)


def _passengers() -> list[tuple[object, ...]]:
    """The held-out passengers as stored inputs: the shapes the filler varies."""
    frame = reference_data("held_out").astype(object)
    frame = frame.where(frame.notna(), None)
    return [
        (
            row["pclass"],
            row["sex"],
            row["age"],
            row["sibsp"],
            row["parch"],
            row["fare"],
            row["embarked"],
            extract_title(row["name"]),
            extract_deck(row["cabin"]),
        )
        for _, row in frame.iterrows()
    ]


def _fill(url: str, rows: int, seed: int = 20) -> tuple[int, float]:
    """COPY `rows` predictions (and outcomes for some) into the store; (outcomes, seconds)."""
    started = time.perf_counter()
    engine = open_engine(url)
    with engine.connect() as connection:
        upgrade(connection)
        connection.commit()
    engine.dispose()
    rng = random.Random(seed)
    passengers = _passengers()
    now = datetime.now(UTC)
    labelled = 0
    with psycopg.connect(url.replace("+psycopg", "")) as connection, connection.cursor() as cur:
        outcome_rows = io.StringIO()
        with cur.copy(f"COPY predictions ({COPY_COLUMNS}) FROM STDIN") as copy_predictions:
            for i in range(rows):
                created = now - WINDOW * rng.random()
                if rng.random() < REJECTED_SHARE:
                    rejected = (*[None] * 9, None, None, REJECTED_ERRORS, None)
                    copy_predictions.write_row((created, f"r{i}", 0, "0.2.0", *rejected))
                    continue
                pclass, sex, age, sibsp, parch, fare, embarked, title, deck = rng.choice(passengers)
                age = None if age is None else max(0.0, age + rng.uniform(-3, 3))
                fare = None if fare is None else fare * rng.uniform(0.9, 1.1)
                probability = rng.random()
                prediction_id = uuid.uuid4().hex
                inputs = (pclass, sex, age, sibsp, parch, fare, embarked, title, deck)
                scored = (probability, int(probability > 0.5), None, prediction_id)
                copy_predictions.write_row((created, f"r{i}", 0, "0.2.0", *inputs, *scored))
                if rng.random() < LABELLED_SHARE:
                    labelled += 1
                    outcome_rows.write(f"{prediction_id}\t{rng.randint(0, 1)}\t{created}\n")
        with cur.copy("COPY outcomes (prediction_id, survived, received_at) FROM STDIN") as copy:
            copy.write(outcome_rows.getvalue())
        cur.execute("ANALYZE")
    return labelled, time.perf_counter() - started


def _capture_elsewhere(inputs_file: Path, workdir: Path) -> dict[str, object]:
    """capture.py in a separate, isolated interpreter, as titanic_release.baseline.run_capture
    runs it in the baseline's venv (whose check that the model comes from that venv does not
    apply)."""
    output = workdir / "baseline_capture.json"
    command = [sys.executable, "-I", str(CAPTURE_SCRIPT), "--input", str(inputs_file)]
    subprocess.run([*command, "--output", str(output)], check=True, timeout=600)
    captured: dict[str, object] = json.loads(output.read_text(encoding="utf-8"))
    return captured


def _peak_rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=100_000)
    args = parser.parse_args()
    with postgres_cluster() as cluster, tempfile.TemporaryDirectory() as tmp:
        labelled, fill_s = _fill(cluster.url, args.rows)
        print(f"filled {args.rows:,} stored rows ({labelled:,} outcomes) in {fill_s:.1f} s")
        stages: dict[str, float] = {}
        started = mark = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal mark
            now = time.perf_counter()
            stages[stage] = now - mark
            mark = now

        traffic = read_traffic(cluster.url, WINDOW, args.sample)
        lap("read the sample from PostgreSQL, rebuild the inputs")
        inputs_file = write_input_file(traffic.inputs, Path(tmp) / "traffic.json")
        lap("write the input file")
        baseline = _capture_elsewhere(inputs_file, Path(tmp))
        lap("baseline capture (separate interpreter)")
        baseline_rss_mib = _peak_rss_mib(resource.RUSAGE_CHILDREN)
        candidate = capture(inputs_file)
        lap("candidate capture (in-process)")
        comparison = compare(
            baseline,
            candidate,
            traffic.inputs,
            load_gate(),
            baseline_origin="bench stand-in: the working tree in a separate interpreter",
            candidate_origin="the working tree",
            inputs_description=traffic.describe(),
        )
        report = write_report(comparison, "replay", Path(tmp))
        lap("compare and write the report")
        total = time.perf_counter() - started

    print(traffic.describe())
    for stage, seconds in stages.items():
        print(f"  {stage:<55} {seconds:6.1f} s")
    print(f"  {'total':<55} {total:6.1f} s   (budget {BUDGET_S:.0f} s)")
    print(
        f"peak RSS: this process {_peak_rss_mib(resource.RUSAGE_SELF):,.0f} MiB, "
        f"baseline interpreter {baseline_rss_mib:,.0f} MiB"
    )
    verdict = "pass" if comparison.passed else "fail"
    print(
        f"stand-in comparison: {verdict} on {len(comparison.rows):,} rows "
        f"({comparison.labelled_rows:,} labelled), report {report.name} written"
    )
    return 0 if total <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
