"""`make monitor` exits with the report's own code (0, 1, 2), not make's 2, and says the verdict."""

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
Reports = dict[str, tuple[subprocess.CompletedProcess[str], Path]]


def make_monitor(store: Path) -> subprocess.CompletedProcess[str]:
    """`make monitor` on `store`, outside this test's tox env (make runs its own)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TOX_", "MAKE")) and name != "VIRTUAL_ENV"
    }
    return subprocess.run(
        ["make", "-C", str(REPO), "monitor", f"PREDICTION_STORE_URL=sqlite:///{store}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.mark.parametrize(
    ("store", "code", "verdict"),
    [
        ("held_out_like", 0, "Verdict: no drift (exit 0)"),
        ("shifted", 1, "Verdict: DRIFT (exit 1)"),
    ],
)
def test_make_monitor_exits_with_the_report_s_code(
    reports: Reports, store: str, code: int, verdict: str
) -> None:
    _, output = reports[store]
    result = make_monitor(output.parent / "predictions.sqlite3")

    assert result.returncode == code, result.stdout + result.stderr
    assert verdict in result.stdout
    assert "make: ***" not in result.stderr  # a verdict, not a failed recipe


def test_make_monitor_on_a_missing_store_exits_2_and_creates_no_file(tmp_path: Path) -> None:
    store = tmp_path / "never-written.sqlite3"
    result = make_monitor(store)

    assert result.returncode == 2, result.stdout + result.stderr
    assert "Verdict: no report (exit 2)" in result.stdout
    assert f"no prediction store at {store} (the file does not exist" in result.stderr
    assert not store.exists()
