"""One HTTP POST to the candidate with separate connect and read timeouts (stdlib http.client).

The standard library, not an HTTP client package: the API gains no dependency for the mirror, and
http.client lets the connect timeout differ from the read timeout (the socket's timeout is set
again once connected). The token goes in a header only; it is never logged.
"""

import http.client
from urllib.parse import urlsplit


class MirrorCallError(Exception):
    """A failed call, with the reason counted in the metrics."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class Sender:
    """Posts JSON bodies to `base_url` + `path`, keeping one connection alive between calls."""

    def __init__(
        self, base_url: str, path: str, token: str, connect_timeout_s: float, read_timeout_s: float
    ) -> None:
        parts = urlsplit(base_url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or (443 if self._https else 80)
        self._path = parts.path.rstrip("/") + path
        self._headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
        }
        self._connect_timeout_s = connect_timeout_s
        self._read_timeout_s = read_timeout_s
        self._connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            connection = kind(self._host, self._port, timeout=self._connect_timeout_s)
            connection.connect()
            if connection.sock is not None:
                connection.sock.settimeout(self._read_timeout_s)
            self._connection = connection
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def post(self, body: bytes) -> None:
        """Returns when the candidate answered 2xx; raises MirrorCallError otherwise."""
        try:
            connection = self._connect()
            connection.request("POST", self._path, body=body, headers=self._headers)
            response = connection.getresponse()
            response.read()
        except TimeoutError as error:
            self.close()
            raise MirrorCallError("timeout", f"no answer in time: {error}") from None
        except (OSError, http.client.HTTPException) as error:
            self.close()
            raise MirrorCallError("connection", f"{type(error).__name__}: {error}") from None
        if response.will_close:
            self.close()
        if not 200 <= response.status < 300:
            raise MirrorCallError("status", f"the candidate answered {response.status}")
