"""Production in miniature for the end-to-end shadow tests: the released model live with the
mirror on, a candidate as its shadow, both from their own venvs on one store; traffic through the
live API's predict route, labels through its outcomes route, and the shadow report run as the page
prints it (`make shadow-report` from the checkout, in a subprocess, its store URL from the
environment as a reader would point it at another store)."""

import json
import os
import shlex
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from live_server import LiveServer
from released_models import serve_from
from shadow_services import TOKEN, shadow_rows, wait_until
from titanic_release.project import REPO_ROOT

SHADOW_REPORT = "make shadow-report"  # as docs/shadow.md prints it
REPORT = REPO_ROOT / "reports" / "shadow"  # where it writes
OUTCOMES_TOKEN = "shadow-e2e-outcomes-t0ken"
BATCH = 50
# What the test's own tox env sets, which the shell of a user running tox would not have.
_NOT_PASSED = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "TOX_", "_TOX")


@dataclass(frozen=True)
class Installed:
    version: str
    venv: Path


def _count(url: str, table: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


@dataclass
class Production:
    live: LiveServer
    store: str
    traffic: list[dict[str, Any]]
    ids: list[str] = field(default_factory=list)

    def send_traffic(self) -> None:
        """Every passenger's inputs (not the label) through the live API, in batches; then wait
        until the shadow has stored an answer for each (mirrored = stored) and live its rows."""
        for start in range(0, len(self.traffic), BATCH):
            rows = [
                {key: value for key, value in row.items() if key != "survived"}
                for row in self.traffic[start : start + BATCH]
            ]
            answer = httpx.post(
                f"{self.live.base_url}/api/v1/predict", json={"inputs": rows}, timeout=30
            )
            assert answer.status_code == 200, answer.text
            self.ids += answer.json()["ids"]
        assert len(self.ids) == len(self.traffic)
        assert all(self.ids)
        wait_until(lambda: len(shadow_rows(self.store)) == len(self.ids), seconds=120)
        wait_until(lambda: _count(self.store, "predictions") == len(self.ids), seconds=120)

    def post_labels(self, first: int, last: int) -> None:
        """The true labels of the rows first..last-1, as a labelling job posts them."""
        body = [
            {"id": id_, "survived": int(row["survived"])}
            for id_, row in zip(self.ids[first:last], self.traffic[first:last], strict=True)
        ]
        answer = httpx.post(
            f"{self.live.base_url}/api/v1/outcomes",
            json=body,
            headers={"Authorization": f"Bearer {OUTCOMES_TOKEN}"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["stored"] == len(body), answer.text


@contextmanager
def production(
    live: Installed, candidate: Installed, store: str, traffic: list[dict[str, Any]]
) -> Iterator[Production]:
    """The candidate serving as the shadow, then live mirroring to it; both stopped by PID."""
    shadow_env = {"SERVING_ROLE": "shadow", "SHADOW_TOKEN": TOKEN, "PREDICTION_STORE_URL": store}
    with serve_from(candidate.venv, shadow_env) as shadow:
        live_env = {
            "PREDICTION_STORE_URL": store,
            "SHADOW_URL": shadow.base_url,
            "SHADOW_TOKEN": TOKEN,
            "OUTCOMES_TOKEN": OUTCOMES_TOKEN,
        }
        with serve_from(live.venv, live_env) as server:
            health = httpx.get(f"{server.base_url}/api/v1/health", timeout=10).json()
            assert health["model_version"] == live.version, health
            health = httpx.get(f"{shadow.base_url}/api/v1/health", timeout=10).json()
            assert health["model_version"] == candidate.version, health
            yield Production(server, store, traffic)


def shadow_report(store: str) -> tuple[subprocess.CompletedProcess[str], Any]:
    """`make shadow-report` on `store`: its exit and summary (an earlier run's removed first);
    one line of its figures printed (pytest -s shows it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_NOT_PASSED)}
    env["PREDICTION_STORE_URL"] = store
    (REPORT / "summary.json").unlink(missing_ok=True)
    done = subprocess.run(
        shlex.split(SHADOW_REPORT),
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert (REPORT / "summary.json").exists(), done.stdout + done.stderr
    summary = json.loads((REPORT / "summary.json").read_text(encoding="utf-8"))
    differences = [
        f"{d['metric']} {d['worse_by']:+.4f} [{d['low']:+.4f}, {d['high']:+.4f}]"
        for d in summary["quality"].get("differences", [])
    ]
    print(
        f"\nshadow report on {store.split(':')[0]}: exit {done.returncode}, {summary['verdict']} "
        f"for {summary['candidate_version']}, {summary['quality']['labelled_pairs']} labelled of "
        f"{summary['pairs']} pairs, agreement {summary['flips']['agreement']:.3f}; "
        f"worse by: {'; '.join(differences)}"
    )
    return done, summary
