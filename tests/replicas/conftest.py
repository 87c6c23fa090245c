"""Fixtures of the replica tests: the throwaway PostgreSQL of tests/api (postgres_cluster)."""

from postgres_cluster import postgres  # noqa: F401 - the session fixture
