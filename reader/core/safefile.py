"""Files reader writes for the user (exports, backups): written beside their place and renamed in.

It never writes through a symbolic link planted where a file will be made, never leaves half a
file under the name the user gave, and never makes a file anyone may write (the umask applies).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

#: Read and write for whoever the umask allows, but never for everyone.
_MODE = 0o664


def partial_path(path: Path) -> Path:
    """Where the file for `path` is written before it is renamed into place."""
    return path.with_name(path.name + ".partial")


def create_new(path: Path) -> int:
    """A descriptor of a new, empty file at `path`: whatever was there (a stale file, or a
    symbolic link pointing anywhere) is removed first, never followed."""
    path.unlink(missing_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    return os.open(path, flags, _MODE)


@contextmanager
def replacing(path: Path, *, text: bool = True) -> Iterator[IO]:
    """A stream whose content becomes the file at `path` when the block ends without an
    error; until then `path` keeps what it held. On an error the partial file is removed."""
    path = Path(path)
    partial = partial_path(path)
    descriptor = create_new(partial)
    try:
        mode = "w" if text else "wb"
        options = {"encoding": "utf-8", "newline": "\n"} if text else {}
        with os.fdopen(descriptor, mode, **options) as stream:
            yield stream
        os.replace(partial, path)  # a link at `path` is replaced, not written through
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """`text` as the whole content of the file at `path`, exactly (no newline translation)."""
    with replacing(path) as stream:
        stream.write(text)
