"""Batch scoring of files for `titanic-model predict`: CSV and Parquet, streamed in chunks.

Nothing here is imported with the package: the CLI imports it when asked to score a file, and the
Parquet path imports pyarrow (extra `titanic-survival-model[parquet]`) only for Parquet files.
"""
