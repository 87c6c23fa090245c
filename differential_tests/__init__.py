"""Differential tests: the candidate model in the working tree against the last published one."""
