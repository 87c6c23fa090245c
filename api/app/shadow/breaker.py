"""A circuit breaker for the mirror: after N failed calls in a row it stays open for a cooldown.

While open, mirrored requests are dropped (counted) instead of queued, so a candidate that is down
or hung costs the live service nothing but a counter. After the cooldown one call is let through
(half-open): success closes the breaker, failure opens it for another cooldown.
"""

import threading
import time
from collections.abc import Callable


class Breaker:
    """Thread-safe: the event loop asks `allows`, the sender thread reports results."""

    def __init__(
        self, failures: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = failures
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._open_until: float | None = None

    def allows(self) -> bool:
        """Closed, or open with its cooldown over (half-open: the next call decides)."""
        with self._lock:
            return self._open_until is None or self._clock() >= self._open_until

    @property
    def is_open(self) -> bool:
        return not self.allows()

    def succeeded(self) -> None:
        with self._lock:
            self._failures = 0
            self._open_until = None

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            half_open = self._open_until is not None
            if half_open or self._failures >= self._limit:
                self._open_until = self._clock() + self._cooldown_s
