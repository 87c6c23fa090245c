"""Shadow release (docs/shadow.md): the live API mirrors rows to a candidate, which stores its own answers."""
