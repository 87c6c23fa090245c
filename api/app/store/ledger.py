"""The writer's four counts: every queued row ends written, quarantined, dropped or in doubt
(app/store/writer.py says when), each with a metric and a log line."""

import time

from loguru import logger

from app.core import metrics

WARNING_INTERVAL_S = 60.0


class Ledger:
    """The counts so far; `count` is called once per settled group of rows."""

    def __init__(self) -> None:
        self.written_rows = 0
        self.written_outcomes = 0
        self.quarantined_rows = 0
        self.dropped_rows = 0
        self.in_doubt_rows = 0
        self.last_write = time.monotonic()
        self._last_warning: dict[str, float] = {}

    def count(self, rows: int, outcome: str, label: str = "", table: str = "predictions") -> None:
        """Rows left the queue: written, quarantined, in doubt, or dropped with `outcome` as the
        reason."""
        if outcome == "written":
            self.last_write = time.monotonic()
            if table == "predictions":
                self.written_rows += rows
                metrics.STORE_ROWS_WRITTEN.inc(rows)
            else:
                self.written_outcomes += rows
                metrics.STORE_OUTCOMES_WRITTEN.inc(rows)
        elif outcome == "quarantined":
            self.quarantined_rows += rows
            metrics.STORE_ROWS_QUARANTINED.labels(reason=label).inc(rows)
        elif outcome == "in_doubt":
            self.in_doubt(rows)
        else:
            self.drop(rows, outcome)

    def in_doubt(self, rows: int) -> None:
        if not rows:
            return
        self.in_doubt_rows += rows
        metrics.STORE_ROWS_IN_DOUBT.inc(rows)
        logger.error(
            "prediction store: {rows} rows in doubt (shutdown came before the database answered "
            "their commit: they are stored if it went through); {total} in doubt so far",
            rows=rows,
            total=self.in_doubt_rows,
        )

    def drop(self, rows: int, reason: str) -> None:
        if not rows:
            return
        self.dropped_rows += rows
        metrics.STORE_ROWS_DROPPED.labels(reason=reason).inc(rows)
        logger.error(
            "prediction store: {rows} rows not stored ({reason}); {dropped} dropped so far",
            rows=rows,
            reason=reason.replace("_", " "),
            dropped=self.dropped_rows,
        )

    def warn(self, key: str, message: str, **values: object) -> None:
        """At most one warning a minute per kind of trouble, each with the counts so far."""
        now = time.monotonic()
        if now - self._last_warning.get(key, -WARNING_INTERVAL_S) >= WARNING_INTERVAL_S:
            self._last_warning[key] = now
            logger.warning(message, **values)
