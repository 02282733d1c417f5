"""Turn txt, md, html, json and jsonl files into normalised `Document`s, or `Skipped` notes:
decoding (UTF-8, a byte-order mark, else a detected legacy encoding), mojibake repair, and the
title, date, source and author each format gives (see `html`, `news` and `dates` beside it).

Ingest never writes anything, never imports Textual, never lets a bad file raise from `read_file`.
"""

from __future__ import annotations

import codecs
import csv
import errno
import io
import json
import sys
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from dataclasses import dataclass, replace
from pathlib import Path

from reader.core.ingest.dates import iso_date
from reader.core.ingest.html import PageError, read_page
from reader.core.ingest.news import NewsFacts, is_navigation, read_news
from reader.core.ingest.records import (
    SNIFF_BYTES, FieldNames, Line, csv_header, iter_lines, map_fields, sniff_delimiter,
)
from reader.core.ingest.text import (
    _CONTROLS, _CSI, _LEADING_BLANK_LINES, _OSC, TITLE_LIMIT, normalise_text, opening_words, optional as _optional,
    repair_mojibake, shorten as _shorten, single_line as _single_line,
)
from reader.core.safetext import terminal_line

__all__ = [
    "Document", "Skipped", "IngestError", "RecordChunk", "read_in_chunks", "read_chunk", "no_records", "SizeLimit", "ReadOptions", "FieldNames", "SUPPORTED_SUFFIXES",
    "STREAMED_SUFFIXES", "TITLE_LIMIT",
    "decode", "normalise_text", "path_text", "visible", "iter_files", "read_file", "read_regular_file",
    "is_navigation", "_CONTROLS", "_CSI", "_LEADING_BLANK_LINES", "_OSC",
]

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".csv", ".tsv")
#: Files read as a stream, a record at a time: the size limit applies to each record (a line of
#: JSONL, a row of CSV), never to the whole file.
STREAMED_SUFFIXES = (".jsonl", ".csv", ".tsv")


@dataclass(frozen=True, slots=True)
class Document:
    """One article ready to store; `text` is the output of `normalise_text`."""

    text: str
    title: str
    source: str | None
    url: str | None
    path: str
    #: The publication date as ISO `YYYY-MM-DD` (or `YYYY-MM`, `YYYY` when that is all the file
    #: says): what the list sorts by and the charts count by; None when undated.
    published: str | None
    locator: str
    #: The publication date as the file writes it ("March 2", "2019-03-02 08:15").
    published_written: str | None = None
    author: str | None = None
    #: The language the page declares ("en", "en-GB"); None when it does not.
    language: str | None = None
    #: How an HTML page's main text was found: "trafilatura", or "stdlib" (the fallback parser).
    extractor: str | None = None
    #: The legacy encoding the file was decoded from ("cp1252"), when it was not UTF-8/16/32.
    encoding: str | None = None
    #: True when mojibake ("Â£", "â€™") was repaired in its text, title or metadata.
    repaired: bool = False
    #: The fields of a JSON, JSONL or CSV record that are none of the known ones, as
    #: (name, value) strings in the record's order: the article's attributes.
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How `read_file` reads ambiguous things: `day_first` for dates such as 02/03/2019, the
    field names of records (`fields`), a CSV file's delimiter (None: sniffed from its header)."""

    day_first: bool = True
    fields: FieldNames = FieldNames()
    csv_delimiter: str | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file, or one record of a file, that could not be imported, and why."""

    path: str
    reason: str


class IngestError(ValueError):
    """A file's content is unusable; `reason` is the short human part without the path."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


# --- decoding and finding files -----------------------------------------------------------

#: Byte-order marks and the codec each selects; UTF-32 LE before UTF-16 LE, whose mark it starts with.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
#: How much of a file's start is searched for NUL bytes, the mark of a binary file.
BINARY_SNIFF_BYTES = 8192


def decode(data: bytes, path: str) -> str:
    """`data` as text, without its byte-order mark: UTF-8, or UTF-16/UTF-32 when a BOM says so.

    Raises IngestError for a binary file (NUL bytes near the start) and for bytes that are not
    valid in the encoding, naming the first bad byte and its offset.
    """
    codec, label, start = "utf-8", "UTF-8", 0
    for mark, mark_codec, mark_label in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            codec, label, start = mark_codec, mark_label, len(mark)
            break
    body = data[start:]
    if codec == "utf-8" and b"\x00" in body[:BINARY_SNIFF_BYTES]:
        raise IngestError(path, f"binary file (NUL bytes{_utf16_hint(body)})")
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as error:
        offset = start + error.start
        if codec == "utf-8":
            reason = f"not valid UTF-8 (byte 0x{data[offset]:02x} at offset {offset})"
        else:
            reason = f"not valid {label} after its byte-order mark ({error.reason} at offset {offset})"
        raise IngestError(path, reason) from None
    if "\x00" in text[:BINARY_SNIFF_BYTES]:
        raise IngestError(path, f"binary file (NUL characters after a {label} byte-order mark)")
    return text.removeprefix("\ufeff")


#: Legacy encodings detection may choose between (charset-normalizer's names): Western, Central
#: European and Cyrillic single-byte code pages. Others are refused rather than guessed.
LEGACY_ENCODINGS = ("cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "cp1251", "koi8_r", "mac_roman")
#: Detection is confident when the decoded text's mess (charset-normalizer's `chaos`) is at most this.
_MOST_MESS = 0.1


def decode_detecting(data: bytes, path: str) -> tuple[str, str | None]:
    """`data` as text and the legacy encoding it was decoded from (None: UTF-8, or UTF-16/32 by
    their byte-order mark). A file that is not UTF-8 and has no byte-order mark is decoded by
    detection (charset-normalizer), when it is confident; else IngestError as `decode` raises it."""
    try:
        return decode(data, path), None
    except IngestError as error:
        if not error.reason.startswith("not valid UTF-8") or any(data.startswith(mark) for mark, _, _ in _BYTE_ORDER_MARKS):
            raise
        detected = _detected_encoding(data)
        if detected is None:
            raise IngestError(path, f"{error.reason}, and its encoding could not be told with confidence; save it as UTF-8") from None
        encoding, text = detected
        if "\x00" in text[:BINARY_SNIFF_BYTES]:
            raise
        return text, encoding


def _detected_encoding(data: bytes) -> tuple[str, str] | None:
    """(encoding, text) of `data` in the legacy encoding charset-normalizer finds with confidence.

    Code pages that score alike (short texts often do) are settled for cp1252, then latin-1, the
    commonest for news; a decoding no language model recognises is only taken when cp1252 gives it.
    """
    from charset_normalizer import from_bytes

    matches = [match for match in from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)) if match.chaos <= _MOST_MESS]
    if not matches:
        return None
    least_mess = min(match.chaos for match in matches)
    clearest = [match for match in matches if match.chaos <= least_mess + 0.02]
    # the most coherent among the least messy (the most coherent overall may be messier)
    coherence = max(match.coherence for match in clearest)
    tied = [match for match in clearest if match.coherence >= coherence - 0.05]
    for preferred in ("cp1252", "latin_1"):
        for match in tied:
            if preferred in match.could_be_from_charset:
                return preferred.replace("_", "-"), str(match)
    if coherence <= 0:
        return None
    return tied[0].encoding.replace("_", "-"), str(tied[0])


def _utf16_hint(body: bytes) -> str:
    """"; UTF-16 without a byte-order mark?" when every other byte of the start is NUL, else ""."""
    sample = body[:BINARY_SNIFF_BYTES]
    half = len(sample) // 2
    if half < 2:
        return ""
    for zeros, others in ((sample[1::2], sample[0::2]), (sample[0::2], sample[1::2])):
        if zeros.count(0) >= 0.9 * half and others.count(0) == 0:
            return "; UTF-16 without a byte-order mark? save it as UTF-8"
    return ""


MEGABYTE = 1024 * 1024


@dataclass(frozen=True, slots=True)
class SizeLimit:
    """The largest file `read_file` reads, and where that limit is set (named in the reason)."""

    megabytes: int
    #: E.g. "import.max_file_mb in /home/alice/config.yaml"; "" when the caller chose the limit.
    origin: str = ""

    @property
    def max_bytes(self) -> int:
        return self.megabytes * MEGABYTE

    def reason(self, size: int) -> str:
        """Why a file of `size` bytes is skipped."""
        where = f"; {self.origin}" if self.origin else ""
        return f"larger than the {self.megabytes} MB limit ({_megabytes(size)}{where})"


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:.1f} MB"


def path_text(path: Path | str) -> str:
    """`path` as text that can be stored and printed: bytes that are not UTF-8 in a file name
    (which Python keeps as lone surrogates) become U+FFFD."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text


def visible(text: str) -> str:
    """`text` safe to print on a terminal, on one line: the one guard of reader/core/safetext.py
    (control and bidi formatting characters, lone surrogates shown as escapes such as \\x1b)."""
    return terminal_line(text)


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The files to import: files given directly (any suffix) and, inside folders, every
    non-hidden file with a supported suffix, recursively and sorted.

    Inside folders, what cannot be imported but should not pass unnoticed is yielded too, for
    `read_file` to report with its reason: broken and looping symbolic links, symbolic links to
    folders (never followed, so a walk cannot loop), folders that cannot be listed, and named
    pipes or devices with a supported suffix. Every path is checked before anything is yielded:
    a missing one raises FileNotFoundError.
    """
    roots = [Path(path) for path in paths]
    for root in roots:
        if not root.exists():
            what = "broken or looping symbolic link" if root.is_symlink() else "no such file or folder"
            raise FileNotFoundError(f"{root}: {what}")
    return _walk_roots(roots)


def _walk_roots(roots: list[Path]) -> Iterator[Path]:
    for root in roots:
        if root.is_dir():
            yield from _walk_folder(root)
        else:
            yield root


def _walk_folder(folder: Path) -> Iterator[Path]:
    """Supported files below `folder`, depth first in name order, without recursion (any depth
    works); hidden entries are left out, and so is a folder met twice (bind mounts)."""
    seen: set[tuple[int, int]] = set()
    pending: list[Iterator[os.DirEntry[str]]] = []
    listing = _listing(folder, seen)
    if listing is None:
        yield folder  # read_file says why it cannot be read
        return
    pending.append(listing)
    while pending:
        entry = next(pending[-1], None)
        if entry is None:
            pending.pop()
            continue
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        supported = path.suffix.lower() in SUPPORTED_SUFFIXES
        try:
            if entry.is_symlink():
                try:
                    target = os.stat(entry.path)
                except OSError:
                    yield path  # broken or looping: read_file says which
                    continue
                if stat.S_ISDIR(target.st_mode) or supported:
                    yield path
            elif entry.is_dir(follow_symlinks=False):
                inner = _listing(path, seen)
                if inner is None:
                    yield path
                else:
                    pending.append(inner)
            elif supported:
                yield path
        except OSError:
            if supported:
                yield path


def _listing(folder: Path, seen: set[tuple[int, int]]) -> Iterator[os.DirEntry[str]] | None:
    """The entries of `folder` in name order (none if it was listed before); None if it cannot
    be listed."""
    try:
        info = os.stat(folder)
        identity = (info.st_dev, info.st_ino)
        if identity in seen:
            return iter(())
        seen.add(identity)
        with os.scandir(folder) as scan:
            return iter(sorted(scan, key=lambda entry: entry.name))
    except OSError:
        return None


# --- reading one file ---------------------------------------------------------------------


def read_file(
    path: Path | str, limit: SizeLimit | None = None, options: ReadOptions = ReadOptions()
) -> Iterator[Document | Skipped]:
    """The documents in the file at `path` (several for json lists and jsonl), or Skipped notes.

    Never raises for a bad or unreadable file, never opens anything but a regular file (a named
    pipe or a device could block or never end), and never reads more than `limit` into memory.
    """
    path = Path(path)
    name = path_text(path)
    try:
        _refuse_all_but_a_file(path, name)
        suffix = path.suffix.lower()
        if suffix not in _READERS and suffix not in STREAMED_SUFFIXES:
            raise IngestError(name, f"unsupported file type {path.suffix or '(no suffix)'}")
        if suffix in STREAMED_SUFFIXES:
            handle = _open_regular(path, name)
        else:
            data = _read_bytes(path, name, limit)
    except IngestError as error:
        yield Skipped(name, error.reason)
        return
    if suffix in STREAMED_SUFFIXES:
        with handle:
            yield from read_stream(handle, name, suffix, options, limit)
        return
    yield from read_data(data, name, suffix, options)


def read_data(data: bytes, name: str, suffix: str, options: ReadOptions = ReadOptions()) -> Iterator[Document | Skipped]:
    """The documents in `data` read as a file with `suffix` (".txt", ".jsonl"...) named `name`
    is: decoded (a legacy encoding by detection), read, its mojibake repaired; Skipped notes for
    what cannot be. Never raises for bad content."""
    if suffix in STREAMED_SUFFIXES:
        yield from read_stream(io.BytesIO(data), name, suffix, options, None)
        return
    try:
        if not data:
            raise IngestError(name, "empty file")
        text, encoding = decode_detecting(data, name)
        if not text.strip():
            raise IngestError(name, "empty text")
    except IngestError as error:
        yield Skipped(name, error.reason)
        return
    try:
        for item in _READERS[suffix](text, name, options):
            yield _repaired(item, encoding) if isinstance(item, Document) else item
    except Exception as error:  # a bug on some content must not stop the rest of an import
        yield Skipped(name, f"could not be read ({type(error).__name__}: {_single_line(str(error))[:200]})")


def _refuse_all_but_a_file(path: Path, name: str) -> None:
    """Raise IngestError, with the reason, unless `path` leads to a regular file: a broken or
    looping symbolic link, a symlinked folder, a folder (one that cannot be listed says so), a
    named pipe, a device."""
    try:
        info = path.stat()
    except OSError as error:
        raise IngestError(name, _os_reason(error, path)) from None
    except ValueError as error:  # an embedded NUL byte
        raise IngestError(name, str(error)) from None
    if stat.S_ISDIR(info.st_mode):
        if path.is_symlink():
            raise IngestError(name, "symlinked folder not followed")
        try:
            os.scandir(path).close()
        except OSError as error:
            raise IngestError(name, f"folder cannot be read ({_os_reason(error, path)})") from None
        raise IngestError(name, os.strerror(errno.EISDIR))
    if not stat.S_ISREG(info.st_mode):
        raise IngestError(name, f"not a regular file ({_file_kind(info.st_mode)})")


def _open_regular(path: Path, name: str) -> io.BufferedReader:
    """The regular file at `path` open for reading, checked once open as `_read_bytes` does."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise IngestError(name, _os_reason(error, path)) from None
    handle = open(descriptor, "rb")
    try:
        info = os.fstat(descriptor)
    except OSError as error:
        handle.close()
        raise IngestError(name, _os_reason(error, path)) from None
    if not stat.S_ISREG(info.st_mode):
        handle.close()
        raise IngestError(name, f"not a regular file ({_file_kind(info.st_mode)})")
    return handle


def _read_bytes(path: Path, name: str, limit: SizeLimit | None) -> bytes:
    """The bytes of the regular file at `path`; IngestError for anything else or an OS error.

    Opened without blocking and checked again once open, so a file swapped for a named pipe
    after `_refuse_all_but_a_file` is refused instead of waiting for a writer.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise IngestError(name, _os_reason(error, path)) from None
    with open(descriptor, "rb", buffering=0) as handle:
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                raise IngestError(name, f"not a regular file ({_file_kind(info.st_mode)})")
            if limit is not None and info.st_size > limit.max_bytes:
                raise IngestError(name, limit.reason(info.st_size))
            if limit is None:
                return handle.readall()
            data = handle.read(limit.max_bytes + 1)
        except OSError as error:
            raise IngestError(name, _os_reason(error, path)) from None
    if len(data) > limit.max_bytes:  # it grew after fstat
        raise IngestError(name, limit.reason(len(data)))
    return data


def read_regular_file(path: Path | str, limit: SizeLimit | None) -> bytes:
    """The bytes of the regular file at `path`, checked as `read_file` checks an article's file
    (never a pipe, a device, a folder or a broken link; never more than `limit`): for readers of
    other files (annotation exchange files). Raises IngestError with the reason."""
    path = Path(path)
    name = path_text(path)
    _refuse_all_but_a_file(path, name)
    return _read_bytes(path, name, limit)


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file"


def _os_reason(error: OSError, path: Path) -> str:
    """A short reason for an OS error on `path`: "permission denied", "symbolic link loop"..."""
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if error.errno == errno.ELOOP:
        return "symbolic link loop"
    if error.errno == errno.ENOENT and path.is_symlink():
        try:
            target = path_text(os.readlink(path))
        except OSError:
            return "broken symbolic link"
        return f"broken symbolic link (to {target}, which does not exist)"
    if error.errno == errno.ENOENT:
        return "no such file"
    return error.strerror or str(error)


def _repaired(document: Document, encoding: str | None) -> Document:
    """`document` with mojibake repaired (ftfy) in its text, title, source and author (and, in
    what is not HTML, entities a scraper left: "&#163;"), and the legacy encoding its file was
    decoded from.

    Only here, at article import, never in `normalise_text`: a repair replaces several characters
    by one ("Â£" -> "£"), which annotation files' offsets into the text as written cannot follow;
    they are re-attached by their quotes instead (see `exchange/incoming.py`).
    """
    fields = {"text": document.text, "title": document.title, "source": document.source, "author": document.author}
    entities = document.extractor is None  # an HTML page's entities were decoded by its parser
    fixed: dict[str, object] = {key: repair_mojibake(value, entities) if value else value for key, value in fields.items()}
    attributes = tuple((name, repair_mojibake(value, entities)) for name, value in document.attributes)
    if attributes != document.attributes:
        fixed["attributes"] = attributes
    repaired = fixed != fields
    if repaired:
        fixed["text"] = normalise_text(fixed["text"])
    if not repaired and encoding is None:
        return document
    return replace(document, **(fixed if repaired else {}), encoding=encoding, repaired=repaired)


def _document(
    path: str,
    text: str,
    title: str,
    *,
    locator: str = "",
    facts: NewsFacts | None = None,
    source: str | None = None,
    url: str | None = None,
    published: str | None = None,
    author: str | None = None,
    fallback_title: str = "",
    options: ReadOptions = ReadOptions(),
    attributes: tuple[tuple[str, str], ...] = (),
    **page: str | None,
) -> Document | Skipped:
    """A Document from already-normalised `text`, or Skipped when the text is empty. What the
    file's metadata gives (`title`, `source`, `published`, `author`) wins over what the text's
    opening lines say (`facts`); a text whose lines are all navigation is titled `fallback_title`
    (a file's name), else by its opening words."""
    if not text:
        return Skipped(path, _located(locator, "empty text"))
    facts = facts or NewsFacts()
    if published is not None:
        written, iso = published, iso_date(published, options.day_first)
    else:
        written, iso = facts.published_written, facts.published
    return Document(
        text=text,
        title=_shorten(title or facts.title or fallback_title or opening_words(text)),
        source=source or facts.source,
        url=url,
        path=path,
        published=iso,
        locator=locator,
        published_written=written,
        author=author or facts.author,
        attributes=attributes,
        **page,
    )


def _located(locator: str, reason: str) -> str:
    """`reason` prefixed with where in the file it applies, e.g. "line 3: missing ..."."""
    return f"{locator}: {reason}" if locator else reason


# --- plain text and markdown --------------------------------------------------------------

_ATX_OPENING = re.compile(r" {0,3}#{1,6}(?=[ \t]|$)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def _markdown_heading(text: str) -> str:
    """The text of the first non-empty ATX heading outside fenced code; "" if none."""
    fence: str | None = None
    for line in text.split("\n"):
        opening = _FENCE.match(line)
        if opening:
            marker = opening.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
            continue
        heading = _atx_heading(line) if fence is None else None
        if heading:
            return _single_line(heading)
    return ""


def _atx_heading(line: str) -> str | None:
    """The text of an ATX heading line ("## Title ##" -> "Title"), or None if it is not one.

    No backtracking regex: a line of 20,000 spaces must not take seconds.
    """
    opening = _ATX_OPENING.match(line)
    if not opening:
        return None
    content = line[opening.end() :].strip(" \t")
    without_closing = content.rstrip("#")
    if without_closing != content and (not without_closing or without_closing[-1] in " \t"):
        content = without_closing.rstrip(" \t")
    return content


def read_text_document(raw: str, path: str, options: ReadOptions = ReadOptions()) -> Iterator[Document | Skipped]:
    """A .txt file: the whole text; title, date, source and author from its opening lines."""
    text = normalise_text(raw)
    facts = read_news(text, day_first=options.day_first, path=path)
    yield _document(path, text, "", facts=facts, fallback_title=Path(path).stem, options=options)


def read_markdown(raw: str, path: str, options: ReadOptions = ReadOptions()) -> Iterator[Document | Skipped]:
    """A .md file: the whole text, markdown kept; title from the first `#` heading, else as .txt."""
    text = normalise_text(raw)
    facts = read_news(text, day_first=options.day_first, path=path)
    yield _document(path, text, _markdown_heading(text), facts=facts, fallback_title=Path(path).stem, options=options)


# --- html ---------------------------------------------------------------------------------


def read_html(raw: str, path: str, options: ReadOptions = ReadOptions()) -> Iterator[Document | Skipped]:
    """An .html/.htm page: the main text (trafilatura, else the stdlib parser) and the page's
    metadata; what the metadata lacks, the text's opening lines may give (a dateline, a byline)."""
    try:
        page = read_page(raw, options.day_first)
    except PageError as error:
        yield Skipped(path, str(error))
        return
    facts = read_news(page.text, day_first=options.day_first, path=path)
    if page.published is not None or page.published_written is not None:
        facts = replace(facts, published_written=page.published_written, published=page.published)
    yield _document(
        path, page.text, page.title, facts=facts, source=page.source, url=page.url, author=page.author,
        fallback_title=Path(path).stem, options=options, language=page.language, extractor=page.extractor,
    )


# --- json and jsonl -----------------------------------------------------------------------


def _parse_json(raw: str, path: str) -> object:
    """The JSON value in `raw`; raises IngestError with a short reason."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}" if "\n" in raw.strip() else f"column {error.colno}"
        raise IngestError(path, f"not valid JSON ({error.msg} at {where})") from None
    except RecursionError:
        raise IngestError(path, "not valid JSON (nested too deeply)") from None
    except ValueError as error:  # a number with more than 4,300 digits
        raise IngestError(path, f"not valid JSON ({_single_line(str(error))[:80]})") from None


def _metadata(record: dict[str, object], field: str) -> str | None:
    """An optional metadata field as a one-line string; a list of strings (several authors)
    joined with ", "; numbers and the like via str()."""
    value = record.get(field)
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        value = ", ".join(item.strip() for item in value if item.strip())
    try:
        return _optional(None if value is None else str(value))
    except (RecursionError, ValueError):  # a deeply nested list, an int too long to print
        return None


def _record_document(record: object, path: str, locator: str, options: ReadOptions) -> Document | Skipped:
    """A Document from one record (a JSON object, a CSV row by its header): its text, title,
    date, source, url and author under the names `options.fields` gives, every other field with
    a value kept as an attribute."""
    if not isinstance(record, dict):
        return Skipped(path, _located(locator, "not a JSON object"))
    mapped = map_fields(record, options.fields)
    if "text" not in mapped.found:
        present = [name for name in options.fields.text if name in record]
        if present:
            return Skipped(path, _located(locator, "empty text"))
        return Skipped(path, _located(locator, 'missing "text"' if options.fields.text[0] == "text"
                                      else f'missing "{options.fields.text[0]}"'))
    text_key, text = mapped.found["text"]
    if not isinstance(text, str):
        return Skipped(path, _located(locator, f'"{text_key}" is not a string'))
    title_key, title = mapped.found.get("title", ("title", None))
    if title is not None and not isinstance(title, str):
        return Skipped(path, _located(locator, f'"{title_key}" is not a string'))
    values = {role: _metadata(dict([mapped.found[role]]), mapped.found[role][0]) if role in mapped.found else None
              for role in ("source", "url", "date", "author")}
    text = normalise_text(text)
    return _document(
        path,
        text,
        _single_line(title or ""),
        facts=read_news(text, day_first=options.day_first, path=path, date_wanted=values["date"] is None),
        locator=locator,
        source=values["source"],
        url=values["url"],
        published=values["date"],
        author=values["author"],
        options=options,
        attributes=mapped.attributes,
    )


def read_json(raw: str, path: str, options: ReadOptions = ReadOptions()) -> Iterator[Document | Skipped]:
    """A .json file: one object, or a list of objects (located as "item N", 1-based)."""
    try:
        value = _parse_json(raw, path)
    except IngestError as error:
        yield Skipped(path, error.reason)
        return
    if isinstance(value, list):
        for number, record in enumerate(value, start=1):
            yield _record_document(record, path, f"item {number}", options)
    elif isinstance(value, dict):
        yield _record_document(value, path, "", options)
    else:
        yield Skipped(path, "expected a JSON object or a list of objects")


# --- jsonl and csv, streamed ----------------------------------------------------------------


def read_stream(
    handle: io.BufferedIOBase, name: str, suffix: str, options: ReadOptions = ReadOptions(),
    limit: SizeLimit | None = None,
) -> Iterator[Document | Skipped]:
    """The records of a JSONL or CSV file open as `handle`, read a line at a time: never more
    than `limit` of one record in memory, a record over it skipped alone, as is a bad one. The
    encoding is told from the first megabyte (UTF-8, a byte-order mark, else a legacy encoding
    by detection); a later line that is not in it is skipped alone."""
    opened = _stream_lines(handle, name, limit)
    if isinstance(opened, Skipped):
        yield opened
        return
    lines, encoding = opened
    records = _jsonl_records if suffix == ".jsonl" else _csv_records
    any_record = False
    for item in records(lines, name, suffix, encoding, options, limit):
        any_record = True
        yield _repaired(item, encoding) if isinstance(item, Document) else item
    if not any_record:
        yield no_records(name)


def no_records(name: str) -> Skipped:
    """The note for a JSONL or CSV file without any record."""
    return Skipped(name, "empty text")


@dataclass(frozen=True, slots=True)
class RecordChunk:
    """Lines of a JSONL file, for `read_chunk` to read apart from the rest of the file (in
    another process): (number, bytes or None when over the limit, size) each. The file's first
    chunk is `first`; `last` is followed by no other of the file."""

    name: str
    encoding: str | None
    lines: tuple[tuple[int, bytes | None, int], ...]
    first: bool
    last: bool


def read_in_chunks(
    path: Path | str, limit: SizeLimit | None = None, options: ReadOptions = ReadOptions(), chunk_bytes: int = 1 << 20,
) -> Iterator[Document | Skipped | RecordChunk]:
    """What `read_file` gives, except that a JSONL file's records come as chunks of lines of
    about `chunk_bytes` (`read_chunk` reads each into what `read_file` would have given for
    them; a file without any record gives one chunk, last and empty, to say so)."""
    path = Path(path)
    if path.suffix.lower() != ".jsonl":
        yield from read_file(path, limit, options)
        return
    name = path_text(path)
    try:
        _refuse_all_but_a_file(path, name)
        handle = _open_regular(path, name)
    except IngestError as error:
        yield Skipped(name, error.reason)
        return
    with handle:
        opened = _stream_lines(handle, name, limit)
        if isinstance(opened, Skipped):
            yield opened
            return
        lines, encoding = opened
        pending: list[tuple[int, bytes | None, int]] = []
        size, first = 0, True
        for line in lines:
            pending.append((line.number, line.data, line.size))
            size += len(line.data) if line.data is not None else 0
            if size >= chunk_bytes:
                yield RecordChunk(name, encoding, tuple(pending), first, False)
                pending, size, first = [], 0, False
        yield RecordChunk(name, encoding, tuple(pending), first, True)


def read_chunk(chunk: RecordChunk, options: ReadOptions = ReadOptions(), limit: SizeLimit | None = None) -> list[Document | Skipped]:
    """The documents of a chunk of JSONL lines, and Skipped notes, as `read_file` gives them."""
    lines = (Line(number, data, size) for number, data, size in chunk.lines)
    return [_repaired(item, chunk.encoding) if isinstance(item, Document) else item
            for item in _jsonl_records(lines, chunk.name, ".jsonl", chunk.encoding, options, limit)]


def _stream_lines(handle: io.BufferedIOBase, name: str, limit: SizeLimit | None) -> tuple[Iterator[Line], str | None] | Skipped:
    """The lines of a JSONL or CSV file open as `handle` and the legacy encoding they are in
    (None: UTF-8), or why they cannot be read (see `read_stream`)."""
    head = handle.read(SNIFF_BYTES)
    if not head:
        return Skipped(name, "empty file")
    if any(head.startswith(mark) for mark, codec, _ in _BYTE_ORDER_MARKS if codec != "utf-8"):
        # UTF-16/32: lines cannot be split as bytes; the file is read whole, within the limit
        rest = handle.read() if limit is None else handle.read(max(0, limit.max_bytes + 1 - len(head)))
        data = head + rest
        try:
            if limit is not None and len(data) > limit.max_bytes:
                raise IngestError(name, limit.reason(len(data)) + " (a UTF-16/32 file is read whole)")
            handle = io.BytesIO(decode(data, name).encode("utf-8"))
        except IngestError as error:
            return Skipped(name, error.reason)
        head = handle.read(SNIFF_BYTES)
    start = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    try:
        encoding = _stream_encoding(head[start:], name, complete=len(head) < SNIFF_BYTES)
    except IngestError as error:
        return Skipped(name, error.reason)
    head = b""  # (not held while the records are read)
    handle.seek(start)
    return iter_lines(handle, limit.max_bytes if limit is not None else None), encoding


def _stream_encoding(sample: bytes, name: str, complete: bool) -> str | None:
    """The legacy encoding a streamed file is in, told from its first bytes (`sample`, all of
    them when `complete`); None for UTF-8. IngestError for a binary file, or one that is not
    UTF-8 and whose encoding cannot be told with confidence."""
    if b"\x00" in sample[:BINARY_SNIFF_BYTES]:
        raise IngestError(name, f"binary file (NUL bytes{_utf16_hint(sample)})")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
        return None
    except UnicodeDecodeError:
        pass
    if not complete and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n") + 1]
    return decode_detecting(sample, name)[1]


def _line_text(line: Line, name: str, encoding: str | None, limit: SizeLimit | None) -> str:
    """The text of one line; IngestError (located) when it is over the limit or not in the
    file's encoding."""
    if line.data is None:
        assert limit is not None
        raise IngestError(name, f"line {line.number}: {limit.reason(line.size)}")
    try:
        return line.data.decode(encoding or "utf-8")
    except UnicodeDecodeError as error:
        what = "UTF-8" if encoding is None else encoding
        raise IngestError(
            name, f"line {line.number}: not valid {what} (byte 0x{line.data[error.start]:02x} at offset {error.start} of the line)"
        ) from None


def _guarded(record: object, path: str, locator: str, options: ReadOptions) -> Document | Skipped:
    """`_record_document`, a bug on one record skipping that record alone."""
    try:
        return _record_document(record, path, locator, options)
    except Exception as error:  # noqa: BLE001 - one record must not stop the rest of an import
        return Skipped(path, _located(locator, f"could not be read ({type(error).__name__}: {_single_line(str(error))[:200]})"))


def _jsonl_records(
    lines: Iterator[Line], name: str, suffix: str, encoding: str | None, options: ReadOptions, limit: SizeLimit | None,
) -> Iterator[Document | Skipped]:
    """A .jsonl file: one object per non-blank line, located as "line N"; a bad line skips alone."""
    for line in lines:
        locator = f"line {line.number}"
        try:
            text = _line_text(line, name, encoding, limit)
            if not text.strip():
                continue
            record = _parse_json(text, name)
        except IngestError as error:
            reason = error.reason if error.reason.startswith(locator) else _located(locator, error.reason)
            yield Skipped(name, reason)
            continue
        yield _guarded(record, name, locator, options)


def _csv_records(
    lines: Iterator[Line], name: str, suffix: str, encoding: str | None, options: ReadOptions, limit: SizeLimit | None,
) -> Iterator[Document | Skipped]:
    """A .csv (or .tsv) file: a header row naming the fields, then one record per row (a quoted
    field may hold newlines), located as "line N" where the row starts; a bad row skips alone."""
    problems: dict[int, str] = {}  # line number: why it was not given to the csv reader

    def texts() -> Iterator[str]:
        for line in lines:
            try:
                yield _line_text(line, name, encoding, limit)
            except IngestError as error:
                problems[line.number] = error.reason.split(": ", 1)[1]
                yield "\n"  # keeps the csv reader's line numbers those of the file

    stream = texts()
    first = next(stream, "")
    if 1 in problems:
        yield Skipped(name, f"line 1 (the header): {problems[1]}")
        return
    delimiter = options.csv_delimiter or ("\t" if suffix == ".tsv" else sniff_delimiter(first))
    wanted = min(limit.max_bytes if limit is not None else sys.maxsize, 2**31 - 1)  # (a C long on Windows)
    if csv.field_size_limit() < wanted:
        csv.field_size_limit(wanted)
    reader = csv.reader(chain([first], stream), delimiter=delimiter, strict=True)
    try:
        header = csv_header(next(reader))
    except (StopIteration, csv.Error) as error:
        yield Skipped(name, f"line 1: not a CSV header ({error or 'no header row'})")
        return
    wanted_text = {name.lower() for name in options.fields.text}
    if not any(column.strip().lower() in wanted_text for column in header):
        looked = ", ".join(options.fields.text[:5])
        yield Skipped(name, f"line 1: no text column in the header (looked for {looked}...; see import.fields)")
        return
    previous = reader.line_num
    while True:
        try:
            row = next(reader)
            error = None
        except StopIteration:
            return
        except csv.Error as raised:
            row, error = [], raised
        start, previous = previous + 1, reader.line_num
        locator = f"line {start}"
        bad = [number for number in problems if start <= number <= previous]
        if bad:
            yield Skipped(name, f"line {bad[0]}: {problems[bad[0]]}")
        elif error is not None:
            yield Skipped(name, _located(locator, f"not valid CSV ({error})"))
        elif not row or all(not value.strip() for value in row):
            continue
        elif len(row) != len(header):
            yield Skipped(name, _located(locator, f"{len(row)} fields where the header has {len(header)}"))
        else:
            yield _guarded(dict(zip(header, row)), name, locator, options)
        for number in bad:
            del problems[number]


_READERS: dict[str, Callable[[str, str, ReadOptions], Iterator[Document | Skipped]]] = {
    ".txt": read_text_document,
    ".md": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".json": read_json,
}
