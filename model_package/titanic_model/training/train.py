"""Trains the pipeline on the configured split, saves it with its metadata, and hands the run to
experiment tracking (training/tracking.py): nothing else."""

import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pydantic
import sklearn
from loguru import logger
from threadpoolctl import threadpool_limits

from titanic_model.config import PACKAGE_ROOT, TRAINED_MODEL_DIR, AppConfig, config
from titanic_model.metadata import ModelMetadata, ProductionData
from titanic_model.processing.artifact_files import file_sha256
from titanic_model.training.artifacts import save_artifact
from titanic_model.training.data import (
    ProductionSnapshot,
    default_data_path,
    load_dataset,
    load_production_rows,
    split_dataset,
)
from titanic_model.training.evaluation import classification_metrics
from titanic_model.training.fingerprint import training_fingerprint
from titanic_model.training.pipeline import build_pipeline
from titanic_model.training.tracking import TRAINING_EXPERIMENT, log_runs, training_run
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


def train(
    data_path: Path | None = None,
    cfg: AppConfig = config,
    model_dir: Path = TRAINED_MODEL_DIR,
    *,
    production: ProductionSnapshot | None = None,
    version: str = __version__,
) -> ModelMetadata:
    """Fit on the training split (plus `production`'s labelled rows, when retraining), score the
    held-out split, save artifact + metadata under `version`, then log the run to MLflow when the
    [tracking] extra is installed."""
    path = data_path or default_data_path(cfg)
    data_sha256 = file_sha256(path)
    if data_path is None and data_sha256 != cfg.data.sha256:
        raise ValueError(
            f"{path} has sha256 {data_sha256}, config.yml expects {cfg.data.sha256}: "
            "the packaged training data was changed"
        )
    frame = load_dataset(path, cfg)
    train_rows, held_out = split_dataset(frame, cfg)
    production_data = None
    if production is not None:
        extra = load_production_rows(production, cfg)
        production_data = ProductionData(
            file=production.path.name,
            sha256=file_sha256(production.path),
            rows=len(extra),
            store=production.store,
            since=production.since,
            until=production.until,
            left_out=production.left_out,
        )
        train_rows = pd.concat([train_rows, extra], ignore_index=True)
        data_sha256_trained = f"{data_sha256}+{production_data.sha256}"
    else:
        data_sha256_trained = data_sha256

    pipeline = build_pipeline(cfg)
    # One BLAS thread: multi-threaded sums can differ in the last bit from run to run, and the
    # same code + data must give the same model, bit for bit, on any machine of this kind.
    with threadpool_limits(limits=1):
        pipeline.fit(train_rows, train_rows[cfg.target])
    probabilities = pipeline.predict_proba(held_out)[:, 1]
    metrics = classification_metrics(held_out[cfg.target], probabilities)

    facts = {
        "version": version,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": _git_commit(),
        "data_file": path.name,
        "data_sha256": data_sha256,
        "training_fingerprint": training_fingerprint(data_sha256_trained),
        "rows": {
            "total": len(frame) + (production_data.rows if production_data else 0),
            "train": len(train_rows),
            "held_out": len(held_out),
        },
        "held_out_metrics": metrics,
        "config": cfg,
        "library_versions": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "pandas": pd.__version__,
            "numpy": np.__version__,
            "joblib": joblib.__version__,
            "pydantic": pydantic.__version__,
        },
        "production_data": production_data,
    }
    metadata = save_artifact(pipeline, facts, version, model_dir)
    logger.info(
        "trained {} on {} rows; held-out ROC AUC {:.4f}, accuracy {:.4f}, Brier {:.4f}",
        metadata.artifact_file,
        len(train_rows),
        metrics["roc_auc"],
        metrics["accuracy"],
        metrics["brier"],
    )
    log_runs(TRAINING_EXPERIMENT, [training_run(metadata, model_dir)])
    return metadata


if __name__ == "__main__":
    train()
