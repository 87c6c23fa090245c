"""The `titanic-model` command: train, evaluate, predict a CSV, show what is installed."""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from titanic_model.config import config
from titanic_model.processing.schemas import PredictionResult
from titanic_model.version import __version__


def _is_up_to_date() -> bool:
    """Whether this version's artifact is intact and was trained from the current definition."""
    from titanic_model.processing.artifact_files import load_metadata
    from titanic_model.processing.artifacts import load_artifact
    from titanic_model.processing.errors import ArtifactError
    from titanic_model.scorer import load_scorer
    from titanic_model.train_pipeline import training_fingerprint

    try:
        load_artifact(__version__)
        load_scorer(__version__)
        metadata = load_metadata(__version__)
    except ArtifactError as exc:
        print(f"training: {exc}", file=sys.stderr)
        return False
    if metadata.get("training_fingerprint") != training_fingerprint(config.data.sha256):
        print(
            "training: config, data or pipeline code changed since the last training",
            file=sys.stderr,
        )
        return False
    return True


def _train(args: argparse.Namespace) -> int:
    from titanic_model.train_pipeline import train

    if args.if_missing and args.data is None and _is_up_to_date():
        print(f"the artifact for version {__version__} is present and up to date; not retraining")
        return 0
    metadata = train(args.data)
    print(json.dumps(metadata["held_out_metrics"], indent=2))
    return 0


def _evaluate(_: argparse.Namespace) -> int:
    """Score the held-out split with the installed artifact and apply the quality gate."""
    from titanic_model.evaluation import classification_metrics, quality_gate_failures
    from titanic_model.predict import make_prediction
    from titanic_model.processing.data_manager import load_held_out

    held_out = load_held_out()
    result = make_prediction(input_data=held_out)
    probabilities = np.array(result["probabilities"], dtype=float)
    metrics = classification_metrics(held_out[config.target], probabilities)
    print(json.dumps({"version": __version__, "held_out_metrics": metrics}, indent=2))
    failures = quality_gate_failures(metrics, config.quality_gate)
    for failure in failures:
        print(f"quality gate failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _progress(done_bytes: int, total_bytes: int, rows: int) -> None:
    share = done_bytes / total_bytes if total_bytes else 1.0
    bar = "#" * int(share * 30)
    print(f"\r[{bar:<30}] {share:6.1%} {rows:,} rows", end="", file=sys.stderr, flush=True)


def annotate(chunk: pd.DataFrame, result: PredictionResult) -> tuple[pd.DataFrame, int]:
    """The chunk with prediction, probability and error columns; and how many rows are invalid."""
    messages: dict[int, list[str]] = {}
    for error in result["errors"] or []:
        row = error["row"] if error["row"] is not None else 0
        messages.setdefault(row, []).append(f"{error['field']}: {error['message']}")
    errors = [""] * len(chunk)
    for row, texts in messages.items():
        errors[row] = "; ".join(texts)
    annotated = chunk.assign(
        prediction=pd.array(result["predictions"], dtype="Int64"),
        probability=pd.array(result["probabilities"], dtype="Float64"),
        error=errors,
    )
    return annotated, len(messages)


def _predict(args: argparse.Namespace) -> int:
    """Stream the CSV in chunks so memory stays bounded whatever the file's size."""
    from titanic_model.predict import make_prediction

    total_bytes = args.input.stat().st_size
    rows_done = 0
    invalid_rows = 0
    with (
        args.input.open("rb") as source,
        args.output.open("w", newline="", encoding="utf-8") as sink,
    ):
        reader = pd.read_csv(
            source, chunksize=args.chunk_rows, na_values=[config.data.missing_marker]
        )
        for chunk_number, chunk in enumerate(reader):
            annotated, invalid = annotate(chunk, make_prediction(input_data=chunk))
            annotated.to_csv(sink, index=False, header=chunk_number == 0)
            invalid_rows += invalid
            rows_done += len(chunk)
            _progress(source.tell(), total_bytes, rows_done)
    print(file=sys.stderr)
    print(
        f"scored {rows_done - invalid_rows:,} of {rows_done:,} rows into {args.output}; "
        f"{invalid_rows:,} rows invalid (see the error column)",
        file=sys.stderr,
    )
    return 0


def _info(_: argparse.Namespace) -> int:
    from titanic_model.predict import model_metadata

    metadata = model_metadata()
    keys = (
        "version",
        "trained_at",
        "git_commit",
        "data_sha256",
        "rows",
        "held_out_metrics",
        "library_versions",
        "artifact_file",
        "artifact_sha256",
        "scorer_file",
        "scorer_sha256",
    )
    print(json.dumps({key: metadata.get(key) for key in keys}, indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="titanic-model", description=__doc__)
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train and save the artifact for this version")
    train.add_argument("--data", type=Path, help="training CSV (default: the packaged titanic3)")
    train.add_argument(
        "--if-missing",
        action="store_true",
        help="only train when the artifact is missing, fails its checks, or is out of date",
    )
    train.set_defaults(handler=_train)

    evaluate = commands.add_parser("evaluate", help="held-out metrics against the quality gate")
    evaluate.set_defaults(handler=_evaluate)

    predict = commands.add_parser("predict", help="score a CSV of passengers in chunks")
    predict.add_argument("--input", type=Path, required=True)
    predict.add_argument("--output", type=Path, required=True)
    predict.add_argument("--chunk-rows", type=int, default=config.predict_chunk_rows)
    predict.set_defaults(handler=_predict)

    info = commands.add_parser("info", help="version, metrics and checksum of the installed model")
    info.set_defaults(handler=_info)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except Exception as exc:  # a CLI reports failures in one line, not a traceback
        from titanic_model.processing.errors import ArtifactError

        if not isinstance(exc, ArtifactError | OSError | ValueError):
            raise
        print(f"titanic-model: error: {exc}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    raise SystemExit(main())
