"""`tox -e anything`, then `make`: the newest tox leaves `.venv` to make, which installs the
locked tox.

tox 4.67+ writes a PEP 832 redirect *file* named `.venv` unless tox.ini sets venv_redirect = false;
make keeps its tox in the directory `.venv`. These tests run today's newest tox and tox-uv from
PyPI (unpinned on purpose, to catch the next tox that changes this) in a copy of the files tox and
make read, and need PyPI for that.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from titanic_release.project import REPO_ROOT
from uv import find_uv_bin

BOOTSTRAP_FILES = ("Makefile", "tox.ini", "constraints.txt", "pyproject.toml")
# tox points its redirect at an env that installs the project editable, such as build; the project
# itself is not installed (--skip-pkg-install): the redirect does not depend on it.
TOX_FIRST = ("-q", "-e", "build", "--notest", "--skip-pkg-install")
SETTING = "venv_redirect = false\n"
TIMEOUT_S = 300


def _env() -> dict[str, str]:
    """This environment without the outer tox env's: its lock, its venv and its TOX_* options."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"UV_CONSTRAINT", "VIRTUAL_ENV"} and not name.startswith("TOX_")
    }
    env["UV_CACHE_DIR"] = str(REPO_ROOT / ".cache" / "uv")
    return env


def _run(command: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )


def _make_venv(project: Path) -> subprocess.CompletedProcess[str]:
    make = shutil.which("make")
    assert make is not None
    return _run(
        [make, "--no-print-directory", "venv", f"PIP_CACHE_DIR={REPO_ROOT / '.cache' / 'pip'}"],
        project,
    )


def _versions(text: str) -> dict[str, str]:
    """Every `name==version` in a text, by canonical name."""
    return {canonicalize_name(name): version for name, version in re.findall(r"(\S+)==(\S+)", text)}


@pytest.fixture(scope="module")
def newest_tox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Today's newest tox and tox-uv from PyPI, in a venv of their own."""
    venv = tmp_path_factory.mktemp("newest-tox") / "venv"
    python = venv / "bin" / "python"
    for command in (
        [find_uv_bin(), "venv", "--quiet", "--python", sys.executable, venv],
        [find_uv_bin(), "pip", "install", "--quiet", "--python", python, "tox", "tox-uv"],
    ):
        result = _run(command, venv.parent)
        assert result.returncode == 0, result.stderr
    return venv / "bin" / "tox"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in BOOTSTRAP_FILES:
        shutil.copy2(REPO_ROOT / name, tmp_path / name)
    return tmp_path


def test_after_the_newest_tox_make_installs_the_locked_tox(newest_tox: Path, project: Path) -> None:
    tox_first = _run([newest_tox, *TOX_FIRST], project)
    assert tox_first.returncode == 0, tox_first.stdout + tox_first.stderr
    venv = project / ".venv"
    assert not venv.is_symlink()
    assert not venv.exists(), "tox wrote .venv"

    make = _make_venv(project)
    assert make.returncode == 0, make.stdout + make.stderr
    (report,) = [line for line in make.stdout.splitlines() if line.startswith(".venv holds")]
    installed = _versions(report)
    locked = _versions((REPO_ROOT / "constraints.txt").read_text(encoding="utf-8"))
    assert {"tox", "tox-uv", "uv", "virtualenv"} <= installed.keys()
    # setuptools comes with Python's own venv, not from the lock.
    unlocked = {name for name, version in installed.items() if locked.get(name) != version}
    assert unlocked <= {"setuptools"}, report

    # make's tox then runs the project's envs, and .venv stays make's directory.
    after = _run([venv / "bin" / "tox", *TOX_FIRST], project)
    assert after.returncode == 0, after.stdout + after.stderr
    assert (venv / "bin" / "tox").is_file()


def test_without_the_setting_make_explains_the_file_the_newest_tox_writes(
    newest_tox: Path, project: Path
) -> None:
    tox_ini = project / "tox.ini"
    text = tox_ini.read_text(encoding="utf-8")
    assert SETTING in text
    tox_ini.write_text(text.replace(SETTING, ""), encoding="utf-8")

    tox_first = _run([newest_tox, *TOX_FIRST], project)
    assert tox_first.returncode == 0, tox_first.stdout + tox_first.stderr
    venv = project / ".venv"
    assert venv.is_file(), "the newest tox writes no .venv file: is the setting still needed?"
    assert venv.read_text(encoding="utf-8").strip() == ".tox/build"

    make = _make_venv(project)
    assert make.returncode != 0
    assert ".venv is not a directory" in make.stderr
    assert "It reads: .tox/build" in make.stderr
    assert "rm .venv" in make.stderr
    assert "-m venv" not in make.stdout, "make went on to create a venv"
    assert venv.is_file()


def test_make_says_where_a_venv_symlink_points(project: Path) -> None:
    (project / ".venv").symlink_to(project / "gone")
    make = _make_venv(project)
    assert make.returncode != 0
    assert f".venv -> {project / 'gone'}" in make.stderr
    assert "rm .venv" in make.stderr
