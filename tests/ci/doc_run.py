"""What the doc-command tests share: bash running a page's text, a clean environment, the page's
text of a list of commands, and a copy of this working tree to run the commands that change it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from doc_commands import documented
from shell import bash
from titanic_release.project import REPO_ROOT

BIN = Path(sys.executable).parent  # titanic-model, titanic-store: this env's


# What tox.ini's [testenv] set_env gives every env: a reader's shell has none of it (the lock's
# recompile under this clone's UV_CONSTRAINT would name that file in every `# via`).
TOX_SET_ENV = ("UV_CONSTRAINT", "UV_COMPILE_BYTECODE", "PIP_DISABLE_PIP_VERSION_CHECK")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without this tox run's own settings, this env's tools on PATH."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TOX_", "MAKE", "VIRTUAL_")) and k not in TOX_SET_ENV
    }
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
    if (REPO_ROOT / ".cache" / "uv").is_dir():  # the clone's download cache, as make sets it
        env.setdefault("UV_CACHE_DIR", str(REPO_ROOT / ".cache" / "uv"))
    return {**env, **extra}


def printed(page: str, keys: list[str]) -> str:
    """The commands as the page prints them, one after another."""
    return "\n".join(documented(page, key).text for key in keys)


def copy_tree(base: Path) -> Path:
    """This working tree's files (tracked and new, not ignored) and its trained model, committed
    in a repository of their own (`base/clone`) whose `origin` is a bare one beside it; `.venv` is
    this clone's, and so is `.cache` (the downloads that make keeps in the clone)."""
    copy = base / "clone"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (REPO_ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / name, copy / name)
    models = "model_package/titanic_model/trained_models"
    shutil.copytree(REPO_ROOT / models, copy / models, dirs_exist_ok=True)
    (copy / ".venv").symlink_to(REPO_ROOT / ".venv")
    if (REPO_ROOT / ".cache").is_dir():
        (copy / ".cache").symlink_to(REPO_ROOT / ".cache")
    env = clean_env()
    # The links are not the tree's files: a clone has directories there, which .gitignore names
    # with a trailing slash (a link does not match it), and `git archive` of a commit that held
    # them (the differential baseline from BASELINE_REF) would carry absolute links.
    bash(
        "git init -q -b main . && printf '/.venv\\n/.cache\\n' >> .git/info/exclude"
        " && git add -A && git commit -q -m copy",
        copy,
        env,
    )
    bash(
        f"git clone -q --bare {copy} ../origin.git && git remote add origin ../origin.git",
        copy,
        env,
    )
    return copy
