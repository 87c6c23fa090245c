"""The package's settings: config.yml validated by pydantic when the package is imported.

A broken config must fail at import, naming the field, rather than half-way through training.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from titanic_model import contract
from titanic_model.settings_yaml import load_yaml_settings

PACKAGE_ROOT = Path(__file__).resolve().parent
CONFIG_FILE = PACKAGE_ROOT / "config.yml"
DATASET_DIR = PACKAGE_ROOT / "datasets"
TRAINED_MODEL_DIR = PACKAGE_ROOT / "trained_models"


def _one_of(kind: str, names: tuple[str, ...]) -> Callable[[str], str]:
    def check(name: str) -> str:
        if name not in names:
            raise ValueError(f"{name!r} is not a {kind} of the passenger contract: {names}")
        return name

    return check


# Only the contract's fields can be features: `boat`, `body` (known after the outcome), `ticket`
# and `home.dest` (free text) are not in it, so a config naming them fails validation.
NumericFeature = Annotated[str, AfterValidator(_one_of("numeric field", contract.NUMERIC_FIELDS))]
CategoricalFeature = Annotated[
    str, AfterValidator(_one_of("categorical field", contract.CATEGORICAL_FIELDS))
]
EngineeredFeature = Annotated[
    str, AfterValidator(_one_of("derived category", tuple(contract.DERIVED)))
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataConfig(_Strict):
    file: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    missing_marker: str


class FeaturesConfig(_Strict):
    numeric: list[NumericFeature]
    categorical: list[CategoricalFeature]
    engineered: list[EngineeredFeature]

    @model_validator(mode="after")
    def _no_duplicates_and_not_empty(self) -> "FeaturesConfig":
        names = [*self.numeric, *self.categorical, *self.engineered]
        if len(names) != len(set(names)):
            raise ValueError(f"a feature is listed twice: {names}")
        if not names:
            raise ValueError("no features configured")
        return self


class SplitConfig(_Strict):
    test_size: float = Field(gt=0, lt=1)
    random_state: int = Field(ge=0)


class ModelConfig(_Strict):
    C: float = Field(gt=0)
    max_iter: int = Field(gt=0)


class QualityGate(_Strict):
    min_roc_auc: float = Field(ge=0, le=1)
    min_accuracy: float = Field(ge=0, le=1)
    max_brier: float = Field(ge=0, le=1)


class AppConfig(_Strict):
    package_name: str
    pipeline_name: str
    data: DataConfig
    target: Literal["survived"]
    features: FeaturesConfig
    split: SplitConfig
    model: ModelConfig
    quality_gate: QualityGate
    predict_chunk_rows: int = Field(gt=0)


class ConfigError(RuntimeError):
    """config.yml is missing, unreadable or invalid; the message names the field."""


def load_config(path: Path = CONFIG_FILE) -> AppConfig:
    """Read and validate a config file; raise ConfigError naming every bad field."""
    return load_yaml_settings(path, AppConfig, "config", ConfigError)


config = load_config()
