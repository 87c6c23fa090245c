"""The monitoring report on a production-sized store: 1,000,000 rows in a real PostgreSQL.

A throwaway cluster (Debian's binaries, tests/api/postgres_cluster.py) is migrated with
`titanic-store upgrade`'s code and filled with COPY: passengers drawn from the model's own data,
scored by the model, spread over the last six days, 2 % of them rejected rows, and an outcome
for 30 % of the scored ones. Then `titanic-monitor --since 7d` runs as a user runs it, in a fresh
process; its wall time and peak RSS (the process's own VmHWM) are printed beside the targets
(<= 60 s, <= 1 GiB) and beside the same command on a 10,000-row store (its fixed cost: imports,
Evidently, the training reference). Figures only.

    python benchmarks/bench_monitor.py [--rows N]
"""

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
from postgres_cluster import PostgresCluster, postgres_cluster

from titanic_model import contract, extract_deck, extract_title, make_prediction, reference_data
from titanic_store.names import COLUMNS

TARGET_SECONDS = 60.0
TARGET_MIB = 1024.0
BASELINE_ROWS = 10_000
REJECTED_SHARE = 0.02
LABELLED_SHARE = 0.3
CHUNK_ROWS = 200_000
INPUTS = list(contract.RECORDED_INPUTS)
_MONITOR_REPORTING_PEAK_RSS = (
    "import sys; from importlib.metadata import entry_points; "
    "main = entry_points(group='console_scripts')['titanic-monitor'].load(); code = main(); "
    "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]; "
    "print('peak-kb', hwm, file=sys.stderr); sys.exit(code)"
)


def _passengers() -> pd.DataFrame:
    """Every passenger of the model's data as a stored row would hold it, with its outcome."""
    raw = pd.concat([reference_data("train"), reference_data("held_out")], ignore_index=True)
    rows = raw[INPUTS].copy()
    rows["title"] = raw["name"].map(extract_title)
    rows["deck"] = raw["cabin"].map(extract_deck)
    result = make_prediction(input_data=raw)
    rows["probability"] = result["probabilities"]
    rows["prediction"] = result["predictions"]
    rows["survived"] = raw["survived"]
    return rows.dropna(subset=["probability"]).reset_index(drop=True)


def _chunk(base: pd.DataFrame, start: int, rows: int, rng: np.random.Generator) -> pd.DataFrame:
    """Rows start..start+rows of the store: passengers drawn at random, some rejected."""
    chunk = base.sample(rows, replace=True, random_state=start).reset_index(drop=True)
    now = datetime.now(UTC)
    chunk["created_at"] = [now - timedelta(days=6 * x) for x in rng.random(rows)]
    chunk["request_id"] = [f"bench-{start + i}" for i in range(rows)]
    chunk["row_index"] = 0
    chunk["model_version"] = "bench"
    chunk["errors"] = None
    chunk["prediction_id"] = [os.urandom(16).hex() for _ in range(rows)]
    rejected = rng.random(rows) < REJECTED_SHARE
    error = json.dumps([{"field": "age", "message": "Input should be >= 0"}])
    chunk.loc[rejected, [*INPUTS, "title", "deck", "probability", "prediction"]] = None
    chunk.loc[rejected, ["errors", "prediction_id"]] = [error, None]
    return chunk


def _copy(connection: psycopg.Connection, table: str, frame: pd.DataFrame) -> None:
    text = io.StringIO()
    frame.to_csv(text, index=False, header=False, na_rep="\\N")
    columns = ", ".join(frame.columns)
    with connection.cursor().copy(
        f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    ) as copy:
        copy.write(text.getvalue())


def fill(cluster: PostgresCluster, rows: int) -> int:
    """An empty store (every table of the schema dropped, then upgraded), then `rows`
    predictions and outcomes for 30 % of the scored ones; how many outcomes."""
    cluster.reset_store()
    base, rng, labelled = _passengers(), np.random.default_rng(0), 0
    with cluster.connect() as connection:
        for start in range(0, rows, CHUNK_ROWS):
            chunk = _chunk(base, start, min(CHUNK_ROWS, rows - start), rng)
            for column in ("pclass", "sibsp", "parch", "prediction"):
                chunk[column] = chunk[column].astype("Int64")
            _copy(connection, "predictions", chunk[list(COLUMNS)])
            scored = chunk[chunk["prediction_id"].notna()]
            outcomes = scored.sample(frac=LABELLED_SHARE, random_state=start)
            labels = pd.DataFrame(
                {
                    "prediction_id": outcomes["prediction_id"],
                    "survived": outcomes["survived"].astype(int),
                    "received_at": datetime.now(UTC),
                }
            )
            _copy(connection, "outcomes", labels)
            labelled += len(labels)
        connection.execute("ANALYZE predictions")
        connection.execute("ANALYZE outcomes")
    return labelled


def run_monitor(url: str, output: Path) -> tuple[float, float, int, str]:
    """(seconds, peak RSS in MiB, exit status, last line) of `titanic-monitor` on the store."""
    command = [
        sys.executable,
        "-c",
        _MONITOR_REPORTING_PEAK_RSS,
        *("--store-url", url, "--since", "7d", "--output", str(output)),
    ]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"titanic-monitor failed ({done.returncode}):\n{done.stderr[-3000:]}")
    peak = [line for line in done.stderr.splitlines() if line.startswith("peak-kb")][-1]
    return seconds, int(peak.split()[1]) / 1024, done.returncode, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the store")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress in tox's log
    figures = {}
    with postgres_cluster() as cluster, tempfile.TemporaryDirectory() as tmp:
        for rows in (BASELINE_ROWS, args.rows):
            start = time.perf_counter()
            labelled = fill(cluster, rows)
            filled = time.perf_counter() - start
            seconds, mib, status, line = run_monitor(cluster.url, Path(tmp) / str(rows))
            summary = json.loads((Path(tmp) / str(rows) / "summary.json").read_text())
            figures[rows] = (seconds, mib)
            print(f"{rows:,} rows ({labelled:,} with outcomes), filled in {filled:.0f} s")
            print(f"  titanic-monitor: {seconds:.1f} s, peak RSS {mib:.0f} MiB, exit {status}")
            print(f"  {line}")
            print(
                f"  drift rows read: {summary['sample']['rows_read']:,} "
                f"(sampled: {summary['sample']['sampled']}); labelled rows used: "
                f"{summary['quality']['labelled_rows_used']:,} of "
                f"{summary['quality']['labelled_rows']:,}"
            )
    seconds, mib = figures[args.rows]
    base_seconds, base_mib = figures[BASELINE_ROWS]
    print()
    print(f"| report | {BASELINE_ROWS:,} rows | {args.rows:,} rows | target |")
    print("|---|---:|---:|---|")
    met = "met" if seconds <= TARGET_SECONDS else "NOT met"
    print(f"| wall time | {base_seconds:.1f} s | {seconds:.1f} s | <= 60 s: {met} |")
    met = "met" if mib <= TARGET_MIB else "NOT met"
    print(f"| peak RSS | {base_mib:.0f} MiB | {mib:.0f} MiB | <= 1 GiB: {met} |")


if __name__ == "__main__":
    main()
