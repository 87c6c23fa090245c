"""Fails the install unless titanic-survival-model came from the private index (stdlib only).

The API installs with `--extra-index-url`, so pip takes the pinned version from whichever index
offers the best candidate: an unrelated or malicious `titanic-survival-model` on PyPI with the same
version (dependency confusion) would be installed silently. This reads the JSON report of
`pip install --report FILE` and checks that the model's download URL is on the host (and port)
of PIP_EXTRA_INDEX_URL. Messages name origins (scheme, host, port) and file names only, never a
whole URL, so an index's credentials cannot reach the build log and no masking is needed.

    python verify_install.py pip-report.json    # PIP_EXTRA_INDEX_URL set as for the install
"""

import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

PROJECT = "titanic-survival-model"


class InstallSourceError(Exception):
    """The model package was not installed from the private index (message safe to print)."""


def origin(url: str) -> str:
    """scheme://host:port of `url`: what is compared, and all that is printed of it."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


def _file_name(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1]


def model_download_url(report: dict[str, object]) -> str:
    """Where pip downloaded the model package from, per its installation report."""
    installed = report.get("install")
    for item in installed if isinstance(installed, list) else []:
        if str(item["metadata"]["name"]).lower().replace("_", "-") == PROJECT:
            return str(item["download_info"]["url"])
    raise InstallSourceError(
        f"{PROJECT} is not in the pip report: it was not installed by this pip run "
        "(uninstall it first so that its source can be checked)"
    )


def check_source(report: dict[str, object], private_index_url: str) -> str:
    """Where the model came from (origin and file) when that is the private index's origin;
    raises otherwise."""
    if not private_index_url:
        raise InstallSourceError("PIP_EXTRA_INDEX_URL is not set: no private index to compare")
    url = model_download_url(report)
    source = f"{origin(url)} ({_file_name(url)})"
    if origin(url) != origin(private_index_url):
        raise InstallSourceError(
            f"{PROJECT} was downloaded from {source}, not from the private index "
            f"{origin(private_index_url)}: refusing a possible dependency-confusion impostor"
        )
    return source


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    report = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    try:
        source = check_source(report, os.environ.get("PIP_EXTRA_INDEX_URL", ""))
    except InstallSourceError as error:
        print(f"verify_install: {error}", file=sys.stderr)
        return 1
    print(f"verify_install: {PROJECT} came from the private index: {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
