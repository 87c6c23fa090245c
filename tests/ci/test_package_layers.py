"""The packages import one way, as the README's architecture table says: each imports only the
packages below it, and the model package and the masker import none of ours."""

import re

from test_layout import imported_top_level_names
from titanic_release.project import REPO_ROOT

# From the top down: a package may import those after it, never one before it.
LAYERS = {
    "titanic_release": REPO_ROOT / "release" / "src" / "titanic_release",
    "app": REPO_ROOT / "api" / "app",
    "titanic_monitoring": REPO_ROOT / "monitoring" / "titanic_monitoring",
    "titanic_paired": REPO_ROOT / "paired" / "titanic_paired",
    "titanic_store": REPO_ROOT / "store" / "titanic_store",
    "titanic_masking": REPO_ROOT / "masking" / "titanic_masking",
    "titanic_model": REPO_ROOT / "model_package" / "titanic_model",
}
# What each package is named in the README's table ("imports of ours" column).
SHORT = {
    "titanic_monitoring": "monitoring",
    "titanic_paired": "paired",
    "titanic_store": "store",
    "titanic_masking": "masking",
    "titanic_model": "model",
}


def imports_of_ours(package: str) -> set[str]:
    found: set[str] = set()
    for path in LAYERS[package].rglob("*.py"):
        found |= imported_top_level_names(path.read_text(encoding="utf-8"))
    return (found & set(LAYERS)) - {package}


def upward(layers: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(importer, imported) pairs where a package imports one above it or itself from below."""
    order = list(LAYERS)
    return [
        (importer, name)
        for importer, names in layers.items()
        for name in names
        if order.index(name) <= order.index(importer)
    ]


def test_every_package_imports_only_the_packages_below_it() -> None:
    assert upward({package: imports_of_ours(package) for package in LAYERS}) == []


def test_the_check_sees_an_import_upward() -> None:
    assert upward({"titanic_store": {"app"}, "app": {"titanic_store"}}) == [
        ("titanic_store", "app")
    ]


def test_the_readme_table_says_what_each_package_imports() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for package in LAYERS:
        row = re.search(rf"^\| `[^`]+` \| `{package}` \|.*\| ([^|]*) \|$", readme, re.MULTILINE)
        assert row is not None, package
        said = {part.split(" (")[0].strip() for part in row[1].split(",")} - {"none"}
        assert said == {SHORT[name] for name in imports_of_ours(package)}, package
