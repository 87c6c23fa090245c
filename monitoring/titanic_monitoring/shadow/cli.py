"""titanic-shadow-report --store-url URL --since 7d --output DIR [--version V] [--rules FILE]

Pairs live and shadow answers by the live id and writes report.html and summary.json to DIR.
Exit 0 PROMOTE, 1 REJECT, 2 INSUFFICIENT (also when there is nothing to pair), 3 when no verdict
can be made: the store or the rules cannot be read, or the report cannot be written (a traceback
would exit 1, REJECT). The store URL is never printed (it may hold a password).
"""

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from titanic_model.settings_yaml import SettingsError
from titanic_monitoring.cli import parse_since
from titanic_monitoring.shadow.html import render
from titanic_monitoring.shadow.pairs import NoPairsError, PairsError, read_pairs
from titanic_monitoring.shadow.summary import summarise
from titanic_paired.rules import DEFAULT_FILE, load_rules
from titanic_paired.verdict import INSUFFICIENT

EXIT_UNREADABLE = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="titanic-shadow-report", description=__doc__)
    parser.add_argument("--store-url", default=os.environ.get("PREDICTION_STORE_URL"))
    parser.add_argument("--since", type=parse_since, default="7d", help="window, e.g. 7d, 24h")
    parser.add_argument("--output", type=Path, required=True, help="directory for the report")
    parser.add_argument("--version", help="the candidate's version (default: newest in window)")
    parser.add_argument("--rules", type=Path, default=DEFAULT_FILE, help="decision rules file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.store_url:
        print(
            "titanic-shadow-report: pass --store-url or set PREDICTION_STORE_URL", file=sys.stderr
        )
        return EXIT_UNREADABLE
    try:
        rules = load_rules(args.rules)
    except SettingsError as error:
        print(f"titanic-shadow-report: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        version, frame = read_pairs(args.store_url, args.since, args.version)
    except NoPairsError as error:
        print(f"titanic-shadow-report: INSUFFICIENT: {error}", file=sys.stderr)
        return INSUFFICIENT
    except PairsError as error:
        print(f"titanic-shadow-report: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    summary = summarise(version, frame, rules)
    try:
        args.output.mkdir(parents=True, exist_ok=True)
        (args.output / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        (args.output / "report.html").write_text(render(summary), encoding="utf-8")
    except OSError as error:  # a full disk, an output under a file
        print(f"titanic-shadow-report: cannot write the report: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    print(f"shadow report for {version}: {summary['verdict']}")
    for reason in summary["reasons"]:
        print(f"  {reason}")
    print(f"report: {args.output / 'report.html'}")
    exit_code: int = summary["exit_code"]
    return exit_code


if __name__ == "__main__":
    raise SystemExit(main())
