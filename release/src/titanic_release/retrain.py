"""Retrain on what production learned, behind the same gates as a hand-made release.

    python -m titanic_release.retrain --store-url URL|env:NAME --since 90d [--local-index]

1. The window's labelled rows are read from the prediction store the way the traffic replay reads
   them (titanic_release.traffic), duplicates, rows the contract rejects and rows that repeat a
   held-out passenger left out and counted (retrain_rows, retrain_judge). Fewer than
   retrain.yml's minimum: exit 2, nothing written.
2. The package's own `train` fits them beside the historical training split, with config.yml
   unchanged, into a copy of the package source under build/retrain/VERSION/ whose VERSION is
   the next patch's dev release (docs/releasing.md says why). The source tree's model is untouched.
3. The candidate is judged against the current VERSION (the one the API pins) by non-inferiority
   on the held-out rows, with paired intervals (retrain_judge); it must also answer every held-out,
   edge-case and recorded-traffic row. gate.yml's change budgets are reported, not applied: they
   are for code changes. Reports in reports/retrain/VERSION/.
4. Only when it passes: PyPA build, twine check, and upload to the private index (twine's
   variables, else the local index). api/requirements.txt is never changed: promotion is a
   reviewed change of its pin.

Exit codes: 0 passed and published; 1 refused (nothing built or published) or building
or publishing failed; 2 nothing trained (too few rows, bad arguments, unreadable store).
"""

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from titanic_model import ModelMetadata, ProductionSnapshot, __version__, train
from titanic_release.baseline import run_capture_script
from titanic_release.candidate_version import candidate_version
from titanic_release.capture import capture
from titanic_release.commands import CommandError
from titanic_release.compare import Comparison, compare
from titanic_release.gate import load_gate
from titanic_release.inputs import InputSet, build_input_set, write_input_file
from titanic_release.project import REPO_ROOT, REPORTS_DIR
from titanic_release.publish import (
    PublishError,
    add_local_index_flag,
    build_checked,
    resolve_target,
    upload,
)
from titanic_release.report import write_report
from titanic_release.retrain_config import RetrainConfigError, load_retrain_settings
from titanic_release.retrain_judge import judge, leave_out_held_out
from titanic_release.retrain_report import (
    budgets_line,
    refusal_reasons,
    retrain_summary,
    verdict_text,
)
from titanic_release.retrain_rows import TrainingRows, usable_rows, write_snapshot
from titanic_release.traffic import Traffic, TrafficError, parse_since, read_traffic, store_url
from titanic_release.venvs import clean_env

BUILD_DIR = REPO_ROOT / "build" / "retrain"
REPORT_DIR = REPORTS_DIR / "retrain"
SNAPSHOT_FILE = "production_rows.csv"
TOO_FEW_ROWS = 2


class RetrainError(RuntimeError):
    """The candidate could not be trained, captured, built or published; the message says why."""


def stage_source(version: str, directory: Path) -> Path:
    """A copy of what builds the package (pyproject.toml, model_package/) with VERSION set to
    `version` and no trained model yet; returns the copy's trained_models directory."""
    shutil.copy2(REPO_ROOT / "pyproject.toml", directory / "pyproject.toml")
    shutil.copytree(
        REPO_ROOT / "model_package",
        directory / "model_package",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "titanic_model_v*"),
    )
    package = directory / "model_package" / "titanic_model"
    (package / "VERSION").write_text(version + "\n", encoding="utf-8")
    return package / "trained_models"


def capture_candidate(source: Path, inputs_file: Path, workdir: Path) -> dict[str, Any]:
    """The candidate's predictions through its own make_prediction, imported from the staged
    copy (a child process, since this one has imported the current version)."""
    try:
        captured, location = run_capture_script(
            [sys.executable],
            inputs_file,
            workdir / f"candidate_{inputs_file.stem}.json",
            f"capturing the candidate's predictions from {source}",
            clean_env(PYTHONPATH=str(source / "model_package")),
        )
    except CommandError as error:
        raise RetrainError(str(error)) from None
    if not location.is_relative_to(source.resolve()):
        raise RetrainError(f"the candidate was imported from {location}, not from {source}")
    return captured


def gate(
    inputs: InputSet, name: str, candidate_source: Path, workdir: Path, description: str | None
) -> Comparison:
    """The current version against the candidate on `inputs`, with the gate's own tolerances."""
    inputs_file = write_input_file(inputs, workdir / f"{name}.json")
    return compare(
        capture(inputs_file),
        capture_candidate(candidate_source, inputs_file, workdir),
        inputs,
        load_gate(),
        baseline_origin=f"the current version {__version__}, the one api/requirements.txt pins",
        candidate_origin="retrained on the prediction store's outcomes (make retrain)",
        inputs_description=description,
    )


@dataclass(frozen=True)
class Candidate:
    version: str
    metadata: ModelMetadata
    source: Path  # the staged package source holding the candidate's model


def train_candidate(
    traffic: Traffic, rows: TrainingRows, work: Path, version: str, now: datetime
) -> Candidate:
    """The package's `train` on the historical split plus `rows`, into a staged copy."""
    work.mkdir(parents=True)
    snapshot = write_snapshot(rows, work / SNAPSHOT_FILE)
    source = work / "source"
    source.mkdir()
    model_dir = stage_source(version, source)
    production = ProductionSnapshot(
        path=snapshot,
        store=traffic.store,
        since=traffic.since.isoformat(timespec="seconds"),
        until=now.isoformat(timespec="seconds"),
        left_out={**rows.left_out, "rejected_by_api": traffic.rejected_rows},
    )
    metadata = train(model_dir=model_dir, production=production, version=version)
    return Candidate(version, metadata, source)


def retrain(
    url: str,
    since: timedelta,
    publish_target: Callable[[], Mapping[str, str]],
    *,
    build_dir: Path = BUILD_DIR,
    report_dir: Path = REPORT_DIR,
    now: datetime | None = None,
) -> int:
    """Everything the module doc says; returns the exit code."""
    now = now or datetime.now(UTC)
    settings = load_retrain_settings()
    labelled = read_traffic(url, since, settings.max_labelled_rows, now, labelled_only=True)
    held_out = build_input_set()
    rows = leave_out_held_out(usable_rows(labelled.inputs), held_out)
    left_out = ", ".join(f"{count} {reason}" for reason, count in rows.left_out.items())
    print(
        f"retrain: {len(rows.row_ids)} usable labelled rows in {labelled.describe()} "
        f"(left out: {left_out})"
    )
    if len(rows.row_ids) < settings.min_labelled_rows:
        print(
            f"retrain: {len(rows.row_ids)} usable labelled rows, fewer than the minimum "
            f"{settings.min_labelled_rows} (retrain.yml): nothing trained or written",
            file=sys.stderr,
        )
        return TOO_FEW_ROWS

    version = candidate_version(__version__, now)
    work, reports = build_dir / version, report_dir / version
    candidate = train_candidate(labelled, rows, work, version, now)
    print(
        f"candidate {version}: trained on {candidate.metadata.rows.train} rows "
        f"({len(rows.row_ids)} from production)"
    )
    traffic = read_traffic(url, since, now=now)
    comparisons = {
        "held_out": gate(held_out, "held_out", candidate.source, work, None),
        "traffic": gate(traffic.inputs, "traffic", candidate.source, work, traffic.describe()),
    }
    reports.mkdir(parents=True, exist_ok=True)
    metadata_file = reports / "metadata.json"
    metadata_file.write_text(candidate.metadata.model_dump_json(indent=2) + "\n", encoding="utf-8")
    for name, comparison in comparisons.items():
        report = write_report(comparison, name, reports)
        print(f"{budgets_line(name.replace('_', '-'), comparison)}; report {report}")
    judgement = judge(comparisons["held_out"], held_out, settings.non_inferiority)
    refusals = refusal_reasons(judgement, comparisons["traffic"])
    print(verdict_text(judgement, refusals))
    passed = not refusals
    published = publish(candidate, publish_target) if passed else []
    if not passed:
        print(f"refused: {version} was not built or published")
    summary = retrain_summary(version, rows, labelled.rejected_rows, judgement, comparisons)
    summary.update(current_version=__version__, reasons=refusals, published=published)
    (reports / "retrain.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0 if passed else 1


def publish(candidate: Candidate, publish_target: Callable[[], Mapping[str, str]]) -> list[str]:
    """Build the candidate and upload it; the names of the files published."""
    files = build_checked(candidate.source, candidate.source.parent / "dist")
    try:
        upload(files, publish_target())
    except PublishError as error:
        raise RetrainError(f"publishing {candidate.version}: {error}") from None
    names = [path.name for path in files]
    print(f"published {candidate.version}: {', '.join(names)}; api/requirements.txt unchanged")
    return names


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--store-url",
        required=True,
        help="the prediction store (SQLAlchemy URL, or env:NAME to read it from the variable "
        "NAME); a read-only role is enough",
    )
    parser.add_argument("--since", default="90d", help="window of stored rows (default 90d)")
    add_local_index_flag(parser)
    args = parser.parse_args(argv)
    try:
        url = store_url(args.store_url, environ)
        since = parse_since(args.since)
    except ValueError as error:
        parser.error(str(error))  # exit 2
    try:
        return retrain(url, since, lambda: resolve_target(environ, local_index=args.local_index))
    except (TrafficError, RetrainConfigError) as error:
        print(f"retrain: {error}", file=sys.stderr)
        return TOO_FEW_ROWS
    except (RetrainError, PublishError) as error:
        print(f"retrain failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
