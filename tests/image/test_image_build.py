"""The build: the pinned model from the private index only, no secret left anywhere in the image,
and what the image adds to its base."""

import base64
import csv
import datetime
import hashlib
import json
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest
from conftest import VERSION, BuildRun
from container_rootfs import ImageConfig, Rootfs, podman, removing_new_dangling_images
from impostor_index import impostor_wheel, static_index
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from titanic_release.commands import CommandError
from titanic_release.image import build_image
from titanic_release.local_index import LocalIndex
from titanic_release.project import API_DIR, DIST_FILE_PREFIX, DIST_NAME, REPORTS_DIR
from titanic_release.sbom import pins

SIZE_BUDGET_MIB = 250
MIB = 1024 * 1024


def _record_hash(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _leaks(secret: str, data: bytes) -> bool:
    """Kept apart so a failing assertion never prints the secret or the data holding it."""
    return secret.encode() in data


def test_the_build_installs_the_pinned_model_from_the_private_index(
    build: BuildRun, index: LocalIndex
) -> None:
    wheel = f"{DIST_FILE_PREFIX}-{VERSION}-py3-none-any.whl"
    # verify_install names origins (scheme, host, port) and file names only, never a full URL
    expected = (
        f"verify_install: {DIST_NAME} came from the private index: "
        f"http://{index.host}:{index.port} ({wheel})"
    )
    assert expected in build.output, build.output[-3000:]
    print(f"build without cache on the cached local base: {build.seconds:.0f} s")


def test_the_image_holds_exactly_the_published_wheel(
    rootfs: Rootfs, dist_dir: Path, index: LocalIndex
) -> None:
    """Every file of the wheel on the index is in the image's venv with the wheel's hash."""
    wheel = next(dist_dir.glob(f"{DIST_FILE_PREFIX}-{VERSION}-*.whl"))
    assert (index.packages_dir / wheel.name).read_bytes() == wheel.read_bytes()
    with zipfile.ZipFile(wheel) as archive:
        record = archive.read(f"{DIST_FILE_PREFIX}-{VERSION}.dist-info/RECORD").decode()
    (site_packages,) = rootfs.path.glob("opt/venv/lib/python3.*/site-packages")
    checked = 0
    for path, digest, _ in csv.reader(record.splitlines()):
        if not digest:  # the RECORD itself, which pip rewrites
            continue
        installed = site_packages / path
        assert installed.is_file(), f"{path} of the wheel is not in the image"
        assert digest == f"sha256={_record_hash(installed.read_bytes())}", path
        checked += 1
    assert checked > 20  # the model's modules and its trained artifact


def test_the_provenance_check_fails_the_build_for_an_impostor(
    tmp_path: Path, base_image: str, engine: str, index: LocalIndex
) -> None:
    wheel = impostor_wheel(tmp_path, VERSION)
    base_tag = "localhost/titanic-base-impostor:test"
    image_tag = "localhost/titanic-api-impostor:test"
    with removing_new_dangling_images(), static_index(tmp_path / "pypi", [wheel]) as public_url:
        files_url = public_url.removesuffix("simple/") + "files/"
        context = tmp_path / "impostor-base"
        context.mkdir()
        (context / "Containerfile").write_text(
            f"FROM {base_image}\nRUN printf 'find-links = {files_url}\\n' >> /etc/pip.conf\n",
            encoding="utf-8",
        )
        podman("build", "--isolation=chroot", "--tag", base_tag, str(context), timeout=300)
        try:
            with pytest.raises(CommandError) as refused:
                build_image(
                    index.authenticated_simple_url(),
                    engine=engine,
                    tag=image_tag,
                    base=base_tag,
                    use_cache=False,
                )
        finally:
            subprocess.run([engine, "rmi", "--force", image_tag, base_tag], capture_output=True)
        fake_pypi_log = (tmp_path / "fake-pypi.log").read_text(errors="replace")
    message = str(refused.value)
    assert f"GET /files/{wheel.name}" in fake_pypi_log, "pip never took the impostor"
    assert f"downloaded from {files_url.removesuffix('/files/')} ({wheel.name})" in message, (
        message[-3000:]
    )
    assert "not from the private index" in message
    assert not _leaks(index.password, message.encode())


def test_no_layer_and_no_history_entry_holds_the_index_url_or_password(
    build: BuildRun, index: LocalIndex, tmp_path: Path
) -> None:
    secrets = {
        "password": index.password,
        "authenticated URL": index.authenticated_simple_url(),
        "index address": f"{index.host}:{index.port}",
    }
    archive = tmp_path / "image.tar"
    podman("save", "--format", "docker-archive", "--output", str(archive), build.tag)
    scanned_layers = scanned_files = 0
    with tarfile.open(archive) as saved:
        members = [member for member in saved.getmembers() if member.isfile()]
        for member in members:
            data = saved.extractfile(member).read()  # type: ignore[union-attr]
            for what, secret in secrets.items():
                assert not _leaks(secret, data), f"the {what} is in {member.name} of the image"
            if member.name.endswith(".tar"):
                scanned_layers += 1
                scanned_files += _scan_layer(member.name, data, secrets, tmp_path)
    history = podman("history", "--no-trunc", build.tag).encode()
    for what, secret in secrets.items():
        assert not _leaks(secret, history), f"the {what} is in the image's history"
    print(f"secret scan: {scanned_layers} layers, {scanned_files} files, history: nothing found")
    assert scanned_layers >= 4  # base, useradd, venv, app, data: the scan saw them all
    assert scanned_files > 1000


def _scan_layer(name: str, data: bytes, secrets: dict[str, str], tmp_path: Path) -> int:
    """Every file of one layer (a tar inside the saved archive); returns how many were read."""
    layer = tmp_path / "layer.tar"
    layer.write_bytes(data)
    count = 0
    with tarfile.open(layer) as files:
        for member in files.getmembers():
            if not member.isfile():
                continue
            content = files.extractfile(member).read()  # type: ignore[union-attr]
            count += 1
            for what, secret in secrets.items():
                assert not _leaks(secret, content), f"the {what} is in {member.name} ({name})"
    return count


def test_the_image_adds_at_most_250_mib_to_its_base(build: BuildRun, base_image: str) -> None:
    image = ImageConfig.of(build.tag).size
    base = ImageConfig.of(base_image).size
    added = image - base
    print(
        f"{datetime.date.today()}: image {image / MIB:.1f} MiB, base {base / MIB:.1f} MiB "
        f"({base_image}), added {added / MIB:.1f} MiB"
    )
    assert added <= SIZE_BUDGET_MIB * MIB


def test_the_sbom_lists_the_model_and_every_pin_of_the_api(build: BuildRun) -> None:
    sbom = json.loads((REPORTS_DIR / "image" / "sbom.cdx.json").read_text())  # make image's
    listed = {
        (canonicalize_name(component["name"]), component["version"])
        for component in sbom["components"]
    }
    assert (DIST_NAME, VERSION) in listed
    for line in (API_DIR / "requirements-app.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            requirement = Requirement(line)
            (pinned,) = requirement.specifier
            assert (canonicalize_name(requirement.name), pinned.version) in listed
    assert not {name for name, _ in listed} & {"pip", "setuptools"}
    assert f"{DIST_NAME}=={VERSION}" not in pins(sbom)  # not on PyPI: pip-audit gets its deps
