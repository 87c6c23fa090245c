"""Serve the API with the start command its Procfile gives Railway, bound to loopback locally.

The Procfile is the one source of the start command: `make run` and the end-to-end test both read
it here instead of repeating it, so a change to the Procfile is what they run. Locally the host
`0.0.0.0` becomes `127.0.0.1` (nothing outside this machine should reach a development server).

    python -m titanic_release.run_api --venv .venv-api [--port 8001]   # or PORT in the environment
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from titanic_release.project import API_DIR
from titanic_release.servers import HOST as LOCAL_HOST

PROCFILE = API_DIR / "Procfile"
PUBLIC_HOST = "0.0.0.0"  # what the Procfile binds on Railway; replaced by LOCAL_HOST here
DEFAULT_PORT = 8001


def procfile_web_command(procfile: Path = PROCFILE) -> str:
    """The `web:` process's command line, exactly as written in the Procfile."""
    for line in procfile.read_text(encoding="utf-8").splitlines():
        kind, separator, command = line.partition(":")
        if separator and kind.strip() == "web":
            return command.strip()
    raise ValueError(f"{procfile} has no `web:` process")


def local_argv(command: str, port: int | str, host: str = LOCAL_HOST) -> list[str]:
    """The Procfile command as an argv: `$PORT` expanded, the public host swapped for `host`."""
    argv = shlex.split(command.replace("${PORT}", str(port)).replace("$PORT", str(port)))
    if PUBLIC_HOST not in argv:
        raise ValueError(f"expected `--host {PUBLIC_HOST}` in the Procfile command: {command!r}")
    return [host if arg == PUBLIC_HOST else arg for arg in argv]


def venv_environment(venv: Path, base: Mapping[str, str], port: int | str) -> dict[str, str]:
    """`base` with the venv's executables first on PATH and PORT set, as a platform would."""
    path = f"{venv.resolve() / 'bin'}{os.pathsep}{base.get('PATH', '')}"
    return {**base, "PATH": path, "VIRTUAL_ENV": str(venv.resolve()), "PORT": str(port)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, required=True, help="venv the API is installed in")
    parser.add_argument("--port", default=os.environ.get("PORT", str(DEFAULT_PORT)))
    args = parser.parse_args(argv)
    command = local_argv(procfile_web_command(), args.port)
    env = venv_environment(args.venv, os.environ, args.port)
    executable = args.venv.resolve() / "bin" / command[0]
    print(f"Serving the API on http://{LOCAL_HOST}:{args.port}/ (Ctrl-C stops it): {command}")
    sys.stdout.flush()
    os.chdir(API_DIR)
    os.execve(executable, command, env)


if __name__ == "__main__":
    sys.exit(main())
