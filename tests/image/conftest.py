"""The API image as `make image BASE_IMAGE=local` builds it, against a fresh authenticated index.

The model of the working tree is built and published to a throwaway local index (as the e2e suite
does); the image is built from api/Dockerfile on the cached local Debian base with that index as
the build secret, without the layer cache, so this run's install and provenance check really run.
"""

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from container_rootfs import ENGINE, Rootfs, container_rootfs, removing_new_dangling_images
from titanic_release.image import BuiltImage, build_image
from titanic_release.local_base import ensure_local_base
from titanic_release.local_index import LocalIndex, running_index
from titanic_release.project import REPO_ROOT, current_version

VERSION = current_version()
TEST_TAG = f"localhost/titanic-api-test:{VERSION}"


@dataclass(frozen=True)
class BuildRun:
    image: BuiltImage
    seconds: float


def _environ_without_index_settings() -> dict[str, str]:
    """This machine's environment minus any index setting: the test gives its own."""
    return {
        name: value
        for name, value in os.environ.items()
        if name not in {"PIP_EXTRA_INDEX_URL", "PIP_NO_INDEX"} and not name.startswith("TWINE_")
    }


@pytest.fixture(scope="session")
def engine() -> str:
    assert shutil.which(ENGINE), "podman is missing: make image-tools installs it"
    return ENGINE


@pytest.fixture(scope="session")
def dist_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(REPO_ROOT)],
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
def build(engine: str, base_image: str, index: LocalIndex) -> Iterator[BuildRun]:
    with removing_new_dangling_images():
        started = time.monotonic()
        image = build_image(
            index.authenticated_simple_url(),
            engine=engine,
            tag=TEST_TAG,
            base=base_image,
            use_cache=False,
            context_env=_environ_without_index_settings(),
        )
        yield BuildRun(image=image, seconds=time.monotonic() - started)
        subprocess.run([engine, "rmi", "--force", TEST_TAG], capture_output=True, check=False)


@pytest.fixture
def rootfs(build: BuildRun) -> Iterator[Rootfs]:
    """A fresh container file system of the built image (created, never started)."""
    with container_rootfs(build.image.tag) as mounted:
        yield mounted
