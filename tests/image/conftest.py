"""The API image as `make image BASE_IMAGE=local` builds it, the command itself, against a fresh
authenticated index.

The model of the working tree is built and published to a throwaway local index (as the e2e suite
does); `make image` builds api/Dockerfile on the cached local Debian base with that index as
PIP_EXTRA_INDEX_URL, without the layer cache (NO_CACHE=1 in its environment), so this run's
install and provenance check really run. Its build stage is kept for the layer cache of the
`make image` runs that follow (make test's rehearsal).
"""

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from container_rootfs import ENGINE, Rootfs, container_rootfs, dangling_images
from titanic_release.local_base import ensure_local_base
from titanic_release.local_index import LocalIndex, running_index
from titanic_release.project import REPO_ROOT, REPORTS_DIR, current_version
from titanic_release.publish import PYPA_BUILD

VERSION = current_version()
TAG = f"titanic-api:{VERSION}"  # what make image builds
MAKE_IMAGE = "make image BASE_IMAGE=local"  # as docs/deploy-railway.md prints it
KEPT_STAGE = REPO_ROOT / ".cache" / "image-suite" / "kept-build-stage"  # its image ids


@dataclass(frozen=True)
class BuildRun:
    tag: str
    output: str  # make's output and the build's log (reports/image/build.log)
    seconds: float


def _environ_without_index_settings() -> dict[str, str]:
    """This machine's environment minus any index setting (the test gives its own) and the
    running tox env's variables (make starts a tox of its own)."""
    return {
        name: value
        for name, value in os.environ.items()
        if name not in {"PIP_EXTRA_INDEX_URL", "PIP_NO_INDEX", "VIRTUAL_ENV"}
        and not name.startswith(("TWINE_", "TOX_", "_TOX"))
    }


@pytest.fixture(scope="session")
def engine() -> str:
    assert shutil.which(ENGINE), "podman is missing: make image-tools installs it"
    return ENGINE


@pytest.fixture(scope="session")
def dist_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [*PYPA_BUILD, "--sdist", "--wheel", "--outdir", str(out), str(REPO_ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out


@pytest.fixture(scope="session")
def index(tmp_path_factory: pytest.TempPathFactory, dist_dir: Path) -> Iterator[LocalIndex]:
    """A fresh authenticated index on a free loopback port holding this VERSION's wheel."""
    with running_index(tmp_path_factory.mktemp("index")) as running:
        env = {**_environ_without_index_settings(), **running.twine_env()}
        published = subprocess.run(
            [sys.executable, "-m", "titanic_release.publish", "--dist-dir", str(dist_dir)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert published.returncode == 0, published.stdout + published.stderr
        yield running


@pytest.fixture(scope="session")
def base_image(engine: str) -> str:
    """The local Debian base, from the clone's cache (made when missing, ~90 s)."""
    return ensure_local_base(engine)


@pytest.fixture(scope="session")
def build(index: LocalIndex) -> BuildRun:
    """`make image BASE_IMAGE=local`, run as a person runs it, with the index given the way
    CircleCI gives it (PIP_EXTRA_INDEX_URL) and NO_CACHE=1 in the environment (make reads it
    there too), so that no layer of an earlier run stands in for a step."""
    env = {
        **_environ_without_index_settings(),
        "PIP_EXTRA_INDEX_URL": index.authenticated_simple_url(),
        "NO_CACHE": "1",
    }
    env.pop("MAKEFLAGS", None)
    with keeping_the_build_stage():
        started = time.monotonic()
        made = subprocess.run(
            shlex.split(MAKE_IMAGE),
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        seconds = time.monotonic() - started
    output = made.stdout + made.stderr
    assert made.returncode == 0, output[-3000:]
    assert TAG in made.stdout.splitlines(), output[-500:]  # make image prints the tag
    log = (REPORTS_DIR / "image" / "build.log").read_text(encoding="utf-8")
    return BuildRun(tag=TAG, output=output + log, seconds=seconds)


@contextmanager
def keeping_the_build_stage() -> Iterator[None]:
    """The build leaves its build stage behind as an untagged image: kept for the layer cache of
    the `make image` that follows (make test's rehearsal runs two), and removed by the next run of
    this suite, so that no more than one is ever left."""
    previous = KEPT_STAGE.read_text(encoding="utf-8").split() if KEPT_STAGE.exists() else []
    if previous:
        subprocess.run([ENGINE, "rmi", *previous], capture_output=True, check=False, timeout=120)
    before = dangling_images()
    try:
        yield
    finally:
        new = sorted(dangling_images() - before)
        KEPT_STAGE.parent.mkdir(parents=True, exist_ok=True)
        KEPT_STAGE.write_text("".join(f"{image}\n" for image in new), encoding="utf-8")


@pytest.fixture
def rootfs(build: BuildRun) -> Iterator[Rootfs]:
    """A fresh container file system of the built image (created, never started)."""
    with container_rootfs(build.tag) as mounted:
        yield mounted
