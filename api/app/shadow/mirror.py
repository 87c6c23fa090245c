"""The live side of the shadow release: a copy of each sampled predict request's valid rows, with
the ids they were answered under, goes to the candidate from a thread of its own.

`offer` runs on the request's path and only appends to a bounded queue (rows and bytes) or counts
a drop; it never waits on the candidate. The sender thread posts one request per offer, with its
own timeouts and a breaker (breaker.py), so a candidate that is down, hung or failing costs the
live answers nothing (tests/shadow/test_mirror_faults.py). Best effort by design: nothing is
retried, and what is queued at shutdown is dropped and counted.
"""

import json
import random
import threading
from collections import deque
from collections.abc import Sequence
from typing import Any

from loguru import logger

from app.shadow import metrics
from app.shadow.breaker import Breaker
from app.shadow.sender import MirrorCallError, Sender
from app.shadow.settings import MIRROR_PATH, ShadowSettings

CLOSE_WAIT_S = 1.0  # shutdown waits this long for the sender thread, never for the candidate


class ShadowMirror:
    """Started by the lifespan when SHADOW_URL is set; `offer` from the prediction path."""

    def __init__(self, settings: ShadowSettings, live_version: str) -> None:
        assert settings.SHADOW_URL
        assert settings.SHADOW_TOKEN
        self._share = settings.SHADOW_SHARE / 100
        self._max_rows = settings.SHADOW_QUEUE_ROWS
        self._max_bytes = settings.SHADOW_QUEUE_BYTES
        self._live_version = live_version
        self._breaker = Breaker(
            settings.SHADOW_BREAKER_FAILURES, settings.SHADOW_BREAKER_COOLDOWN_S
        )
        self._sender = Sender(
            settings.SHADOW_URL,
            MIRROR_PATH,
            settings.SHADOW_TOKEN.get_secret_value(),
            settings.SHADOW_CONNECT_TIMEOUT_S,
            settings.SHADOW_READ_TIMEOUT_S,
        )
        self._queue: deque[tuple[bytes, int]] = deque()
        self._rows = 0
        self._bytes = 0
        self._ready = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="shadow-mirror", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def offer(self, rows: Sequence[dict[str, Any]], ids: Sequence[str | None]) -> None:
        """Queue the rows that got an id, for a sampled share of requests; never blocks."""
        if self._share < 1 and random.random() >= self._share:
            return
        inputs = [row for row, row_id in zip(rows, ids, strict=True) if row_id is not None]
        if not inputs:
            return
        if not self._breaker.allows():
            metrics.DROPPED.labels(reason="breaker_open").inc()
            return
        answered = [row_id for row_id in ids if row_id is not None]
        body = json.dumps(
            {"inputs": inputs, "ids": answered, "live_version": self._live_version},
            separators=(",", ":"),
            default=str,
        ).encode()
        with self._ready:
            full = self._rows + len(inputs) > self._max_rows
            if full or self._bytes + len(body) > self._max_bytes or self._stopping:
                metrics.DROPPED.labels(reason="shutdown" if self._stopping else "queue_full").inc()
                return
            self._queue.append((body, len(inputs)))
            self._rows += len(inputs)
            self._bytes += len(body)
            self._ready.notify()

    def _next(self) -> tuple[bytes, int] | None:
        with self._ready:
            while not self._queue and not self._stopping:
                self._ready.wait()
            if self._stopping:
                return None
            body, rows = self._queue.popleft()
            self._rows -= rows
            self._bytes -= len(body)
            return body, rows

    def _run(self) -> None:
        while (item := self._next()) is not None:
            body, rows = item
            if not self._breaker.allows():
                metrics.DROPPED.labels(reason="breaker_open").inc()
                continue
            try:
                self._sender.post(body)
            except MirrorCallError as error:
                was_open = self._breaker.is_open
                self._breaker.failed()
                metrics.FAILED.labels(reason=error.reason).inc()
                if not was_open and self._breaker.is_open:
                    logger.warning("shadow mirror paused: {error}", error=str(error))
            else:
                self._breaker.succeeded()
                metrics.MIRRORED.inc()
                metrics.MIRRORED_ROWS.inc(rows)
        self._sender.close()

    def close(self) -> None:
        """Stop the sender; requests still queued are dropped and counted, not sent."""
        with self._ready:
            self._stopping = True
            dropped = len(self._queue)
            self._queue.clear()
            self._rows = self._bytes = 0
            self._ready.notify_all()
        if dropped:
            metrics.DROPPED.labels(reason="shutdown").inc(dropped)
        self._thread.join(CLOSE_WAIT_S)
