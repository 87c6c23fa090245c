"""End to end, the way production works: build -> publish to an authenticated index -> pip install
the API through PIP_EXTRA_INDEX_URL only -> serve with the Procfile command -> same answers as the
package in-process.

Everything runs for real: a fresh pypiserver on a free port, `python -m titanic_release.publish`
(the command `tox -e publish_model` ends with), a fresh virtual environment, real `pip install`,
real uvicorn.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from impostor_index import impostor_wheel, static_index
from titanic_release.install_api import ApiInstall, install_api
from titanic_release.local_index import LOG_FILE, LocalIndex, running_index
from titanic_release.project import API_DIR, DIST_FILE_PREFIX, DIST_NAME, REPO_ROOT, current_version
from titanic_release.publish import PYPA_BUILD, distributions, published_files
from titanic_release.run_api import LOCAL_HOST, local_argv, procfile_web_command, venv_environment
from titanic_release.servers import free_port, start_server, stopped_on_exit
from titanic_release.simple_index import SimpleIndex

from titanic_model import make_prediction, reference_data

pytestmark = pytest.mark.e2e

VERSION = current_version()
PROJECT = DIST_NAME
PUBLISH = [sys.executable, "-m", "titanic_release.publish"]
BUILD_TIMEOUT_S = 300
PIP_TIMEOUT_S = 1200
API_START_TIMEOUT_S = 90
TARGET = "survived"  # the label column of the reference data, not an input field


def _run(command: list[str], *, env: dict[str, str], timeout: float) -> tuple[int, str]:
    """Run a command, returning its exit code and its combined output."""
    result = subprocess.run(
        command,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=timeout,
        check=False,
    )
    return result.returncode, result.stdout


def _environ_without_index_settings() -> dict[str, str]:
    """This process's environment minus any private-index setting it came with (the test sets
    its own); the machine's PyPI settings stay, as they would on a build host."""
    return {
        name: value
        for name, value in os.environ.items()
        if name not in {"PIP_EXTRA_INDEX_URL", "PIP_NO_INDEX"} and not name.startswith("TWINE_")
    }


def _publish(dist_dir: Path, twine_env: dict[str, str]) -> tuple[int, str]:
    env = {**_environ_without_index_settings(), **twine_env}
    return _run([*PUBLISH, "--dist-dir", str(dist_dir)], env=env, timeout=120)


def _leaks(secret: str, text: str) -> bool:
    """Kept apart so a failing assertion never prints the secret or the text holding it."""
    return secret in text


@dataclass
class PublishedIndex:
    index: LocalIndex
    dist_dir: Path
    publish_output: str


@dataclass
class ServedApi:
    base_url: str
    log_path: Path


@pytest.fixture(scope="module")
def dist_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdist + wheel of the working tree, built as `tox -e publish_model` builds them."""
    out = tmp_path_factory.mktemp("dist")
    code, output = _run(
        [*PYPA_BUILD, "--sdist", "--wheel", "--outdir", str(out), str(REPO_ROOT)],
        env=dict(os.environ),
        timeout=BUILD_TIMEOUT_S,
    )
    assert code == 0, output[-3000:]
    code, output = _run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, out.iterdir())],
        env=dict(os.environ),
        timeout=60,
    )
    assert code == 0, output
    return out


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, dist_dir: Path) -> Iterator[PublishedIndex]:
    """A fresh authenticated index on a free port holding this VERSION; stopped afterwards."""
    with running_index(tmp_path_factory.mktemp("index")) as index:
        code, output = _publish(dist_dir, index.twine_env())
        assert code == 0, output
        yield PublishedIndex(index=index, dist_dir=dist_dir, publish_output=output)


@pytest.fixture(scope="module")
def installed_api(
    tmp_path_factory: pytest.TempPathFactory, published: PublishedIndex
) -> ApiInstall:
    """A fresh venv with api/requirements.txt installed as `make run` installs it; the only index
    setting is PIP_EXTRA_INDEX_URL (third-party packages come from the machine's default index)."""
    venv_dir = tmp_path_factory.mktemp("api") / "venv"
    installed = install_api(
        venv_dir, published.index.authenticated_simple_url(), env=_environ_without_index_settings()
    )
    assert installed.passed, installed.output[-4000:]
    return installed


@pytest.fixture(scope="module")
def served_api(
    tmp_path_factory: pytest.TempPathFactory,
    published: PublishedIndex,
    installed_api: ApiInstall,
) -> Iterator[ServedApi]:
    """The installed API started by the Procfile's command (PORT set, cwd api/), bound to
    loopback, with PIP_EXTRA_INDEX_URL in its environment as on Railway; stopped afterwards."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("api-log") / "api.log"
    base_env = {**_environ_without_index_settings(), **published.index.pip_env()}
    env = {**venv_environment(installed_api.venv_dir, base_env, port), "MAX_BATCH_SIZE": "1000"}
    env["PREDICTION_STORE_URL"] = f"sqlite:///{log_path.parent}/predictions.sqlite3"  # not api/data
    argv = local_argv(procfile_web_command(), port)
    executable = str(installed_api.venv_dir / "bin" / argv[0])
    base_url = f"http://{LOCAL_HOST}:{port}"
    with stopped_on_exit(
        start_server(
            [executable, *argv[1:]],
            f"{base_url}/api/v1/health",
            log_path,
            cwd=API_DIR,
            env=env,
            timeout=API_START_TIMEOUT_S,
        )
    ):
        yield ServedApi(base_url=base_url, log_path=log_path)


def _held_out_records() -> list[dict[str, Any]]:
    """The held-out rows as JSON records (NaN -> null), target column removed."""
    frame = reference_data("held_out").drop(columns=[TARGET])
    records: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", double_precision=15))
    return records


def test_upload_without_credentials_is_refused(published: PublishedIndex) -> None:
    index = published.index
    code, output = _publish(
        published.dist_dir,
        {"TWINE_REPOSITORY_URL": index.url, "TWINE_USERNAME": "", "TWINE_PASSWORD": ""},
    )
    assert code != 0
    assert "401 Unauthorized" in output
    assert "refused the credentials" in output


def test_upload_with_wrong_password_is_refused(published: PublishedIndex) -> None:
    index = published.index
    code, output = _publish(
        published.dist_dir, {**index.twine_env(), "TWINE_PASSWORD": index.password + "x"}
    )
    assert code != 0
    assert "403 Forbidden" in output
    assert "refused the credentials" in output


def test_downloads_need_credentials_too(published: PublishedIndex) -> None:
    assert httpx.get(f"{published.index.simple_url}{PROJECT}/").status_code == 401


def test_republishing_the_same_version_is_refused_and_keeps_the_files(
    published: PublishedIndex,
) -> None:
    packages = published.index.packages_dir
    before = {path.name: path.read_bytes() for path in packages.iterdir()}
    expected_names = {path.name for path in distributions(published.dist_dir, VERSION)}
    assert set(before) == expected_names
    code, output = _publish(published.dist_dir, published.index.twine_env())
    assert code != 0
    assert "already holds" in output
    assert "immutable" in output
    after = {path.name: path.read_bytes() for path in packages.iterdir()}
    assert after == before


def test_reuse_existing_finds_the_version_through_the_read_url(published: PublishedIndex) -> None:
    """CI on main: the push URL (Gemfury's) cannot be listed, PIP_EXTRA_INDEX_URL can."""
    unlistable_push_url = {
        **published.index.twine_env(),
        "TWINE_REPOSITORY_URL": "http://127.0.0.1:9/",
    }
    env = {
        **_environ_without_index_settings(),
        **unlistable_push_url,
        "PIP_EXTRA_INDEX_URL": published.index.authenticated_simple_url(),
    }
    command = [*PUBLISH, "--dist-dir", str(published.dist_dir)]
    code, output = _run([*command, "--reuse-existing"], env=env, timeout=120)
    assert code == 0, output
    assert output.count("Already on the index, reusing it") == 2
    assert not _leaks(published.index.password, output)


def test_publishing_on_circleci_without_a_target_is_refused(dist_dir: Path) -> None:
    env = {**_environ_without_index_settings(), "CIRCLECI": "true"}
    command = [*PUBLISH, "--dist-dir", str(dist_dir)]
    code, output = _run(command, env=env, timeout=60)
    assert code == 1
    assert "TWINE_REPOSITORY_URL is not set" in output


def test_index_lists_exactly_the_published_files(published: PublishedIndex) -> None:
    listed = published_files(SimpleIndex.from_twine_env(published.index.twine_env()))
    assert listed == {path.name for path in published.dist_dir.iterdir()}


def test_the_package_was_installed_from_the_private_index(
    published: PublishedIndex, installed_api: ApiInstall
) -> None:
    entries = {item["metadata"]["name"].lower(): item for item in installed_api.report["install"]}
    assert PROJECT in entries, "api/requirements.txt did not install the model package"
    entry = entries[PROJECT]
    assert entry["metadata"]["version"] == VERSION
    source = urlsplit(entry["download_info"]["url"])
    assert (source.hostname, source.port) == (LOCAL_HOST, published.index.port)
    assert source.path.endswith(f"{DIST_FILE_PREFIX}-{VERSION}-py3-none-any.whl")


def test_the_api_install_leaves_out_the_training_stack(installed_api: ApiInstall) -> None:
    installed = {item["metadata"]["name"].lower() for item in installed_api.report["install"]}
    assert PROJECT in installed
    # The training stack is the [train] extra, MLflow the [tracking] one; Evidently belongs to
    # the monitoring package.
    assert installed.isdisjoint(
        {"scikit-learn", "scipy", "joblib", "threadpoolctl", "evidently", "mlflow", "mlflow-skinny"}
    )


def test_health_reports_the_published_version(served_api: ServedApi) -> None:
    reply = httpx.get(f"{served_api.base_url}/api/v1/health", timeout=10)
    assert reply.status_code == 200
    assert reply.json()["model_version"] == VERSION


def test_predict_matches_in_process_make_prediction_on_held_out_rows(
    served_api: ServedApi,
) -> None:
    records = _held_out_records()
    expected = make_prediction(input_data=records)
    reply = httpx.post(
        f"{served_api.base_url}/api/v1/predict", json={"inputs": records}, timeout=60
    )
    assert reply.status_code == 200, reply.text[:2000]
    served = reply.json()
    assert len(served["probabilities"]) == len(records)
    assert served["probabilities"] == expected["probabilities"]
    assert served["predictions"] == expected["predictions"]
    assert served["version"] == VERSION
    assert not served["errors"]


def test_no_log_shows_the_index_password(
    published: PublishedIndex, installed_api: ApiInstall, served_api: ServedApi
) -> None:
    password = published.index.password
    # Exercise an error path too, so error logging is covered.
    httpx.post(f"{served_api.base_url}/api/v1/predict", content=b"{not json", timeout=10)
    api_log = served_api.log_path.read_text(errors="replace")
    assert api_log.strip(), "the API wrote no log at all"
    index_log = (published.index.state_dir / LOG_FILE).read_text(errors="replace")
    for where, text in [
        ("API log", api_log),
        ("install output", installed_api.output),
        ("publish output", published.publish_output),
        ("index log", index_log),
    ]:
        leaked = _leaks(password, text)
        assert not leaked, f"the index password appears in the {where}"


# --- dependency confusion: an impostor of the pinned version on a second, "public" index -------


def test_make_runs_install_refuses_an_impostor_on_the_public_index(
    tmp_path: Path, published: PublishedIndex
) -> None:
    """`make run`'s install (titanic_release.install_api) with a "PyPI" serving an impostor of the
    pinned version: pip picks the impostor (its build tag wins), and the source check fails the
    install."""
    impostor = impostor_wheel(tmp_path, VERSION)
    pin = tmp_path / "requirements.txt"
    pin.write_text(f"{PROJECT}=={VERSION}\n")
    with static_index(tmp_path / "pypi", [impostor]) as public_url:
        env = {**_environ_without_index_settings(), "PIP_INDEX_URL": public_url}
        installed = install_api(
            tmp_path / "venv", published.index.authenticated_simple_url(), env=env, requirements=pin
        )

    chosen = installed.report["install"][0]["download_info"]["url"]
    assert chosen.endswith(impostor.name), "pip did not pick the impostor: the test shows nothing"
    assert not installed.passed
    assert f"downloaded from {public_url.removesuffix('/simple/')} ({impostor.name})" in (
        installed.output
    )
    assert "not from the private index" in installed.output
    assert not _leaks(published.index.password, installed.output)


def test_the_api_install_itself_passes_the_install_check(
    published: PublishedIndex, installed_api: ApiInstall
) -> None:
    port = published.index.port
    assert installed_api.passed
    assert f"came from the private index: http://{LOCAL_HOST}:{port} (titanic_survival_model-" in (
        installed_api.output
    )
