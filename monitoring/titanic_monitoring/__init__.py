"""Drift and quality report: the prediction store's recent rows against the training data."""
