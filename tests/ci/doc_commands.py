"""The shell commands of the pages: each ```bash block's commands, as bash reads them (lines
joined while a quote is open or a line ends with `\\`; lines starting with `#` between commands are
shown output or comments), and the page's own marker of those not run by the tests (the HTML
comment on the line before the block; docs/ci.md, "Commands on the pages"):

    <!-- not run by the tests: REASON -->             (every command of the block)
    <!-- not run by the tests:
    `START OF A COMMAND` REASON                       (one line per command it marks)
    -->
    <!-- not run by the tests: `START OF A COMMAND` REASON -->   (the one command it marks)
"""

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from titanic_release.project import REPO_ROOT

PAGES = [REPO_ROOT / "README.md", REPO_ROOT / "model_package" / "README.md"]
PAGES += sorted((REPO_ROOT / "docs").glob("*.md"))
MARKER = "not run by the tests:"
_COMMENT = re.compile(r"\s+# .*$")
_HASH_COMMENT = re.compile(r"(^|\s)#.*$", re.M)  # bash's: # starting a word
_PLACEHOLDER = re.compile(r"<[a-z][^<>\n]*>")


@dataclass(frozen=True)
class Command:
    page: str  # relative to the repository
    line: int  # of its first line
    text: str  # as printed, lines joined by "\n", a trailing comment included
    marked: str | None  # the page's reason for not running it, if marked

    @property
    def key(self) -> str:
        """The command without a trailing `  # comment` (what RUN_HERE and RUN_ELSEWHERE name)."""
        return _COMMENT.sub("", self.text).rstrip()


def _is_complete(text: str) -> bool:
    try:  # a <placeholder> may hold a quote: `<the service's token>`
        shlex.split(_HASH_COMMENT.sub("", _PLACEHOLDER.sub("x", text)))
    except ValueError:  # an open quote, or a trailing backslash
        return False
    return True


def block_commands(lines: list[str], first: int) -> list[tuple[int, str]]:
    """(line number, command) for the lines of one ```bash block starting at line `first`."""
    commands: list[tuple[int, str]] = []
    pending: list[str] = []
    for number, line in enumerate(lines, start=first):
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending.append(line)
        text = "\n".join(pending)
        if _is_complete(text):
            commands.append((number - len(pending) + 1, text))
            pending = []
    assert not pending, f"line {first}: a command is never closed: {pending}"
    return commands


def marks(comment: str | None, commands: list[tuple[int, str]]) -> dict[int, str]:
    """line -> reason, for the commands a `not run by the tests` comment marks."""
    if comment is None or MARKER not in comment:
        return {}
    body = comment.split(MARKER, 1)[1].removesuffix("-->")
    first, _, rest = body.partition("\n")
    if first.strip().startswith("`"):  # one line naming one command
        rest = first.strip()
    elif first.strip():  # one line: the whole block
        assert len(first.strip()) >= 10, f"a marker without a reason: {comment!r}"
        return {line: first.strip() for line, _ in commands}
    entries = re.findall(r"^\s*`([^`]+)`\s+(.+)$", rest, re.M)
    assert entries, f"a marker without a reason: {comment!r}"
    marked: dict[int, str] = {}
    for start, reason in entries:
        lines = [line for line, text in commands if text.startswith(start)]
        assert lines, f"a marker for no command of its block: `{start}`"
        assert not set(lines) & set(marked), f"a command marked twice: `{start}`"
        marked.update(dict.fromkeys(lines, reason.strip()))
    return marked


def page_commands(page: Path) -> list[Command]:
    lines = page.read_text(encoding="utf-8").splitlines()
    name = str(page.relative_to(REPO_ROOT))
    found = []
    index = 0
    while index < len(lines):
        if lines[index].strip() in ("```bash", "```sh", "```shell", "```console"):
            # a block may be indented (inside a list item): its lines are read without that indent
            indent = len(lines[index]) - len(lines[index].lstrip())
            end = next(i for i in range(index + 1, len(lines)) if lines[i].strip() == "```")
            comment_end = index - 1
            comment = None
            if comment_end >= 0 and lines[comment_end].rstrip().endswith("-->"):
                start = max(i for i in range(comment_end + 1) if "<!--" in lines[i])
                comment = "\n".join(lines[start : comment_end + 1])
            commands = block_commands([line[indent:] for line in lines[index + 1 : end]], index + 2)
            reasons = marks(comment, commands)
            found += [Command(name, line, text, reasons.get(line)) for line, text in commands]
            index = end
        index += 1
    return found


def documented(page: str, key: str) -> Command:
    """The command of `page` (relative to the repository) whose text without comment is `key`."""
    [command] = [c for c in page_commands(REPO_ROOT / page) if c.key == key]
    return command
