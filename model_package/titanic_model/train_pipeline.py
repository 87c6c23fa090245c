"""Trains the pipeline on the configured split and saves it with its metadata: nothing else."""

import hashlib
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pydantic
import sklearn
from loguru import logger
from threadpoolctl import threadpool_limits

from titanic_model.config import PACKAGE_ROOT, TRAINED_MODEL_DIR, AppConfig, config
from titanic_model.evaluation import classification_metrics
from titanic_model.pipeline import build_pipeline
from titanic_model.processing.artifact_files import file_sha256
from titanic_model.processing.artifacts import save_artifact
from titanic_model.processing.data_manager import default_data_path, load_dataset, split_dataset
from titanic_model.version import __version__


def _git_commit() -> str | None:
    """The commit the package was trained from, when it is trained inside a git checkout."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=PACKAGE_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


# What a trained model depends on, besides the data: a change to any of them means retraining.
_MODEL_DEFINITION = (
    "config.yml",
    "pipeline.py",
    "processing/features.py",
    "processing/rules.py",
    "train_pipeline.py",
    "compile_scorer.py",
)


def training_fingerprint(data_sha256: str) -> str:
    """sha256 of the data and of the files that define the model, to spot a stale artifact."""
    digest = hashlib.sha256(data_sha256.encode())
    for name in _MODEL_DEFINITION:
        digest.update((PACKAGE_ROOT / name).read_bytes())
    return digest.hexdigest()


def train(
    data_path: Path | None = None, cfg: AppConfig = config, model_dir: Path = TRAINED_MODEL_DIR
) -> dict[str, Any]:
    """Fit on the training split, score the held-out split, save artifact + metadata."""
    path = data_path or default_data_path(cfg)
    data_sha256 = file_sha256(path)
    if data_path is None and data_sha256 != cfg.data.sha256:
        raise ValueError(
            f"{path} has sha256 {data_sha256}, config.yml expects {cfg.data.sha256}: "
            "the packaged training data was changed"
        )
    frame = load_dataset(path, cfg)
    train_rows, held_out = split_dataset(frame, cfg)

    pipeline = build_pipeline(cfg)
    # One BLAS thread: multi-threaded sums can differ in the last bit from run to run, and the
    # same code + data must give the same model, bit for bit, on any machine of this kind.
    with threadpool_limits(limits=1):
        pipeline.fit(train_rows, train_rows[cfg.target])
    probabilities = pipeline.predict_proba(held_out)[:, 1]
    metrics = classification_metrics(held_out[cfg.target], probabilities)

    metadata = {
        "version": __version__,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": _git_commit(),
        "data_file": path.name,
        "data_sha256": data_sha256,
        "training_fingerprint": training_fingerprint(data_sha256),
        "rows": {"total": len(frame), "train": len(train_rows), "held_out": len(held_out)},
        "held_out_metrics": metrics,
        "config": cfg.model_dump(mode="json"),
        "library_versions": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "pandas": pd.__version__,
            "numpy": np.__version__,
            "joblib": joblib.__version__,
            "pydantic": pydantic.__version__,
        },
    }
    model_path = save_artifact(pipeline, metadata, __version__, model_dir)
    logger.info(
        "trained {} on {} rows; held-out ROC AUC {:.4f}, accuracy {:.4f}, Brier {:.4f}",
        model_path.name,
        len(train_rows),
        metrics["roc_auc"],
        metrics["accuracy"],
        metrics["brier"],
    )
    return metadata


if __name__ == "__main__":
    train()
