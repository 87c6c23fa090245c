"""Upload the built distributions of the current VERSION with `twine upload`.

The target is whatever twine's own variables say (`TWINE_REPOSITORY_URL`, `TWINE_USERNAME`,
`TWINE_PASSWORD`), so the same command publishes to Gemfury
(`TWINE_REPOSITORY_URL=https://push.fury.io/<account>/`). When `TWINE_REPOSITORY_URL` is unset the
target is the local index under `.index/`, started if it is not running.

A version is published once: the index refuses a second upload of the same files, and this script
then fails with a message that says so. `--reuse-existing` (used by `make run`, with
`--local-index`, and by CI on main, where a merge need not bump VERSION) instead treats files
already on the index as published and leaves them untouched. Gemfury's push URL cannot be listed,
so for a remote index the files are looked up through `PIP_EXTRA_INDEX_URL`, its read URL.

    python tools/publish.py [--dist-dir dist] [--reuse-existing] [--local-index]

As a library: `upload(files, twine_env)` uploads explicit files to an explicit target, e.g. a
throwaway `tools.local_index.running_index(...)`'s `twine_env()`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `tools` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.local_index import DEFAULT_STATE_DIR, ensure_background_index
from tools.simple_index import IndexUnavailableError, project_files

REPO_ROOT = Path(__file__).resolve().parents[1]
VERSION_FILE = REPO_ROOT / "model_package" / "titanic_model" / "VERSION"
PROJECT = "titanic-survival-model"
DIST_NAME = "titanic_survival_model"  # the distribution name as it appears in file names
TWINE_VARIABLES = ("TWINE_REPOSITORY_URL", "TWINE_USERNAME", "TWINE_PASSWORD")


class PublishError(RuntimeError):
    """Publishing failed for a reason the user can act on."""


def current_version() -> str:
    return VERSION_FILE.read_text(encoding="utf-8").strip()


def distributions(dist_dir: Path, version: str) -> list[Path]:
    """The sdist and wheel of `version` in `dist_dir`; both must be there."""
    wheels = sorted(dist_dir.glob(f"{DIST_NAME}-{version}-*.whl"))
    sdists = sorted(dist_dir.glob(f"{DIST_NAME}-{version}.tar.gz"))
    if not wheels or not sdists:
        raise PublishError(
            f"no sdist + wheel of version {version} in {dist_dir}/ (found: "
            f"{sorted(p.name for p in dist_dir.glob('*'))}); build them first (tox -e build)"
        )
    return [*sdists, *wheels]


def resolve_target(environ: Mapping[str, str], *, local_index: bool = False) -> dict[str, str]:
    """twine's variables: taken from the environment when a repository URL is set there (and
    `local_index` is not forced), otherwise those of the local index (started if needed)."""
    if environ.get("TWINE_REPOSITORY_URL") and not local_index:
        return {name: environ[name] for name in TWINE_VARIABLES if name in environ}
    if environ.get("CIRCLECI") and not local_index:
        # On CI a missing variable must not turn "publish to Gemfury" into a local no-op.
        raise PublishError(
            "TWINE_REPOSITORY_URL is not set; refusing to publish to a local index on CI"
        )
    index, started = ensure_background_index(DEFAULT_STATE_DIR)
    state = "started" if started else "running"
    print(f"Publishing to the local index ({state}) {index.url}")
    return index.twine_env()


def published_files(twine_env: Mapping[str, str], project: str = PROJECT) -> set[str] | None:
    """File names of `project` on a pypiserver-style index (simple page under the upload URL).

    None when the index has no such page to ask (e.g. Gemfury's push URL) or cannot be reached.
    """
    simple_url = twine_env["TWINE_REPOSITORY_URL"].rstrip("/") + "/simple/"
    user, password = twine_env.get("TWINE_USERNAME", ""), twine_env.get("TWINE_PASSWORD", "")
    try:
        return project_files(simple_url, project, username=user, password=password, timeout=10)
    except IndexUnavailableError:
        return None


def files_on_read_index(read_url: str, project: str = PROJECT) -> set[str] | None:
    """File names of `project` on a simple index given as pip takes it (credentials in the URL)."""
    try:
        return project_files(read_url, project, timeout=10)
    except IndexUnavailableError:
        return None


def upload(
    files: Sequence[Path],
    twine_env: Mapping[str, str],
    *,
    reuse_existing: bool = False,
    python: str = sys.executable,
) -> None:
    """Run `twine upload` for `files` against `twine_env`; raise PublishError on refusal.

    With `reuse_existing`, files the index already holds are left alone (make run's second run).
    Credentials travel in the environment, never on the command line (visible in `ps`); twine
    does not print them.
    """
    if reuse_existing:
        existing = published_files(twine_env)
        read_url = os.environ.get("PIP_EXTRA_INDEX_URL")
        if existing is None and read_url:
            existing = files_on_read_index(read_url)
        existing = existing or set()
        already = [path for path in files if path.name in existing]
        for path in already:
            print(f"Already on the index, reusing it: {path.name}")
        files = [path for path in files if path.name not in existing]
        if not files:
            return
    command = [python, "-m", "twine", "upload", "--non-interactive", "--disable-progress-bar"]
    command.extend(str(path) for path in files)
    result = subprocess.run(
        command,
        env={**os.environ, **twine_env},
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        check=False,
    )
    print(result.stdout, end="")
    if result.returncode == 0:
        return
    if "401 Unauthorized" in result.stdout or "403 Forbidden" in result.stdout:
        raise PublishError(
            "the index refused the credentials; check TWINE_USERNAME / TWINE_PASSWORD "
            "(for Gemfury: TWINE_USERNAME=<push token>, TWINE_PASSWORD empty)"
        )
    on_index = published_files(twine_env) or set()
    refused = [path.name for path in files if path.name in on_index]
    if refused:
        raise PublishError(
            f"the index already holds {', '.join(refused)} "
            "and refuses to overwrite them: a published version is immutable. Bump "
            "model_package/titanic_model/VERSION to publish a new model, or pass "
            "--reuse-existing to keep the published files (make run does)"
        )
    raise PublishError(f"twine upload failed with exit code {result.returncode}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist-dir", type=Path, default=REPO_ROOT / "dist")
    parser.add_argument(
        "--reuse-existing",
        action="store_true",
        help="treat a version already on the index as published instead of failing",
    )
    parser.add_argument(
        "--local-index",
        action="store_true",
        help="publish to the local index even when TWINE_REPOSITORY_URL is set",
    )
    args = parser.parse_args(argv)
    try:
        files = distributions(args.dist_dir, current_version())
        target = resolve_target(os.environ, local_index=args.local_index)
        upload(files, target, reuse_existing=args.reuse_existing)
    except PublishError as error:
        sys.stdout.flush()
        print(f"publish failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
