"""Every shell command the pages tell a reader to run is accounted for, in exactly one way:

(a) run here, exactly as printed, by tests/ci/test_doc_commands_run.py or, the commands that build,
    publish and serve from a copy of the tree, tests/ci/test_doc_commands_tree.py (their RUN_HERE);
(b) run exactly as printed by another test, named in RUN_ELSEWHERE: that test's source holds the
    command's text, or (the `curl` examples) test_doc_examples.py reads it from the page;
(c) run verbatim by the pipeline rehearsal (tests/rehearsal/test_pipeline.py, in make test): the
    command is, whole, a `run` command of .circleci/config.yml that the rehearsal does not list as
    an exception (the rehearsal's stand-ins for the outside world apply: BASE_IMAGE=local and a
    local index for `make image`, a throwaway PostgreSQL for the production store);
(d) run exactly as printed by make docs-slow (tests/docs_slow, not part of make test: the
    benchmarks, the differential suite, model selection and the like take about an hour), listed
    in tests/docs_slow/slow_commands.py;
(e) marked on the page as not run by the tests, with the reason (doc_commands.py shows how).

A command in none of these, or in more than one, fails here with its page and line: so does a
command added to a page later, until it is run or marked.
"""

import importlib.util
from types import ModuleType

import pytest
from doc_commands import PAGES, Command, block_commands, marks, page_commands
from test_doc_commands_run import RUN_HERE as RUN_IN_TEMP_DIRS
from test_doc_commands_tree import RUN_HERE as RUN_IN_TREE
from test_doc_examples import CURL_PAGES, curl_examples
from titanic_release.project import REPO_ROOT

RUN_HERE = {
    "tests/ci/test_doc_commands_run.py": RUN_IN_TEMP_DIRS,
    "tests/ci/test_doc_commands_tree.py": RUN_IN_TREE,
}
# (b): page -> {command (its text without a trailing comment): the test that runs it}. The `curl`
# examples of test_doc_examples.CURL_PAGES need no entry: that test reads them from the page.
RUN_ELSEWHERE = {
    "model_package/README.md": {"titanic-model evaluate": "tests/ci/test_doc_examples.py"},
    "docs/deploy-railway.md": {"make image BASE_IMAGE=local": "tests/image/conftest.py"},
    "docs/shadow.md": {
        "make shadow-report": "tests/shadow/e2e_production.py",
        "make promote VERSION=0.3.1.dev20261206120000": "tests/shadow/test_promote.py",
    },
    "docs/batch.md": dict.fromkeys(
        [
            "titanic-model predict --engine spark --input passengers.parquet --output "
            "scored.parquet",
            "titanic-model predict --engine spark --input csv_dir/ --output scored.csv --sep ';'",
            "PYSPARK_PYTHON=$VENV/bin/python spark-submit --master local[2] \\\n"
            "  --conf spark.driver.bindAddress=127.0.0.1 --conf spark.driver.host=127.0.0.1 \\\n"
            "  --conf spark.ui.enabled=false --conf spark.pyspark.python=$VENV/bin/python \\\n"
            '  "$JOB" --input titanic3.csv --output scored.parquet',
        ],
        "tests/spark/test_spark_submit.py",
    ),
}
CURL_EXAMPLES = {
    str(page.relative_to(REPO_ROOT)): {commands for commands, _ in curl_examples(page.read_text())}
    for page in CURL_PAGES
}


def _module(relative: str) -> ModuleType:
    """A module of another suite's directory, loaded from its file (not on this suite's path)."""
    path = REPO_ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rehearsed() -> dict[str, str]:
    """command -> its job, for each `run` command of the CircleCI config that the rehearsal runs."""
    pipeline = _module("tests/rehearsal/pipeline.py")
    rehearsed: dict[str, str] = {}
    for step in pipeline.steps(pipeline.load()):
        if step.command not in pipeline.NOT_REHEARSED:
            rehearsed.setdefault(step.command, step.job)
    return rehearsed


REHEARSED = _rehearsed()
# page -> the commands make docs-slow runs (plain data)
RUN_SLOW: dict[str, list[str]] = _module("tests/docs_slow/slow_commands.py").RUN_SLOW
ALL = [command for page in PAGES for command in page_commands(page)]


def categories(command: Command) -> list[str]:
    """Each way `command` is accounted for (exactly one is right)."""
    found = []
    for module, table in RUN_HERE.items():
        if command.key in table.get(command.page, ()):
            found.append(f"run here ({module})")
    elsewhere = RUN_ELSEWHERE.get(command.page, {}).get(command.key)
    if elsewhere is not None:
        source = (REPO_ROOT / elsewhere).read_text(encoding="utf-8")
        assert command.key in source, f"{elsewhere} does not run: {command.text}"
        found.append(f"run by {elsewhere}")
    if command.key in CURL_EXAMPLES.get(command.page, ()):
        found.append("run by tests/ci/test_doc_examples.py, read from the page")
    if command.key in REHEARSED:
        job = REHEARSED[command.key]
        found.append(f"run by tests/rehearsal/test_pipeline.py (CircleCI's {job} job)")
    if command.key in RUN_SLOW.get(command.page, ()):
        found.append("run by make docs-slow (tests/docs_slow)")
    if command.marked is not None:
        found.append(f"marked on the page: {command.marked}")
    return found


def test_the_pages_hold_about_a_hundred_commands() -> None:
    assert len(ALL) >= 80
    assert {command.page for command in ALL} >= {"README.md", "model_package/README.md"}


@pytest.mark.parametrize("command", ALL, ids=lambda command: f"{command.page}:{command.line}")
def test_every_command_is_run_or_marked_with_a_reason(command: Command) -> None:
    found = categories(command)
    assert len(found) == 1, (
        f"{command.page}, line {command.line}: {command.text}\nis accounted for "
        f"{len(found)} times: {found or 'not run by any test and not marked on the page'}"
    )


@pytest.mark.parametrize(
    ("page", "key"),
    [
        (page, key)
        for table in (*RUN_HERE.values(), RUN_ELSEWHERE, RUN_SLOW)
        for page in table
        for key in table[page]
    ],
)
def test_every_listed_command_is_on_its_page(page: str, key: str) -> None:
    assert key in [command.key for command in ALL if command.page == page]


def test_commands_are_joined_as_bash_reads_them() -> None:
    block = [
        "# a comment",
        "curl -s http://h/a \\",
        '  -d \'{"x": 1,',
        '       "y": 2}\'',
        '# {"a": 1}',
        "",
        "make run   # it's a comment",
    ]
    assert block_commands(block, 10) == [
        (11, 'curl -s http://h/a \\\n  -d \'{"x": 1,\n       "y": 2}\''),
        (16, "make run   # it's a comment"),
    ]


def test_a_marker_names_its_commands_or_the_whole_block() -> None:
    commands = [(1, "make bench"), (2, "git push -u origin x"), (3, "make test")]
    assert marks("<!-- not run by the tests: a reason for all -->", commands) == {
        1: "a reason for all",
        2: "a reason for all",
        3: "a reason for all",
    }
    comment = "<!-- not run by the tests:\n`make bench` 30 minutes\n`git push` leaves here\n-->"
    assert marks(comment, commands) == {1: "30 minutes", 2: "leaves here"}
    assert marks("<!-- not run by the tests: `git push` leaves here -->", commands) == {
        2: "leaves here"
    }
    with pytest.raises(AssertionError, match="no command"):
        marks("<!-- not run by the tests:\n`make nothing` stale\n-->", commands)
    with pytest.raises(AssertionError, match="without a reason"):
        marks("<!-- not run by the tests: -->", commands)
    with pytest.raises(AssertionError, match="without a reason"):
        marks("<!-- not run by the tests:\nmake bench\n-->", commands)


def test_an_unaccounted_command_fails_naming_it() -> None:
    new = Command("docs/api.md", 7, "make something-new", None)
    assert categories(new) == []
    with pytest.raises(AssertionError, match=r"docs/api.md, line 7: make something-new"):
        test_every_command_is_run_or_marked_with_a_reason(new)


def test_a_command_the_rehearsal_runs_counts_and_one_it_lists_as_an_exception_does_not() -> None:
    image = Command("docs/x.md", 3, "make image   # prints the tag", None)
    assert categories(image) == ["run by tests/rehearsal/test_pipeline.py (CircleCI's image job)"]
    assert categories(Command("docs/x.md", 4, ".venv/bin/tox run -e security", None)) == []
    assert categories(Command("docs/x.md", 5, "make image NO_CACHE=1", None)) == []


def test_a_command_make_docs_slow_runs_counts_on_its_own_page_only() -> None:
    selection = ".venv/bin/tox run -e model_selection"
    assert categories(Command("docs/model.md", 3, selection, None)) == [
        "run by make docs-slow (tests/docs_slow)"
    ]
    assert categories(Command("docs/batch.md", 3, selection, None)) == []
