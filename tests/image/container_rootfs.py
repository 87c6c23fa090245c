"""Run an image's own command without a container runtime: its file system, its user, its env.

No OCI runtime can start containers on this project's machines (crun refuses cgroups in hybrid
mode, runc cannot set rlimits), so a container is created (not started) and its writable file
system mounted with `podman mount`; `chroot --userspec` then runs a command in it as the image's
`User`, with exactly the image's `Env` (plus what a platform sets, e.g. PORT) in its `WorkingDir`,
as a runtime would. What is missing compared with a runtime: namespaces and cgroup limits (the
process shares this machine's network, so the public host of the command becomes loopback).
"""

import contextlib
import json
import os
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from titanic_release.run_api import PUBLIC_HOST
from titanic_release.servers import HOST

ENGINE = "podman"


def podman(*args: str, timeout: float = 120) -> str:
    result = subprocess.run(
        [ENGINE, *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"podman {args[0]} failed: {result.stderr[-2000:]}"
    return result.stdout


@dataclass(frozen=True)
class ImageConfig:
    """The parts of `podman image inspect` that say how the image runs."""

    user: str
    env: dict[str, str]
    working_dir: str
    cmd: list[str]
    healthcheck: list[str]  # the HEALTHCHECK's test, e.g. ["CMD", "python", ...]
    size: int

    @classmethod
    def of(cls, image: str) -> "ImageConfig":
        inspected = json.loads(podman("image", "inspect", image))[0]
        config = inspected["Config"]
        env = dict(item.split("=", 1) for item in config.get("Env", []))
        healthcheck = (inspected.get("Healthcheck") or config.get("Healthcheck") or {}).get(
            "Test", []
        )
        return cls(
            user=config.get("User", ""),
            env=env,
            working_dir=config.get("WorkingDir") or "/",
            cmd=list(config.get("Cmd") or []),
            healthcheck=list(healthcheck),
            size=int(inspected["Size"]),
        )


@dataclass(frozen=True)
class Rootfs:
    """A created container's mounted file system, and who the image runs as in it."""

    path: Path
    config: ImageConfig

    def ids(self) -> tuple[int, int]:
        """(uid, gid) of the image's User, resolved in the image's own /etc/passwd."""
        name = self.config.user.split(":", 1)[0]
        for line in (self.path / "etc/passwd").read_text().splitlines():
            fields = line.split(":")
            if name in (fields[0], fields[2]):
                return int(fields[2]), int(fields[3])
        raise AssertionError(f"user {name!r} is not in the image's /etc/passwd")

    def home(self) -> str:
        uid, _ = self.ids()
        for line in (self.path / "etc/passwd").read_text().splitlines():
            fields = line.split(":")
            if int(fields[2]) == uid:
                return fields[5]
        return "/"

    def argv(self, command: Sequence[str], extra_env: Mapping[str, str] | None = None) -> list[str]:
        """`command` run inside the file system as the image's user, with the image's env."""
        uid, gid = self.ids()
        env = {"HOME": self.home(), **self.config.env, **(extra_env or {})}
        return [
            "chroot",
            f"--userspec={uid}:{gid}",
            f"--groups={gid}",
            str(self.path),
            "/usr/bin/env",
            "-i",
            f"--chdir={self.config.working_dir}",
            *(f"{name}={value}" for name, value in env.items()),
            *command,
        ]

    def run(
        self, command: Sequence[str], extra_env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(command, extra_env),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={"PATH": os.environ["PATH"]},
        )

    def own_command(self) -> list[str]:
        """The image's CMD with its public host swapped for loopback (what `make run` does)."""
        cmd = self.config.cmd
        assert cmd, "the image has no CMD"
        assert PUBLIC_HOST in cmd[-1], f"expected --host {PUBLIC_HOST} in CMD {cmd}"
        return [*cmd[:-1], cmd[-1].replace(PUBLIC_HOST, HOST)]

    def healthcheck_command(self) -> list[str]:
        kind, *command = self.config.healthcheck
        assert kind == "CMD", f"HEALTHCHECK is not an exec-form CMD: {self.config.healthcheck}"
        return command


def dangling_images() -> set[str]:
    """The untagged images: a build without the cache leaves its build stage (and a failed build
    its finished steps) behind as such images."""
    return set(podman("images", "--quiet", "--no-trunc", "--filter", "dangling=true").split())


@contextlib.contextmanager
def removing_new_dangling_images() -> Iterator[None]:
    """Remove, on exit, the untagged images that appeared meanwhile."""
    before = dangling_images()
    try:
        yield
    finally:
        new = dangling_images() - before
        if new:
            subprocess.run([ENGINE, "rmi", *sorted(new)], capture_output=True, check=False)


@contextlib.contextmanager
def container_rootfs(image: str) -> Iterator[Rootfs]:
    """A fresh container of `image`, created and mounted (never started); removed on exit."""
    container = podman("create", image).strip()
    try:
        path = Path(podman("mount", container).strip())
        yield Rootfs(path=path, config=ImageConfig.of(image))
    finally:
        subprocess.run([ENGINE, "umount", container], capture_output=True, check=False)
        subprocess.run([ENGINE, "rm", "--force", container], capture_output=True, check=False)
