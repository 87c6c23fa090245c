"""Facts about the repository every release step agrees on, defined once."""

from pathlib import Path

from packaging.utils import canonicalize_name

# release/src/titanic_release/project.py -> the repository root (the package is installed editable).
REPO_ROOT = Path(__file__).resolve().parents[3]
PACKAGE_DIR = REPO_ROOT / "model_package" / "titanic_model"
VERSION_FILE = PACKAGE_DIR / "VERSION"
API_DIR = REPO_ROOT / "api"
REPORTS_DIR = REPO_ROOT / "reports"

DIST_NAME = "titanic-survival-model"
# The distribution name as it appears in sdist and wheel file names (PEP 625 / PEP 427).
DIST_FILE_PREFIX = canonicalize_name(DIST_NAME).replace("-", "_")


def current_version() -> str:
    """The version the working tree builds, read from the file (not from imported code)."""
    return VERSION_FILE.read_text(encoding="utf-8").strip()
