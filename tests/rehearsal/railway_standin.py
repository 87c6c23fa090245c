"""A stand-in for the Railway CLI, for the rehearsal's deploy_api job: the calls `make deploy-api`
makes, carried out here the way Railway carries them out, with the image the image job built.

    railway variables --set KEY=VALUE --skip-deploys [--service S]   service variables, kept
    railway up --ci [--service S]       from the root: api/railway.json's preDeployCommand, then its
                                        startCommand, under chroot in that image, as uid 10001,
                                        healthy on its healthcheckPath within its timeout
    railway down                        stops the service (the rehearsal's clean-up)

Railway builds api/Dockerfile itself; here that build is the image job's (the same Dockerfile
and index). The service listens on loopback (RAILWAY_STANDIN_PORT), not 0.0.0.0: this machine's
network is shared. Its production store is PREDICTION_STORE_URL, a Railway service variable.
"""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from container_rootfs import ImageConfig, Rootfs, podman
from titanic_release.project import current_version
from titanic_release.run_api import PUBLIC_HOST
from titanic_release.servers import HOST, start_server, stop_server

STATE = Path(os.environ["RAILWAY_STANDIN_STATE"])
VARIABLES = STATE / "variables.json"
SERVICE = STATE / "service.json"


def _variables() -> dict[str, str]:
    return json.loads(VARIABLES.read_text()) if VARIABLES.exists() else {}


def set_variables(args: list[str]) -> int:
    variables = _variables()
    for index, arg in enumerate(args):
        if arg == "--set":
            name, _, value = args[index + 1].partition("=")
            variables[name] = value
    VARIABLES.write_text(json.dumps(variables))
    print(f"railway (stand-in): set {', '.join(sorted(variables))}")
    return 0


def down() -> int:
    if not SERVICE.exists():
        return 0
    service = json.loads(SERVICE.read_text())
    stop_server(service["pid"], timeout=40)
    subprocess.run(["podman", "umount", service["container"]], capture_output=True, check=False)
    subprocess.run(["podman", "rm", "--force", service["container"]], capture_output=True)
    SERVICE.unlink()
    return 0


def up() -> int:
    deploy = json.loads(Path("api/railway.json").read_text())["deploy"]
    down()  # the previous deployment goes when the new one starts (one replica)
    tag = f"titanic-api:{current_version()}"
    container = podman("create", tag).strip()
    rootfs = Rootfs(path=Path(podman("mount", container).strip()), config=ImageConfig.of(tag))
    port = os.environ["RAILWAY_STANDIN_PORT"]
    env = {
        **_variables(),
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
    log = STATE / "service.log"
    process = start_server(
        rootfs.argv(start, env),
        f"http://{HOST}:{port}{deploy['healthcheckPath']}",
        log,
        env=host_env,
        timeout=float(deploy.get("healthcheckTimeout", 60)),
    )
    SERVICE.write_text(json.dumps({"pid": process.pid, "container": container}))
    print(f"railway (stand-in): {tag} healthy on http://{HOST}:{port} (log: {log})")
    return 0


def main(argv: list[str]) -> int:
    verb, *rest = argv
    if verb == "variables":
        return set_variables(rest)
    if verb == "up":
        return up()
    if verb == "down":
        return down()
    print(f"railway (stand-in): `{verb}` is not something make deploy-api calls", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
