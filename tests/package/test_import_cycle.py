"""`import titanic_model` works in a fresh interpreter from any entry point: no import cycle.

A cycle that only works by line order shows when a submodule is the first thing imported, so
each submodule is imported first in a process of its own.
"""

import subprocess
import sys

import pytest
from titanic_release.project import PACKAGE_DIR

SUBMODULES = sorted(
    ".".join(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    for path in [*PACKAGE_DIR.glob("*.py"), *PACKAGE_DIR.glob("training/*.py")]
    if path.stem not in {"__init__", "__main__"}
)
ENTRY_POINTS = ["titanic_model", *SUBMODULES]


def _import_fresh(module: str) -> subprocess.CompletedProcess[str]:
    code = f"import {module}\nimport titanic_model\nprint(sorted(titanic_model.__all__))"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_importing_first_works(module: str) -> None:
    result = _import_fresh(module)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "'make_prediction'" in result.stdout


def test_a_broken_import_is_seen() -> None:
    assert _import_fresh("titanic_model.no_such_module").returncode != 0
