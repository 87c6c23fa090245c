"""The one bearer-token dependency, for every route a token guards (/metrics, /api/v1/outcomes).

Starlette hands header values over as latin-1 text, so a client can send any byte 0x80-0xff.
Tokens are compared as bytes (the header's raw bytes against the setting's UTF-8), in constant
time: `secrets.compare_digest` refuses non-ASCII text, which once turned such a header into a 500.
"""

import secrets
from typing import Literal

from fastapi import HTTPException, Request

from app.api.deps import SettingsDep

TokenSetting = Literal["METRICS_TOKEN", "OUTCOMES_TOKEN"]


def bearer_matches(request: Request, token: str) -> bool:
    """Whether the request carries `Authorization: Bearer <token>` (the scheme in any case,
    RFC 7235; the token exactly)."""
    sent = request.headers.get("authorization", "").encode("latin-1")
    scheme, _, credential = sent.strip().partition(b" ")
    return scheme.lower() == b"bearer" and secrets.compare_digest(
        credential.strip(), token.encode("utf-8")
    )


class BearerToken:
    """`Depends(BearerToken(setting))`: 401 with the Bearer challenge unless the request carries
    the token the setting holds. Unset, the route is open, or answers 404 with `off` when given
    (a route that must not run without its token)."""

    def __init__(self, setting: TokenSetting, *, off: str | None = None) -> None:
        self.setting = setting
        self.off = off

    async def __call__(self, request: Request, settings: SettingsDep) -> None:
        secret = getattr(settings, self.setting)
        token = secret.get_secret_value() if secret else ""
        if not token:
            if self.off:
                raise HTTPException(404, self.off)
            return
        if not bearer_matches(request, token):
            raise HTTPException(
                401, "a valid bearer token is required", {"WWW-Authenticate": "Bearer"}
            )
