"""Which files of a project a PEP 503 simple index holds: one reader for publishing and baselines.

Credentials may sit in the URL (as pip takes them in PIP_EXTRA_INDEX_URL) or be given apart (as
twine takes them); either way they travel in an Authorization header and never in a message.
"""

import urllib.error
import urllib.request
from base64 import b64encode
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit, urlunsplit


class IndexUnavailableError(RuntimeError):
    """The index could not be asked: unreachable (status None) or an HTTP error other than 404."""

    def __init__(self, message: str, status: int | None) -> None:
        super().__init__(message)
        self.status = status


def without_credentials(url: str) -> tuple[str, str, str]:
    """(url without user:password, user, password)."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    bare = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    return bare, unquote(parts.username or ""), unquote(parts.password or "")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.files: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if tag == "a" and name == "href" and value:
                self.files.add(unquote(value.split("#", 1)[0].rsplit("/", 1)[-1]))


def project_files(
    index_url: str,
    project: str,
    *,
    username: str = "",
    password: str = "",
    timeout: float = 30.0,
) -> set[str]:
    """File names linked from `{index_url}/{project}/`; empty when the project is not there."""
    bare, url_user, url_password = without_credentials(index_url)
    page = bare.rstrip("/") + f"/{project}/"
    request = urllib.request.Request(page)
    user, secret = username or url_user, password or url_password
    if user or secret:
        token = b64encode(f"{user}:{secret}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            html = reply.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return set()
        raise IndexUnavailableError(f"{bare} answered HTTP {error.code}", error.code) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = str(getattr(error, "reason", error))
        for secret_part in (secret, password, url_password):
            if secret_part:
                reason = reason.replace(secret_part, "***")
        raise IndexUnavailableError(f"{bare} cannot be reached ({reason})", None) from None
    links = _Links()
    links.feed(html)
    return links.files
