"""The load-shedding middleware on its own: admits up to its budgets, answers 503 beyond them."""

import asyncio
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from app.core.config import Settings
from app.core.load_shed import SMALL_BODY_BYTES, LoadShedMiddleware


class HeldApp:
    """An ASGI app that answers 200 only once released, so requests stay in flight."""

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})


def request(content_length: int | None, method: str = "POST") -> Scope:
    """content_length None: a POST streams its body (chunked), a GET has none."""
    if content_length is not None:
        headers = [(b"content-length", b"%d" % content_length)]
    else:
        headers = [(b"transfer-encoding", b"chunked")] if method == "POST" else []
    return {"type": "http", "method": method, "path": "/api/v1/predict", "headers": headers}


async def call(app: Any, scope: Scope) -> tuple[int, dict[bytes, bytes]]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = sent[0]
    return start["status"], dict(start["headers"])


def statuses(max_requests: int, max_body_bytes: int, scopes: list[Scope]) -> list[int]:
    """Sends the `scopes` one after another while all earlier ones are still in flight."""

    async def run() -> list[int]:
        held = HeldApp()
        shed = LoadShedMiddleware(
            held, max_requests, max_body_bytes, unknown_body_bytes=4096000, body_timeout_s=5
        )
        tasks = []
        for scope in scopes:
            tasks.append(asyncio.create_task(call(shed, scope)))
            await asyncio.sleep(0.01)  # let it be admitted (or refused) before the next one
        held.release.set()
        results = await asyncio.gather(*tasks)
        budgets = (shed.requests, shed.bodiless_requests, shed.body_bytes)
        assert budgets == (0, 0, 0), "the budgets were not given back"
        return [status for status, _ in results]

    return asyncio.run(run())


def test_requests_beyond_the_request_budget_get_503() -> None:
    assert statuses(2, 10**9, [request(100)] * 4) == [200, 200, 503, 503]


def test_large_bodies_beyond_the_byte_budget_get_503() -> None:
    big = SMALL_BODY_BYTES + 1
    assert statuses(100, 2 * big, [request(big)] * 3) == [200, 200, 503]


def test_small_bodies_are_served_while_the_byte_budget_is_full() -> None:
    big = SMALL_BODY_BYTES + 1
    scopes = [request(big), request(big), request(200), request(None, method="GET")]
    assert statuses(100, big, scopes) == [200, 503, 200, 200]


def test_a_body_without_content_length_counts_as_the_largest_accepted() -> None:
    assert statuses(100, 4096000, [request(None), request(SMALL_BODY_BYTES + 1)]) == [200, 503]


def test_503_says_when_to_retry() -> None:
    async def run() -> tuple[int, dict[bytes, bytes]]:
        shed = LoadShedMiddleware(HeldApp(), 1, 10**9, unknown_body_bytes=1, body_timeout_s=5)
        shed.requests = 1  # the one allowed request is in flight
        return await call(shed, request(100))

    status, headers = asyncio.run(run())
    assert status == 503
    assert int(headers[b"retry-after"]) >= 1


def test_the_byte_budget_must_hold_the_largest_body() -> None:
    with pytest.raises(ValueError, match="MAX_BODY_BYTES_IN_FLIGHT"):
        Settings(MAX_BODY_BYTES=4_000_000, MAX_BODY_BYTES_IN_FLIGHT=1_000_000)
