"""docs/performance.md's benchmark commands other than `make bench`, exactly as printed, in page
order in one copy of the working tree (each command's env is made by the first that names it):
each exits 0 and prints its table. The before/after block runs against a worktree of the copy's
own commit, the page's `<previous commit>` being the reader's choice; /tmp/before, the page's
path, is removed again whatever happens."""

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from doc_run import copy_tree, printed
from shell import bash
from slow_commands import BEFORE_AFTER, BENCHMARKS, PERFORMANCE, WORKTREE
from slow_run import LONG_S, reader_env, run_page

# What each prints (the figures themselves are one run's measurements, not output to compare).
PRINTS = {
    BENCHMARKS[0]: "(budget 60 s)",
    BENCHMARKS[1]: "sdist + wheel with PyPA build",
    BENCHMARKS[2]: "| c=32 | req/s | p99 |",
    BENCHMARKS[3]: "| c=32 | req/s | p99 |",
    BENCHMARKS[4]: "CPU per single-record predict, in-process",
    BENCHMARKS[5]: "| rows already stored | random ids (before) | time-first ids (now) |",
    BENCHMARKS[6]: "titanic-monitor:",
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_tree(tmp_path_factory.mktemp("benchmarks"))


@pytest.mark.parametrize("command", BENCHMARKS)
def test_each_benchmark_prints_its_figures(tree: Path, command: str) -> None:
    shown = run_page(PERFORMANCE, [command], tree, reader_env(tree))
    assert PRINTS[command] in shown, shown[-3000:]


@pytest.fixture
def worktree(tree: Path) -> Iterator[Path]:
    assert not WORKTREE.exists(), f"{WORKTREE} exists: the page's worktree path must be free"
    try:
        yield WORKTREE
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(WORKTREE)],
            cwd=tree,
            capture_output=True,
            check=False,
            timeout=60,
        )


def test_the_before_and_after_block_compares_two_checkouts(tree: Path, worktree: Path) -> None:
    """Runs after the benchmarks above (module order): .tox/bench_api exists by then."""
    script = printed(PERFORMANCE, BEFORE_AFTER).replace("<previous commit>", "HEAD")
    shown = bash(script, tree, reader_env(tree), timeout=LONG_S)
    assert (worktree / "api" / "app" / "main.py").is_file()
    assert f"== before ({worktree}/api) vs after" in shown, shown[-3000:]  # bench_api.py
    assert f"before: {worktree}/api" in shown, shown[-3000:]  # bench_request_cost.py
