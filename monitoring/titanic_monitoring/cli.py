"""titanic-monitor --store-url URL --since 7d --output DIR [--push PUSHGATEWAY_URL]

Exit 0: nothing drifted and no quality figure degraded beyond the thresholds. 1: something did
(the summary says what). 2: no report could be made (store unreachable, no rows in the window,
bad arguments), or --push could not reach the Pushgateway.
"""

import argparse
import os
import re
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from titanic_monitoring.push import PushError, push
from titanic_monitoring.store import StoreError, read_window
from titanic_monitoring.thresholds import DEFAULT_FILE, load_thresholds

EXIT_OK, EXIT_DRIFT, EXIT_NO_REPORT = 0, 1, 2  # 1: drift or degraded quality
_DURATION = re.compile(r"(\d+)([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str) -> timedelta:
    """'7d', '24h', '30m', '2w' -> a timedelta."""
    match = _DURATION.fullmatch(text.strip())
    if match is None or int(match[1]) == 0:
        raise argparse.ArgumentTypeError(f"expected a duration like 7d, 24h or 30m, got {text!r}")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="titanic-monitor", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--store-url",
        default=os.environ.get("PREDICTION_STORE_URL"),
        help="SQLAlchemy URL of the prediction store (default: $PREDICTION_STORE_URL)",
    )
    parser.add_argument("--since", type=parse_since, default="7d", help="window, e.g. 7d, 24h")
    parser.add_argument("--output", type=Path, required=True, help="directory for the report")
    parser.add_argument("--thresholds", type=Path, default=DEFAULT_FILE, help="thresholds YAML")
    parser.add_argument(
        "--push",
        metavar="URL",
        default=os.environ.get("PUSHGATEWAY_URL"),
        help="Prometheus Pushgateway to push the verdict to, user:password@ for basic auth "
        "(default: $PUSHGATEWAY_URL, which keeps a password out of command logs)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return EXIT_NO_REPORT if exit_.code else EXIT_OK
    code, summary = _report(args)
    if args.push:
        try:
            push(args.push, code, summary)
        except PushError as error:
            print(f"titanic-monitor: {error}", file=sys.stderr)
            return EXIT_NO_REPORT
        print("Pushed the verdict to the Pushgateway.")
    return code


def _report(args: argparse.Namespace) -> tuple[int, dict[str, Any] | None]:
    """The report's exit code, and its summary when one was made."""
    if not args.store_url:
        return _no_report("no store: pass --store-url or set PREDICTION_STORE_URL"), None
    try:
        thresholds = load_thresholds(args.thresholds)
        window = read_window(args.store_url, args.since)
    except (StoreError, ValueError, KeyError, OSError) as error:
        return _no_report(str(error)), None
    # Evidently reports usage unless told not to; a monitoring job has no business phoning home.
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("ITERATIVE_DO_NOT_TRACK", "1")
    from titanic_monitoring import reference  # loads the model: after the checks
    from titanic_monitoring.report import build_report

    try:
        summary = build_report(
            window,
            reference.reference_frame(),
            reference.held_out_metrics(),
            reference.held_out_probabilities(),
            thresholds,
            args.output,
        )
    except ValueError as error:
        return _no_report(str(error)), None
    except OSError as error:  # a full disk or an output path under a file: not a drift (exit 1)
        return _no_report(f"cannot write the report to {args.output}: {error}"), None
    rows, report = summary["rows"]["window"], args.output / "report.html"
    quality = summary["quality"]
    labelled = (
        f"{quality['labelled_rows']} with outcomes"
        if quality["measured"]
        else "too few outcomes: quality estimate only"
    )
    if summary["reasons"]:
        verdict = summary["verdict"].upper()
        reasons = "; ".join(summary["reasons"])
        print(f"Verdict: {verdict} (exit 1) over {rows} rows ({labelled}): {reasons}.")
    else:
        print(f"Verdict: no drift (exit 0) over {rows} rows ({labelled}): nothing beyond limits.")
    print(f"Report: {report}")
    return (EXIT_DRIFT if summary["reasons"] else EXIT_OK), summary


def _no_report(reason: str) -> int:
    """Nothing to judge is a verdict of its own: said on stdout, the reason on stderr."""
    print("Verdict: no report (exit 2): nothing to compare, see below.")
    print(f"titanic-monitor: {reason}", file=sys.stderr)
    return EXIT_NO_REPORT


if __name__ == "__main__":
    sys.exit(main())
