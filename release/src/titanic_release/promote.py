"""`make promote VERSION=<candidate>` and `make rollback`: the pin moves as a reviewed commit.

promote refuses unless the shadow report (summary.json, `make shadow-report`) says PROMOTE for that
very version and is younger than its rules' max_report_age_hours; it then moves every place that
names the served version (api/requirements.txt's pin, the package's VERSION, which a test holds
equal) and commits with the report's summary in the message, so the change carries its evidence.
rollback moves them back to the pin before the current one in git history, committed the same way;
deploying that commit is the pipeline's (docs/shadow.md#promote-and-roll-back).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from titanic_release.project import DIST_NAME, REPO_ROOT

REQUIREMENTS = Path("api/requirements.txt")
VERSION_FILE = Path("model_package/titanic_model/VERSION")
PIN = re.compile(rf"^{re.escape(DIST_NAME)}==(\S+)$", re.MULTILINE)


class Refused(Exception):  # noqa: N818 - a refusal, not an error
    """Why the pin does not move."""


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise Refused(f"git {args[0]} failed: {done.stderr.strip()}")
    return done.stdout


def current_pin(root: Path) -> str:
    match = PIN.search((root / REQUIREMENTS).read_text(encoding="utf-8"))
    if match is None:
        raise Refused(f"{REQUIREMENTS} pins no {DIST_NAME}")
    return match[1]


def move_pin(root: Path, version: str) -> None:
    path = root / REQUIREMENTS
    path.write_text(PIN.sub(f"{DIST_NAME}=={version}", path.read_text(encoding="utf-8")))
    (root / VERSION_FILE).write_text(version + "\n", encoding="utf-8")


def checked_report(report_dir: Path, version: str, now: datetime) -> dict[str, Any]:
    path = report_dir / "summary.json"
    if not path.is_file():
        raise Refused(f"no shadow report at {path}: run make shadow-report first")
    summary: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if summary.get("candidate_version") != version:
        raise Refused(f"the report judges {summary.get('candidate_version')}, not {version}")
    if summary.get("verdict") != "PROMOTE":
        verdict, reasons = summary.get("verdict"), summary.get("reasons")
        raise Refused(f"the report's verdict is {verdict}: {reasons}")
    age = now - datetime.fromisoformat(summary["generated_at"])
    limit = timedelta(hours=float(summary["rules"]["max_report_age_hours"]))
    if age > limit:
        raise Refused(f"the report is {age} old, older than {limit}: run make shadow-report again")
    return summary


def commit_message(summary: dict[str, Any], previous: str) -> str:
    quality = summary["quality"]
    lines = [
        f"Promote {DIST_NAME} {summary['candidate_version']} (was {previous}): "
        "shadow report PROMOTE",
        "",
        f"Paired rows {summary['pairs']}, labelled {quality['labelled_pairs']}, "
        f"agreement {summary['flips']['agreement']:.4f}, "
        f"mean |dp| {summary['probability_shift']['mean_abs']:.4f}.",
        *summary["reasons"],
    ]
    for difference in quality.get("differences", []):
        lines.append(
            f"{difference['metric']}: live {difference['live']:.4f}, candidate "
            f"{difference['candidate']:.4f}, worse by {difference['worse_by']:+.4f} "
            f"[{difference['low']:+.4f}, {difference['high']:+.4f}]"
        )
    if "mcnemar" in quality:
        lines.append(f"exact McNemar p = {quality['mcnemar']['p_value']:.4g}")
    lines.append(f"Report generated {summary['generated_at']}.")
    return "\n".join(lines) + "\n"


def promote(root: Path, version: str, report_dir: Path, now: datetime | None = None) -> str:
    summary = checked_report(report_dir, version, now or datetime.now(UTC))
    previous = current_pin(root)
    if previous == version:
        raise Refused(f"{version} is already the pin")
    move_pin(root, version)
    message = commit_message(summary, previous)
    _git(root, "commit", "--quiet", "-m", message, "--", str(REQUIREMENTS), str(VERSION_FILE))
    return message


def previous_pin(root: Path) -> str:
    """The pin before the current one, from api/requirements.txt's git history."""
    current = current_pin(root)
    log = _git(root, "log", "--format=%H", "--", str(REQUIREMENTS))
    for commit in log.split():
        text = _git(root, "show", f"{commit}:{REQUIREMENTS}")
        match = PIN.search(text)
        if match and match[1] != current:
            return match[1]
    raise Refused("api/requirements.txt has never pinned another version")


def rollback(root: Path) -> str:
    current, previous = current_pin(root), previous_pin(root)
    move_pin(root, previous)
    message = f"Roll back {DIST_NAME} to {previous} (was {current})\n"
    _git(root, "commit", "--quiet", "-m", message, "--", str(REQUIREMENTS), str(VERSION_FILE))
    return message


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["promote", "rollback"])
    parser.add_argument("--version", help="the candidate to promote")
    parser.add_argument("--report", type=Path, default=Path("reports/shadow"))
    parser.add_argument("--root", type=Path, default=REPO_ROOT)
    args = parser.parse_args(argv)
    try:
        if args.action == "promote":
            if not args.version:
                raise Refused("make promote VERSION=<candidate>")
            print(promote(args.root, args.version, args.report), end="")
        else:
            print(rollback(args.root), end="")
    except Refused as refused:
        print(f"{args.action}: refused: {refused}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
