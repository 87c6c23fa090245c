"""The released model and a worse candidate as production has them: each built into a wheel,
published to a throwaway private index and installed from it into its own venv the way
`make shadow VERSION=...` installs a version (shadow_serve.install_candidate), then
served by the Procfile's command from that venv, live or as the shadow.

The worse candidate is built like make retrain builds one (the package source staged under a dev
version) with the passenger's sex gone from its features: the sex column and the title the
pipeline derives from the name, which carries sex too (without sex alone, title keeps the
accuracy).
"""

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from live_server import LOOPBACK_COMMAND, LiveServer, serve
from titanic_release.candidate_version import candidate_version
from titanic_release.local_index import LocalIndex
from titanic_release.project import REPO_ROOT, current_version
from titanic_release.publish import PYPA_BUILD, build_checked, upload
from titanic_release.retrain import stage_source
from titanic_release.shadow_serve import install_candidate
from titanic_release.venvs import clean_env

COMMAND_TIMEOUT_S = 600
CONFIG_FILE = Path("model_package") / "titanic_model" / "config.yml"
SEXLESS = {"categorical": "[pclass, embarked]", "engineered": "[deck]"}


def _run(command: list[str], cwd: Path, **env: str) -> None:
    done = subprocess.run(
        command,
        cwd=cwd,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def publish_released(index: LocalIndex, work: Path) -> str:
    """The working tree's VERSION, built as `make publish` builds it, on the index."""
    dist = work / "released-dist"
    _run([*PYPA_BUILD, "--outdir", str(dist), str(REPO_ROOT)], cwd=work)
    upload(sorted(dist.iterdir()), index.twine_env())
    return current_version()


def publish_sexless(index: LocalIndex, work: Path) -> str:
    """A candidate under the next dev version whose config lost sex and title, trained by the
    staged package's own `titanic-model train`, built, twine-checked and published."""
    version = candidate_version(current_version(), datetime.now(UTC))
    source = work / "sexless"
    source.mkdir()
    stage_source(version, source)
    config = source / CONFIG_FILE
    text = config.read_text(encoding="utf-8")
    for group, names in SEXLESS.items():
        text, found = re.subn(rf"^  {group}: \[.*\]$", f"  {group}: {names}", text, flags=re.M)
        assert found == 1, f"no `{group}:` list in {config}"
    config.write_text(text, encoding="utf-8")
    package = str(source / "model_package")
    _run([sys.executable, "-m", "titanic_model.cli", "train"], cwd=source, PYTHONPATH=package)
    upload(build_checked(source, work / "sexless-dist"), index.twine_env())
    return version


def install_version(index: LocalIndex, version: str, venv: Path) -> Path:
    """The API with `version` pinned, from the index only, into `venv`: make shadow's own
    install (its twin once wrote the requirements beside the venv, where make shadow's did not
    survive the venv's creation)."""
    result = install_candidate(version, venv, index.authenticated_simple_url(), clean_env())
    assert result.passed, result.output[-3000:]
    return venv


@contextmanager
def serve_from(venv: Path, env: dict[str, str]) -> Iterator[LiveServer]:
    """The Procfile's command on loopback with `venv`'s Python, from api/, stopped by PID."""
    with serve(command=f"{venv.resolve()}/bin/{LOOPBACK_COMMAND}", env=env) as server:
        yield server
