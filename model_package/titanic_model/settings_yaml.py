"""How every YAML settings file of the project is read: the model's config.yml, the monitoring
thresholds and shadow rules, the release tools' gate.yml and retrain.yml.

The file is parsed with `yaml.safe_load` and validated by a pydantic model; any problem is one
exception whose message names the kind of file, its path and, when it does not validate, every
bad field on a line of its own:

    invalid gate file /path/gate.yml:
      max_roc_auc_drop: Input should be greater than or equal to 0
      (top level): Extra inputs are not permitted

It lives in the model package, the bottom of the import graph, because config.yml is read there
at import; pydantic and PyYAML are already dependencies of every package that uses it.
"""

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


class SettingsError(ValueError):
    """A settings file that cannot be read, is not YAML or does not validate."""


def describe(error: ValidationError) -> str:
    """Every bad field of `error`, one `  dotted.location: message` line each."""
    return "\n".join(
        f"  {'.'.join(str(part) for part in item['loc']) or '(top level)'}: {item['msg']}"
        for item in error.errors()
    )


def load_yaml_settings(
    path: Path,
    model: type[Model],
    kind: str,
    error: type[Exception] = SettingsError,
) -> Model:
    """`path` read as YAML and validated as `model`; raises `error` (SettingsError unless a
    caller names its own) saying the `kind` of file, where it is and what is wrong with it."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as problem:
        raise error(f"cannot read {kind} file {path}: {problem}") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as problem:
        raise error(f"{kind} file {path} is not YAML: {problem}") from None
    try:
        return model.model_validate(raw)
    except ValidationError as problem:
        raise error(f"invalid {kind} file {path}:\n{describe(problem)}") from None
