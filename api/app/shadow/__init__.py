"""Shadow release (docs/shadow.md): live mirrors rows to a candidate, which stores its answers."""
