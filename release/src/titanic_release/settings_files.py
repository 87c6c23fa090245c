"""The release machinery's own YAML files (gate.yml, retrain.yml): read and validated by a pydantic
model, every bad field named in one message."""

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


def load_settings_file(path: Path, model: type[Model], error: type[Exception], kind: str) -> Model:
    """`path` as `model`; raises `error` saying the `kind` of file and, when it is invalid,
    every bad field."""
    try:
        return model.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as problem:
        raise error(f"cannot read {path}: {problem}") from None
    except ValidationError as problem:
        fields = "; ".join(
            f"{'.'.join(map(str, item['loc'])) or '(top level)'}: {item['msg']}"
            for item in problem.errors()
        )
        raise error(f"invalid {kind} file {path}: {fields}") from None
