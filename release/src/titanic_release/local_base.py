"""The local base image: Debian bookworm with Python 3.11, for building the API image offline.

`python:3.11-slim` comes from a registry; where none is reachable (this project's machines) the
image is built on this stand-in instead: a bookworm root file system made by Debian's
`debootstrap` from the mirror apt uses, with `python3`, `python3-venv` and `python-is-python3`
(Python 3.11, the minor of the official image), imported with `tar | podman import`.

Making it takes about 90 s, so it is made once and kept: the root file system's tarball is cached
in `.cache/local-base/` under a fingerprint of the recipe below, and the image is tagged with the
same fingerprint. A changed recipe is a new fingerprint, so the base is remade; a fresh clone has
no tarball and makes it.

    python -m titanic_release.local_base            # prints the image's name, making it when needed
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from titanic_release.commands import run
from titanic_release.project import REPO_ROOT

CACHE_DIR = REPO_ROOT / ".cache" / "local-base"
IMAGE_NAME = "localhost/titanic-base"
SUITE = "bookworm"
PACKAGES = ("python3", "python3-venv", "python-is-python3", "ca-certificates")
DEFAULT_MIRROR = "http://deb.debian.org/debian"
APT_SOURCES = (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list"))
# pip trusts the system's CA store (Debian's plus this machine's own CAs, copied in below) rather
# than only the certifi bundle it carries: installs work behind a TLS-inspecting proxy too.
PIP_CONF = "[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# Trimmed like python:3.11-slim: no apt lists, caches, documentation or locales beyond C.
TRIMMED = (
    "var/lib/apt/lists",
    "var/cache/apt",
    "var/cache/debconf",
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
    "usr/share/locale",
)
DEBOOTSTRAP_TIMEOUT_S = 900
RECIPE_VERSION = 1  # bump when the steps of `make_root_fs` change


def apt_mirror(sources: tuple[Path, ...] = APT_SOURCES) -> str:
    """The Debian mirror apt uses (deb822 `URIs:` or a bookworm `deb` line), else the default."""
    for path in sources:
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        match = re.search(r"^URIs:\s*(\S+)", text, re.MULTILINE) or re.search(
            r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+" + SUITE + r"\s", text, re.MULTILINE
        )
        if match:
            return match.group(1)
    return DEFAULT_MIRROR


def fingerprint(mirror: str) -> str:
    """What the base is made from: the recipe, the mirror and this machine's CA bundle."""
    recipe = {
        "version": RECIPE_VERSION,
        "suite": SUITE,
        "packages": PACKAGES,
        "trimmed": TRIMMED,
        "pip_conf": PIP_CONF,
        "mirror": mirror,
        "ca_bundle": hashlib.sha256(HOST_CA_BUNDLE.read_bytes()).hexdigest(),
    }
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:16]


def make_root_fs(root: Path, mirror: str) -> None:
    """debootstrap the suite with the packages into `root`, then trim it and configure pip."""
    run(
        [
            "debootstrap",
            "--variant=minbase",
            f"--include={','.join(PACKAGES)}",
            SUITE,
            root,
            mirror,
        ],
        f"debootstrap {SUITE} from {mirror}",
    )
    for relative in TRIMMED:
        shutil.rmtree(root / relative, ignore_errors=True)
    shutil.copyfile(HOST_CA_BUNDLE, root / "etc/ssl/certs/ca-certificates.crt")
    (root / "etc/pip.conf").write_text(PIP_CONF, encoding="utf-8")


def unmount_below(root: Path) -> None:
    """Unmount what a failed debootstrap left mounted in `root` (/proc, /sys), deepest first, so
    that removing the directory never walks into them."""
    mounts = Path("/proc/self/mounts").read_text(encoding="utf-8").splitlines()
    inside = [line.split()[1] for line in mounts if line.split()[1].startswith(f"{root}/")]
    for mount_point in sorted(inside, reverse=True):
        subprocess.run(["umount", "--lazy", mount_point], check=False, timeout=60)


def image_exists(engine: str, image: str) -> bool:
    probe = subprocess.run(
        [engine, "image", "inspect", image], capture_output=True, check=False, timeout=60
    )
    return probe.returncode == 0


def ensure_local_base(engine: str = "podman", cache_dir: Path = CACHE_DIR) -> str:
    """The local base image's name, imported from the cached tarball (made first when missing)."""
    mirror = apt_mirror()
    tag = fingerprint(mirror)
    image = f"{IMAGE_NAME}:{tag}"
    tarball = cache_dir / f"{SUITE}-{tag}.tar"
    if tarball.exists() and image_exists(engine, image):
        return image
    if not tarball.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        print(f"Making the local base image {image} with debootstrap (about 90 s, once) ...")
        with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
            root = Path(tmp) / "root"
            try:
                make_root_fs(root, mirror)
            finally:
                unmount_below(root)
            partial = tarball.with_suffix(".tar.partial")
            run(["tar", "-C", root, "--numeric-owner", "-cf", partial, "."], "packing the base")
            partial.replace(tarball)
        for stale in cache_dir.glob(f"{SUITE}-*.tar"):
            if stale != tarball:
                stale.unlink()
    run([engine, "import", tarball, image], f"importing {tarball.name}")
    return image


def main() -> int:
    print(ensure_local_base())
    return 0


if __name__ == "__main__":
    sys.exit(main())
