"""Batch scoring with `titanic-model predict`, each figure beside its same-run baseline.

1. 1,000,000 rows CSV -> CSV beside Parquet -> Parquet: wall time and the CLI process's peak RSS.
2. 10,000,000 rows Parquet -> Parquet: the single-process CLI beside `--engine spark` on
   local[2] (2 cores, this machine), in rows/s; Spark's includes starting its JVM.

Every run is the installed command in a fresh process, as a user runs it. Figures only.

    python benchmarks/bench_batch.py [--quick]   (--quick: 100k and 1M rows instead)
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from titanic_model import reference_data

CHUNK_ROWS = 50_000
# The child reports its own VmHWM: unlike ru_maxrss, it is not inherited from the forking parent.
_CLI_REPORTING_PEAK_RSS = (
    "import sys; from importlib.metadata import entry_points; "
    "main = entry_points(group='console_scripts')['titanic-model'].load(); code = main(); "
    "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]; "
    "print('peak-kb', hwm, file=sys.stderr); sys.exit(code)"
)
_LOCAL_SPARK = {
    "PYSPARK_SUBMIT_ARGS": "--master local[2] --conf spark.driver.bindAddress=127.0.0.1 "
    "--conf spark.driver.host=127.0.0.1 --conf spark.ui.enabled=false pyspark-shell",
    "SPARK_LOCAL_IP": "127.0.0.1",
    "PYSPARK_PYTHON": sys.executable,
}


def _passengers(rows: int) -> pd.DataFrame:
    raw = pd.concat([reference_data("train"), reference_data("held_out")], ignore_index=True)
    return raw.sample(rows, replace=True, random_state=0).reset_index(drop=True)


def _run_cli(*args: str | Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(seconds, peak RSS of the CLI process in MB) for `titanic-model <args>`."""
    command = [sys.executable, "-c", _CLI_REPORTING_PEAK_RSS, *(str(arg) for arg in args)]
    start = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=3600, check=False, env=env
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{command} failed:\n{done.stderr[-3000:]}")
    peak = [line for line in done.stderr.splitlines() if line.startswith("peak-kb")][-1]
    return seconds, int(peak.split()[1]) / 1024


def _predict(source: Path, target: Path) -> tuple[float, float]:
    return _run_cli("predict", "--no-progress", "--input", source, "--output", target)


def bench_formats(frame: pd.DataFrame, workdir: Path) -> None:
    csv_in, parquet_in = workdir / "in.csv", workdir / "in.parquet"
    frame.to_csv(csv_in, index=False)
    pq.write_table(pa.Table.from_pandas(frame), parquet_in, row_group_size=CHUNK_ROWS)
    print(f"{len(frame):,} rows, titanic-model predict ({CHUNK_ROWS:,}-row chunks)")
    for label, source, target in (
        ("CSV -> CSV", csv_in, workdir / "out.csv"),
        ("Parquet -> Parquet", parquet_in, workdir / "out.parquet"),
    ):
        seconds, peak_mb = _predict(source, target)
        print(
            f"  {label:<20} {seconds:7.2f} s {len(frame) / seconds:11,.0f} rows/s   "
            f"peak RSS {peak_mb:5.0f} MB   input {source.stat().st_size / 1e6:5.0f} MB"
        )


def bench_spark(frame: pd.DataFrame, repeat: int, workdir: Path) -> None:
    source = workdir / "big.parquet"
    table = pa.Table.from_pandas(frame)
    with pq.ParquetWriter(source, table.schema) as writer:
        for _ in range(repeat):
            writer.write_table(table, row_group_size=CHUNK_ROWS * 2)
    rows = len(frame) * repeat
    print(f"{rows:,} rows, Parquet -> Parquet")
    seconds, peak_mb = _predict(source, workdir / "big_out.parquet")
    print(
        f"  {'single process CLI':<26} {seconds:7.1f} s {rows / seconds:11,.0f} rows/s   "
        f"peak RSS {peak_mb:5.0f} MB"
    )
    env = {**os.environ, **_LOCAL_SPARK}
    seconds, _ = _run_cli(
        *("predict", "--engine", "spark", "--input", source),
        *("--output", workdir / "big_spark.parquet"),
        env=env,
    )
    print(
        f"  {'--engine spark, local[2]':<26} {seconds:7.1f} s {rows / seconds:11,.0f} rows/s   "
        "(JVM start included; driver RSS only, not shown)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100k and 1M rows")
    args = parser.parse_args()
    million = _passengers(100_000 if args.quick else 1_000_000)
    with tempfile.TemporaryDirectory() as workdir:
        bench_formats(million, Path(workdir))
        bench_spark(million, 1 if args.quick else 10, Path(workdir))


if __name__ == "__main__":
    main()
