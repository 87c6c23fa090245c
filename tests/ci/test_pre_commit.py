"""The pre-commit config is valid for pre-commit and runs the same checks as `tox -e checks`."""

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".pre-commit-config.yaml"
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")


def _hooks() -> dict[str, dict[str, Any]]:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PRE_COMMIT), "validate-config", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_pre_commit_accepts_the_config() -> None:
    result = _validate(CONFIG)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pre_commit_rejects_a_broken_config(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("repos:\n  - repo: local\n    hooks:\n      - id: ruff\n", encoding="utf-8")
    assert _validate(broken).returncode != 0


def test_runs_ruff_check_ruff_format_and_mypy() -> None:
    hooks = _hooks()
    assert {"ruff", "ruff-format", "mypy"} <= set(hooks)
    assert hooks["ruff"]["entry"].split()[:2] == ["ruff", "check"]
    assert hooks["ruff-format"]["entry"].split()[:2] == ["ruff", "format"]
    assert hooks["mypy"]["entry"].split()[0] == "mypy"


def test_mypy_checks_the_configured_packages_not_just_changed_files() -> None:
    assert _hooks()["mypy"]["pass_filenames"] is False
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert set(pyproject["tool"]["mypy"]["files"]) == {
        "model_package/titanic_model",
        "api/app",
        "store/titanic_store",
        "masking/titanic_masking",
        "release/src/titanic_release",
        "monitoring/titanic_monitoring",
    }
