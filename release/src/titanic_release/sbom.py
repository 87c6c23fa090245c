"""A CycloneDX SBOM of an image's Python environment (/opt/venv), and its pins for pip-audit.

The venv's installed distributions are copied out of the image (`create` + `cp`, which podman and
docker both do without starting anything), put into a fresh venv of this Python (the image's
minor, 3.11), and read by `cyclonedx-py environment`: the SBOM lists exactly what the image holds.

    python -m titanic_release.sbom pins reports/image/sbom.cdx.json pins.txt   # name==version lines
"""

from __future__ import annotations

import json
import sys
import tempfile
import venv
from pathlib import Path

from titanic_release.commands import run
from titanic_release.project import DIST_NAME

IMAGE_VENV = "/opt/venv"
SITE_PACKAGES = f"lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"


class SbomError(RuntimeError):
    """The image's environment could not be read (another Python minor, no venv)."""


def copy_site_packages(engine: str, image: str, destination: Path) -> None:
    """The content of the image's venv site-packages into the directory `destination`."""
    container = run([engine, "create", image], f"creating a container of {image}").strip()
    try:
        run(
            [engine, "cp", f"{container}:{IMAGE_VENV}/{SITE_PACKAGES}/.", destination],
            f"copying {IMAGE_VENV} out of {image}",
        )
    finally:
        run([engine, "rm", container], "removing the container")


def write_sbom(engine: str, image: str, output: Path) -> Path:
    """Write the CycloneDX JSON SBOM of `image`'s Python environment to `output`."""
    with tempfile.TemporaryDirectory(prefix="titanic-sbom-") as tmp:
        environment = Path(tmp) / "env"
        venv.EnvBuilder(with_pip=False).create(environment)
        copy_site_packages(engine, image, environment / SITE_PACKAGES)
        if not any((environment / SITE_PACKAGES).glob("*.dist-info")):
            raise SbomError(f"{image} has no distributions in {IMAGE_VENV}/{SITE_PACKAGES}")
        run(
            [
                sys.executable,
                "-m",
                "cyclonedx_py",
                "environment",
                "--output-format",
                "JSON",
                "--output-reproducible",
                "--output-file",
                output,
                environment / "bin" / "python",
            ],
            f"writing the SBOM of {image}",
        )
    return output


def pins(sbom: dict[str, object]) -> list[str]:
    """`name==version` for every Python package in a CycloneDX SBOM, for pip-audit; the model
    package is left out: it is not on PyPI's advisory database (its dependencies are listed)."""
    components = sbom.get("components")
    return sorted(
        f"{component['name']}=={component['version']}"
        for component in (components if isinstance(components, list) else [])
        if str(component.get("purl", "")).startswith("pkg:pypi/") and component["name"] != DIST_NAME
    )


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] != "pins":
        print(__doc__, file=sys.stderr)
        return 2
    listed = pins(json.loads(Path(argv[1]).read_text(encoding="utf-8")))
    Path(argv[2]).write_text("".join(f"{pin}\n" for pin in listed), encoding="utf-8")
    print(f"{len(listed)} packages of {argv[1]} listed in {argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
