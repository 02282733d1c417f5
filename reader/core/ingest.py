"""Turn txt, md, html, json and jsonl files into normalised `Document`s, or `Skipped` notes.

Ingest never writes anything, never imports Textual, never lets a bad file raise from `read_file`.
"""

from __future__ import annotations

import codecs
import errno
import json
import os
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from reader.core.safetext import terminal_line

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")

#: Longest title kept; longer ones are cut at a word boundary and end with "…".
TITLE_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Document:
    """One article ready to store; `text` is the output of `normalise_text`."""

    text: str
    title: str
    source: str | None
    url: str | None
    path: str
    published: str | None
    locator: str


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


# --- text normalisation -------------------------------------------------------------------

_CSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_OSC = re.compile(r"\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)")
# C0 except \t and \n (ESC included), DEL, C1 (U+0085 included), and lone surrogates, which
# cannot be encoded as UTF-8 and only ever come from JSON escapes such as "\ud800".
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]+")
_LEADING_BLANK_LINES = re.compile(r"\A[\s\ufeff]*\n")


def normalise_text(raw: str) -> str:
    """The stored form of an article's text; annotation offsets are code points into it.

    Line endings become LF; terminal escape sequences and control characters go; leading blank
    lines, a leading BOM and trailing whitespace go. Everything else is kept exactly.
    Idempotent: `normalise_text(normalise_text(x)) == normalise_text(x)`.
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "\x1b" in text:
        text = _OSC.sub("", _CSI.sub("", text))
    text = _CONTROLS.sub("", text)
    text = _LEADING_BLANK_LINES.sub("", text).lstrip("\ufeff")
    return text.rstrip()


def _single_line(raw: str) -> str:
    """`raw` normalised, with every run of whitespace (line breaks included) made one space."""
    return " ".join(normalise_text(raw).split())


def _optional(raw: str | None) -> str | None:
    """A metadata value on one line, or None when absent or blank."""
    if raw is None:
        return None
    return _single_line(raw) or None


def _shorten(title: str, limit: int = TITLE_LIMIT) -> str:
    """`title` cut to at most `limit` characters at a word boundary, ending with "…" if cut."""
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    boundary = cut.rfind(" ")
    if boundary > 0:
        cut = cut[:boundary]
    return cut.rstrip() + "…"


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


def read_file(path: Path | str, limit: SizeLimit | None = None) -> Iterator[Document | Skipped]:
    """The documents in the file at `path` (several for json lists and jsonl), or Skipped notes.

    Never raises for a bad or unreadable file, never opens anything but a regular file (a named
    pipe or a device could block or never end), and never reads more than `limit` into memory.
    """
    path = Path(path)
    name = path_text(path)
    try:
        _refuse_all_but_a_file(path, name)
        reader = _READERS.get(path.suffix.lower())
        if reader is None:
            raise IngestError(name, f"unsupported file type {path.suffix or '(no suffix)'}")
        data = _read_bytes(path, name, limit)
        if not data:
            raise IngestError(name, "empty file")
        text = decode(data, name)
        if not text.strip():
            raise IngestError(name, "empty text")
    except IngestError as error:
        yield Skipped(name, error.reason)
        return
    try:
        yield from reader(text, name)
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


def _document(
    path: str,
    text: str,
    title: str,
    *,
    fallback_title: str,
    locator: str = "",
    source: str | None = None,
    url: str | None = None,
    published: str | None = None,
) -> Document | Skipped:
    """A Document from already-normalised `text`, or Skipped when the text is empty."""
    if not text:
        return Skipped(path, _located(locator, "empty text"))
    return Document(
        text=text,
        title=_shorten(title or _single_line(fallback_title)),
        source=source,
        url=url,
        path=path,
        published=published,
        locator=locator,
    )


def _located(locator: str, reason: str) -> str:
    """`reason` prefixed with where in the file it applies, e.g. "line 3: missing ..."."""
    return f"{locator}: {reason}" if locator else reason


# --- plain text and markdown --------------------------------------------------------------

_JUNK_LINES = frozenset(
    {
        "advertisement",
        "skip to content",
        "skip to main content",
        "share this article",
        "share",
        "sign in",
        "log in",
        "subscribe",
        "menu",
    }
)


def _is_navigation(line: str) -> bool:
    """True for menu bars ("Home | World | Sport") and boilerplate lines that are never titles."""
    return line.count("|") >= 2 or line.casefold() in _JUNK_LINES


def _plain_title(text: str) -> str:
    """The first non-empty line of `text` that is not navigation, on one line; "" if none."""
    for line in text.split("\n"):
        candidate = _single_line(line)
        if candidate and not _is_navigation(candidate):
            return candidate
    return ""


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


def read_text_document(raw: str, path: str) -> Iterator[Document | Skipped]:
    """A .txt file: the whole text; title from its first non-navigation line."""
    text = normalise_text(raw)
    yield _document(path, text, _plain_title(text), fallback_title=Path(path).stem)


def read_markdown(raw: str, path: str) -> Iterator[Document | Skipped]:
    """A .md file: the whole text, markdown kept; title from the first `#` heading, else as .txt."""
    text = normalise_text(raw)
    title = _markdown_heading(text) or _plain_title(text)
    yield _document(path, text, title, fallback_title=Path(path).stem)


# --- html ---------------------------------------------------------------------------------

_IGNORED_TAGS = frozenset(
    {"head", "title", "script", "style", "noscript", "template", "svg", "nav", "header", "footer",
     "aside", "form", "button", "iframe"}
)
_BLOCK_TAGS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
     "blockquote", "figure", "figcaption", "section", "article", "main", "body", "table", "tr",
     "caption", "pre", "hr", "address", "details", "summary"}
)
_CELL_TAGS = frozenset({"td", "th"})
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr"}
)
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_SPACES = re.compile(" {2,}")
_META_KEYS = frozenset({"og:title", "og:site_name", "og:url", "article:published_time"})


class _Paragraphs:
    """Text gathered into paragraphs: whitespace collapsed except in preformatted ones."""

    def __init__(self) -> None:
        self._done: list[str] = []
        self._pieces: list[str] = []
        self._preformatted = False

    def add(self, data: str, preformatted: bool) -> None:
        self._pieces.append(data if preformatted else _HTML_SPACE.sub(" ", data))
        self._preformatted = self._preformatted or preformatted

    def line_break(self) -> None:
        self._pieces.append("\n")

    def end_paragraph(self) -> None:
        raw = "".join(self._pieces)
        if self._preformatted:
            paragraph = raw.strip("\n")
        else:
            lines = (_SPACES.sub(" ", line).strip(" ") for line in raw.split("\n"))
            paragraph = "\n".join(lines).strip("\n")
        if paragraph.strip():
            self._done.append(paragraph)
        self._pieces = []
        self._preformatted = False

    def text(self) -> str:
        self.end_paragraph()
        return "\n\n".join(self._done)


class _PageParser(HTMLParser):
    """Collects a page's visible text (all of it, inside <main>, and per <article>) and metadata.

    Tolerates malformed markup: an end tag closes everything opened since its start tag, and
    an end tag with no open start tag is ignored.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None
        self.time: str | None = None
        self.title = ""
        self.h1: str | None = None
        self.body = _Paragraphs()
        self.main = _Paragraphs()
        self.articles: list[_Paragraphs] = []
        self._open: list[str] = []
        self._counts: Counter[str] = Counter()
        self._h1_parts: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._read_metadata(tag, dict(attrs))
        if tag in _BLOCK_TAGS:
            self._each_region(_Paragraphs.end_paragraph)
        elif tag in _CELL_TAGS:
            self.handle_data(" ")
        elif tag == "br":
            self._each_region(_Paragraphs.line_break)
        if tag == "h1" and self.h1 is None and self._h1_parts is None:
            self._h1_parts = []
        if tag == "article" and not self._counts["article"]:
            self.articles.append(_Paragraphs())
        if tag not in _VOID_TAGS:
            self._open.append(tag)
            self._counts[tag] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self._counts[tag]:
            return
        while self._open:
            closed = self._open.pop()
            self._counts[closed] -= 1
            self._close(closed)
            if closed == tag:
                break

    def _close(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self._each_region(_Paragraphs.end_paragraph)
        if tag == "h1" and self._h1_parts is not None:
            self.h1 = _single_line("".join(self._h1_parts))
            self._h1_parts = None

    def handle_data(self, data: str) -> None:
        if self._h1_parts is not None:
            self._h1_parts.append(data)
        if self._counts["title"] and not self._counts["svg"]:
            self.title += data
        if any(self._counts[tag] for tag in _IGNORED_TAGS):
            return
        preformatted = bool(self._counts["pre"])
        self._each_region(lambda region: region.add(data, preformatted))

    def _each_region(self, action: Callable[[_Paragraphs], None]) -> None:
        """Apply `action` to every region the parser is currently inside."""
        action(self.body)
        if self._counts["main"]:
            action(self.main)
        if self._counts["article"]:
            action(self.articles[-1])

    def _read_metadata(self, tag: str, attrs: dict[str, str | None]) -> None:
        if tag == "meta":
            key = (attrs.get("property") or attrs.get("name") or "").strip().lower()
            content = attrs.get("content")
            if key in _META_KEYS and content and key not in self.meta:
                self.meta[key] = content
        elif tag == "link" and "canonical" in (attrs.get("rel") or "").lower().split():
            self.canonical = self.canonical or attrs.get("href")
        elif tag == "time" and self.time is None:
            self.time = attrs.get("datetime")

    def main_text(self) -> str:
        """The longest non-empty <article>, else <main>, else everything visible."""
        articles = [article.text() for article in self.articles]
        for candidate in (max(articles, key=len, default=""), self.main.text()):
            if candidate.strip():
                return candidate
        return self.body.text()


# "<![name" that Python's HTMLParser does not know: it raises AssertionError on them.
_UNKNOWN_MARKED_SECTION = re.compile(r"<!\[(?!(?i:cdata|temp|ignore|include|rcdata|if|else|endif)(?![-_.a-zA-Z0-9]))")


def _defuse_markup(raw: str) -> str:
    """`raw` with what makes Python 3.11's HTMLParser raise or take quadratic time made plain text.

    A comment or marked section that is never closed, a `<` after the last `>` (which can start
    nothing), and an unknown `<![` are escaped, so they read as the text they are. Without this,
    100 KB of `<a<a<a...` or of `<!--a>` takes seconds to minutes.
    """
    raw = _UNKNOWN_MARKED_SECTION.sub("&lt;![", raw)
    for opening, closing in (("<!--", "-->"), ("<![", "]>"), ("<", ">")):
        end = raw.rfind(closing)
        cut = end + len(closing) if end >= 0 else 0
        raw = raw[:cut] + raw[cut:].replace(opening, "&lt;" + opening[1:])
    return raw


def read_html(raw: str, path: str) -> Iterator[Document | Skipped]:
    """An .html/.htm page: the main text as paragraphs, and og/canonical/time metadata."""
    page = _PageParser()
    try:
        page.feed(_defuse_markup(raw))
        page.close()
    except AssertionError as error:  # markup HTMLParser gives up on, e.g. a broken <!DOCTYPE [...]>
        yield Skipped(path, f"not readable as HTML ({_single_line(str(error))[:100]})")
        return
    titles = (_single_line(page.meta.get("og:title", "")), _single_line(page.title), page.h1 or "")
    source = _optional(page.meta.get("og:site_name"))
    yield _document(
        path,
        normalise_text(page.main_text()),
        _without_site_name(next((title for title in titles if title), ""), source),
        fallback_title=Path(path).stem,
        source=source,
        url=_optional(page.canonical or page.meta.get("og:url")),
        published=_optional(page.meta.get("article:published_time") or page.time),
    )


def _without_site_name(title: str, site: str | None) -> str:
    """"Tram fares rise | City Post" -> "Tram fares rise" when the site is "City Post"."""
    if site:
        for separator in (" | ", " – ", " — ", " - ", " :: ", " · "):
            if title.endswith(separator + site):
                return title[: -len(separator + site)].rstrip()
    return title


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
    """An optional metadata field as a one-line string; numbers and the like via str()."""
    value = record.get(field)
    try:
        return _optional(None if value is None else str(value))
    except (RecursionError, ValueError):  # a deeply nested list, an int too long to print
        return None


def _record_document(
    record: object, path: str, locator: str, fallback_title: str
) -> Document | Skipped:
    """A Document from one JSON object with a string "text" and optional metadata fields."""
    if not isinstance(record, dict):
        return Skipped(path, _located(locator, "not a JSON object"))
    text = record.get("text")
    if text is None:
        return Skipped(path, _located(locator, 'missing "text"'))
    if not isinstance(text, str):
        return Skipped(path, _located(locator, '"text" is not a string'))
    title = record.get("title")
    if title is not None and not isinstance(title, str):
        return Skipped(path, _located(locator, '"title" is not a string'))
    return _document(
        path,
        normalise_text(text),
        _single_line(title or ""),
        fallback_title=fallback_title,
        locator=locator,
        source=_metadata(record, "source"),
        url=_metadata(record, "url"),
        published=_metadata(record, "published"),
    )


def read_json(raw: str, path: str) -> Iterator[Document | Skipped]:
    """A .json file: one object, or a list of objects (located as "item N", 1-based)."""
    try:
        value = _parse_json(raw, path)
    except IngestError as error:
        yield Skipped(path, error.reason)
        return
    stem = Path(path).stem
    if isinstance(value, list):
        for number, record in enumerate(value, start=1):
            yield _record_document(record, path, f"item {number}", f"{stem} #{number}")
    elif isinstance(value, dict):
        yield _record_document(value, path, "", stem)
    else:
        yield Skipped(path, "expected a JSON object or a list of objects")


def read_jsonl(raw: str, path: str) -> Iterator[Document | Skipped]:
    """A .jsonl file: one object per non-blank line, located as "line N"; a bad line skips alone."""
    stem = Path(path).stem
    for number, line in enumerate(raw.split("\n"), start=1):
        if not line.strip():
            continue
        locator = f"line {number}"
        try:
            record = _parse_json(line, path)
        except IngestError as error:
            yield Skipped(path, _located(locator, error.reason))
            continue
        yield _record_document(record, path, locator, f"{stem} #{number}")


_READERS: dict[str, Callable[[str, str], Iterator[Document | Skipped]]] = {
    ".txt": read_text_document,
    ".md": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".json": read_json,
    ".jsonl": read_jsonl,
}
