"""Fixtures for the report's tests: the real API (uvicorn) feeding a SQLite store, and the
outcomes of what it answered."""

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from api_traffic import send_outcomes, send_through_api
from postgres_cluster import PostgresCluster, postgres  # noqa: F401 - the session fixture

from titanic_model import contract, reference_data

ROWS = 2_000
FLIPPED_SHARE = 0.3
MONITOR = str(Path(sys.executable).with_name("titanic-monitor"))


@pytest.fixture(scope="session")
def held_out_like() -> pd.DataFrame:
    """2,000 rows drawn (with replacement, seeded) from the held-out split, with their true
    `survived`: no drift by design, and the quality of the model card."""
    held_out = reference_data("held_out")
    rows = held_out[[*contract.FIELD_NAMES, "survived"]]
    return rows.sample(n=ROWS, replace=True, random_state=7).reset_index(drop=True)


def _labelled_pairs(ids: list[str | None], survived: pd.Series) -> list[tuple[str, int]]:
    return [(id_, int(label)) for id_, label in zip(ids, survived, strict=True) if id_]


def flipped(survived: pd.Series, share: float = FLIPPED_SHARE) -> pd.Series:
    """`survived` with `share` of the outcomes (a seeded random choice) turned into the other."""
    flip = survived.sample(frac=share, random_state=11).index
    result = survived.copy()
    result[flip] = 1 - result[flip]
    return result


@pytest.fixture
def run_monitor(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """The report's command line, as `tox -e monitor -- ARGS` runs it."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [MONITOR, *args], capture_output=True, text=True, check=False, timeout=600
        )

    return run


@pytest.fixture(scope="session")
def reports(
    held_out_like: pd.DataFrame,
    tmp_path_factory: pytest.TempPathFactory,
    postgres: PostgresCluster,  # noqa: F811 - the fixture imported above
) -> dict[str, tuple[subprocess.CompletedProcess[str], Path]]:
    """Reports over held-out-like rows (no outcomes; with their true outcomes; with 30 % of them
    flipped) and over rows with older passengers, classes swapped; the outcome cases also on
    PostgreSQL (`..._postgres`). The held-out-like rows go through the API once per database:
    the SQLite outcome cases get a copy of the store their answers are in, the second PostgreSQL
    case the same store with the first case's outcomes deleted (reports are made in turn)."""
    shifted = held_out_like.copy()
    shifted["age"] = shifted["age"] + 25
    shifted["pclass"] = shifted["pclass"].map({1: 3, 2: 2, 3: 1})
    truth = held_out_like["survived"]
    cases = {
        "held_out_like": (held_out_like, None),
        "shifted": (shifted, None),
        "true_outcomes": (held_out_like, truth),
        "flipped_outcomes": (held_out_like, flipped(truth)),
        "true_outcomes_postgres": (held_out_like, truth),
        "flipped_outcomes_postgres": (held_out_like, flipped(truth)),
    }
    results = {}
    sent: dict[int, tuple[Path, list[str | None]]] = {}  # a frame's SQLite store and its ids
    sent_to_postgres: list[str | None] = []  # the ids of the rows in the PostgreSQL store
    for name, (frame, survived) in cases.items():
        root = tmp_path_factory.mktemp(name)
        url = f"sqlite:///{root}/predictions.sqlite3"
        if name.endswith("_postgres"):
            url = postgres.url
            if sent_to_postgres:  # the same rows: only the previous case's outcomes go
                postgres.delete_rows("outcomes")
            else:
                postgres.reset_store()  # an empty store at the newest schema
                sent_to_postgres = send_through_api(frame, url)
            ids = sent_to_postgres
        elif id(frame) in sent:  # the same rows through the API once: a copy of their store
            first, ids = sent[id(frame)]
            shutil.copyfile(first, root / "predictions.sqlite3")
        else:
            ids = send_through_api(frame, url)
            sent[id(frame)] = (root / "predictions.sqlite3", ids)
        if survived is not None:
            send_outcomes(url, _labelled_pairs(ids, survived))
        output = root / "report"
        results[name] = (
            subprocess.run(
                [MONITOR, "--store-url", url, "--since", "1h", "--output", str(output)],
                capture_output=True,
                text=True,
                check=False,
                timeout=600,
            ),
            output,
        )
    return results
