"""The output file appears whole or not at all, and is never the input; a pipe or a device
(`/dev/stdout`, a FIFO) is written in place, never replaced by a file."""

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from titanic_model.batch.scoring import BatchError


def refuse_overwriting_input(source: Path, target: Path) -> None:
    """Fail when the output names the input, through a link or a relative path."""
    same = source.resolve() == target.resolve()
    if not same and source.exists() and target.exists():
        same = os.path.samefile(source, target)  # hard links
    if same:
        raise BatchError(f"the output {target} is the input file; choose another output path")


@contextmanager
def atomic_output(source: Path, target: Path) -> Iterator[Path]:
    """A temporary file beside `target`, renamed onto it only if the block succeeds.

    On any failure (including Ctrl-C) the temporary file is removed and an existing `target` is
    left as it was. Same directory, so the rename is atomic on the same filesystem. An existing
    target that is not a regular file (a pipe, a terminal, a device) is written directly: renaming
    onto it would replace the device itself (as root, /dev/stdout or /dev/full) with a file.
    """
    refuse_overwriting_input(source, target)
    if target.is_dir():
        raise BatchError(f"the output {target} is a directory; name a file in it")
    if target.exists() and not target.is_file():
        yield target
        return
    if not target.parent.is_dir():
        raise BatchError(f"the output's directory {target.parent} does not exist")
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # honours umask
    try:
        yield temporary
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, target)
