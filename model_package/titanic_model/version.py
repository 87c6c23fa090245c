"""The package version, read from VERSION: the one place it is set (pyproject reads it too)."""

from pathlib import Path

__version__ = (Path(__file__).resolve().parent / "VERSION").read_text(encoding="utf-8").strip()
