"""`make deploy-shadow` with a stand-in Railway CLI recording how and from where it is called: off
(exit 0, saying so) without RAILWAY_SHADOW_SERVICE; with it, make deploy-api from a copy of the
API's tree pinning the candidate, to that service only, api/ untouched. The candidate defaults to
the newest retrain report that published one."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from titanic_release.project import API_DIR, REPO_ROOT
from titanic_release.shadow_api import NoCandidate, published_candidate, shadow_api

CANDIDATE = "0.3.1.dev20261206120000"


def _make_deploy_shadow(tmp_path: Path, *variables: str, **env: str) -> tuple[int, str, list[str]]:
    calls = tmp_path / "calls.txt"
    railway = tmp_path / "railway"
    railway.write_text(f'#!/bin/sh\necho "$(pwd) $*" >> {calls}\n')
    railway.chmod(0o755)
    make = shutil.which("make")
    assert make is not None
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "RAILWAY_TOKEN": "token-for-the-test"}
    done = subprocess.run(
        [make, "--no-print-directory", "-C", str(REPO_ROOT), "deploy-shadow", *variables],
        env=base | {"RAILWAY_CLI": str(railway), "CIRCLE_SHA1": "0123abc"} | env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    recorded = calls.read_text().splitlines() if calls.exists() else []
    return done.returncode, done.stdout + done.stderr, recorded


def test_without_a_shadow_service_it_says_so_and_deploys_nothing(tmp_path: Path) -> None:
    code, output, calls = _make_deploy_shadow(tmp_path, f"VERSION={CANDIDATE}")
    assert code == 0, output
    assert "RAILWAY_SHADOW_SERVICE is not set" in output
    assert "nothing deployed" in output
    assert calls == []


def test_it_deploys_api_with_the_candidates_pin_to_the_shadow_service_only(
    tmp_path: Path,
) -> None:
    pinned_before = (API_DIR / "requirements.txt").read_text(encoding="utf-8")
    code, output, calls = _make_deploy_shadow(
        tmp_path, f"VERSION={CANDIDATE}", RAILWAY_SHADOW_SERVICE="titanic-shadow"
    )
    assert code == 0, output
    assert "token-for-the-test" not in output
    copy = REPO_ROOT / "build" / "shadow-api"
    assert calls == [
        f"{copy} variables --set RELEASE_ID=0123abc --skip-deploys --service titanic-shadow",
        f"{copy} up --ci --service titanic-shadow",
    ]
    pinned = (copy / "api" / "requirements.txt").read_text()
    assert f"titanic-survival-model=={CANDIDATE}\n" in pinned
    assert (API_DIR / "requirements.txt").read_text(encoding="utf-8") == pinned_before
    assert (copy / "api" / "Dockerfile").read_bytes() == (API_DIR / "Dockerfile").read_bytes()
    for name in ("store/pyproject.toml", "masking/pyproject.toml", ".dockerignore"):
        assert (copy / name).read_bytes() == (REPO_ROOT / name).read_bytes(), name


def _retrain_report(reports: Path, version: str, published: list[str], age_s: float) -> None:
    path = reports / version / "retrain.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"version": version, "published": published}))
    when = path.stat().st_mtime - age_s
    os.utime(path, (when, when))


def test_the_default_candidate_is_the_newest_that_retrain_published(tmp_path: Path) -> None:
    with pytest.raises(NoCandidate):
        published_candidate(tmp_path)
    _retrain_report(tmp_path, "0.3.1.dev1", ["a.whl"], age_s=300)
    _retrain_report(tmp_path, "0.3.1.dev2", ["b.whl"], age_s=200)
    _retrain_report(tmp_path, "0.3.1.dev3", [], age_s=100)  # refused: nothing published
    assert published_candidate(tmp_path) == "0.3.1.dev2"


def test_the_copy_leaves_out_the_local_store_and_refuses_an_api_without_a_pin(
    tmp_path: Path,
) -> None:
    root = tmp_path / "root"
    api = root / "api"
    (api / "data").mkdir(parents=True)
    (api / "data" / "predictions.sqlite3").write_text("rows")
    (api / "requirements.txt").write_text("titanic-survival-model==0.3.0\n../store\n")
    copy = shadow_api(CANDIDATE, tmp_path / "copy", root)
    assert (
        copy / "api" / "requirements.txt"
    ).read_text() == f"titanic-survival-model=={CANDIDATE}\n../store\n"
    assert not (copy / "api" / "data").exists()
    (api / "requirements.txt").write_text("fastapi\n")
    with pytest.raises(NoCandidate, match="pins no"):
        shadow_api(CANDIDATE, tmp_path / "copy", root)
