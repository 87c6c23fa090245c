"""The pages' commands that run here, exactly as printed (bash, the page's text, its comment
included), each from a clean place: a temporary directory, or a copy of this working tree made a
git repository of its own (with a bare `origin` beside it), against a local index and an API that
the test starts on free loopback ports and stops by PID. Where the page shows output, it is
compared. The one change: an API example's 127.0.0.1:8001 is the test server's port (as in
test_doc_examples.py).
"""

import csv
import json
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from doc_run import BIN, bash, clean_env, copy_tree, printed
from test_doc_examples import PAGE_PORT
from titanic_release.project import API_DIR, REPO_ROOT, current_version
from titanic_release.run_api import local_argv, procfile_web_command
from titanic_release.servers import HOST, free_port, is_alive, start_server, stopped_on_exit

# the package's data, read as a file like a reader's own (the package's public names hold no path)
TITANIC_CSV = REPO_ROOT / "model_package" / "titanic_model" / "datasets" / "titanic3.csv"
PREDICT = "titanic-model predict --input passengers.csv --output scored.csv"
PREDICT_PARQUET = "titanic-model predict --input passengers.parquet --output scored.parquet"
PACKAGE = [
    "titanic-model info",
    "titanic-model predict --input in.csv --output out.csv --chunk-rows 50000",
    "titanic-model train --if-missing",
]
INDEX = [
    ".venv/bin/tox run -q -e index -- start",
    ".tox/index/bin/python -m titanic_release.local_index status",
    ".tox/index/bin/python -m titanic_release.local_index pip-url",
    ".tox/index/bin/python -m titanic_release.local_index stop",
]
PROMOTE = [
    "CANDIDATE=0.3.1.dev20261130221500",
    'git switch -c "promote-$CANDIDATE"',
    'sed -i "s/^titanic-survival-model==.*/titanic-survival-model==$CANDIDATE/" '
    "api/requirements.txt",
    ".venv/bin/tox run -e test_ci -- -k test_release_pin",
    'git commit -am "Promote the retrained candidate $CANDIDATE '
    '(reports: reports/retrain/$CANDIDATE/)"',
    'git push -u origin "promote-$CANDIDATE"',
]
OUTCOME_PREDICT = (
    "ID=$(curl -s -X POST http://127.0.0.1:8001/api/v1/predict -H 'Content-Type: application/json'"
    ' \\\n  -d \'{"inputs": [{"pclass": '
)
README_OUTCOMES = [
    OUTCOME_PREDICT + '3, "sex": "male", "age": 22}]}\' | python3 -c \'import json, sys; '
    'print(json.load(sys.stdin)["ids"][0])\')',
    'curl -s -X POST http://127.0.0.1:8001/api/v1/outcomes -H "Authorization: Bearer '
    '$OUTCOMES_TOKEN" \\\n  -H \'Content-Type: application/json\' -d "[{\\"id\\": \\"$ID\\", '
    '\\"survived\\": 0}]"',
]
MONITORING_OUTCOMES = [
    OUTCOME_PREDICT + '1, "sex": "female", "age": 29}]}\' \\\n  | python3 -c \'import json, sys; '
    'print(json.load(sys.stdin)["ids"][0])\')',
    "curl -s -X POST http://127.0.0.1:8001/api/v1/outcomes -H 'Content-Type: application/json' "
    '\\\n  -H "Authorization: Bearer $OUTCOMES_TOKEN" -d "[{\\"id\\": \\"$ID\\", \\"survived\\": '
    '1}]"',
]

# page -> the commands (text without a trailing comment) that the tests below run.
RUN_HERE = {
    "model_package/README.md": PACKAGE,
    "docs/batch.md": [PREDICT, PREDICT_PARQUET],
    "docs/private-index.md": INDEX,
    "docs/releasing.md": PROMOTE,
    "README.md": README_OUTCOMES,
    "docs/monitoring.md": MONITORING_OUTCOMES,
}


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_tree(tmp_path_factory.mktemp("tree"))


@pytest.fixture(scope="module")
def git_identity() -> dict[str, str]:
    person = {"NAME": "Doc Tester", "EMAIL": "doc-tester@example.invalid"}
    return {
        f"GIT_{role}_{key}": value
        for role in ("AUTHOR", "COMMITTER")
        for key, value in person.items()
    }


def test_the_package_commands_print_the_model_and_score_the_files(tmp_path: Path) -> None:
    with TITANIC_CSV.open(encoding="utf-8") as source:
        rows = list(csv.reader(source))[:21]  # the header and 20 passengers
    with (tmp_path / "passengers.csv").open("w", newline="", encoding="utf-8") as target:
        csv.writer(target).writerows(rows)
    env = clean_env()
    info = json.loads(bash(printed("model_package/README.md", PACKAGE[:1]), tmp_path, env))
    assert info["version"] == current_version()
    assert set(info["held_out_metrics"]) >= {"roc_auc", "accuracy"}
    # trained by this env's commands_pre: present and current, so not trained again
    kept = bash(printed("model_package/README.md", PACKAGE[2:]), tmp_path, env)
    assert f"the artifact for version {current_version()} is present and up to date" in kept

    shutil.copy(tmp_path / "passengers.csv", tmp_path / "in.csv")
    bash(printed("model_package/README.md", PACKAGE[1:2]), tmp_path, env)
    with (tmp_path / "out.csv").open(encoding="utf-8") as out_file:
        out = list(csv.DictReader(out_file))

    bash(printed("docs/batch.md", [PREDICT]), tmp_path, env)
    with (tmp_path / "scored.csv").open(encoding="utf-8") as scored_file:
        scored = list(csv.DictReader(scored_file))
    assert [row["name"] for row in scored] == [row[rows[0].index("name")] for row in rows[1:]]
    assert [row["probability"] for row in out] == [row["probability"] for row in scored]
    assert all(0 < float(row["probability"]) < 1 for row in scored)

    import pandas as pd  # the parquet example: the same passengers, the same scores

    pd.read_csv(tmp_path / "passengers.csv").to_parquet(tmp_path / "passengers.parquet")
    bash(printed("docs/batch.md", [PREDICT_PARQUET]), tmp_path, env)
    from_parquet = pd.read_parquet(tmp_path / "scored.parquet")
    assert from_parquet["probability"].tolist() == [float(row["probability"]) for row in scored]


def test_the_private_index_commands_start_report_and_stop_it(tree_copy: Path) -> None:
    port = free_port()
    env = clean_env(INDEX_PORT=str(port))
    state = tree_copy / ".index" / "server.json"
    try:
        started = bash(printed("docs/private-index.md", INDEX[:1]), tree_copy, env, timeout=180)
        assert f"Local index started: http://{HOST}:{port}/" in started
        pid = json.loads(state.read_text())["pid"]
        status = bash(printed("docs/private-index.md", INDEX[1:2]), tree_copy, env)
        assert status.startswith(f"Local index running: http://{HOST}:{port}/")
        assert f"(pid {pid})" in status
        url = bash(printed("docs/private-index.md", INDEX[2:3]), tree_copy, env).strip()
        assert url.startswith("http://publisher:")
        assert url.endswith(f"@{HOST}:{port}/simple/")
        stopped = bash(printed("docs/private-index.md", INDEX[3:]), tree_copy, env)
        assert stopped.strip() == f"Local index stopped (pid {pid})."
        assert not is_alive(pid)
    finally:
        if state.exists():  # a failure above: stop it by its PID all the same
            subprocess.run(
                [tree_copy / ".tox/index/bin/python", "-m", "titanic_release.local_index", "stop"],
                cwd=tree_copy,
                env=env,
                timeout=60,
                check=False,
            )


def test_the_promotion_commands_push_a_branch_that_pins_the_candidate(
    tree_copy: Path, git_identity: dict[str, str]
) -> None:
    bash(printed("docs/releasing.md", PROMOTE), tree_copy, clean_env(**git_identity), timeout=300)
    candidate = PROMOTE[0].split("=", 1)[1]
    pushed = bash(
        f"git --git-dir=../origin.git show promote-{candidate}:api/requirements.txt", tree_copy, {}
    )
    assert f"\ntitanic-survival-model=={candidate}\n" in pushed
    subject = bash(
        f"git --git-dir=../origin.git log -1 --format=%s promote-{candidate}", tree_copy, {}
    )
    assert subject.strip() == (
        f"Promote the retrained candidate {candidate} (reports: reports/retrain/{candidate}/)"
    )


@pytest.fixture(scope="module")
def api_with_outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The API as `make run` starts it, with a SQLite store and OUTCOMES_TOKEN: (address, token)."""
    work = tmp_path_factory.mktemp("outcomes")
    port, token = free_port(), secrets.token_hex(16)
    argv = local_argv(procfile_web_command(), port)
    argv[0] = str(BIN / argv[0])
    env = clean_env(
        PORT=str(port),
        PREDICTION_STORE_URL=f"sqlite:///{work / 'predictions.sqlite3'}",
        OUTCOMES_TOKEN=token,
    )
    env.pop("RELEASE_ID", None)
    health = f"http://{HOST}:{port}/api/v1/health"
    with stopped_on_exit(
        start_server(argv, health, work / "server.log", cwd=API_DIR, env=env, timeout=90)
    ):
        yield f"{HOST}:{port}", token


@pytest.mark.parametrize(
    ("page", "keys"), [("README.md", README_OUTCOMES), ("docs/monitoring.md", MONITORING_OUTCOMES)]
)
def test_an_outcome_sent_as_the_page_shows_is_stored(
    page: str, keys: list[str], api_with_outcomes: tuple[str, str], tmp_path: Path
) -> None:
    address, token = api_with_outcomes
    script = printed(page, keys).replace(PAGE_PORT, address)
    answer = bash(script, tmp_path, clean_env(OUTCOMES_TOKEN=token), timeout=60)
    # docs/monitoring.md shows the answer in its text (over two lines)
    shown = '{"stored": 1, "duplicates": 0, "conflicts": 0, "errors": null}'
    text = " ".join((REPO_ROOT / "docs" / "monitoring.md").read_text(encoding="utf-8").split())
    assert f"`{shown}`" in text
    assert json.loads(answer) == json.loads(shown), answer
