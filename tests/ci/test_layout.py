"""The repository's shape: one release package reached by imports, the model's internals banned
outside it, serving code that needs nothing of training, and no module that edits the
interpreter's search path to be found."""

import ast
import os
import tomllib
from pathlib import Path

from titanic_release.project import PACKAGE_DIR, REPO_ROOT

SKIPPED_DIRS = {".venv", ".venv-api", ".tox", ".cache", ".git", "build", "dist"}
PYPROJECT = REPO_ROOT / "pyproject.toml"
# Spelt in two parts so that a grep of the repository for the dotted name finds no use here either.
SEARCH_PATH = "sys" + ".path"
# The [spark] extra's entry point and its spark-submit job script (docs/batch.md) and the
# passenger contract (docs/schema-change.md) and the YAML settings loader (the monitoring and
# release settings files): public by design, like the names in __init__.
PUBLIC_SUBPACKAGES = {
    "titanic_model.spark",
    "titanic_model.spark_submit",
    "titanic_model.contract",
    "titanic_model.settings_yaml",
}
TRAINING = "titanic_model.training"
# The facade (it imports load_pipeline and reference_data from training on first use) and the
# command line (its train and evaluate commands): the two doors to both rooms.
BOTH_ROOMS = {"__init__.py", "cli.py"}


def python_files() -> list[Path]:
    """Every .py file of the tree outside SKIPPED_DIRS, which are not walked at all (.tox and
    .cache alone hold hundreds of thousands of files)."""
    found = []
    for directory, subdirectories, files in os.walk(REPO_ROOT):
        subdirectories[:] = [name for name in subdirectories if name not in SKIPPED_DIRS]
        found += [Path(directory, name) for name in files if name.endswith(".py")]
    return found


def touches_search_path(source: str) -> bool:
    """Whether the code touches the search path (reads included: there is no need for either)."""
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "path"
            and isinstance(node.value, ast.Name)
            and node.value.id == "sys"
        ):
            return True
    return False


def test_no_module_touches_the_search_path() -> None:
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for path in python_files()
        if touches_search_path(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_search_path_check_sees_an_edit() -> None:
    assert touches_search_path(f"import sys\n{SEARCH_PATH}.insert(0, 'x')\n")
    assert not touches_search_path("import os\nos.path.join('a', 'b')\n")


def test_differential_tests_hold_only_tests_and_fixtures() -> None:
    directory = REPO_ROOT / "differential_tests"
    names = {path.name for path in directory.glob("*.py")}
    helpers = {name for name in names if not name.startswith("test_")}
    assert helpers <= {"__init__.py", "conftest.py", "variants.py", "store_rows.py"}
    assert not (REPO_ROOT / "tools").exists()


def submodules(package_dir: Path) -> set[str]:
    """Every module and subpackage directly under the package, as `titanic_model.<name>`."""
    names = {path.stem for path in package_dir.glob("*.py") if path.stem != "__init__"}
    names |= {path.parent.name for path in package_dir.glob("*/__init__.py")}
    return {f"{package_dir.name}.{name}" for name in names}


def unbanned(banned: set[str], package_dir: Path) -> set[str]:
    return submodules(package_dir) - banned - PUBLIC_SUBPACKAGES


def _banned_api() -> set[str]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    return set(config["tool"]["ruff"]["lint"]["flake8-tidy-imports"]["banned-api"])


def test_ruff_bans_every_submodule_of_the_model_package() -> None:
    """A module added to titanic_model is behind the public contract until exported."""
    assert unbanned(_banned_api(), PACKAGE_DIR) == set()
    assert "titanic_model.predict" in submodules(PACKAGE_DIR)


def test_the_ban_check_sees_a_missing_submodule() -> None:
    assert unbanned(_banned_api() - {"titanic_model.predict"}, PACKAGE_DIR) == {
        "titanic_model.predict"
    }


def test_the_ban_is_enforced_by_ruff_outside_the_package() -> None:
    lint = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["ruff"]["lint"]
    assert "TID251" in lint["select"]
    exempt = {pattern for pattern, codes in lint["per-file-ignores"].items() if "TID251" in codes}
    for consumer in ("api/", "release/", "benchmarks/", "tests/api/", "tests/e2e/"):
        assert not any(pattern.startswith(consumer) for pattern in exempt), consumer


def imported_top_level_names(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_the_benchmarks_echo_app_imports_nothing_of_ours() -> None:
    """Its start-up time and memory are the floor the API is measured against (bench_api.py)."""
    ours = {"app", "titanic_model", "titanic_release", "titanic_monitoring"}
    echo = (REPO_ROOT / "benchmarks" / "echo_app.py").read_text(encoding="utf-8")
    assert imported_top_level_names(echo) & ours == set()
    assert imported_top_level_names("from app.schemas import x\nimport fastapi") & ours == {"app"}


def reaches_training(source: str) -> bool:
    """Whether the code imports titanic_model.training, or names it (as importlib would)."""
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value]
        if any(name == TRAINING or name.startswith(f"{TRAINING}.") for name in names):
            return True
    return False


def serving_modules(package_dir: Path) -> list[Path]:
    """Every module of the package outside training/, but for the two doors to both rooms."""
    return [
        path
        for path in sorted(package_dir.rglob("*.py"))
        if path.relative_to(package_dir).parts[0] != "training"
        and path.relative_to(package_dir).as_posix() not in BOTH_ROOMS
    ]


def test_serving_code_imports_nothing_of_training() -> None:
    modules = serving_modules(PACKAGE_DIR)
    offenders = [
        str(path.relative_to(PACKAGE_DIR))
        for path in modules
        if reaches_training(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert {"predict.py", "scorer.py", "contract.py", "batch/scoring.py"} <= {
        path.relative_to(PACKAGE_DIR).as_posix() for path in modules
    }
    assert (PACKAGE_DIR / "training" / "train.py").is_file()


def test_the_training_import_check_sees_every_spelling() -> None:
    assert reaches_training("from titanic_model.training.data import load_dataset")
    assert reaches_training("from titanic_model import training")
    assert reaches_training("def f():\n    import titanic_model.training.train\n")
    assert reaches_training("importlib.import_module('titanic_model.training.artifacts')")
    assert not reaches_training("from titanic_model import contract\nimport titanic_model")
