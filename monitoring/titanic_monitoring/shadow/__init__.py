"""Shadow report: live and candidate answers paired by the live id (docs/shadow.md)."""
