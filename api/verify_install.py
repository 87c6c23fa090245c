"""Fails the install unless titanic-survival-model came from the private index (stdlib only).

The API installs with `--extra-index-url`, so pip takes the pinned version from whichever index
offers the best candidate: an unrelated or malicious `titanic-survival-model` on PyPI with the same
version (dependency confusion) would be installed silently. This reads the JSON report of
`pip install --report FILE` and checks that the model's download URL is on the host (and port)
of PIP_EXTRA_INDEX_URL. Credentials in URLs are masked in every message.

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


def masked(url: str) -> str:
    """The URL with any user:password replaced by ***."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]).geturl()


def _origin(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    default_port = {"http": 80, "https": 443}.get(parts.scheme)
    return (parts.hostname or "").lower(), parts.port or default_port


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
    """The download URL (masked) when it is on the private index's host; raises otherwise."""
    if not private_index_url:
        raise InstallSourceError("PIP_EXTRA_INDEX_URL is not set: no private index to compare")
    url = model_download_url(report)
    if _origin(url) != _origin(private_index_url):
        raise InstallSourceError(
            f"{PROJECT} was downloaded from {masked(url)}, not from the private index "
            f"{masked(private_index_url)}: refusing a possible dependency-confusion impostor"
        )
    return masked(url)


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
    print(f"verify_install: {PROJECT} came from the private index ({source})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
