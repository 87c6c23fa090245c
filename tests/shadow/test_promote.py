"""make promote and make rollback on a throwaway git repository: promote refuses without a fresh
PROMOTE report for that version and otherwise commits the pin move with the report's summary;
rollback commits the move back to the previous pin. `make promote` runs as docs/shadow.md prints
it, in a repository holding a copy of the Makefile and the release tools (the tools find the
repository from where they are, so a copy commits there, never here)."""

import json
import shlex
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scratch_git import git
from titanic_release.project import REPO_ROOT
from titanic_release.promote import Refused, current_pin, promote, rollback

PROMOTE = "make promote VERSION=0.3.1.dev20261206120000"  # as docs/shadow.md prints it
CANDIDATE = PROMOTE.rpartition("=")[2]
REQUIREMENTS = "--extra-index-url=${PIP_EXTRA_INDEX_URL}\ntitanic-survival-model==0.3.0\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "api").mkdir(parents=True)
    (root / "model_package/titanic_model").mkdir(parents=True)
    (root / "api/requirements.txt").write_text(REQUIREMENTS)
    (root / "model_package/titanic_model/VERSION").write_text("0.3.0\n")
    shutil.copy(REPO_ROOT / "Makefile", root / "Makefile")
    shutil.copytree(
        REPO_ROOT / "release/src/titanic_release",
        root / "release/src/titanic_release",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (root / ".gitignore").write_text("reports/\n__pycache__/\n")
    git(root, "init", "-q")
    git(root, "config", "user.name", "t")
    git(root, "config", "user.email", "t@example.invalid")
    git(root, "add", ".")
    git(root, "commit", "-qm", "start")
    return root


def report(directory: Path, **changes: Any) -> Path:
    summary = {
        "candidate_version": CANDIDATE,
        "verdict": "PROMOTE",
        "generated_at": datetime.now(UTC).isoformat(),
        "rules": {"max_report_age_hours": 72},
        "reasons": ["no metric worse beyond its tolerance on 262 labelled pairs"],
        "pairs": 262,
        "flips": {"agreement": 0.98},
        "probability_shift": {"mean_abs": 0.01},
        "quality": {
            "labelled_pairs": 262,
            "mcnemar": {"p_value": 0.5},
            "differences": [
                {
                    "metric": "accuracy",
                    "live": 0.82,
                    "candidate": 0.83,
                    "worse_by": -0.01,
                    "low": -0.03,
                    "high": 0.01,
                }
            ],
        },
    } | changes
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "summary.json").write_text(json.dumps(summary))
    return directory


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"verdict": "REJECT"}, "verdict is REJECT"),
        ({"candidate_version": "0.9.0"}, "judges 0.9.0"),
        ({"generated_at": (datetime.now(UTC) - timedelta(hours=73)).isoformat()}, "old"),
    ],
)
def test_promote_refuses_without_fresh_promote_evidence(
    repo: Path, tmp_path: Path, changes: dict[str, Any], says: str
) -> None:
    with pytest.raises(Refused, match=says):
        promote(repo, CANDIDATE, report(tmp_path / "report", **changes))
    assert current_pin(repo) == "0.3.0"
    with pytest.raises(Refused, match="no shadow report"):
        promote(repo, CANDIDATE, tmp_path / "nowhere")


def test_make_promote_commits_the_pin_with_its_evidence_and_rollback_undoes_it(
    repo: Path,
) -> None:
    report(repo / "reports" / "shadow")
    done = subprocess.run(
        shlex.split(PROMOTE),
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert current_pin(repo) == CANDIDATE
    assert (repo / "model_package/titanic_model/VERSION").read_text() == f"{CANDIDATE}\n"
    message = git(repo, "log", "-1", "--format=%B")
    assert f"Promote titanic-survival-model {CANDIDATE} (was 0.3.0)" in message
    assert "accuracy: live 0.8200, candidate 0.8300" in message
    assert "exact McNemar p = 0.5" in message
    rollback(repo)
    assert current_pin(repo) == "0.3.0"
    assert "Roll back titanic-survival-model to 0.3.0" in git(repo, "log", "-1", "--format=%B")
    assert git(repo, "status", "--porcelain") == ""
