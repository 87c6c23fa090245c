"""docs/performance.md's `make bench` (every benchmark env at full size, the 10-minute soak
included) in a copy of the working tree: each benchmark prints its figures and exits 0. The
figures are measurements of one run, not output to compare."""

from pathlib import Path

import pytest
from doc_run import copy_tree
from slow_commands import MAKE_BENCH, PERFORMANCE
from slow_run import reader_env, run_page


def test_make_bench_runs_every_benchmark_to_its_figures(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    tree: Path = copy_tree(tmp_path_factory.mktemp("bench"))
    shown = run_page(PERFORMANCE, [MAKE_BENCH], tree, reader_env(tree))
    for printed_by in (
        "single record",  # bench_predict.py (tox -e bench)
        "sdist + wheel with PyPA build",  # bench_build.py (tox -e bench)
        "| c=32 | req/s | p99 |",  # bench_api.py
        "rows, titanic-model predict",  # bench_batch.py
        "titanic-monitor:",  # bench_monitor.py
        "(budget",  # bench_replay.py
        "soak",  # soak_api.py
    ):
        assert printed_by in shown, f"{printed_by!r} missing from:\n{shown[-3000:]}"
