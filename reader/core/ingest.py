"""Turn txt, md, html, json and jsonl files into normalised `Document`s, or `Skipped` notes.

Ingest never writes anything, never imports Textual, never lets a bad file raise from `read_file`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

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


def decode(data: bytes, path: str) -> str:
    """`data` as strict UTF-8 without a leading BOM; raises IngestError naming the bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = data[error.start]
        reason = f"not valid UTF-8 (byte 0x{bad:02x} at offset {error.start})"
        raise IngestError(path, reason) from None
    return text.removeprefix("\ufeff")


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The files to import: files given directly (any suffix) and, inside folders, every
    non-hidden file with a supported suffix, recursively and sorted.

    Every path is checked before anything is yielded: a missing one raises FileNotFoundError.
    """
    roots = [Path(path) for path in paths]
    for root in roots:
        if not root.exists():
            raise FileNotFoundError(f"{root}: no such file or folder")
    return _walk_roots(roots)


def _walk_roots(roots: list[Path]) -> Iterator[Path]:
    for root in roots:
        if root.is_dir():
            yield from _walk_folder(root)
        else:
            yield root


def _walk_folder(folder: Path) -> Iterator[Path]:
    """Supported files below `folder`, depth first in name order; hidden entries and symlinked
    folders (which could loop) are left out."""
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if not entry.is_symlink():
                yield from _walk_folder(entry)
        elif entry.is_file() and entry.suffix.lower() in SUPPORTED_SUFFIXES:
            yield entry


# --- reading one file ---------------------------------------------------------------------


def read_file(path: Path | str) -> Iterator[Document | Skipped]:
    """The documents in the file at `path` (several for json lists and jsonl), or Skipped notes.

    Never raises for a bad or unreadable file.
    """
    path = Path(path)
    name = str(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        yield Skipped(name, f"unsupported file type {path.suffix or '(no suffix)'}")
        return
    try:
        text = decode(path.read_bytes(), name)
    except OSError as error:
        yield Skipped(name, error.strerror or str(error))
        return
    except IngestError as error:
        yield Skipped(name, error.reason)
        return
    yield from reader(text, name)


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
        title=_shorten(title or fallback_title),
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


_ATX_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
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
        heading = _ATX_HEADING.fullmatch(line)
        if fence is None and heading and heading.group(1):
            return _single_line(heading.group(1))
    return ""


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


def read_html(raw: str, path: str) -> Iterator[Document | Skipped]:
    """An .html/.htm page: the main text as paragraphs, and og/canonical/time metadata."""
    page = _PageParser()
    page.feed(raw)
    page.close()
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


def _metadata(record: dict[str, object], field: str) -> str | None:
    """An optional metadata field as a one-line string; numbers and the like via str()."""
    value = record.get(field)
    return _optional(None if value is None else str(value))


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
