"""The pieces of `make image` that need no build: the command line, the base's recipe, the pins."""

from pathlib import Path

import pytest
from titanic_release import local_base
from titanic_release.image import build_command, container_engine
from titanic_release.project import API_DIR, REPO_ROOT
from titanic_release.sbom import pins

GEMFURY_READ_URL = "https://deploy-token:@pypi.fury.io/account/"


def _command(engine: str, index_url: str = GEMFURY_READ_URL, **options: object) -> list[str]:
    settings: dict[str, object] = {"base": None, "use_cache": True, **options}
    return build_command(
        engine,
        "titanic-api:1.0.0",
        Path("/tmp/secret-file"),
        Path("/tmp/iid"),
        index_url=index_url,
        **settings,  # type: ignore[arg-type]
    )


def test_the_index_goes_in_as_a_secret_file_never_on_the_command_line() -> None:
    for engine in ("podman", "docker"):
        command = _command(engine)
        assert "--secret" in command
        assert (
            command[command.index("--secret") + 1] == "id=pip_extra_index_url,src=/tmp/secret-file"
        )
        assert not [part for part in command if "deploy-token" in part or "fury" in part]


def test_podman_builds_without_a_runtime_and_keeps_the_healthcheck() -> None:
    assert {"--isolation=chroot", "--format=docker"} <= set(_command("podman"))
    assert not {"--isolation=chroot", "--format=docker"} & set(_command("docker"))


def test_only_a_loopback_index_gets_the_hosts_network() -> None:
    assert "--network=host" not in _command("podman")
    assert "--network=host" in _command("podman", "http://u:p@127.0.0.1:8090/simple/")


def test_the_base_and_the_cache_are_build_options() -> None:
    command = _command("podman", base="localhost/titanic-base:abc", use_cache=False)
    assert command[command.index("--build-arg") + 1] == "BASE_IMAGE=localhost/titanic-base:abc"
    assert "--no-cache" in command
    assert "--build-arg" not in _command("docker")


def test_podman_is_preferred_when_both_engines_are_there(tmp_path: Path) -> None:
    for name in ("podman", "docker"):
        (tmp_path / name).write_text("#!/bin/sh\n")
        (tmp_path / name).chmod(0o755)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", str(tmp_path))
        assert container_engine() == "podman"
        (tmp_path / "podman").unlink()
        assert container_engine() == "docker"


def test_the_mirror_is_the_one_apt_uses(tmp_path: Path) -> None:
    deb822 = tmp_path / "debian.sources"
    deb822.write_text("Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\n")
    one_line = tmp_path / "sources.list"
    one_line.write_text("deb [arch=amd64] http://other.example/debian bookworm main\n")
    ubuntu = tmp_path / "ubuntu.list"
    ubuntu.write_text("deb http://archive.ubuntu.com/ubuntu noble main\n")
    assert local_base.apt_mirror((deb822, one_line)) == "http://mirror.example/debian"
    assert local_base.apt_mirror((tmp_path / "missing", one_line)) == "http://other.example/debian"
    assert local_base.apt_mirror((ubuntu,)) == local_base.DEFAULT_MIRROR


def test_a_changed_recipe_is_a_new_base() -> None:
    before = local_base.fingerprint("http://deb.debian.org/debian")
    assert local_base.fingerprint("http://deb.debian.org/debian") == before
    assert local_base.fingerprint("http://mirror.example/debian") != before
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(local_base, "PACKAGES", (*local_base.PACKAGES, "curl"))
        assert local_base.fingerprint("http://deb.debian.org/debian") != before


def test_pip_audit_gets_every_python_package_but_the_private_model() -> None:
    sbom = {
        "components": [
            {"name": "fastapi", "version": "0.165.0", "purl": "pkg:pypi/fastapi@0.165.0"},
            {"name": "titanic-survival-model", "version": "0.2.0", "purl": "pkg:pypi/t@0.2.0"},
            {"name": "zlib", "version": "1.3", "purl": "pkg:deb/debian/zlib@1.3"},
        ]
    }
    assert pins(sbom) == ["fastapi==0.165.0"]


def test_the_context_is_the_root_and_lets_in_what_the_dockerfile_copies() -> None:
    """api/Dockerfile is built from the repository's root; .dockerignore shuts everything out
    and lets in each path a COPY names, and nothing of the model's sources or the tests."""
    command = _command("podman")
    assert command[-1] == str(REPO_ROOT)
    assert command[command.index("--file") + 1] == str(API_DIR / "Dockerfile")
    rules = [
        line.strip()
        for line in (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules[0] == "*"
    allowed = {rule[1:] for rule in rules if rule.startswith("!")}
    copied = [
        source
        for line in (API_DIR / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.startswith("COPY ") and "--from=" not in line
        for source in line.split()[1:-1]
    ]
    assert copied
    for source in copied:
        assert (REPO_ROOT / source).exists(), source
        assert any(source == path or source.startswith(f"{path}/") for path in allowed), source
    assert not {"model_package", "tests", "release", "docs"} & {p.split("/")[0] for p in allowed}
