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

    python -m titanic_release.publish [--dist-dir dist] [--reuse-existing] [--local-index]

As a library: `upload(files, twine_env)` uploads explicit files to an explicit target, e.g. a
throwaway `titanic_release.local_index.running_index(...)`'s `twine_env()`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from titanic_release.commands import CommandError, run
from titanic_release.local_index import DEFAULT_STATE_DIR, ensure_background_index
from titanic_release.project import DIST_FILE_PREFIX, DIST_NAME, REPO_ROOT, current_version
from titanic_release.simple_index import IndexUnavailableError, SimpleIndex

TWINE_VARIABLES = ("TWINE_REPOSITORY_URL", "TWINE_USERNAME", "TWINE_PASSWORD")


class PublishError(RuntimeError):
    """Publishing failed for a reason the user can act on."""


def distributions(dist_dir: Path, version: str) -> list[Path]:
    """The sdist and wheel of `version` in `dist_dir`; both must be there."""
    wheels = sorted(dist_dir.glob(f"{DIST_FILE_PREFIX}-{version}-*.whl"))
    sdists = sorted(dist_dir.glob(f"{DIST_FILE_PREFIX}-{version}.tar.gz"))
    if not wheels or not sdists:
        raise PublishError(
            f"no sdist + wheel of version {version} in {dist_dir}/ (found: "
            f"{sorted(p.name for p in dist_dir.glob('*'))}); build them first (tox -e build)"
        )
    return [*sdists, *wheels]


PYPA_BUILD = (sys.executable, "-m", "build", "--installer", "uv")
"""PyPA build with uv making its isolated build environments: the same sdist and wheel, faster
than with pip (docs/performance.md#measured-choices-in-the-code)."""


def build_checked(source: Path, dist: Path) -> list[Path]:
    """sdist + wheel of `source` (make retrain's staged copy) with PyPA build, checked by twine."""
    try:
        run(
            [*PYPA_BUILD, "--sdist", "--wheel", "--outdir", dist, source],
            f"building the candidate from {source}",
        )
        files = sorted(dist.glob(f"{DIST_FILE_PREFIX}-*"))
        run([sys.executable, "-m", "twine", "check", "--strict", *files], "twine check")
    except CommandError as error:
        raise PublishError(str(error)) from None
    return files


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


def published_files(index: SimpleIndex) -> set[str] | None:
    """File names of the model's distribution on `index`; None when it cannot be asked (e.g.
    Gemfury's push URL has no simple page)."""
    try:
        return index.files(DIST_NAME)
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
        existing = published_files(SimpleIndex.from_twine_env(twine_env, timeout=10))
        read_url = os.environ.get("PIP_EXTRA_INDEX_URL")
        if existing is None and read_url:
            existing = published_files(SimpleIndex(read_url, timeout=10))
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
    on_index = published_files(SimpleIndex.from_twine_env(twine_env, timeout=10)) or set()
    refused = [path.name for path in files if path.name in on_index]
    if refused:
        raise PublishError(
            f"the index already holds {', '.join(refused)} "
            "and refuses to overwrite them: a published version is immutable. Bump "
            "model_package/titanic_model/VERSION to publish a new model, or pass "
            "--reuse-existing to keep the published files (make run does)"
        )
    raise PublishError(f"twine upload failed with exit code {result.returncode}")


def add_local_index_flag(parser: argparse.ArgumentParser) -> None:
    """--local-index, for every command that publishes."""
    parser.add_argument(
        "--local-index",
        action="store_true",
        help="publish to the local index even when TWINE_REPOSITORY_URL is set",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist-dir", type=Path, default=REPO_ROOT / "dist")
    parser.add_argument(
        "--reuse-existing",
        action="store_true",
        help="treat a version already on the index as published instead of failing",
    )
    add_local_index_flag(parser)
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
