"""A dependency-confusion impostor and a throwaway "PyPI" serving it (the e2e and image suites).

The impostor is titanic-survival-model of the pinned version with a build tag, so pip prefers it
to the real wheel wherever both are offered; the fake PyPI is a plain PEP 503 directory served by
`python -m http.server` on loopback (its wheels also listed at `files/`, for pip's find-links).
"""

import base64
import hashlib
import shutil
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from titanic_release.project import DIST_NAME
from titanic_release.servers import HOST, free_port, start_server, stopped_on_exit


def impostor_wheel(directory: Path, version: str) -> Path:
    """titanic-survival-model `version` with a build tag, so pip prefers it to the real wheel."""
    dist_info = f"titanic_survival_model-{version}.dist-info"
    files = {
        "titanic_model/__init__.py": b"raise ImportError('impostor')\n",
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {DIST_NAME}\nVersion: {version}\n"
        ).encode(),
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        b"Build: 1\nTag: py3-none-any\n",
    }
    records = [
        f"{name},sha256={_record_hash(data)},{len(data)}" for name, data in files.items()
    ] + [f"{dist_info}/RECORD,,"]
    files[f"{dist_info}/RECORD"] = ("\n".join(records) + "\n").encode()
    wheel = directory / f"titanic_survival_model-{version}-1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return wheel


def _record_hash(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


@contextmanager
def static_index(root: Path, wheels: list[Path]) -> Iterator[str]:
    """A fake PyPI holding `wheels` on a free loopback port; yields its simple URL."""
    project_dir = root / "simple" / DIST_NAME
    project_dir.mkdir(parents=True)
    links = "".join(f'<a href="/files/{wheel.name}">{wheel.name}</a>\n' for wheel in wheels)
    (project_dir / "index.html").write_text(f"<html><body>\n{links}</body></html>\n")
    (root / "files").mkdir()
    for wheel in wheels:
        shutil.copy(wheel, root / "files" / wheel.name)
    port = free_port()
    url = f"http://{HOST}:{port}/simple/"
    command = [sys.executable, "-m", "http.server", "--bind", HOST, str(port)]
    with stopped_on_exit(start_server(command, url, root.parent / "fake-pypi.log", cwd=root)):
        yield url
