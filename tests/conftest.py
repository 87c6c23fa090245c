"""Fixtures shared by the package and API tests."""

import pytest


@pytest.fixture
def passenger() -> dict[str, object]:
    """A valid record with every field set."""
    return {
        "pclass": 2,
        "sex": "female",
        "age": 31.0,
        "sibsp": 1,
        "parch": 1,
        "fare": 26.0,
        "cabin": "F4",
        "embarked": "S",
        "name": "Doe, Mrs. Jane",
    }
