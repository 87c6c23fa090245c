"""Find the baseline version, install it into its own virtual environment from an index, and
capture its predictions there.

Which baseline, in order:
1. `BASELINE_VERSION`, which must be on the index;
2. the candidate's own version, if it is already on the index: a published version is
   immutable, so the candidate must reproduce it exactly (a model changed without a new VERSION
   fails here, before publishing would refuse it);
3. the newest release on the index older than the candidate (a dev release, a candidate of
   `make retrain` that may never have been promoted, is not one);
4. the package built from git revision `BASELINE_REF` (default HEAD, the last commit): trained,
   built, published to a throwaway local index and installed from it like any other version.

The index is `PIP_EXTRA_INDEX_URL` when set (Gemfury in CI), otherwise the local index under
`.index/` served for the duration of the run. The baseline is never imported from the working
tree: it runs in a venv of its own (titanic_release.venvs), through `python -I capture.py`.
Anything that keeps a baseline from being found or installed raises BaselineError with a message
that says why, so the gate never passes for lack of something to compare with.
"""

import contextlib
import io
import json
import shutil
import subprocess
import tarfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import Version
from uv import find_uv_bin

from titanic_release import venvs
from titanic_release.commands import COMMAND_TIMEOUT_S, CommandError, run
from titanic_release.local_index import DEFAULT_STATE_DIR, running_index
from titanic_release.project import DIST_NAME, REPO_ROOT
from titanic_release.publish import PublishError, upload
from titanic_release.simple_index import IndexUnavailableError, SimpleIndex, version_of

# Run by path in the baseline's venv, where this package is not installed.
CAPTURE_SCRIPT = Path(__file__).resolve().with_name("capture.py")
# Libraries the baseline shares with the candidate: pinned to the candidate's versions when the
# baseline allows it, so that differences come from the model and not from a newer NumPy.
SHARED_LIBRARIES = ("numpy", "scipy", "pandas", "scikit-learn", "joblib", "pydantic")
DIFFERING_LIBRARIES_NOTE = "; its libraries differ from the candidate's (see Environments)"


class BaselineError(RuntimeError):
    """No baseline could be found, installed or run; the message says which and why."""


@dataclass(frozen=True)
class Baseline:
    version: str
    origin: str  # how it was chosen and where it came from, for the report
    python: Path  # the interpreter of its own virtual environment


@contextlib.contextmanager
def _as_baseline_error() -> Iterator[None]:
    """A failed command is a baseline that could not be installed or run."""
    try:
        yield
    except CommandError as error:
        raise BaselineError(str(error)) from None


def published_versions(index: SimpleIndex) -> list[Version]:
    """Every version of the package on the index, oldest first ([] if it was never published)."""
    try:
        return index.versions(DIST_NAME)
    except IndexUnavailableError as error:
        if error.status is not None:
            raise BaselineError(
                f"the package index {index.shown} answered HTTP {error.status} when asked for "
                f"{DIST_NAME}: check the credentials in PIP_EXTRA_INDEX_URL"
            ) from None
        raise BaselineError(
            f"the package index {index.shown} cannot be reached ({error}); "
            "the differential test needs it to find the baseline version"
        ) from None


def choose_published(
    published: list[Version], candidate: Version, requested: str | None
) -> Version | None:
    """BASELINE_VERSION if given (it must be published), else the candidate's own version if
    published, else the newest release (not a dev release) older than the candidate, else None
    (build from git)."""
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
    older = [version for version in published if version < candidate and not version.is_devrelease]
    return older[-1] if older else None


def install(version: Version, index: SimpleIndex, directory: Path) -> tuple[Path, str]:
    """A fresh venv at `directory` with exactly `version` installed from `index`; returns its
    python and a note for the report when its libraries had to differ from the candidate's."""
    with _as_baseline_error():
        python = venvs.create(directory)
        pinned = venvs.install(
            python,
            [f"{DIST_NAME}=={version}"],
            f"installing {DIST_NAME}=={version} from {index.shown}",
            constraints=venvs.pin_file(SHARED_LIBRARIES, directory / "shared-pins.txt"),
            index_url=index.url,
        )
    return python, "" if pinned else DIFFERING_LIBRARIES_NOTE


def _export(commit: str, source: Path) -> None:
    """The tree of `commit` into `source`, as `git archive` gives it."""
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
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(source, filter="data")


def build_from_git(ref: str, workdir: Path) -> tuple[list[Path], str]:
    """Train and build the package as committed at `ref`; returns its sdist + wheel and the
    commit they were built from."""
    with _as_baseline_error():
        commit = run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "--verify", f"{ref}^{{commit}}"],
            f"resolving BASELINE_REF={ref} in {REPO_ROOT}",
        ).strip()
        source = workdir / "source"
        _export(commit, source)
        python = venvs.create(workdir / "build-venv")
        venvs.install(
            python,
            ["--editable", f"{source}[train]"],  # training needs the extra (older refs: no-op)
            f"installing commit {commit[:12]}",
            constraints=venvs.pin_file(SHARED_LIBRARIES, workdir / "shared-pins.txt"),
        )
        run(
            [str(python.parent / "titanic-model"), "train"],
            f"training the model of {commit[:12]}",
            env=venvs.clean_env(),
            cwd=source,
        )
        dist = workdir / "dist"
        run(
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
            env=venvs.clean_env(),
        )
    files = sorted(dist.glob("*.tar.gz")) + sorted(dist.glob("*.whl"))
    if not files:
        raise BaselineError(f"building commit {commit[:12]} produced no distribution in {dist}")
    return files, commit


def run_capture_script(
    interpreter: list[str], inputs_path: Path, output: Path, what: str, env: dict[str, str]
) -> tuple[dict[str, Any], Path]:
    """Run a copy of the capture script (outside this package) with `interpreter` in the output's
    directory; its capture, and where the titanic_model it scored with was imported from."""
    script = output.parent / CAPTURE_SCRIPT.name
    shutil.copyfile(CAPTURE_SCRIPT, script)
    run(
        [*interpreter, str(script), "--input", str(inputs_path), "--output", str(output)],
        what,
        env=env,
        cwd=output.parent,
    )
    captured: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
    location = Path(captured["environment"].get("titanic_model_location") or "").resolve()
    return captured, location


def run_capture(python: Path, inputs_path: Path, workdir: Path) -> dict[str, Any]:
    """Run the capture script with the baseline's interpreter, isolated from the working tree
    (`-I`, a copy of the script outside this package, a clean environment)."""
    with _as_baseline_error():
        captured, location = run_capture_script(
            [str(python), "-I"],
            inputs_path,
            workdir / "baseline_capture.json",
            f"capturing the baseline's predictions with {python}",
            venvs.clean_env(),
        )
    if python.parent.parent.resolve() not in location.parents:
        raise BaselineError(
            f"the baseline's titanic_model was imported from {location}, not from its own "
            f"virtual environment {python.parent.parent}"
        )
    return captured


def capture_published(
    version: str, index_url: str, inputs_file: Path, workdir: Path
) -> dict[str, Any]:
    """What the published `version` answers for `inputs_file`: installed from `index_url` into a
    venv of its own and captured there (also the smoke test's reference for a promoted candidate,
    which no working tree can score in-process)."""
    python, _ = install(Version(version), SimpleIndex(index_url), workdir / "published-venv")
    return run_capture(python, inputs_file, workdir)


@contextlib.contextmanager
def configured_index(environ: Mapping[str, str]) -> Iterator[SimpleIndex]:
    """PIP_EXTRA_INDEX_URL if set, else the local index of `.index/` served while in use."""
    url = environ.get("PIP_EXTRA_INDEX_URL", "").strip()
    if url:
        if len(url.split()) > 1:
            raise BaselineError("PIP_EXTRA_INDEX_URL names several indexes; name exactly one")
        yield SimpleIndex(url)
        return
    with running_index(DEFAULT_STATE_DIR) as local:
        yield SimpleIndex(local.authenticated_simple_url())


def _from_git(ref: str, candidate: Version, workdir: Path) -> Baseline:
    files, commit = build_from_git(ref, workdir)
    found = {version_of(path.name, DIST_NAME) for path in files}
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
            version, SimpleIndex(throwaway.authenticated_simple_url()), workdir / "baseline-venv"
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
