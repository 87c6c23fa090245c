"""The one index client: which files and versions of a project a PEP 503 simple index holds.

Credentials may sit in the URL (as pip takes them in PIP_EXTRA_INDEX_URL) or be given apart (as
twine takes them); either way they travel in an Authorization header and never in a message.
"""

import contextlib
import urllib.error
import urllib.request
from base64 import b64encode
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from titanic_masking import mask, shown_url, split_credentials


class IndexUnavailableError(RuntimeError):
    """The index could not be asked: unreachable (status None) or an HTTP error other than 404."""

    def __init__(self, message: str, status: int | None) -> None:
        super().__init__(message)
        self.status = status


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.files: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if tag == "a" and name == "href" and value:
                self.files.add(unquote(value.split("#", 1)[0].rsplit("/", 1)[-1]))


def version_of(filename: str, project: str) -> Version | None:
    """The version in an sdist or wheel file name of `project`, else None."""
    with contextlib.suppress(InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        if filename.endswith(".whl"):
            name, version, *_ = parse_wheel_filename(filename)
        else:
            name, version = parse_sdist_filename(filename)
        return version if name == canonicalize_name(project) else None
    return None


@dataclass(frozen=True)
class SimpleIndex:
    """A simple index at `url` (which may hold user:password; `shown` never does)."""

    url: str
    username: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 30.0

    @classmethod
    def from_twine_env(cls, twine_env: Mapping[str, str], timeout: float = 30.0) -> "SimpleIndex":
        """The simple page under a pypiserver-style upload URL, with twine's credentials."""
        return cls(
            twine_env["TWINE_REPOSITORY_URL"].rstrip("/") + "/simple/",
            twine_env.get("TWINE_USERNAME", ""),
            twine_env.get("TWINE_PASSWORD", ""),
            timeout,
        )

    @property
    def shown(self) -> str:
        return shown_url(self.url)

    def files(self, project: str) -> set[str]:
        """File names linked from `{url}/{project}/`; empty when the project is not there."""
        bare, url_user, url_password = split_credentials(self.url)
        page = bare.rstrip("/") + f"/{project}/"
        request = urllib.request.Request(page)
        user, secret = self.username or url_user, self.password or url_password
        if user or secret:
            token = b64encode(f"{user}:{secret}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:
                html = reply.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return set()
            raise IndexUnavailableError(f"{bare} answered HTTP {error.code}", error.code) from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = mask(str(getattr(error, "reason", error)), secret, url_password, self.password)
            raise IndexUnavailableError(f"{bare} cannot be reached ({reason})", None) from None
        links = _Links()
        links.feed(html)
        return links.files

    def versions(self, project: str) -> list[Version]:
        """Every version of `project` on the index, oldest first ([] if never published)."""
        found = (version_of(name, project) for name in self.files(project))
        return sorted({version for version in found if version is not None})
