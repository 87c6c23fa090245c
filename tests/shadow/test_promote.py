"""make promote and make rollback on a throwaway git repository: promote refuses without a fresh
PROMOTE report for that version and otherwise commits the pin move with the report's summary;
rollback commits the move back to the previous pin."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scratch_git import git
from titanic_release.promote import Refused, current_pin, promote, rollback

REQUIREMENTS = "--extra-index-url=${PIP_EXTRA_INDEX_URL}\ntitanic-survival-model==0.3.0\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "api").mkdir(parents=True)
    (root / "model_package/titanic_model").mkdir(parents=True)
    (root / "api/requirements.txt").write_text(REQUIREMENTS)
    (root / "model_package/titanic_model/VERSION").write_text("0.3.0\n")
    git(root, "init", "-q")
    git(root, "config", "user.name", "t")
    git(root, "config", "user.email", "t@example.invalid")
    git(root, "add", ".")
    git(root, "commit", "-qm", "start")
    return root


def report(tmp_path: Path, **changes: Any) -> Path:
    summary = {
        "candidate_version": "0.3.1.dev1",
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
    directory = tmp_path / "report"
    directory.mkdir(exist_ok=True)
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
        promote(repo, "0.3.1.dev1", report(tmp_path, **changes))
    assert current_pin(repo) == "0.3.0"
    with pytest.raises(Refused, match="no shadow report"):
        promote(repo, "0.3.1.dev1", tmp_path / "nowhere")


def test_promote_commits_the_pin_with_its_evidence_and_rollback_undoes_it(
    repo: Path, tmp_path: Path
) -> None:
    promote(repo, "0.3.1.dev1", report(tmp_path))
    assert current_pin(repo) == "0.3.1.dev1"
    assert (repo / "model_package/titanic_model/VERSION").read_text() == "0.3.1.dev1\n"
    message = git(repo, "log", "-1", "--format=%B")
    assert "Promote titanic-survival-model 0.3.1.dev1 (was 0.3.0)" in message
    assert "accuracy: live 0.8200, candidate 0.8300" in message
    assert "exact McNemar p = 0.5" in message
    rollback(repo)
    assert current_pin(repo) == "0.3.0"
    assert "Roll back titanic-survival-model to 0.3.0" in git(repo, "log", "-1", "--format=%B")
    assert git(repo, "status", "--porcelain") == ""
