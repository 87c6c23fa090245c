"""Developer tooling around the package: the local private index and publishing to it."""
