"""`make deploy-shadow`: the API's tree copied with a candidate's pin, for `make deploy-api` to
deploy as the shadow Railway service (docs/deploy-railway.md#a-shadow-service).

    python -m titanic_release.shadow_api --output DIR [--version CANDIDATE]

The shadow's image differs from live's by the pin only, so the copy is what the image is built
from, as it is here: api/, store/, masking/ and the root's .dockerignore and .railwayignore (less
what .dockerignore keeps out of an image anyway, and the local SQLite store), with
api/requirements.txt pinning the candidate. Without --version the candidate is the one make
retrain published last: the newest reports/retrain/*/retrain.json that lists published files
(CircleCI's retrain job hands its reports to the deploy_shadow job). Prints the version.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from titanic_release.project import DIST_NAME, REPO_ROOT, REPORTS_DIR
from titanic_release.promote import PIN

RETRAIN_REPORTS = REPORTS_DIR / "retrain"
LEFT_OUT = ("__pycache__", "*.pyc", "*.egg-info", "build", ".env", "data")
# What api/Dockerfile is built from, relative to the repository's root (the image's context).
TREE = ("api", "store", "masking")
IGNORE_FILES = (".dockerignore", ".railwayignore")


class NoCandidate(Exception):  # noqa: N818 - a refusal, not an error
    """No version to deploy as the shadow."""


def published_candidate(reports: Path = RETRAIN_REPORTS) -> str:
    """The version of the newest retrain report that published its candidate."""
    summaries = sorted(reports.glob("*/retrain.json"), key=lambda path: path.stat().st_mtime)
    for path in reversed(summaries):
        summary = json.loads(path.read_text(encoding="utf-8"))
        if summary.get("published"):
            return str(summary["version"])
    raise NoCandidate(f"no retrain report in {reports}/ published a candidate (make retrain)")


def shadow_api(version: str, output: Path, root: Path = REPO_ROOT) -> Path:
    """`root`'s API tree copied to `output` (replaced) with api/requirements.txt pinning
    `version`."""
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    for name in TREE:
        if (root / name).is_dir():
            shutil.copytree(root / name, output / name, ignore=shutil.ignore_patterns(*LEFT_OUT))
    for name in IGNORE_FILES:
        if (root / name).is_file():
            shutil.copy2(root / name, output / name)
    requirements = output / "api" / "requirements.txt"
    text = requirements.read_text(encoding="utf-8")
    if not PIN.search(text):
        raise NoCandidate(f"{root / 'api' / 'requirements.txt'} pins no {DIST_NAME}")
    requirements.write_text(PIN.sub(f"{DIST_NAME}=={version}", text), encoding="utf-8")
    return output


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, required=True, help="where the copy goes")
    parser.add_argument("--version", default="", help="default: make retrain's last published")
    args = parser.parse_args(argv)
    try:
        version = args.version or published_candidate()
        shadow_api(version, args.output)
    except NoCandidate as error:
        print(f"deploy-shadow: {error}", file=sys.stderr)
        return 1
    print(f"deploy-shadow: {args.output}/ is the API's tree pinning {DIST_NAME}=={version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
