"""The differential gate's own yardstick: its tolerances, read from gate.yml next to this module.

They ship with the gate and not inside the candidate's wheel, so a candidate cannot carry a looser
yardstick of its own: loosening a tolerance is a change to gate.yml, and the report names the file
and the values it used.
"""

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from titanic_model.settings_yaml import load_yaml_settings

GATE_FILE = Path(__file__).resolve().with_name("gate.yml")


class GateConfigError(RuntimeError):
    """gate.yml is missing, unreadable or invalid; the message names the field."""


class Tolerances(BaseModel):
    """How far a candidate may move from the baseline: shares or deltas, each in [0, 1]."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_abs_probability_diff: float = Field(ge=0, le=1)
    max_mean_abs_probability_diff: float = Field(ge=0, le=1)
    max_flipped_label_share: float = Field(ge=0, le=1)
    max_accuracy_drop: float = Field(ge=0, le=1)
    max_roc_auc_drop: float = Field(ge=0, le=1)
    max_brier_increase: float = Field(ge=0, le=1)


@dataclass(frozen=True)
class Gate:
    """The tolerances and the file they came from (the report names both)."""

    tolerances: Tolerances
    source: Path


def load_gate(path: Path = GATE_FILE) -> Gate:
    """Read and validate a gate file; raise GateConfigError naming every bad field."""
    tolerances = load_yaml_settings(path, Tolerances, "gate", GateConfigError)
    return Gate(tolerances, path)
