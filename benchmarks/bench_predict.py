"""Prediction speed of the package, beside the raw scikit-learn pipeline measured in the same run.

Prints single-record make_prediction latency (median, p99), batch throughput at 100,000 rows, and
the CLI on 100,000- and 1,000,000-row CSVs (time, peak memory of its process, and where the time
goes: parsing, scoring, writing). Figures only: nothing here asserts a speed.

    python benchmarks/bench_predict.py [--quick]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from titanic_model import PassengerInput, load_pipeline, make_prediction, reference_data, warm_up

# The CLI's own output step, timed in isolation: the one name used from behind the public API.
from titanic_model.cli import annotate  # noqa: TID251


def _latencies(call: Callable[[], object], repeats: int) -> list[float]:
    for _ in range(min(repeats, 1000)):  # warm-up
        call()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        call()
        timings.append((time.perf_counter_ns() - start) / 1000)
    return timings


def _describe(label: str, timings_us: list[float]) -> float:
    ordered = sorted(timings_us)
    median = statistics.median(ordered)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    print(f"{label:<48} median {median:10.1f} us   p99 {p99:10.1f} us")
    return median


def _rows_per_second(call: Callable[[], object], rows: int, repeats: int) -> float:
    call()
    best = min(_latencies(call, repeats)) / 1e6
    return rows / best


def bench_single(frame: pd.DataFrame, repeats: int) -> None:
    pipeline = load_pipeline()
    record = frame.iloc[0][list(PassengerInput.model_fields)].to_dict()
    one_row = frame.iloc[[0]]
    print("single record")
    baseline = _describe(
        "  scikit-learn pipeline.predict_proba(1-row df)",
        _latencies(lambda: pipeline.predict_proba(one_row), max(repeats // 20, 50)),
    )
    ours = _describe(
        "  make_prediction(input_data=record)",
        _latencies(lambda: make_prediction(input_data=record), repeats),
    )
    print(f"  speed-up: {baseline / ours:,.0f}x")
    explained = _describe(
        "  make_prediction(input_data=record, explain=True)",
        _latencies(lambda: make_prediction(input_data=record, explain=True), repeats),
    )
    print(f"  explaining costs {explained - ours:.1f} us more per record, only when asked")


def bench_batch(frame: pd.DataFrame, rows: int) -> None:
    pipeline = load_pipeline()
    batch = frame.sample(rows, replace=True, random_state=0).reset_index(drop=True)
    print(f"batch of {rows:,} rows (DataFrame)")
    baseline = _rows_per_second(lambda: pipeline.predict_proba(batch), rows, 3)
    ours = _rows_per_second(lambda: make_prediction(input_data=batch), rows, 5)
    print(f"  scikit-learn pipeline.predict_proba            {baseline:12,.0f} rows/s")
    print(f"  make_prediction{'':33}{ours:12,.0f} rows/s   ({ours / baseline:.1f}x)")


# The child reports its own VmHWM: unlike ru_maxrss, it is not inherited from the forking parent.
_PEAK_RSS_REPORT = (
    "import sys; from titanic_model.cli import main; code = main(sys.argv[1:]); "
    "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]; "
    "print(hwm, file=sys.stderr); sys.exit(code)"
)


def _cli_peak_rss_mb(source: Path, target: Path, chunk_rows: int) -> tuple[float, float]:
    """Run `titanic-model predict` in a fresh process: (seconds, that process's peak RSS in MB)."""
    command = [
        sys.executable,
        "-c",
        _PEAK_RSS_REPORT,
        *("predict", "--input", str(source), "--output", str(target)),
        *("--chunk-rows", str(chunk_rows)),
    ]
    start = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True, timeout=900)
    seconds = time.perf_counter() - start
    return seconds, int(done.stderr.strip().splitlines()[-1]) / 1024


def bench_csv(frame: pd.DataFrame, sizes: tuple[int, ...], chunk_rows: int) -> None:
    """The CLI on files of growing size: flat peak memory shows the streaming is bounded."""
    with tempfile.TemporaryDirectory() as workdir:
        source, target = Path(workdir) / "in.csv", Path(workdir) / "out.csv"
        print(f"CSV through `titanic-model predict` ({chunk_rows:,}-row chunks)")
        for rows in sizes:
            frame.sample(rows, replace=True, random_state=1).to_csv(source, index=False)
            seconds, peak_mb = _cli_peak_rss_mb(source, target, chunk_rows)
            size_mb = source.stat().st_size / 1e6
            print(
                f"  {rows:>9,} rows ({size_mb:4.0f} MB): {seconds:6.2f} s, "
                f"{rows / seconds:9,.0f} rows/s, peak RSS {peak_mb:5.0f} MB"
            )

        # Where the time goes, for the largest file: read, score, write the annotated chunk.
        phases = {
            "parse (pandas.read_csv)": 0.0,
            "score (make_prediction)": 0.0,
            "write (annotate + to_csv)": 0.0,
        }
        with open(os.devnull, "w") as sink:
            tick = time.perf_counter()
            for chunk in pd.read_csv(source, chunksize=chunk_rows, na_values=["?"]):
                phases["parse (pandas.read_csv)"] += time.perf_counter() - tick
                tick = time.perf_counter()
                result = make_prediction(input_data=chunk)
                phases["score (make_prediction)"] += time.perf_counter() - tick
                tick = time.perf_counter()
                annotate(chunk, result)[0].to_csv(sink, index=False)
                phases["write (annotate + to_csv)"] += time.perf_counter() - tick
                tick = time.perf_counter()
        for phase, seconds in phases.items():
            print(f"  {phase:<28} {seconds:6.2f} s")
        slowest = max(phases, key=phases.__getitem__)
        print(f"  limited by: {slowest}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, 100k-row CSV")
    args = parser.parse_args()
    frame = reference_data("train")
    warm_up()
    bench_single(frame, 2_000 if args.quick else 20_000)
    bench_batch(frame, 100_000)
    bench_csv(frame, (100_000,) if args.quick else (100_000, 1_000_000), 50_000)


if __name__ == "__main__":
    main()
