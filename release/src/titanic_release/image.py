"""Build the API image from api/Dockerfile with podman or docker, as `titanic-api:{VERSION}`.

The private index reaches the build as a build secret (a file of mode 600 that only the build
stage's install step mounts), so its URL and password are in no layer, history entry or build
argument. Podman builds with `--isolation=chroot`: its RUN steps need no container runtime (none
can start containers on this project's machines). A loopback index is reached through the host's
network. After the build, the image's id and a CycloneDX SBOM of its Python environment are
written to reports/image/.

    python -m titanic_release.image [--base local|IMAGE] [--no-cache]
    # the index: $PIP_EXTRA_INDEX_URL, else the local one
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from titanic_masking import shown_url
from titanic_release.commands import CommandError, run
from titanic_release.local_base import ensure_local_base
from titanic_release.local_index import read_background_index
from titanic_release.project import REPO_ROOT, REPORTS_DIR, current_version
from titanic_release.sbom import SbomError, write_sbom

ENGINES = ("podman", "docker")  # in order of preference
REPOSITORY = "titanic-api"
OUT_DIR = REPORTS_DIR / "image"
SECRET_ID = "pip_extra_index_url"  # the id api/Dockerfile mounts
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
LOCAL_BASE = "local"


class ImageError(RuntimeError):
    """The image could not be built (no engine, no index); the message says what to do."""


@dataclass(frozen=True)
class BuiltImage:
    engine: str
    tag: str
    image_id: str
    base: str  # the BASE_IMAGE it was built on
    output: str  # the build's log, credentials masked


def container_engine(engines: Sequence[str] = ENGINES) -> str:
    """podman when present, else docker."""
    for engine in engines:
        if shutil.which(engine):
            return engine
    raise ImageError("neither podman nor docker is installed (make image-tools installs podman)")


def image_tag(version: str | None = None) -> str:
    return f"{REPOSITORY}:{version or current_version()}"


def build_command(
    engine: str,
    tag: str,
    secret_file: Path,
    iid_file: Path,
    *,
    base: str | None,
    index_url: str,
    use_cache: bool,
    context: Path = REPO_ROOT,
) -> list[str]:
    """The build command line; it holds the secret's file name, never its content."""
    command = [engine, "build"]
    if engine == "podman":
        # chroot: RUN needs no OCI runtime; docker format: OCI images drop the HEALTHCHECK.
        command += ["--isolation=chroot", "--format=docker"]
    if not use_cache:
        command.append("--no-cache")
    if urlsplit(index_url).hostname in LOOPBACK_HOSTS:
        command.append("--network=host")
    command += ["--secret", f"id={SECRET_ID},src={secret_file}"]
    if base:
        command += ["--build-arg", f"BASE_IMAGE={base}"]
    dockerfile = ["--file", str(context / "api" / "Dockerfile")]
    return [*command, *dockerfile, "--tag", tag, "--iidfile", str(iid_file), str(context)]


def build_image(
    index_url: str,
    *,
    engine: str,
    tag: str,
    base: str | None = None,
    use_cache: bool = True,
    context: Path = REPO_ROOT,
) -> BuiltImage:
    """Build api/Dockerfile from the repository's root (or from `context`, a tree of the same
    shape such as make deploy-shadow's copy) as `tag`, the index given as a build secret;
    raises CommandError (credentials masked) when the build fails, also when its install check
    refuses the model. Without the cache every step runs again, the install and its check
    included."""
    env = {**os.environ, "DOCKER_BUILDKIT": "1"}
    with tempfile.TemporaryDirectory(prefix="titanic-image-") as tmp:
        secret_file = Path(tmp) / SECRET_ID
        descriptor = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(index_url)
        iid_file = Path(tmp) / "iid"
        command = build_command(
            engine,
            tag,
            secret_file,
            iid_file,
            base=base,
            index_url=index_url,
            use_cache=use_cache,
            context=context,
        )
        output = run(command, f"building {tag}", env=env, index_url=index_url)
        image_id = iid_file.read_text(encoding="utf-8").strip()
    return BuiltImage(engine, tag, image_id, base or "(the Dockerfile's default)", output)


def index_url_from(environ: Mapping[str, str]) -> str:
    """PIP_EXTRA_INDEX_URL when set, else the running local index's authenticated URL."""
    if environ.get("PIP_EXTRA_INDEX_URL"):
        return environ["PIP_EXTRA_INDEX_URL"]
    index = read_background_index()
    if index is None:
        raise ImageError("no index: set PIP_EXTRA_INDEX_URL or start the local one (make index)")
    return index.authenticated_simple_url()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--base",
        default="",
        help=f"BASE_IMAGE: `{LOCAL_BASE}` for the local Debian base; default: the Dockerfile's",
    )
    parser.add_argument("--no-cache", action="store_true", help="build every step again")
    args = parser.parse_args(argv)
    try:
        engine = container_engine()
        index_url = index_url_from(os.environ)
    except ImageError as error:
        print(f"make image: {error}", file=sys.stderr)
        return 1
    tag = image_tag()
    try:
        base = ensure_local_base(engine) if args.base == LOCAL_BASE else args.base or None
        on = base or "the Dockerfile's base"
        print(f"Building {tag} with {engine} from {shown_url(index_url)} on {on}")
        built = build_image(
            index_url, engine=engine, tag=tag, base=base, use_cache=not args.no_cache
        )
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        (OUT_DIR / "image-id").write_text(built.image_id + "\n", encoding="utf-8")
        (OUT_DIR / "build.log").write_text(built.output, encoding="utf-8")
        sbom = write_sbom(engine, built.tag, OUT_DIR / "sbom.cdx.json")
    except (CommandError, SbomError) as error:
        print(f"make image: {error}", file=sys.stderr)
        return 1
    print(f"Image id and build log in {OUT_DIR}/, SBOM of its Python environment in {sbom}")
    print(built.tag)
    return 0


if __name__ == "__main__":
    sys.exit(main())
