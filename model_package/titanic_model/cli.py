"""The `titanic-model` command: train, evaluate, predict a CSV, show what is installed."""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from titanic_model.config import config
from titanic_model.version import __version__


def _is_up_to_date() -> bool:
    """Whether this version's artifact is intact and was trained from the current definition.

    The pickle is loaded (scikit-learn imported) only when a library it names is installed here at
    another version than it was trained with: with the same definition and libraries it loads as it
    did when written, so its checksum suffices."""
    from titanic_model.processing.artifact_files import (
        artifact_paths,
        load_metadata,
        verified_bytes,
    )
    from titanic_model.processing.errors import ArtifactError
    from titanic_model.scorer import load_scorer
    from titanic_model.training.fingerprint import (
        pickled_with_these_libraries,
        training_fingerprint,
    )

    try:
        metadata = load_metadata(__version__)
        load_scorer(__version__)
        if pickled_with_these_libraries(metadata):
            verified_bytes(artifact_paths(__version__)[0], metadata.artifact_sha256)
        else:
            from titanic_model.training.artifacts import load_artifact

            load_artifact(__version__)
    except ArtifactError as exc:
        reason = str(exc).partition(";")[0]  # its advice, to train, is what happens next
        print(f"training now: {reason}", file=sys.stderr)
        return False
    except (ImportError, AttributeError) as exc:  # pickled by code that has moved since
        print(
            f"training now: the artifact names code that no longer exists ({exc})", file=sys.stderr
        )
        return False
    if metadata.training_fingerprint != training_fingerprint(config.data.sha256):
        print(
            "training now: config, data or pipeline code changed since the last training",
            file=sys.stderr,
        )
        return False
    return True


def _train(args: argparse.Namespace) -> int:
    if args.if_missing and args.data is None and _is_up_to_date():
        print(f"the artifact for version {__version__} is present and up to date; not retraining")
        return 0
    from titanic_model.training.train import train

    metadata = train(args.data)
    print(metadata.held_out_metrics.model_dump_json(indent=2))
    return 0


def _evaluate(_: argparse.Namespace) -> int:
    """Score the held-out split with the installed artifact and apply the quality gate."""
    from titanic_model.predict import make_prediction
    from titanic_model.training.data import load_held_out
    from titanic_model.training.evaluation import classification_metrics, quality_gate_failures

    held_out = load_held_out()
    result = make_prediction(input_data=held_out)
    probabilities = np.array(result["probabilities"], dtype=float)
    metrics = classification_metrics(held_out[config.target], probabilities)
    print(json.dumps({"version": __version__, "held_out_metrics": metrics}, indent=2))
    failures = quality_gate_failures(metrics, config.quality_gate)
    for failure in failures:
        print(f"quality gate failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _predict(args: argparse.Namespace) -> int:
    """Score a file (exit codes in docs/batch.md): the batch modules do the work."""
    if args.engine == "spark":
        from titanic_model.spark.files import predict_with_spark

        summary = predict_with_spark(args.input, args.output, sep=args.sep)  # paths or URIs
    else:
        from titanic_model.batch.run import predict_file

        summary = predict_file(
            Path(args.input),
            Path(args.output),
            sep=args.sep,
            chunk_rows=args.chunk_rows,
            progress=not args.no_progress,
        )
    print(summary, file=sys.stderr)
    return 0


def _info(_: argparse.Namespace) -> int:
    from titanic_model.predict import model_metadata

    # Everything but the config and the fingerprint, which only matter to training.
    shown = model_metadata().model_dump(mode="json", exclude={"config", "training_fingerprint"})
    print(json.dumps(shown, indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="titanic-model", description=__doc__)
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser(
        "train", help="train and save the artifact for this version (needs the [train] extra)"
    )
    train.add_argument("--data", type=Path, help="training CSV (default: the packaged titanic3)")
    train.add_argument(
        "--if-missing",
        action="store_true",
        help="only train when the artifact is missing, fails its checks, or is out of date",
    )
    train.set_defaults(handler=_train)

    evaluate = commands.add_parser(
        "evaluate", help="held-out metrics against the quality gate (needs the [train] extra)"
    )
    evaluate.set_defaults(handler=_evaluate)

    predict = commands.add_parser(
        "predict",
        help="score a CSV or Parquet file of passengers in chunks",
        description="Exit codes: 0 output written (rejected rows carry their error); "
        "1 nothing written (bad input, output is the input, unusable model); 2 bad arguments.",
    )
    predict.add_argument(
        "--input", required=True, help="a .csv file, or a .parquet file (needs the [parquet] extra)"
    )
    predict.add_argument("--output", required=True, help="same format as the input")
    predict.add_argument("--chunk-rows", type=int, default=config.predict_chunk_rows)
    predict.add_argument("--sep", help="CSV delimiter (default: detected from the header)")
    predict.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    predict.add_argument(
        "--engine",
        choices=("local", "spark"),
        default="local",
        help="spark: score files or directories with Apache Spark (needs the [spark] extra)",
    )
    predict.set_defaults(handler=_predict)

    info = commands.add_parser("info", help="version, metrics and checksum of the installed model")
    info.set_defaults(handler=_info)
    return parser


# The optional libraries, by the extra that installs them (pyproject.toml's optional-dependencies).
EXTRA_OF_MODULE = {
    "sklearn": "train",
    "scipy": "train",
    "joblib": "train",
    "threadpoolctl": "train",
    "pyarrow": "parquet",
    "pyspark": "spark",
}


def missing_extra_message(command: str, error: ModuleNotFoundError) -> str | None:
    """What to install when `command` failed for want of an optional library; None otherwise."""
    top_level = (error.name or "").partition(".")[0]
    extra = EXTRA_OF_MODULE.get(top_level)
    if extra is None:
        return None
    return (
        f"titanic-model {command} needs the [{extra}] extra ({top_level} is not installed): "
        f"pip install 'titanic-survival-model[{extra}]=={__version__}'"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except ModuleNotFoundError as exc:
        message = missing_extra_message(args.command, exc)
        if message is None:
            raise
        print(f"titanic-model: error: {message}", file=sys.stderr)
        return 1
    except Exception as exc:  # a CLI reports failures in one line, not a traceback
        from titanic_model.processing.errors import ArtifactError

        if not isinstance(exc, ArtifactError | OSError | ValueError):
            raise
        print(f"titanic-model: error: {exc}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    raise SystemExit(main())
