"""A stand-in for the Railway CLI, for the rehearsal's deploy jobs: the calls `make deploy-api`
(and through it `make deploy-shadow`) makes, carried out here the way Railway carries them out.

    railway variables --set KEY=VALUE... --skip-deploys [--service S]   service variables, kept
    railway up --ci [--service S]       from the deployed tree's root (the repository's, or make
                                        deploy-shadow's copy): api/Dockerfile's image for the
                                        version api/requirements.txt pins, then api/railway.json's
                                        preDeployCommand and startCommand under chroot in that
                                        image, as uid 10001, healthy on its healthcheckPath
                                        within its timeout
    railway down                        stops every service (the rehearsal's clean-up)

Railway builds the Dockerfile itself; here the image job's build (the same Dockerfile and index)
is used when it is the pinned version's, else the tree is built the same way (podman, the
index as a build secret, BASE_IMAGE). Each service keeps its own variables; the service without
--service listens on RAILWAY_STANDIN_PORT (API_URL), another on a free port, on loopback, not
0.0.0.0: this machine's network is shared. The production store is PREDICTION_STORE_URL, a
Railway service variable.
"""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import httpx
from container_rootfs import ImageConfig, Rootfs, podman
from titanic_release.commands import CommandError
from titanic_release.image import build_image, image_tag, index_url_from
from titanic_release.local_base import ensure_local_base
from titanic_release.promote import PIN
from titanic_release.run_api import PUBLIC_HOST
from titanic_release.servers import HOST, free_port, start_server, stop_server

STATE = Path(os.environ["RAILWAY_STANDIN_STATE"])
DEFAULT = "default"  # the service chosen without --service: the project's only one


def _service(args: list[str]) -> str:
    return args[args.index("--service") + 1] if "--service" in args else DEFAULT


def _variables(service: str) -> dict[str, str]:
    path = STATE / f"variables-{service}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def set_variables(args: list[str]) -> int:
    service = _service(args)
    variables = _variables(service)
    for index, arg in enumerate(args):
        if arg == "--set":
            name, _, value = args[index + 1].partition("=")
            variables[name] = value
    (STATE / f"variables-{service}.json").write_text(json.dumps(variables))
    print(f"railway (stand-in): {service}: set {', '.join(sorted(variables))}")
    return 0


def _down(service_file: Path, keep: str = "") -> None:
    service = json.loads(service_file.read_text())
    stop_server(service["pid"], timeout=40)
    subprocess.run(["podman", "umount", service["container"]], capture_output=True, check=False)
    subprocess.run(["podman", "rm", "--force", service["container"]], capture_output=True)
    if service["built"] and service["image"] != keep:  # the stand-in's own build goes with it
        subprocess.run(["podman", "rmi", service["image"]], capture_output=True, check=False)
    service_file.unlink()


def down() -> int:
    for service_file in STATE.glob("service-*.json"):
        _down(service_file)
    return 0


def _image(version: str) -> tuple[str, bool]:
    """The pinned version's image: the image job's, else this tree built as Railway would
    (True: built here)."""
    tag = image_tag(version)
    if subprocess.run(["podman", "image", "exists", tag], check=False).returncode == 0:
        return tag, False
    base = os.environ.get("BASE_IMAGE", "")
    base = ensure_local_base("podman") if base == "local" else base or None
    print(f"railway (stand-in): building {tag} from {Path.cwd()}", flush=True)
    build_image(index_url_from(os.environ), engine="podman", tag=tag, base=base, context=Path.cwd())
    return tag, True


def up(args: list[str]) -> int:
    service = _service(args)
    deploy = json.loads(Path("api/railway.json").read_text())["deploy"]
    pin = PIN.search(Path("api/requirements.txt").read_text())
    if pin is None:
        print(
            f"railway (stand-in): {Path.cwd()}/api/requirements.txt pins no model", file=sys.stderr
        )
        return 1
    try:
        tag, built = _image(pin[1])
    except CommandError as error:  # its message masks the index's credentials
        print(f"railway (stand-in): the build failed: {error}", file=sys.stderr)
        return 1
    if (STATE / f"service-{service}.json").exists():  # the previous deployment goes (one replica)
        _down(STATE / f"service-{service}.json", keep=tag)
    container = podman("create", tag).strip()
    rootfs = Rootfs(path=Path(podman("mount", container).strip()), config=ImageConfig.of(tag))
    port = os.environ["RAILWAY_STANDIN_PORT"] if service == DEFAULT else str(free_port())
    env = {
        **_variables(service),
        "PORT": port,
        "PREDICTION_STORE_URL": os.environ["PREDICTION_STORE_URL"],
    }
    host_env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    for command in deploy.get("preDeployCommand", []):
        done = subprocess.run(
            rootfs.argv(["/bin/sh", "-c", command], env),
            capture_output=True,
            text=True,
            timeout=120,
            env=host_env,
            check=False,
        )
        print(f"railway (stand-in): pre-deploy `{command}` exited {done.returncode}")
        if done.returncode != 0:
            print(done.stdout + done.stderr, file=sys.stderr)
            return 1
    start = [part.replace(PUBLIC_HOST, HOST) for part in shlex.split(deploy["startCommand"])]
    log = STATE / f"service-{service}.log"
    process = start_server(
        rootfs.argv(start, env),
        f"http://{HOST}:{port}{deploy['healthcheckPath']}",
        log,
        env=host_env,
        timeout=float(deploy.get("healthcheckTimeout", 60)),
    )
    (STATE / f"service-{service}.json").write_text(
        json.dumps({"pid": process.pid, "container": container, "image": tag, "built": built})
    )
    health = httpx.get(f"http://{HOST}:{port}/api/v1/health", timeout=10).json()
    print(
        f"railway (stand-in): {service}: {tag} healthy on http://{HOST}:{port} "
        f"(model {health.get('model_version')}, log: {log})"
    )
    return 0


def main(argv: list[str]) -> int:
    verb, *rest = argv
    if verb == "variables":
        return set_variables(rest)
    if verb == "up":
        return up(rest)
    if verb == "down":
        return down()
    print(f"railway (stand-in): `{verb}` is not something make deploy-api calls", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
