"""What a trained artifact was made from, checked without scikit-learn: the fingerprint of the
model's definition, and whether this environment's libraries are the ones it was pickled with.

`titanic-model train --if-missing` runs before every tox env's commands; with these two it decides
in a fraction of a second, loading the pickle (scikit-learn's import) only when a library differs.
"""

import ast
import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from titanic_model.config import CONFIG_FILE, PACKAGE_ROOT
from titanic_model.metadata import ModelMetadata

TRAINING_DIR = Path(__file__).resolve().parent
# The distributions whose code a pickled pipeline names (besides the package's own modules).
PICKLED_WITH = ("scikit-learn", "numpy", "pandas", "joblib")


def _package_imports(path: Path) -> set[Path]:
    """The package's own modules that the module at `path` imports anywhere in its code (the
    package's __init__, a facade of re-exports, aside)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        for name in names:
            parts = name.split(".")
            if parts[0] != PACKAGE_ROOT.name or len(parts) == 1:  # not ours, or the facade
                continue
            base = PACKAGE_ROOT.joinpath(*parts[1:])
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                if candidate.is_file():
                    found.add(candidate)
    return found


def model_definition() -> list[Path]:
    """What a trained model depends on besides the data: config.yml, every module of training/
    and every package module they import, directly or not. A change to any means retraining."""
    pending = set(TRAINING_DIR.rglob("*.py"))
    seen: set[Path] = set()
    while pending:
        path = pending.pop()
        seen.add(path)
        pending |= _package_imports(path) - seen
    return [CONFIG_FILE, *sorted(seen)]


def training_fingerprint(data_sha256: str) -> str:
    """sha256 of the data and of the files that define the model, to spot a stale artifact."""
    digest = hashlib.sha256(data_sha256.encode())
    for path in model_definition():
        digest.update(str(path.relative_to(PACKAGE_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _installed(distribution: str) -> str | None:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def pickled_with_these_libraries(metadata: ModelMetadata) -> bool:
    """Whether every library the pickle names is installed here at the version it was trained
    with. With the same model definition (its fingerprint) the pickle then loads as it did when
    it was written; otherwise only loading it tells."""
    trained = metadata.library_versions
    return all(
        trained.get(name) is not None and trained.get(name) == _installed(name)
        for name in PICKLED_WITH
    )
