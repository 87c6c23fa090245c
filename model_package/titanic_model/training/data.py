"""Reading the training data and splitting it; the split's rows for monitoring and the gate."""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
from sklearn.model_selection import train_test_split

from titanic_model.config import DATASET_DIR, AppConfig, config


def default_data_path(cfg: AppConfig = config) -> Path:
    return DATASET_DIR / cfg.data.file


def load_dataset(path: Path | None = None, cfg: AppConfig = config) -> pd.DataFrame:
    """The raw titanic3 table; '?' marks missing values."""
    frame = pd.read_csv(path or default_data_path(cfg), na_values=[cfg.data.missing_marker])
    if cfg.target not in frame.columns:
        raise ValueError(f"the data has no target column {cfg.target!r}")
    return frame


@dataclass(frozen=True)
class ProductionSnapshot:
    """Labelled rows read from the prediction store, to train on beside the historical split:
    a CSV of prediction_id, the passenger's inputs and `survived`, and where the rows came from."""

    path: Path
    store: str  # the store's URL without its password
    since: str  # start of the window, UTC, ISO 8601
    until: str  # when it was read
    left_out: dict[str, int]  # labelled rows not in the snapshot, by reason


def load_production_rows(snapshot: ProductionSnapshot, cfg: AppConfig = config) -> pd.DataFrame:
    """The snapshot's rows, read like the historical data (empty cells are missing values)."""
    frame = pd.read_csv(snapshot.path, dtype={"prediction_id": str})
    if cfg.target not in frame.columns:
        raise ValueError(f"the production snapshot {snapshot.path} has no {cfg.target!r} column")
    return frame


def split_dataset(
    frame: pd.DataFrame, cfg: AppConfig = config
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deterministic stratified train / held-out split, as configured."""
    train, held_out = train_test_split(
        frame,
        test_size=cfg.split.test_size,
        random_state=cfg.split.random_state,
        stratify=frame[cfg.target],
    )
    return train, held_out


def load_held_out(cfg: AppConfig = config) -> pd.DataFrame:
    """The held-out rows of the packaged dataset: the fixed set every version is scored on."""
    return split_dataset(load_dataset(cfg=cfg), cfg)[1]


def reference_data(part: Literal["train", "held_out"] = "train") -> pd.DataFrame:
    """The packaged titanic3 rows of the training split or of the held-out split, raw columns."""
    train, held_out = split_dataset(load_dataset())
    return train if part == "train" else held_out
