"""Prediction ids: 32 hex digits, the time first so the store's unique index grows at one end.

A fully random id lands in a random page of the `prediction_id` index at every insert, so each
write dirties as many index pages as it has rows, and the cost per row grows with the table
(docs/performance.md#measured-choices-in-the-code). Leading with the milliseconds keeps the
inserts at the index's right edge. The other 80 bits stay random: ids cannot be guessed and stay
unique across workers and replicas without coordination.
"""

import secrets

TIME_DIGITS = 12
"""Hex digits of milliseconds since 1970 (enough until the year 10889)."""
RANDOM_FROM = TIME_DIGITS + 1
"""Where the random part starts, counted from 1 as SQL's substr counts: what a uniform sample
orders by."""


def new_ids(count: int, at: float) -> list[str]:
    """`count` fresh ids for rows answered at `at` (seconds since 1970)."""
    time_part = f"{int(at * 1000):0{TIME_DIGITS}x}"
    return [time_part + secrets.token_hex(10) for _ in range(count)]
