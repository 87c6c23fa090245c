"""Model selection for the package: repeated stratified 5-fold CV on the training split only.

Every candidate is scored on the same 15 outer folds (5 folds x 3 repeats, fixed seed); tuned
candidates pick their hyper-parameters by an inner CV on each outer training fold (nested CV), so
the tuning never sees the fold it is scored on. The held-out split is not touched here: it is kept
for the one final check of the trained package (`titanic-model evaluate`).

Prints a Markdown table and writes it, with the resulting choice, to research/model_comparison.md;
each candidate is also a run in MLflow's experiment "titanic-survival-model-selection" when the
[tracking] extra is installed (docs/tracking.md).
"""

import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, RepeatedStratifiedKFold, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from titanic_model import contract
from titanic_model.config import config
from titanic_model.processing.artifact_files import file_sha256
from titanic_model.training.data import default_data_path, load_dataset, split_dataset
from titanic_model.training.evaluation import classification_metrics
from titanic_model.training.features import CabinDeckExtractor
from titanic_model.training.pipeline import ENGINEERED_EXTRACTORS, build_pipeline
from titanic_model.training.tracking import TrackedRun, log_runs
from titanic_model.version import __version__

SEED = 0
OUTER_FOLDS, OUTER_REPEATS = 5, 3
OUTER_CV = RepeatedStratifiedKFold(n_splits=OUTER_FOLDS, n_repeats=OUTER_REPEATS, random_state=SEED)
INNER_CV = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
# Proper scoring rule for the inner search: it rewards calibrated probabilities (Brier target).
INNER_SCORING = "neg_log_loss"
LR_C_GRID = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0]
# Small trees and a moderate learning rate: on ~840 rows per fold, bigger trees only overfit.
HGB_GRID = {
    "classifier__learning_rate": [0.05, 0.1],
    "classifier__max_leaf_nodes": [4, 8],
    "classifier__min_samples_leaf": [20, 40],
}
METRICS = ["roc_auc", "accuracy", "f1", "log_loss", "brier"]
OUTPUT = Path(__file__).resolve().parent / "model_comparison.md"
EXPERIMENT = "titanic-survival-model-selection"


@dataclass
class Candidate:
    """One model to compare; `simplicity` ranks candidates for the tie-break (lower = simpler)."""

    name: str
    simplicity: int
    make: Callable[[], Any]
    fold_metrics: list[dict[str, float]] = field(default_factory=list)
    chosen_params: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def mean(self, metric: str) -> float:
        return float(np.mean([fold[metric] for fold in self.fold_metrics]))

    def std(self, metric: str) -> float:
        return float(np.std([fold[metric] for fold in self.fold_metrics], ddof=1))


def course_pipeline() -> Pipeline:
    """The course's model: raw columns, no title, imputation + one-hot + scaling + LR C=0.0005.

    As in the course: median imputation with a missing-value indicator, the cabin reduced to its
    letter, categories rarer than 5 % pooled, every column standardised.
    """
    numeric = list(config.features.numeric)
    categorical = list(config.features.categorical)
    one_hot = {"handle_unknown": "infrequent_if_exist", "min_frequency": 0.05}
    features = ColumnTransformer(
        [
            ("numeric", SimpleImputer(strategy="median", add_indicator=True), numeric),
            ("categorical", OneHotEncoder(sparse_output=False, **one_hot), categorical),
            (
                "cabin",
                Pipeline(
                    [
                        ("letter", CabinDeckExtractor()),
                        ("encode", OneHotEncoder(sparse_output=False, **one_hot)),
                    ]
                ),
                ["cabin"],
            ),
        ]
    )
    return Pipeline(
        [
            ("features", features),
            ("scale", StandardScaler()),
            ("classifier", LogisticRegression(C=0.0005, max_iter=1000)),
        ]
    )


def package_pipeline() -> Pipeline:
    """The shipped pipeline exactly as configured (C from config.yml)."""
    return build_pipeline(config)


def tuned_package_pipeline() -> GridSearchCV:
    """The shipped pipeline with C chosen by an inner CV on each outer training fold."""
    return GridSearchCV(
        build_pipeline(config), {"classifier__C": LR_C_GRID}, scoring=INNER_SCORING, cv=INNER_CV
    )


def gradient_boosting_pipeline() -> Pipeline:
    """The package's features (title, deck included) into HistGradientBoosting.

    Categories are ordinal-coded and declared categorical to the booster; numeric columns pass
    through unscaled with their missing values, which the booster routes natively.
    """
    features = config.features
    categorical_columns: list[tuple[str, Any, list[str]]] = [
        ("categorical", _ordinal(), list(features.categorical))
    ]
    for name in features.engineered:
        source, extractor = contract.DERIVED[name].source, ENGINEERED_EXTRACTORS[name]
        categorical_columns.append(
            (name, Pipeline([("extract", extractor()), ("encode", _ordinal())]), [source])
        )
    n_numeric = len(features.numeric)
    n_categorical = len(features.categorical) + len(features.engineered)
    return Pipeline(
        [
            (
                "features",
                ColumnTransformer(
                    [("numeric", "passthrough", list(features.numeric)), *categorical_columns]
                ),
            ),
            (
                "classifier",
                HistGradientBoostingClassifier(
                    max_iter=100,
                    categorical_features=[False] * n_numeric + [True] * n_categorical,
                    random_state=SEED,
                ),
            ),
        ]
    )


def tuned_gradient_boosting() -> GridSearchCV:
    return GridSearchCV(gradient_boosting_pipeline(), HGB_GRID, scoring=INNER_SCORING, cv=INNER_CV)


def _ordinal() -> OrdinalEncoder:
    # Missing and unseen categories both become NaN, which the booster treats as missing.
    return OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan
    )


def _describe_params(params: dict[str, Any]) -> str:
    return ", ".join(f"{key.removeprefix('classifier__')}={value}" for key, value in params.items())


def cross_validate(candidate: Candidate, X: pd.DataFrame, y: pd.Series) -> None:
    """Fit and score the candidate on every outer fold, recording what any inner search chose."""
    started = time.perf_counter()
    for train_index, test_index in OUTER_CV.split(X, y):
        model = candidate.make()
        model.fit(X.iloc[train_index], y.iloc[train_index])
        probabilities = model.predict_proba(X.iloc[test_index])[:, 1]
        candidate.fold_metrics.append(classification_metrics(y.iloc[test_index], probabilities))
        if isinstance(model, GridSearchCV):
            candidate.chosen_params.append(_describe_params(model.best_params_))
    candidate.seconds = time.perf_counter() - started


def within_noise(candidate: Candidate, best_auc: Candidate, best_loss: Candidate) -> bool:
    """Noise = one fold-to-fold standard deviation of the best model on that metric."""
    auc_ok = candidate.mean("roc_auc") >= best_auc.mean("roc_auc") - best_auc.std("roc_auc")
    loss_ok = candidate.mean("log_loss") <= best_loss.mean("log_loss") + best_loss.std("log_loss")
    return auc_ok and loss_ok


def choose(candidates: list[Candidate]) -> tuple[Candidate, str]:
    """The simplest candidate whose ROC AUC and log loss are within noise of the best, and why."""
    best_auc = max(candidates, key=lambda c: c.mean("roc_auc"))
    best_loss = min(candidates, key=lambda c: c.mean("log_loss"))
    eligible = [c for c in candidates if within_noise(c, best_auc, best_loss)]
    chosen = min(eligible, key=lambda c: c.simplicity)
    reason = (
        f"Noise = one fold-to-fold standard deviation of the best model: best ROC AUC "
        f"{best_auc.mean('roc_auc'):.3f} ± {best_auc.std('roc_auc'):.3f} ({best_auc.name}), "
        f"best log loss {best_loss.mean('log_loss'):.3f} ± {best_loss.std('log_loss'):.3f} "
        f"({best_loss.name}). Within noise on both: "
        + ", ".join(c.name for c in eligible)
        + f". Simplest of those: **{chosen.name}**."
    )
    return chosen, reason


def paired_gap(candidate: Candidate, best: Candidate, metric: str) -> str:
    """Per-fold difference from the best model on the same folds: the noise that matters here."""
    gaps = [
        ours[metric] - theirs[metric]
        for ours, theirs in zip(candidate.fold_metrics, best.fold_metrics, strict=True)
    ]
    return f"{np.mean(gaps):+.3f} ± {np.std(gaps, ddof=1):.3f}"


def render(candidates: list[Candidate], n_rows: int, reason: str) -> str:
    best_auc = max(candidates, key=lambda c: c.mean("roc_auc"))
    best_loss = min(candidates, key=lambda c: c.mean("log_loss"))
    lines = [
        f"Repeated stratified 5-fold CV (3 repeats, seed {SEED}) on the training split "
        f"({n_rows} rows); mean ± std over the 15 outer folds. Tuned models pick their "
        "hyper-parameters by an inner 5-fold CV (scored by log loss) on each outer training fold.",
        "",
        "| model | " + " | ".join(METRICS) + " | CV time |",
        "|" + "---|" * (len(METRICS) + 2),
    ]
    for candidate in candidates:
        cells = [f"{candidate.mean(m):.3f} ± {candidate.std(m):.3f}" for m in METRICS]
        lines.append(
            f"| {candidate.name} | " + " | ".join(cells) + f" | {candidate.seconds:.0f} s |"
        )
    lines += [
        "",
        "| model | ROC AUC minus best, paired | log loss minus best, paired "
        "| hyper-parameters chosen (times out of 15) |",
        "|---|---|---|---|",
    ]
    for candidate in candidates:
        chosen_params = Counter(candidate.chosen_params).most_common()
        tuned = "; ".join(f"{params} ({count})" for params, count in chosen_params) or "fixed"
        lines.append(
            f"| {candidate.name} | {paired_gap(candidate, best_auc, 'roc_auc')} "
            f"| {paired_gap(candidate, best_loss, 'log_loss')} | {tuned} |"
        )
    lines += ["", f"Choice: {reason}", ""]
    return "\n".join(lines)


def tracked_runs(candidates: list[Candidate], chosen: Candidate, n_rows: int) -> list[TrackedRun]:
    """One MLflow run per candidate: the CV scheme and data as params, fold means and standard
    deviations as metrics, the report as its file."""
    data_sha256 = file_sha256(default_data_path(config))
    return [
        TrackedRun(
            name=candidate.name,
            params={
                "candidate": candidate.name,
                "outer_cv": f"repeated stratified {OUTER_FOLDS}-fold x {OUTER_REPEATS}",
                "inner_scoring": INNER_SCORING,
                "seed": str(SEED),
                "training_rows": str(n_rows),
                "data_sha256": data_sha256,
            },
            metrics={f"cv_{m}_mean": candidate.mean(m) for m in METRICS}
            | {f"cv_{m}_std": candidate.std(m) for m in METRICS}
            | {"cv_seconds": candidate.seconds},
            tags={
                "version": __version__,
                "mlflow.source.name": "research/compare_models.py",
                "chosen": str(candidate is chosen).lower(),
                "hyper_parameters_chosen": "; ".join(sorted(set(candidate.chosen_params)))
                or "fixed",
            },
            artifacts=[OUTPUT],
        )
        for candidate in candidates
    ]


def main() -> None:
    train_rows, _ = split_dataset(load_dataset())
    X = train_rows.drop(columns=[config.target])
    y = train_rows[config.target]
    candidates = [
        Candidate("course pipeline (raw columns, LR C=0.0005)", 1, course_pipeline),
        Candidate(f"package LR, configured C={config.model.C}", 2, package_pipeline),
        Candidate("package LR, C by nested CV", 3, tuned_package_pipeline),
        Candidate("HistGradientBoosting, nested CV", 4, tuned_gradient_boosting),
    ]
    started = time.perf_counter()
    # A rare deck letter missing from some training fold is expected, not worth a warning per fold.
    warnings.filterwarnings("ignore", message="Found unknown categories", category=UserWarning)
    # One thread per fit: on ~1000 rows, OpenMP start-up costs more than it saves, and a shared
    # machine makes the threaded booster several times slower.
    with threadpool_limits(limits=1):
        for candidate in candidates:
            cross_validate(candidate, X, y)
    chosen, reason = choose(candidates)
    report = render(candidates, len(train_rows), reason)
    print(report)
    OUTPUT.write_text(report, encoding="utf-8")
    print(f"wrote {OUTPUT} in {time.perf_counter() - started:.0f} s")
    log_runs(EXPERIMENT, tracked_runs(candidates, chosen, len(train_rows)))


if __name__ == "__main__":
    main()
