"""The project's one credential masker: index and database URLs may carry user:password, and no
message, log line or report may show them.

Used by the API's log sink, the monitoring push and the release machinery (index URLs, publishing,
the traffic gate). A package of its own, which the model wheel does not carry: a fix to masking
needs no model release.
"""

import json
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit, urlunsplit

MASK = "***"


def url_secrets(value: str) -> set[str]:
    """What of `value` (one URL or several, space-separated) must not be shown: each URL whole,
    and its user and password, raw and percent-decoded."""
    found = {value} if value else set()
    for url in value.split():
        found.add(url)
        parts = urlsplit(url)
        for part in (parts.username, parts.password):
            if part:
                found |= {part, unquote(part)}
    return found


def split_credentials(url: str) -> tuple[str, str, str]:
    """(url without user:password, user, password), the latter two percent-decoded."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    bare = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    return bare, unquote(parts.username or ""), unquote(parts.password or "")


def shown_url(url: str) -> str:
    """`url` safe to print: `***@host` where credentials were, query and fragment dropped."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{MASK}@{host}" if parts.username or parts.password else host
    if parts.port:
        netloc += f":{parts.port}"
    # Written out: urlunsplit drops the // of an empty host (sqlite:///file becomes sqlite:/file).
    return f"{parts.scheme}://{netloc}{parts.path}"


class Masker:
    """Replaces every given secret in a text with ***: as given, percent-decoded and JSON-escaped
    (inside a JSON log line or an error body), longest first so a URL goes before its password.
    Secrets shorter than `min_length` are left alone (a log sink fed from the environment would
    otherwise blank out ordinary words)."""

    def __init__(self, secrets: Iterable[str], min_length: int = 1) -> None:
        forms = {form for secret in secrets for form in (secret, unquote(secret))}
        forms |= {json.dumps(form)[1:-1] for form in forms}
        usable = (form for form in forms if len(form) >= max(1, min_length))
        self.secrets = sorted(usable, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text


def mask(text: str, *secrets: str) -> str:
    """`text` with every non-empty secret replaced by ***."""
    return Masker(secrets)(text)


def mask_url_credentials(text: str, url: str) -> str:
    """`text` with the user and password held in `url` replaced by ***."""
    parts = urlsplit(url)
    return mask(text, parts.password or "", parts.username or "")
