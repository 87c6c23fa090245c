"""Find the baseline version, install it into its own virtual environment from an index, and
capture its predictions there.

Which baseline, in order:
1. `BASELINE_VERSION`, which must be on the index;
2. the candidate's own version, if it is already on the index: a published version is
   immutable, so the candidate must reproduce it exactly (a model changed without a new VERSION
   fails here, before publishing would refuse it);
3. the newest version on the index older than the candidate;
4. the package built from git revision `BASELINE_REF` (default HEAD, the last commit): trained,
   built, published to a throwaway local index and installed from it like any other version.

The index is `PIP_EXTRA_INDEX_URL` when set (Gemfury in CI), otherwise the local index under
`.index/` served for the duration of the run. The baseline is never imported from the working
tree: it runs in a venv of its own, through `python -I capture.py`. Anything that keeps a
baseline from being found or installed raises BaselineError with a message that says why, so the
gate never passes for lack of something to compare with.
"""

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version
from uv import find_uv_bin

from tools.local_index import DEFAULT_STATE_DIR, running_index
from tools.publish import PublishError, upload
from tools.simple_index import IndexUnavailableError, project_files

REPO_ROOT = Path(__file__).resolve().parent.parent
CAPTURE_SCRIPT = Path(__file__).resolve().parent / "capture.py"
PROJECT = "titanic-survival-model"
# Libraries the baseline shares with the candidate: pinned to the candidate's versions when the
# baseline allows it, so that differences come from the model and not from a newer NumPy.
SHARED_LIBRARIES = ("numpy", "scipy", "pandas", "scikit-learn", "joblib", "pydantic")
COMMAND_TIMEOUT_S = 600


class BaselineError(RuntimeError):
    """No baseline could be found, installed or run; the message says which and why."""


@dataclass(frozen=True)
class PackageIndex:
    """A PEP 503 simple index. `url` may hold credentials: show `shown` instead."""

    url: str

    @property
    def shown(self) -> str:
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        netloc = f"***@{host}" if parts.username or parts.password else host
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))

    def scrub(self, text: str) -> str:
        """`text` with this index's credentials replaced by ***."""
        parts = urlsplit(self.url)
        for secret in (parts.password, parts.username):
            if secret:
                text = text.replace(secret, "***").replace(unquote(secret), "***")
        return text


@dataclass(frozen=True)
class Baseline:
    version: str
    origin: str  # how it was chosen and where it came from, for the report
    python: Path  # the interpreter of its own virtual environment


def _version_of(filename: str) -> Version | None:
    with contextlib.suppress(InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        if filename.endswith(".whl"):
            name, version, *_ = parse_wheel_filename(filename)
        else:
            name, version = parse_sdist_filename(filename)
        return version if name == canonicalize_name(PROJECT) else None
    return None


def published_versions(index: PackageIndex, timeout: float = 30.0) -> list[Version]:
    """Every version of the package on the index, oldest first ([] if it was never published)."""
    try:
        files = project_files(index.url, PROJECT, timeout=timeout)
    except IndexUnavailableError as error:
        if error.status is not None:
            raise BaselineError(
                f"the package index {index.shown} answered HTTP {error.status} when asked for "
                f"{PROJECT}: check the credentials in PIP_EXTRA_INDEX_URL"
            ) from None
        raise BaselineError(
            f"the package index {index.shown} cannot be reached ({index.scrub(str(error))}); "
            "the differential test needs it to find the baseline version"
        ) from None
    return sorted({v for v in map(_version_of, files) if v is not None})


def choose_published(
    published: list[Version], candidate: Version, requested: str | None
) -> Version | None:
    """BASELINE_VERSION if given (it must be published), else the candidate's own version if
    published, else the newest older than the candidate, else None (build from git)."""
    if requested:
        wanted = Version(requested)
        if wanted not in published:
            listed = ", ".join(map(str, published)) or "none"
            raise BaselineError(
                f"BASELINE_VERSION={requested} is not on the index (versions there: {listed})"
            )
        return wanted
    if candidate in published:
        return candidate
    older = [version for version in published if version < candidate]
    return older[-1] if older else None


def _run(
    command: list[str],
    what: str,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    scrub: PackageIndex | None = None,
) -> str:
    """Run a command; on failure raise BaselineError with its output's tail (secrets scrubbed)."""
    try:
        result = subprocess.run(
            command,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BaselineError(f"{what} failed: {error}") from None
    if result.returncode != 0:
        output = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
        if scrub is not None:
            output = scrub.scrub(output)
        raise BaselineError(f"{what} failed (exit {result.returncode}):\n{output}")
    return result.stdout


def _clean_env(**extra: str) -> dict[str, str]:
    """This process's environment minus what would leak the working tree into a child."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, **extra}


def _constraints_file(directory: Path) -> Path:
    lines = []
    for name in SHARED_LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            lines.append(f"{name}=={metadata.version(name)}")
    path = directory / "constraints.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _new_venv(directory: Path) -> Path:
    if directory.exists():
        shutil.rmtree(directory)
    _run(
        [find_uv_bin(), "venv", "--quiet", "--python", sys.executable, str(directory)],
        f"creating the virtual environment {directory}",
        env=_clean_env(),
    )
    return directory / "bin" / "python"


def _uv_install(
    python: Path, requirements: list[str], what: str, index: PackageIndex | None, constraints: Path
) -> str:
    """Install with the candidate's library versions if the requirement allows them, else
    without; returns a note for the report when the versions had to differ."""
    base = [find_uv_bin(), "pip", "install", "--quiet", "--python", str(python)]
    env = _clean_env(UV_INDEX=index.url) if index is not None else _clean_env()
    try:
        _run([*base, "--constraint", str(constraints), *requirements], what, env=env, scrub=index)
    except BaselineError:
        _run([*base, *requirements], what, env=env, scrub=index)
        return "; its libraries differ from the candidate's (see Environments)"
    return ""


def install(version: Version, index: PackageIndex, directory: Path) -> tuple[Path, str]:
    """A fresh venv at `directory` with exactly `version` installed from `index`."""
    python = _new_venv(directory)
    note = _uv_install(
        python,
        [f"{PROJECT}=={version}"],
        f"installing {PROJECT}=={version} from {index.shown}",
        index,
        _constraints_file(directory),
    )
    return python, note


def build_from_git(ref: str, workdir: Path) -> tuple[list[Path], str]:
    """Train and build the package as committed at `ref`; returns its sdist + wheel and the
    commit they were built from."""
    commit = _run(
        ["git", "-C", str(REPO_ROOT), "rev-parse", "--verify", f"{ref}^{{commit}}"],
        f"resolving BASELINE_REF={ref} in {REPO_ROOT}",
    ).strip()
    try:
        archive = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "archive", "--format=tar", commit],
            capture_output=True,
            check=True,
            timeout=COMMAND_TIMEOUT_S,
        ).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise BaselineError(
            f"exporting commit {commit[:12]} with git archive failed: {error}"
        ) from None
    source = workdir / "source"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(source, filter="data")

    python = _new_venv(workdir / "build-venv")
    _uv_install(
        python,
        ["--editable", f"{source}[train]"],  # training needs the extra (older refs: no-op)
        f"installing commit {commit[:12]}",
        None,
        _constraints_file(workdir),
    )
    _run(
        [str(python.parent / "titanic-model"), "train"],
        f"training the model of {commit[:12]}",
        env=_clean_env(),
        cwd=source,
    )
    dist = workdir / "dist"
    _run(
        [
            find_uv_bin(),
            "build",
            "--quiet",
            "--sdist",
            "--wheel",
            "--out-dir",
            str(dist),
            str(source),
        ],
        f"building the package of {commit[:12]}",
        env=_clean_env(),
    )
    files = sorted(dist.glob("*.tar.gz")) + sorted(dist.glob("*.whl"))
    if not files:
        raise BaselineError(f"building commit {commit[:12]} produced no distribution in {dist}")
    return files, commit


def run_capture(python: Path, inputs_path: Path, workdir: Path) -> dict[str, Any]:
    """Run capture.py with the baseline's interpreter, isolated from the working tree."""
    script = workdir / CAPTURE_SCRIPT.name
    shutil.copyfile(CAPTURE_SCRIPT, script)
    output = workdir / "baseline_capture.json"
    _run(
        [str(python), "-I", str(script), "--input", str(inputs_path), "--output", str(output)],
        f"capturing the baseline's predictions with {python}",
        env=_clean_env(),
        cwd=workdir,
    )
    capture: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
    location = Path(capture["environment"].get("titanic_model_location") or "")
    if python.parent.parent.resolve() not in location.resolve().parents:
        raise BaselineError(
            f"the baseline's titanic_model was imported from {location}, not from its own "
            f"virtual environment {python.parent.parent}"
        )
    return capture


@contextlib.contextmanager
def configured_index(environ: Mapping[str, str]) -> Iterator[PackageIndex]:
    """PIP_EXTRA_INDEX_URL if set, else the local index of `.index/` served while in use."""
    url = environ.get("PIP_EXTRA_INDEX_URL", "").strip()
    if url:
        if len(url.split()) > 1:
            raise BaselineError("PIP_EXTRA_INDEX_URL names several indexes; name exactly one")
        yield PackageIndex(url)
        return
    with running_index(DEFAULT_STATE_DIR) as local:
        yield PackageIndex(local.authenticated_simple_url())


def _from_git(ref: str, candidate: Version, workdir: Path) -> Baseline:
    files, commit = build_from_git(ref, workdir)
    found = {_version_of(path.name) for path in files}
    version = found.pop() if len(found) == 1 else None
    if version is None:
        raise BaselineError(
            f"commit {commit[:12]} built {[p.name for p in files]}: expected one version"
        )
    with running_index(workdir / "throwaway-index") as throwaway:
        try:
            upload(files, throwaway.twine_env())
        except PublishError as error:
            raise BaselineError(f"publishing {commit[:12]} to a throwaway index: {error}") from None
        python, note = install(
            version, PackageIndex(throwaway.authenticated_simple_url()), workdir / "baseline-venv"
        )
    origin = (
        f"neither {candidate} nor an older version on the index, so built from git {ref} "
        f"(commit {commit[:12]}), published to a throwaway local index and installed from it{note}"
    )
    return Baseline(str(version), origin, python)


def resolve_baseline(candidate: str, workdir: Path, environ: Mapping[str, str]) -> Baseline:
    """Choose the baseline and install it into a venv under `workdir` (see the module doc)."""
    candidate_version = Version(candidate)
    requested = environ.get("BASELINE_VERSION", "").strip() or None
    with configured_index(environ) as index:
        chosen = choose_published(published_versions(index), candidate_version, requested)
        if chosen is not None:
            python, note = install(chosen, index, workdir / "baseline-venv")
            if requested:
                how = "BASELINE_VERSION"
            elif chosen == candidate_version:
                how = "the candidate's own version, already published: outputs must be identical"
            else:
                how = f"the newest older than {candidate}"
            return Baseline(str(chosen), f"{how}, installed from {index.shown}{note}", python)
    ref = environ.get("BASELINE_REF", "").strip() or "HEAD"
    return _from_git(ref, candidate_version, workdir)
