"""A tiny HTTP client for the smoke test (standard library only, so it runs anywhere)."""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

HEALTH_PATH = "/api/v1/health"


@dataclass(frozen=True)
class Api:
    base_url: str
    expected_version: str
    expected_release: str | None = None  # None: any release id is fine

    def get(self, path: str) -> tuple[int, str, bytes]:
        """Status, content type and body of GET path (an HTTP error status is returned too)."""
        return self._send(urllib.request.Request(self.base_url + path))

    def post_json(self, path: str, payload: Any) -> tuple[int, Any]:
        request = urllib.request.Request(
            self.base_url + path,
            data=json.dumps(payload).encode(),
            headers={"content-type": "application/json"},
        )
        status, _, body = self._send(request)
        return status, json.loads(body)

    @staticmethod
    def _send(request: urllib.request.Request) -> tuple[int, str, bytes]:
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return reply.status, reply.headers.get("content-type", ""), reply.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("content-type", ""), error.read()
