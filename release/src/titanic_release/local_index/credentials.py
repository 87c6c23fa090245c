"""The local index's credentials: a random password generated once, kept in files only its owner
can read (credentials.json for clients, htpasswd for pypiserver)."""

import contextlib
import json
import os
import secrets
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

USERNAME = "publisher"
CREDENTIALS_FILE = "credentials.json"
HTPASSWD_FILE = "htpasswd"


class LocalIndexError(RuntimeError):
    """The index could not be started, reached or stopped."""


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)


def authenticated_simple_url(host: str, port: int, credentials: Credentials) -> str:
    """http://user:pass@HOST:PORT/simple/, user and password percent-encoded. Secret."""
    user = quote(credentials.username, safe="")
    password = quote(credentials.password, safe="")
    return f"http://{user}:{password}@{host}:{port}/simple/"


def write_private(path: Path, text: str) -> None:
    """Create (or replace) a file that only its owner can read: mode 600 from the first byte."""
    tmp = path.with_name(path.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def _write_htpasswd(path: Path, credentials: Credentials) -> None:
    # apr_md5_crypt needs no compiled backend (passlib's bcrypt support breaks with bcrypt>=4.1);
    # the password is 32 random bytes and the server listens on loopback only, so the hash scheme
    # is not what protects it.
    with warnings.catch_warnings():  # passlib imports the deprecated `crypt` module
        warnings.simplefilter("ignore", DeprecationWarning)
        from passlib.apache import HtpasswdFile  # type: ignore[import-untyped]

    htpasswd = HtpasswdFile(default_scheme="apr_md5_crypt")
    htpasswd.set_password(credentials.username, credentials.password)
    write_private(path, htpasswd.to_string().decode("utf-8"))


def ensure_credentials(state_dir: Path) -> tuple[Credentials, bool]:
    """The index's credentials, generated (and the htpasswd written) the first time.

    Returns the credentials and whether they were created just now.
    """
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    credentials_path = state_dir / CREDENTIALS_FILE
    htpasswd_path = state_dir / HTPASSWD_FILE
    created = False
    stored = _stored(credentials_path)
    if stored is not None:
        credentials = stored
    else:  # none yet, or damaged: the index is not running (it is started next), so new ones
        credentials = Credentials(username=USERNAME, password=secrets.token_urlsafe(32))
        payload = {"username": credentials.username, "password": credentials.password}
        write_private(credentials_path, json.dumps(payload, indent=2) + "\n")
        created = True
    if created or not htpasswd_path.exists():
        _write_htpasswd(htpasswd_path, credentials)
    return credentials, created


def _stored(path: Path) -> Credentials | None:
    """The credentials kept in `path`, or None when there are none or the file is damaged (edited
    by hand, or cut short: it is written whole, then renamed, so not by this code)."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        return Credentials(username=str(stored["username"]), password=str(stored["password"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_credentials(state_dir: Path) -> Credentials:
    path = state_dir / CREDENTIALS_FILE
    if not path.exists():
        raise LocalIndexError(f"no index credentials in {path}; start the index first (make index)")
    credentials = _stored(path)
    if credentials is None:
        raise LocalIndexError(
            f"the index credentials in {path} are damaged; "
            "make index-stop, then make index writes new ones"
        )
    return credentials


def announce_credentials(state_dir: Path, credentials: Credentials) -> None:
    """Say once where the new credentials are kept; show the password only on an interactive
    terminal, so it never lands in a CI log."""
    where = state_dir / CREDENTIALS_FILE
    print(f"Created index credentials for user {credentials.username!r} in {where} (mode 600).")
    if sys.stdout.isatty() and not os.environ.get("CI"):
        print(f"  password (shown once; it stays in that file): {credentials.password}")
