"""The local private package index: a real pypiserver on 127.0.0.1 behind htpasswd authentication.

It stands in for Gemfury so that publishing and installing locally take the same path as in
production: `twine upload` with credentials, `pip install` through an authenticated
`PIP_EXTRA_INDEX_URL`. Every action is authenticated (upload, download and listing), as on a
private Gemfury account, and overwriting an existing file is refused (pypiserver answers 409).
One module a job: `credentials`, `server` (the process), `background` (the index of
`make index`), and `__main__` (the command line).

Layout of a state directory (default `.index/`, git-ignored):

    credentials.json   username + random password (mode 600), generated on first start
    htpasswd           the same password hashed with apr_md5_crypt (mode 600), read by pypiserver
    packages/          the uploaded distributions
    server.json        pid + port of the background server started by `make index`
    pypiserver.log     its log (requests are logged without credentials)

As a library (tests, differential tests, publishing)::

    from titanic_release.local_index import running_index

    with running_index(tmp_path / "index") as index:      # free port, stopped on exit
        env = {**os.environ, **index.twine_env()}         # TWINE_REPOSITORY_URL/USERNAME/PASSWORD
        ...                                               # twine upload ...
        env = {**os.environ, **index.pip_env()}           # PIP_EXTRA_INDEX_URL with credentials
        ...                                               # pip install ...

The Python that runs it must have `pypiserver` and `passlib` installed (the tox envs that install
`release[index]` have them).
"""

from titanic_release.local_index.background import (
    DEFAULT_STATE_DIR,
    ensure_background_index,
    read_background_index,
)
from titanic_release.local_index.credentials import (
    Credentials,
    LocalIndexError,
    authenticated_simple_url,
)
from titanic_release.local_index.server import LOG_FILE, LocalIndex, running_index

__all__ = [
    "DEFAULT_STATE_DIR",
    "LOG_FILE",
    "Credentials",
    "LocalIndex",
    "LocalIndexError",
    "authenticated_simple_url",
    "ensure_background_index",
    "read_background_index",
    "running_index",
]
