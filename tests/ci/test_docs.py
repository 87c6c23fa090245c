"""The front door and the manual hold together: a short README, and no link that leads nowhere.

Each checker also runs on a deliberately broken text, to show it can fail.
"""

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PACKAGE_README = ROOT / "model_package" / "README.md"
README_MAX_LINES = 200

_FENCED_CODE = re.compile(r"^```.*?^```", re.M | re.S)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def _pages() -> list[Path]:
    return [README, PACKAGE_README, *sorted(DOCS.glob("*.md"))]


def _prose(text: str) -> str:
    """The text without code, where a bracket or parenthesis is not a link."""
    return _INLINE_CODE.sub("", _FENCED_CODE.sub("", text))


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation and code marks gone, spaces -> -."""
    words = heading.replace("`", "").strip().lower()
    kept = "".join(char for char in words if char in " -_" or unicodedata.category(char)[0] in "LN")
    return kept.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    headings = _HEADING.findall(_FENCED_CODE.sub("", page.read_text(encoding="utf-8")))
    return {_anchor(heading) for heading in headings}


def broken_links(page: Path, text: str) -> list[str]:
    """Relative links in `text` (the content of `page`) whose file or heading does not exist."""
    broken = []
    for target in _LINK.findall(_prose(text)):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:: not ours to check
            continue
        path_part, _, fragment = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page
        has_headings = resolved.exists() and resolved.suffix == ".md" and bool(fragment)
        if not resolved.exists() or (has_headings and fragment not in _anchors(resolved)):
            broken.append(target)
    return broken


def test_readme_is_a_short_front_door() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert 0 < len(lines) <= README_MAX_LINES


@pytest.mark.parametrize("page", _pages(), ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_resolves(page: Path) -> None:
    assert broken_links(page, page.read_text(encoding="utf-8")) == []


def test_the_link_checker_finds_a_missing_file_and_a_missing_heading() -> None:
    text = (
        "[gone](docs/no-such-page.md) [heading](docs/api.md#no-such-heading) "
        "[ok](docs/api.md#settings) [web](https://example.org/x) `[code](nowhere.md)`"
    )
    assert broken_links(README, text) == ["docs/no-such-page.md", "docs/api.md#no-such-heading"]


def test_readme_links_every_docs_page() -> None:
    targets = _LINK.findall(_prose(README.read_text(encoding="utf-8")))
    linked = {Path(target.partition("#")[0]).name for target in targets}
    pages = {page.name for page in DOCS.glob("*.md")}
    assert pages <= linked


@pytest.mark.parametrize("page", _pages(), ids=lambda page: str(page.relative_to(ROOT)))
def test_no_page_points_at_files_outside_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert "DESIGN.md" not in text
    assert "../shared" not in text


def test_github_anchors_follow_githubs_rule() -> None:
    assert _anchor("Input schema (`titanic_model.PassengerInput`)") == (
        "input-schema-titanic_modelpassengerinput"
    )
    assert _anchor("How it scores: the compiled scorer") == "how-it-scores-the-compiled-scorer"


def _section(text: str, heading_start: str) -> str:
    """The body of the first `## ` section whose heading starts with `heading_start`."""
    start = text.index(f"\n## {heading_start}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_readme_monitoring_section_covers_every_store_and_metrics_setting() -> None:
    config = (ROOT / "api" / "app" / "core" / "config.py").read_text(encoding="utf-8")
    settings = re.findall(r"^    ((?:PREDICTION_STORE|STORE|METRICS)_\w+):", config, re.M)
    section = _section(README.read_text(encoding="utf-8"), "Monitoring")
    assert len(settings) >= 5
    assert [name for name in settings if f"| `{name}` |" not in section] == []
    assert "${{Postgres.DATABASE_URL}}" in section
    assert "report.html" in section


def _repository_url() -> str:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return str(project["urls"]["Repository"]).rstrip("/")


def dead_package_page_links(text: str, repository: str) -> list[str]:
    """Links of the package's long description that are dead on an index's page: relative ones,
    and repository links to a file or heading the tree lacks."""
    dead = []
    prefix = f"{repository}/blob/main/"
    for target in _LINK.findall(_prose(text)):
        if not re.match(r"https?://", target):
            dead.append(target)
        elif target.startswith(prefix):
            path = ROOT / target.removeprefix(prefix)
            if broken_links(ROOT / "index-page.md", f"[x]({path.relative_to(ROOT)})"):
                dead.append(target)
        elif target.startswith(repository):
            dead.append(target)  # into the repository, but not as a file on main
    return dead


def test_the_package_page_links_are_absolute_and_lead_to_files_of_the_repository() -> None:
    text = PACKAGE_README.read_text(encoding="utf-8")
    repository = _repository_url()
    assert f"{repository}/blob/main/docs/batch.md" in text
    assert dead_package_page_links(text, repository) == []


def test_the_package_page_link_check_finds_relative_and_missing_links() -> None:
    repository = _repository_url()
    text = (
        "[rel](../docs/batch.md) [gone](REPO/blob/main/docs/none.md) "
        "[anchor](REPO/blob/main/docs/api.md#no-such-heading) [ok](REPO/blob/main/docs/api.md) "
        "[web](https://example.org/x)"
    ).replace("REPO", repository)
    assert dead_package_page_links(text, repository) == [
        "../docs/batch.md",
        f"{repository}/blob/main/docs/none.md",
        f"{repository}/blob/main/docs/api.md#no-such-heading",
    ]


def repeated_settings(table: str) -> list[str]:
    """Rows of a performance table that measure the same setting as an earlier row: same run,
    same concurrency, same store (on unless the row says off), same server (the app unless the
    row names the idioms echo)."""
    seen: dict[tuple[bool, str, bool, bool], str] = {}
    repeated = []
    for row in table.splitlines():
        label = row.split("|")[1].strip() if row.startswith("| c=") or "run, c=" in row else ""
        concurrency = re.search(r"c=(\d+)", label)
        if concurrency is None:
            continue
        key = (
            label.startswith("second run"),
            concurrency[1],
            "store off" not in label,
            "idioms echo" in label,
        )
        if key in seen:
            repeated.append(f"{seen[key]} / {label}")
        seen[key] = label
    return repeated


def test_the_performance_table_measures_each_setting_once() -> None:
    section = _section(README.read_text(encoding="utf-8"), "Performance")
    assert "c=32" in section
    assert repeated_settings(section) == []


def test_the_repeated_setting_check_sees_two_store_on_rows() -> None:
    table = "| c=32: req/s | 1 |\n| c=32, SQLite store on: req/s | 2 |\n| c=32, store off | 3 |"
    assert repeated_settings(table) == ["c=32: req/s / c=32, SQLite store on: req/s"]
