"""`-` for standard input in `reader import`, `import-annotations` and `entities`: never more than
the size limit a file would have (for `reader import` of JSONL or CSV, a record at a time, as a
file of theirs), named `<stdin>` in every message.

It never waits silently on a terminal (it says how to end the input) and never reads past the
limit: an input that does not end (`yes |`) stops there with one line.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import replace

import click

from reader.commands.output import echo_lines, failure
from reader.core.ingest import Document, ReadOptions, SizeLimit, Skipped, read_data, read_stream
from reader.core.ingest.records import SNIFF_BYTES

#: How standard input is named in messages (and stored as the path of articles read from it).
STDIN_NAME = "<stdin>"
#: The formats standard input may hold for `reader import` and `reader entities`.
STDIN_FORMATS = ("auto", "txt", "md", "html", "json", "jsonl", "csv")


def stdin_option(function):
    """`--stdin-format`: what `-` (standard input) holds."""
    return click.option(
        "--stdin-format", type=click.Choice(STDIN_FORMATS), default="auto", show_default=True,
        help="What `-` (standard input) holds; auto: html if it starts with <, json with [, "
             "jsonl with a line holding one JSON object, md with #, else txt.",
    )(function)


def dashes(paths: tuple[str, ...]) -> bool:
    """Whether `paths` name standard input (`-`); a one-line error when they do twice."""
    count = paths.count("-")
    if count > 1:
        raise click.BadParameter("- (standard input) is given more than once; it can be read only once",
                                 param_hint="PATHS")
    return count == 1


def _stdin_stream():
    """Standard input as bytes, said to be read from the terminal when it is one."""
    stream = getattr(sys.stdin, "buffer", sys.stdin)
    if stream is None:  # started with standard input closed
        raise failure(f"{STDIN_NAME}: there is no standard input (it is closed)")
    try:
        if stream.isatty():
            echo_lines([f"Reading {STDIN_NAME} from the terminal: end it with ctrl+d"], err=True)
    except ValueError as error:  # closed
        raise failure(f"{STDIN_NAME}: cannot read it ({error})") from None
    return stream


def _read(stream, size: int) -> bytes:
    """Up to `size` bytes of standard input (all of it for -1), or a one-line error."""
    try:
        return stream.read(size)
    except OSError as error:
        raise failure(f"{STDIN_NAME}: cannot read it ({error.strerror or error})") from None
    except ValueError as error:  # closed
        raise failure(f"{STDIN_NAME}: cannot read it ({error})") from None


def _within(data: bytes, limit: SizeLimit | None) -> bytes:
    if limit is not None and len(data) > limit.max_bytes:
        where = f"; {limit.origin}" if limit.origin else ""
        raise failure(f"{STDIN_NAME}: larger than the {limit.megabytes} MB limit{where} (none of it was used)")
    return data


def read_stdin(limit: SizeLimit | None) -> bytes:
    """All of standard input, but never more than `limit`: a one-line error naming `<stdin>`
    when it is larger (what was read is dropped; nothing is imported)."""
    stream = _stdin_stream()
    return _within(_read(stream, -1 if limit is None else limit.max_bytes + 1), limit)


class _ReadAhead(io.RawIOBase):
    """Standard input whose first bytes (`head`) were read to tell its format: read again from
    the start, then the rest of the stream, a piece at a time. It can seek back only within
    `head` and only until it has read past it (what `read_stream` does to skip a byte-order mark)."""

    def __init__(self, head: bytes, rest) -> None:
        super().__init__()
        self.head, self.rest, self.position = head, rest, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self.position <= len(self.head)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence != io.SEEK_SET or not 0 <= offset <= len(self.head) or self.position > len(self.head):
            raise io.UnsupportedOperation("standard input can go back only within what was read ahead")
        self.position = offset
        return offset

    def readinto(self, buffer) -> int:
        if self.position < len(self.head):
            piece = self.head[self.position : self.position + len(buffer)]
        else:
            piece = _read(self.rest, len(buffer))
        buffer[: len(piece)] = piece
        self.position += len(piece)
        return len(piece)


def stdin_import_documents(
    limit: SizeLimit | None, fmt: str, options: ReadOptions = ReadOptions()
) -> Iterator[Document | Skipped]:
    """The documents `reader import -` reads from standard input, as `stdin_documents` gives
    them, but JSONL and CSV streamed a record at a time as a file of theirs is: the limit holds
    for each record, so a dump of any size imports. Another format is read whole first (a
    one-line error, before anything is imported, when it is over the limit); a stream is read as
    the documents are taken."""
    stream = _stdin_stream()
    head = _read(stream, SNIFF_BYTES if limit is None else min(SNIFF_BYTES, limit.max_bytes + 1))
    chosen = fmt
    if fmt == "auto" and head:
        start = head.decode("utf-8", errors="replace")
        chosen = "jsonl" if start.lstrip().startswith("{") and "\n" not in start.strip() else guess_format(start)
    if chosen in ("jsonl", "csv") and head:
        handle = io.BufferedReader(_ReadAhead(head, stream), buffer_size=64 * 1024)
        return iter(as_stdin_articles(read_stream(handle, STDIN_NAME, f".{chosen}", options, limit)))
    rest = b"" if len(head) < SNIFF_BYTES or (limit is not None and len(head) > limit.max_bytes) else _read(
        stream, -1 if limit is None else limit.max_bytes + 1 - len(head))
    data = _within(head + rest, limit)
    return iter(list(as_stdin_articles(stdin_documents(data, chosen, options))))


def guess_format(text: str) -> str:
    """The format `auto` takes standard input to hold, from how it starts."""
    start = text.lstrip()
    head = start[:1]
    if head == "<":
        return "html"
    if head == "[":
        return "json"
    if head == "{":
        try:
            json.loads(start.split("\n", 1)[0])
        except ValueError:
            return "json"  # one object written over several lines
        return "jsonl"
    if head == "#":
        return "md"
    return "txt"


def stdin_documents(data: bytes, fmt: str, options: ReadOptions = ReadOptions()) -> Iterator[Document | Skipped]:
    """The documents in `data` read from standard input as `fmt` (or its guess), exactly as
    `read_file` gives a file's (decoded, read, repaired): Skipped for an empty or undecodable
    input, or a bad record."""
    if not data:
        yield Skipped(STDIN_NAME, "empty input")
        return
    chosen = guess_format(data.decode("utf-8", errors="replace")) if fmt == "auto" else fmt
    yield from read_data(data, STDIN_NAME, f".{chosen}", options)


def as_stdin_articles(items: Iterator[Document | Skipped]) -> Iterator[Document | Skipped]:
    """Documents read from standard input as `reader import` stores them: `<stdin>` as their path
    and their text's digest as their locator, so input read again finds its articles unchanged,
    and a later, different input never updates them (there is no file to follow). A text given
    twice in one input is skipped the second time, as a file's would be ("same text as line 3")."""
    seen: dict[str, str] = {}
    for item in items:
        if isinstance(item, Skipped):
            yield item
            continue
        digest = hashlib.sha256(item.text.encode("utf-8")).hexdigest()
        where = item.locator or "the input"
        if digest in seen:
            yield Skipped(STDIN_NAME, f"{where}: same text as {seen[digest]}")
            continue
        seen[digest] = where
        yield replace(item, path=STDIN_NAME, locator=f"text {digest[:16]}")
