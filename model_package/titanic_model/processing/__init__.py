"""Data loading, input validation and feature engineering."""
