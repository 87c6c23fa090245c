"""`make rollback`: production back on the previous release, and proof that it answers.

Railway's CLI has no rollback to an earlier deployment: `railway redeploy` redeploys the latest
one (docs.railway.com/cli/redeploy), which is the release being taken back. So the previous
release is deployed again from its own commit: that commit's tree (git archive) through
`make deploy-api` with RELEASE_ID set to that commit, then the smoke test waits until that very
release id answers with the previous model version, as CircleCI's deploy_api does. Only then is
the pin moved back in git (titanic_release.promote.rollback), so the tree says what serves.
"""

import argparse
import os
import shlex
import subprocess
import sys
import tarfile
from collections.abc import Mapping, Sequence
from io import BytesIO
from pathlib import Path

from titanic_release.project import REPO_ROOT
from titanic_release.promote import PIN, REQUIREMENTS, Refused, _git, current_pin, rollback


def previous_release(root: Path) -> tuple[str, str]:
    """(commit, version) of the release before the current pin: the parent of the commit that
    last moved api/requirements.txt's pin, checked to pin another version."""
    moved = _git(root, "log", "-1", "--format=%H", "--", str(REQUIREMENTS)).strip()
    if not moved:
        raise Refused(f"{REQUIREMENTS} has no history")
    commit = _git(root, "rev-parse", f"{moved}^").strip()
    match = PIN.search(_git(root, "show", f"{commit}:{REQUIREMENTS}"))
    if match is None or match[1] == current_pin(root):
        raise Refused(f"the commit before {moved[:12]} pins no other version")
    return commit, match[1]


def export_tree(root: Path, commit: str, directory: Path) -> Path:
    """`commit`'s tree as files under `directory` (Railway builds api/Dockerfile from its root)."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit], cwd=root, capture_output=True, check=True
    ).stdout
    directory.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(directory, filter="data")
    return directory


def _step(command: list[str], environ: Mapping[str, str]) -> None:
    print(f"rollback: $ {shlex.join(command)}", flush=True)
    if subprocess.run(command, env=dict(environ), check=False).returncode != 0:
        raise Refused(f"{command[0]} failed: production may still serve the release being undone")


def roll_back(
    root: Path, api_url: str, wait: float, smoke: list[str], environ: Mapping[str, str]
) -> str:
    """Deploy the previous release, prove it answers, then commit the pin back."""
    current = current_pin(root)
    commit, version = previous_release(root)
    print(f"rollback: {current} -> {version}, the release of commit {commit}", flush=True)
    tree = export_tree(root, commit, root / "build" / "rollback" / commit)
    make = ["make", "--no-print-directory", "-C", str(REPO_ROOT), "deploy-api"]
    _step([*make, f"DEPLOY_DIR={tree}", f"RELEASE_ID={commit}"], environ)
    _step(
        [
            *smoke,
            *("--url", api_url, "--expected-release", commit),
            *("--expected-version", version, "--wait", f"{wait:g}"),
        ],
        environ,
    )
    return rollback(root)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--api-url", default=environ.get("API_URL"), help="default: $API_URL")
    parser.add_argument("--wait", type=float, default=300.0, help="seconds the smoke test waits")
    parser.add_argument(
        "--smoke", default=".venv/bin/tox run -e smoke --", help="the smoke test's command"
    )
    parser.add_argument("--root", type=Path, default=REPO_ROOT)
    args = parser.parse_args(argv)
    try:
        if not args.api_url:
            raise Refused("API_URL (the production API's base URL) is not set")
        smoke = shlex.split(args.smoke)
        print(roll_back(args.root, args.api_url, args.wait, smoke, environ), end="")
    except Refused as refused:
        print(f"rollback: refused: {refused}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
