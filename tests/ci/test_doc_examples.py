"""Every example in the README and the docs that shows output is run here against the real code,
and what it prints is compared with what the page shows, by doctest's rules (`...` stands for any
text). A changed version, field or message fails here until the page says it too.

- `>>>` examples (README.md, model_package/README.md): run by doctest itself.
- `curl` commands followed by `# output` lines (README.md, docs/api.md): run by bash against the
  API served as `make run` serves it (the Procfile's command, on a free loopback port instead of
  8001), prediction store off.
- the access-log line in docs/api.md: the line that server wrote for the example's request.
- the refusal in docs/operations.md: api/verify_install.py run on a pip report naming an impostor.
- the held-out metrics in docs/model.md: what `titanic-model evaluate` prints.

Pages whose figures are measurements (benchmarks, soak, drift and gate teeth) say when they were
measured; they are records of a run, not examples, and are not replayed here.
"""

import doctest
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from titanic_release.project import API_DIR, DIST_FILE_PREFIX, REPO_ROOT, current_version
from titanic_release.run_api import local_argv, procfile_web_command
from titanic_release.servers import HOST, free_port, start_server, stopped_on_exit

DOCS = REPO_ROOT / "docs"
DOCTEST_PAGES = [REPO_ROOT / "README.md", REPO_ROOT / "model_package" / "README.md"]
CURL_PAGES = [REPO_ROOT / "README.md", DOCS / "api.md"]
PAGE_PORT = "127.0.0.1:8001"
CHECKER = doctest.OutputChecker()

_FENCE = re.compile(r"^```.*$", re.M)
_BASH_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.M | re.S)
_LOG_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00")
_DURATION = re.compile(r"\d+\.\d+ms")


def matches(want: str, got: str) -> bool:
    """doctest's comparison: `...` in `want` stands for any text."""
    return CHECKER.check_output(want, got, doctest.ELLIPSIS)


def curl_examples(text: str) -> list[tuple[str, str]]:
    """(commands, shown output) for each run of `# ` lines in a bash block that follows
    commands: the commands since the previous output, the output with its line breaks removed
    (a long JSON answer is shown over several `# ` lines)."""
    examples = []
    for block in _BASH_BLOCK.findall(text):
        commands: list[str] = []
        shown: list[str] = []
        for line in [*block.splitlines(), ""]:
            if line.startswith("#"):
                shown.append(line.removeprefix("#").strip())
                continue
            if shown:
                examples.append(("\n".join(commands).strip(), "".join(shown)))
                commands, shown = [], []
            commands.append(line)
    return [(commands, output) for commands, output in examples if "curl " in commands]


def test_curl_examples_are_found_with_their_output() -> None:
    text = (
        '```bash\ncurl -s http://h/a \\\n  -d \'{"x": 1}\'\n# {"a":\n#  1}\n\n'
        "make run   # a comment, not output\ncurl -s http://h/b\n```\n"
    )
    assert curl_examples(text) == [("curl -s http://h/a \\\n  -d '{\"x\": 1}'", '{"a":1}')]


def test_the_comparison_fails_on_a_stale_version() -> None:
    assert matches('{"version":"0.2.0","p":0.87...}', '{"version":"0.2.0","p":0.8712}')
    assert not matches('{"version":"0.1.0","p":0.87...}', '{"version":"0.2.0","p":0.8712}')


@pytest.mark.parametrize("page", DOCTEST_PAGES, ids=lambda page: str(page.relative_to(REPO_ROOT)))
def test_python_examples_print_what_the_page_shows(page: Path) -> None:
    # Fence lines become blank lines: a closing ``` would otherwise be read as expected output.
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))
    example = doctest.DocTestParser().get_doctest(text, {}, page.name, str(page), 0)
    assert example.examples, f"{page} has no >>> examples left to check"
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(example, out=report.append)
    assert runner.failures == 0, "".join(report)


@pytest.fixture(scope="module")
def served_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The API as `make run` starts it (the Procfile's command on loopback): (host:port, log)."""
    port = free_port()
    log = tmp_path_factory.mktemp("api") / "server.log"
    argv = local_argv(procfile_web_command(), port)
    argv[0] = str(Path(sys.executable).with_name(argv[0]))  # this env's uvicorn
    env = {key: value for key, value in os.environ.items() if key != "RELEASE_ID"}
    env.update({"PORT": str(port), "PREDICTION_STORE_URL": "off", "PYTHONUNBUFFERED": "1"})
    health = f"http://{HOST}:{port}/api/v1/health"
    with stopped_on_exit(start_server(argv, health, log, cwd=API_DIR, env=env, timeout=90)):
        yield f"{HOST}:{port}", log


@pytest.mark.parametrize(
    ("page", "commands", "shown"),
    [
        pytest.param(page, commands, shown, id=f"{page.relative_to(REPO_ROOT)}, example {number}")
        for page in CURL_PAGES
        for number, (commands, shown) in enumerate(
            curl_examples(page.read_text(encoding="utf-8")), start=1
        )
    ],
)
def test_curl_examples_print_what_the_page_shows(
    page: Path, commands: str, shown: str, served_api: tuple[str, Path]
) -> None:
    address, _ = served_api
    assert PAGE_PORT in commands, f"{page}: an example not aimed at {PAGE_PORT}: {commands}"
    script = commands.replace(PAGE_PORT, address)
    ran = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert ran.returncode == 0, ran.stderr
    got = ran.stdout.replace("\n", "")
    assert matches(shown, got), f"{page} shows\n{shown}\nthe API printed\n{got}"


def test_the_access_log_line_is_the_one_the_api_writes(served_api: tuple[str, Path]) -> None:
    """docs/api.md's line for its `X-Request-ID: my-trace-42` example, time and duration aside."""
    address, log = served_api
    shown = next(
        line
        for line in (DOCS / "api.md").read_text(encoding="utf-8").splitlines()
        if "| my-trace-42 |" in line
    )
    body = json.dumps({"inputs": [{"pclass": 1, "sex": "female", "age": 29}]})
    headers = ["-H", "Content-Type: application/json", "-H", "X-Request-ID: my-trace-42"]
    url = f"http://{address}/api/v1/predict"
    subprocess.run(
        ["curl", "-s", "-o", "/dev/null", *headers, "-d", body, url], check=True, timeout=30
    )
    written = _wait_for_line(log, "| my-trace-42 |")

    def shape(line: str) -> str:
        return _DURATION.sub("<ms>", _LOG_TIME.sub("<time>", line.strip()))

    assert shape(written) == shape(shown)


def _wait_for_line(log: Path, marker: str, timeout_s: float = 10.0) -> str:
    """The first line of `log` holding `marker` (access lines are written in batches)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if marker in line:
                return line
        time.sleep(0.1)
    raise AssertionError(f"no line with {marker!r} in the server log:\n{log.read_text()}")


def test_the_install_refusal_is_the_one_verify_install_prints(tmp_path: Path) -> None:
    text = (DOCS / "operations.md").read_text(encoding="utf-8")
    start = text.index("    verify_install: ")
    shown = " ".join(text[start : text.index("\n\n", start)].split())
    wheel = f"{DIST_FILE_PREFIX}-{current_version()}-1-py3-none-any.whl"
    item = {
        "metadata": {"name": "titanic-survival-model"},
        "download_info": {"url": f"http://127.0.0.1:41234/files/{wheel}"},
    }
    report = tmp_path / "pip-report.json"
    report.write_text(json.dumps({"install": [item]}))
    private = "http://publisher:s3cret@127.0.0.1:40321/simple/"  # pragma: allowlist secret
    ran = subprocess.run(
        [sys.executable, str(API_DIR / "verify_install.py"), str(report)],
        capture_output=True,
        text=True,
        env={**os.environ, "PIP_EXTRA_INDEX_URL": private},
        timeout=30,
        check=False,
    )
    assert ran.returncode == 1
    assert " ".join(ran.stderr.split()) == shown


def test_the_held_out_metrics_are_what_evaluate_prints() -> None:
    text = (DOCS / "model.md").read_text(encoding="utf-8")
    # model_package/README.md's command as printed, with this env's titanic-model on PATH
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    evaluated = subprocess.run(
        ["bash", "-c", "titanic-model evaluate"],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path},
        timeout=300,
        check=True,
    )
    printed = json.loads(evaluated.stdout)
    metrics = printed["held_out_metrics"]
    row = next(line for line in text.splitlines() if line.startswith("| held-out,"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    shown = dict(zip(["roc_auc", "accuracy", "f1", "log_loss", "brier"], cells[1:], strict=True))
    assert {name: f"{metrics[name]:.3f}" for name in shown} == shown
    assert f"trained package v{printed['version']}," in text
