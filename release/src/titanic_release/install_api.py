"""Install the API from the private index and prove that the model package came from there.

`make run` and the end-to-end tests install the API as its Docker build does: a venv, then
`pip install -r api/requirements.txt` with the private index given only as PIP_EXTRA_INDEX_URL,
then api/verify_install.py on pip's installation report, which fails when the model package was
downloaded from anywhere else (an impostor of the pinned version on PyPI). The model package is
uninstalled first, so pip installs it again and its source is checked on every run.

    python -m titanic_release.install_api --venv .venv-api    # index: the running `make index`
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from titanic_release import venvs
from titanic_release.commands import CommandError, run
from titanic_release.local_index import read_background_index
from titanic_release.project import API_DIR, DIST_NAME

REQUIREMENTS = API_DIR / "requirements.txt"
VERIFY_INSTALL = API_DIR / "verify_install.py"
REPORT_FILE = "install-report.json"


@dataclass(frozen=True)
class ApiInstall:
    """What an install did: whether it and the source check passed, and what they printed."""

    venv_dir: Path
    passed: bool
    output: str  # pip's and the source check's output, or the failure's (credentials masked)

    @property
    def report(self) -> dict[str, Any]:
        """pip's installation report (`pip install --report`)."""
        report: dict[str, Any] = json.loads((self.venv_dir / REPORT_FILE).read_text())
        return report


def install_api(
    venv_dir: Path,
    index_url: str,
    *,
    env: Mapping[str, str],
    requirements: Path = REQUIREMENTS,
    quiet: bool = False,
) -> ApiInstall:
    """Install `requirements` into `venv_dir` (created if missing) with `index_url` as
    PIP_EXTRA_INDEX_URL on top of `env`, then check where the model package came from."""
    venv_dir = venv_dir.resolve()  # pip runs from api/
    python = venv_dir / "bin" / "python"
    pip_env = {
        **env,
        "PIP_EXTRA_INDEX_URL": index_url,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_INPUT": "1",
    }
    pip: list[str | Path] = [python, "-m", "pip"]
    # --no-compile: Python writes bytecode on first import for what runs; pip would compile every
    # module of every package (docs/performance.md). The image compiles at build: its user may not.
    install = [*pip, "install", "--no-compile", *(["--quiet"] if quiet else [])]
    report = venv_dir / REPORT_FILE
    try:
        if not python.exists():
            venvs.create(venv_dir, with_pip=True)
        run(
            [*pip, "uninstall", "--quiet", "--yes", DIST_NAME],
            f"uninstalling {DIST_NAME}",
            env=pip_env,
            index_url=index_url,
        )
        output = run(
            [*install, "--report", report, "-r", requirements],
            "installing the API",
            env=pip_env,
            cwd=API_DIR,  # requirements.txt names the local packages relative to api/
            index_url=index_url,
        )
        output += run(
            [python, VERIFY_INSTALL, report],
            "checking where the model came from",
            env=pip_env,
            index_url=index_url,
        )
    except CommandError as error:
        return ApiInstall(venv_dir, passed=False, output=str(error))
    return ApiInstall(venv_dir, passed=True, output=output)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, required=True, help="venv to install the API into")
    args = parser.parse_args(argv)
    index = read_background_index()
    if index is None:
        print("No local index is running (start it with: make index).", file=sys.stderr)
        return 1
    result = install_api(args.venv, index.authenticated_simple_url(), env=os.environ, quiet=True)
    print(result.output, end="", file=sys.stdout if result.passed else sys.stderr)
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
