"""`make test` on a bare machine: it installs what its suites drive, or stops at once naming the
command; and it never skips a suite silently (its summary names skips; CI=true fails them)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from titanic_release.test_summary import main as summary

ROOT = Path(__file__).resolve().parents[2]

PASSED = '<testcase classname="t" name="ok"/>'
SKIPPED = '<testcase classname="t" name="{0}"><skipped message="needs Chromium"/></testcase>'
XFAILED = (
    '<testcase classname="t" name="x"><skipped type="pytest.xfail" message="known"/></testcase>'
)
FAILED = (
    '<testcase classname="tests.api.test_drain" name="test_bound">'
    '<failure message="AssertionError: exit 14.2 s&#10;assert 14.2 &lt; 12">trace</failure>'
    "</testcase>"
)


def _junit(directory: Path, suite: str, *cases: str) -> None:
    directory.mkdir(exist_ok=True)
    body = "".join(cases)
    (directory / f"{suite}.xml").write_text(
        f"<testsuites><testsuite>{body}</testsuite></testsuites>"
    )


@pytest.fixture
def junit_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "junit"
    cases = (PASSED, SKIPPED.format("a"), SKIPPED.format("b"), XFAILED, FAILED)
    _junit(directory, "test_app", *cases)
    _junit(directory, "test_monitor", SKIPPED.format("c"))  # skipped as a whole
    return directory


def test_the_summary_names_every_failure_skip_and_suite_that_did_not_run(
    junit_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    code = summary(["--junit-dir", str(junit_dir), "test_app", "test_monitor", "test_spark"])

    out = capsys.readouterr().out
    assert code == 0  # outside CI the skips are reported, the tests' own exit code decides
    assert (
        "test_app: 1 passed, 1 failed, 2 skipped, 1 expected failures\n"
        "    FAILED tests.api.test_drain::test_bound: AssertionError: exit 14.2 s\n"
        "    skipped 2x: needs Chromium\n"
    ) in out
    assert "test_monitor: 0 passed, 0 failed, 1 skipped (SKIPPED AS A WHOLE)" in out
    assert "test_spark: NOT RUN (no JUnit report)" in out


def test_under_ci_a_required_suite_that_did_not_run_fails(
    junit_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    assert summary(["--junit-dir", str(junit_dir), "test_app", "test_monitor"]) == 1
    assert "required suites did not run: test_monitor" in capsys.readouterr().err
    assert summary(["--junit-dir", str(junit_dir), "test_app"]) == 0


def test_make_test_installs_java_postgres_and_chromium_first() -> None:
    dry_run = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "test"], capture_output=True, text=True, check=True
    ).stdout
    for needed in ("default-jre-headless", "postgresql", "chromium"):
        assert f"apt-get install -y -qq {needed}" in dry_run
    assert dry_run.index("chromium") < dry_run.index("tox run")


def test_without_root_or_sudo_a_missing_dependency_names_the_one_command(tmp_path: Path) -> None:
    """An old Java on a machine where the user is not root and sudo asks for a password."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    fakes = {
        "java": "echo 'openjdk version \"11.0.2\"' >&2",
        "id": "echo 1000",
        "sudo": "exit 1",
        "apt-get": f"touch {tmp_path}/apt-get-ran",
    }
    for name, script in fakes.items():
        (fake_bin / name).write_text(f"#!/bin/sh\n{script}\n")
        (fake_bin / name).chmod(0o755)
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    env = {**os.environ, "PATH": f"{fake_bin}:{os.environ['PATH']}"}
    result = subprocess.run(
        ["make", "--no-print-directory", "java"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "default-jre-headless is needed and missing" in result.stderr
    assert "sudo make system-deps" in result.stderr
    assert not (tmp_path / "apt-get-ran").exists()
