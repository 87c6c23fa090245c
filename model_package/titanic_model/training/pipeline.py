"""Assembles the (unfitted) estimator from the config: nothing else."""

from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from titanic_model import contract
from titanic_model.config import AppConfig, config
from titanic_model.training.features import CabinDeckExtractor, TitleExtractor

# Engineered feature -> the transformer wrapping its rule (the contract names its raw field).
ENGINEERED_EXTRACTORS = {"title": TitleExtractor, "deck": CabinDeckExtractor}


def _one_hot() -> OneHotEncoder:
    # Unseen categories score as the reference level; missing values get a category of their own.
    return OneHotEncoder(handle_unknown="ignore", sparse_output=False)


def build_pipeline(cfg: AppConfig = config) -> Pipeline:
    features = cfg.features
    columns: list[tuple[str, object, list[str]]] = []
    if features.numeric:
        numeric = Pipeline(
            [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
        )
        columns.append(("numeric", numeric, list(features.numeric)))
    if features.categorical:
        columns.append(("categorical", _one_hot(), list(features.categorical)))
    for name in features.engineered:
        source = contract.DERIVED[name].source
        extractor = ENGINEERED_EXTRACTORS[name]()
        columns.append((name, Pipeline([("extract", extractor), ("encode", _one_hot())]), [source]))

    return Pipeline(
        [
            ("features", ColumnTransformer(columns, remainder="drop")),
            ("classifier", LogisticRegression(C=cfg.model.C, max_iter=cfg.model.max_iter)),
        ]
    )
