"""Fixtures shared by the package and API tests."""

import pytest

from titanic_model.contract import EXAMPLE_PASSENGER


@pytest.fixture
def passenger() -> dict[str, object]:
    """A valid record with every field set (a fresh copy: tests may change it)."""
    return dict(EXAMPLE_PASSENGER)
