"""The one way the release machinery makes a virtual environment: uv, with nothing of the
working tree leaking into it.

The differential gate installs the baseline into one of these, so it is imported from its own
site-packages and never from the working tree; `make run` installs the API into one with pip in
it, as the Docker build does. A command that fails raises CommandError
(titanic_release.commands) with its output's tail, index credentials masked.
"""

import contextlib
import os
import shutil
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from uv import find_uv_bin

from titanic_release.commands import CommandError, run

# What would point a child at the working tree or at this environment's own pins.
_LEAKY_VARIABLES = ("PYTHONPATH", "VIRTUAL_ENV", "UV_CONSTRAINT", "PIP_CONSTRAINT")


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment minus what would leak the working tree into a child."""
    env = {k: v for k, v in os.environ.items() if k not in _LEAKY_VARIABLES}
    return {**env, **extra}


def pin_file(libraries: Sequence[str], path: Path) -> Path:
    """A constraints file pinning `libraries` to the versions installed here (missing ones are
    left out), so a child environment computes with the same NumPy, pandas, ..."""
    lines = []
    for name in libraries:
        with contextlib.suppress(metadata.PackageNotFoundError):
            lines.append(f"{name}=={metadata.version(name)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def create(directory: Path, *, with_pip: bool = False) -> Path:
    """A fresh venv at `directory` with this interpreter's Python (and pip in it when asked, for
    installs that must be pip's own); returns its python."""
    if directory.exists():
        shutil.rmtree(directory)
    seed = ["--seed"] if with_pip else []
    run(
        [find_uv_bin(), "venv", "--quiet", *seed, "--python", sys.executable, str(directory)],
        f"creating the virtual environment {directory}",
        env=clean_env(),
    )
    return directory / "bin" / "python"


def install(
    python: Path,
    requirements: Sequence[str],
    what: str,
    *,
    constraints: Path,
    index_url: str | None = None,
) -> bool:
    """Install `requirements` into the venv of `python` (from `index_url` besides the default
    index), within `constraints` if the requirements allow it, else without.

    Returns whether the constraints held.
    """
    base = [find_uv_bin(), "pip", "install", "--quiet", "--python", str(python)]
    env = clean_env(UV_INDEX=index_url) if index_url is not None else clean_env()
    try:
        run(
            [*base, "--constraint", str(constraints), *requirements],
            what,
            env=env,
            index_url=index_url,
        )
    except CommandError:
        run([*base, *requirements], what, env=env, index_url=index_url)
        return False
    return True
