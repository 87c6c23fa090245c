"""Prediction speed of the package, beside the raw scikit-learn pipeline measured in the same run.

Prints single-record make_prediction latency (median, p99) and batch throughput at 100,000 rows
(the CLI on files is benchmarks/bench_batch.py). Figures only: nothing here asserts a speed.

    python benchmarks/bench_predict.py [--quick]
"""

import argparse
import statistics
import time
from collections.abc import Callable

import pandas as pd

from titanic_model import PassengerInput, load_pipeline, make_prediction, reference_data, warm_up


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    frame = reference_data("train")
    warm_up()
    bench_single(frame, 2_000 if args.quick else 20_000)
    bench_batch(frame, 100_000)


if __name__ == "__main__":
    main()
