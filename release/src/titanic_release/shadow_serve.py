"""`make shadow VERSION=<candidate>`: the API with the candidate's pin, from the private index, in
its own venv, served as the shadow (SERVING_ROLE=shadow) on SHADOW_PORT (docs/shadow.md).

The install is install_api's (index only as PIP_EXTRA_INDEX_URL, the model's source checked) from
a copy of api/requirements.txt whose pin names the candidate; the start command is run_api's,
the Procfile's; the store is upgraded first (the shadow table). SHADOW_TOKEN must be in the
environment: the live API sends the same one.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from titanic_release.install_api import REQUIREMENTS, ApiInstall, install_api
from titanic_release.local_index import read_background_index
from titanic_release.project import API_DIR, DIST_NAME

DEFAULT_PORT = 8002
PIN = re.compile(rf"^{re.escape(DIST_NAME)}==\S+$", re.MULTILINE)


def candidate_requirements(version: str, requirements: Path = REQUIREMENTS) -> str:
    """api/requirements.txt with the candidate's pin and its relative paths made absolute."""
    text = requirements.read_text(encoding="utf-8")
    if not PIN.search(text):
        raise ValueError(f"{requirements} pins no {DIST_NAME}")
    text = PIN.sub(f"{DIST_NAME}=={version}", text)
    text = text.replace("-r requirements-app.txt", f"-r {API_DIR / 'requirements-app.txt'}")
    lines = text.splitlines(keepends=True)
    local = ("./", "../")  # the local packages, relative to api/
    return "".join(
        f"{(API_DIR / line.strip()).resolve()}\n" if line.startswith(local) else line
        for line in lines
    )


def install_candidate(
    version: str, venv: Path, index_url: str, env: Mapping[str, str]
) -> ApiInstall:
    """The API with `version` pinned, from the index only, into `venv`: make shadow's install."""
    with tempfile.TemporaryDirectory() as scratch:  # not in the venv: a new one is made empty
        requirements = Path(scratch) / "requirements-shadow.txt"
        requirements.write_text(candidate_requirements(version), encoding="utf-8")
        return install_api(venv, index_url, env=env, requirements=requirements, quiet=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", required=True, help="the candidate's version on the index")
    parser.add_argument("--venv", type=Path, default=Path(".venv-shadow"))
    parser.add_argument("--port", default=os.environ.get("SHADOW_PORT", str(DEFAULT_PORT)))
    parser.add_argument("--install-only", action="store_true", help="install, do not serve")
    args = parser.parse_args(argv)
    if not args.install_only and not os.environ.get("SHADOW_TOKEN"):
        print("make shadow: set SHADOW_TOKEN (the live API's SHADOW_TOKEN too)", file=sys.stderr)
        return 1
    index = read_background_index()
    if index is None:
        print("No local index is running (start it with: make index).", file=sys.stderr)
        return 1
    result = install_candidate(
        args.version, args.venv, index.authenticated_simple_url(), os.environ
    )
    print(result.output.rstrip("\n"), file=sys.stdout if result.passed else sys.stderr)
    if not result.passed or args.install_only:
        return 0 if result.passed else 1
    store = os.environ.get("PREDICTION_STORE_URL")
    if store:  # the shadow table's migration, as make run upgrades its store
        upgrade = [str(args.venv / "bin" / "titanic-store"), "upgrade", "--url", store]
        if subprocess.run(upgrade, check=False, timeout=300).returncode != 0:
            return 1
    os.environ["SERVING_ROLE"] = "shadow"
    os.environ.pop("SHADOW_URL", None)  # a shadow does not mirror
    from titanic_release import run_api

    return run_api.main(["--venv", str(args.venv), "--port", str(args.port)])


if __name__ == "__main__":
    sys.exit(main())
