"""Main text and metadata of an HTML page: trafilatura (main-text extraction and title, date,
site, author, canonical URL, language from the page's metadata), with a stdlib parser as the
fallback for pages trafilatura judges empty (short pages, bare fragments) or cannot parse.

It never raises for bad markup (`PageError` only for what no parser can read) and never fetches.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

from reader.core.ingest.dates import iso_date
from reader.core.ingest.text import normalise_text, optional, single_line

#: How the main text of a page was found: `Page.extractor`.
TRAFILATURA, STDLIB = "trafilatura", "stdlib"


class PageError(ValueError):
    """Markup that not even the fallback parser can read."""


@dataclass(frozen=True, slots=True)
class Page:
    """What `read_page` found: normalised main text and one-line metadata (None when absent)."""

    text: str
    title: str
    source: str | None
    url: str | None
    published_written: str | None
    published: str | None
    author: str | None
    language: str | None
    extractor: str

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
_META_KEYS = frozenset({"og:title", "og:site_name", "og:url", "article:published_time", "author", "article:author"})


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
        self.language: str | None = None
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
            self.h1 = single_line("".join(self._h1_parts))
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
        elif tag == "html" and self.language is None:
            self.language = attrs.get("lang")

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


#: A main text trafilatura finds shorter than this (its own MIN_EXTRACTED_SIZE) comes from its
#: last-resort extraction, which splits inline markup into lines: the stdlib parser's is kept then.
TRAFILATURA_SHORTEST = 250


def read_page(raw: str, day_first: bool = True) -> Page:
    """The main text and metadata of the page `raw`: trafilatura's, else the stdlib parser's
    (`Page.extractor` says which). Raises PageError for markup neither can read."""
    extracted = _trafilatura(raw)
    if extracted is not None and len(extracted.text) >= TRAFILATURA_SHORTEST:
        return extracted
    try:
        fallback = _stdlib_page(raw, day_first)
    except PageError:
        if extracted is None:
            raise
        return extracted
    return extracted if extracted is not None and not fallback.text else fallback


def _trafilatura(raw: str) -> Page | None:
    """The page as trafilatura reads it, or None when it finds no main text (or fails)."""
    try:
        import trafilatura

        _quiet_extractor_logs()
        found = trafilatura.bare_extraction(
            raw, with_metadata=True, include_comments=False, include_tables=True, include_images=False,
            deduplicate=False, favor_precision=True,
        )
    except Exception:  # trafilatura or lxml choking on some markup: the stdlib parser tries it
        return None
    body = getattr(found, "body", None) if found is not None else None
    text = normalise_text(_body_text(body)) if body is not None else ""
    title = single_line(found.title or "") if found is not None else ""
    headline, _, rest = text.partition("\n\n")
    if title and rest and single_line(headline).casefold() == title.casefold():
        text = rest  # the headline is the title, shown apart; the text starts with the story
    if not text:
        return None
    source = optional(found.sitename)
    written = optional(_published_meta(raw)) or optional(found.date)
    return Page(
        text=text,
        title=without_site_name(title, source),
        source=source,
        url=optional(found.url),
        published_written=written,
        published=optional(found.date) or (iso_date(written) if written else None),
        author=optional(found.author),
        language=optional(found.language) or _language_attribute(raw),
        extractor=TRAFILATURA,
    )


def _body_text(body) -> str:  # an lxml element of trafilatura's XML (head, p, list, quote, table...)
    """The text of trafilatura's extracted tree as paragraphs separated by a blank line: one per
    heading, paragraph, quote, list item and table row (cells spaced); `lb` is a line break;
    code keeps its spacing."""
    paragraphs: list[str] = []
    for element in body:
        if element.tag == "list":
            blocks = [item for item in element if item.tag == "item"] or [element]
        elif element.tag == "table":
            blocks = [row for row in element.iter("row")] or [element]
        else:
            blocks = [element]
        for block in blocks:
            paragraphs.append(_block_text(block, preformatted=block.tag == "code"))
        if element.tail and element.tail.strip():
            paragraphs.append(" ".join(element.tail.split()))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph.strip())


def _block_text(block, preformatted: bool) -> str:
    parts: list[str] = []

    def walk(element) -> None:
        if element.text:
            parts.append(element.text)
        for child in element:
            if child.tag == "lb":
                parts.append("\n")
            else:
                if child.tag == "cell":
                    parts.append(" ")
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(block)
    raw = "".join(parts)
    if preformatted:
        return raw.strip("\n")
    return "\n".join(" ".join(line.split()) for line in raw.split("\n")).strip("\n ")


def _quiet_extractor_logs() -> None:
    """trafilatura and its helpers log warnings ("readability_lxml failed") that would reach the
    terminal through logging's last-resort handler: what they say, the fallback handles."""
    import logging

    for name in ("trafilatura", "htmldate", "courlan", "justext", "readability", "charset_normalizer"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


_PUBLISHED_META = re.compile(
    r"""<meta\s[^>]*?(?:property|name|itemprop)\s*=\s*["']?(?:article:published_time|datePublished|pubdate|publishdate|date)["']?[^>]*?>""",
    re.IGNORECASE,
)
_CONTENT = re.compile(r"""content\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_HTML_LANG = re.compile(r"""<html\s[^>]*?\blang\s*=\s*["']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*)""", re.IGNORECASE)


def _published_meta(raw: str) -> str | None:
    """The publication date exactly as the page's metadata writes it, when a meta tag gives it."""
    tag = _PUBLISHED_META.search(raw[:200_000])
    content = _CONTENT.search(tag.group(0)) if tag else None
    return (content.group(1) or content.group(2)) if content else None


def _language_attribute(raw: str) -> str | None:
    found = _HTML_LANG.search(raw[:20_000])
    return found.group(1) if found else None


def _stdlib_page(raw: str, day_first: bool) -> Page:
    page = _PageParser()
    try:
        page.feed(_defuse_markup(raw))
        page.close()
    except AssertionError as error:  # markup HTMLParser gives up on, e.g. a broken <!DOCTYPE [...]>
        raise PageError(f"not readable as HTML ({single_line(str(error))[:100]})") from None
    titles = (single_line(page.meta.get("og:title", "")), single_line(page.title), page.h1 or "")
    source = optional(page.meta.get("og:site_name"))
    written = optional(page.meta.get("article:published_time") or page.time)
    return Page(
        text=normalise_text(page.main_text()),
        title=without_site_name(next((title for title in titles if title), ""), source),
        source=source,
        url=optional(page.canonical or page.meta.get("og:url")),
        published_written=written,
        published=iso_date(written, day_first) if written else None,
        author=optional(page.meta.get("author") or page.meta.get("article:author")),
        language=optional(page.language),
        extractor=STDLIB,
    )


def without_site_name(title: str, site: str | None) -> str:
    """"Tram fares rise | City Post" -> "Tram fares rise" when the site is "City Post"."""
    if site:
        for separator in (" | ", " – ", " — ", " - ", " :: ", " · "):
            if title.endswith(separator + site):
                return title[: -len(separator + site)].rstrip()
    return title
