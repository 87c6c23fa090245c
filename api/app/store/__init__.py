"""The prediction store: every scored or rejected row, written off the request path."""
