"""A small load generator for the store's tests: `concurrency` clients posting for `seconds`."""

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class LoadOutcome:
    rows_answered: int = 0  # rows in the 200 answers
    statuses: dict[int | str, int] = field(default_factory=dict)

    def count(self, status: int | str) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1


async def _client(
    base_url: str,
    bodies: Sequence[dict[str, Any]],
    offset: int,
    until: float,
    outcome: LoadOutcome,
) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        sent = offset
        while time.monotonic() < until:
            body = bodies[sent % len(bodies)]
            sent += 1
            try:
                answer = await client.post("/api/v1/predict", json=body)
            except httpx.TransportError as error:
                outcome.count(type(error).__name__)
                continue
            outcome.count(answer.status_code)
            if answer.status_code == 200:
                outcome.rows_answered += len(answer.json()["predictions"])


def run_load(
    base_url: str,
    bodies: Sequence[dict[str, Any]],
    seconds: float,
    concurrency: int = 32,
    during: Callable[[], None] | None = None,
) -> LoadOutcome:
    """Send `bodies` round-robin from `concurrency` keep-alive clients; `during` runs meanwhile."""
    outcome = LoadOutcome()

    async def main() -> None:
        until = time.monotonic() + seconds
        clients = [
            _client(base_url, bodies, offset, until, outcome) for offset in range(concurrency)
        ]
        if during is not None:
            clients.append(asyncio.to_thread(during))
        await asyncio.gather(*clients)

    asyncio.run(main())
    return outcome
