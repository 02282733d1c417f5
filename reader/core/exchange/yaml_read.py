"""Reading back what reader's own YAML writer (`yaml_emit`) wrote, quickly.

A generic YAML parser spends about 10 s on an export of 100,000 annotations with their
texts; this reader knows the few shapes the writer produces (block mappings and indentless
sequences, plain scalars, one-line double-quoted scalars, literal blocks with an indentation
indicator) and reads them line by line. It gives exactly what `yamlsafe.load_lined` gives
(tested on generated exports), and returns None at the first line it does not recognise, so the
caller falls back to the strict generic reader: a file edited by hand is still read, and every
error is still reported by that reader, with its line.
"""

from __future__ import annotations

import re
from typing import Any

from reader.core.exchange.yaml_emit import _PLAIN, _PLAIN_TAIL_BAD, _RESOLVES
from reader.core.yamlsafe import LinedList, LinedMap

_ENTRY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?\Z")
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_ESCAPE = re.compile(r'\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)', re.DOTALL)
_SIMPLE_ESCAPES = {
    "0": "\x00", "a": "\x07", "b": "\x08", "t": "\t", "\t": "\t", "n": "\n", "v": "\x0b", "f": "\x0c",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
    "L": "\u2028", "P": "\u2029",
}


_ANNOTATION = re.compile(
    r"  - id: (?P<id>[^\n]*)\n"
    r"    start: (?P<start>[^\n]*)\n"
    r"    end: (?P<end>[^\n]*)\n"
    r"    quote: (?P<quote>[^\n]*)\n"
    r"    prefix: (?P<prefix>[^\n]*)\n"
    r"    suffix: (?P<suffix>[^\n]*)\n"
    r"    tags:(?: \[\]\n|\n(?P<tags>(?:    - [^\n]*\n)+))"
    r"    note: (?P<note>[^\n]*)\n"
    r"    annotator: (?P<annotator>[^\n]*)\n"
    r"    created: (?P<created>[^\n]*)\n"
    r"    updated: (?P<updated>[^\n]*)\n"
)


#: The keys the writer writes (which YAML could not read as anything but strings).
_KEYS = frozenset((
    "format", "exported", "articles", "id", "title", "source", "path", "locator", "url", "published", "sha256",
    "tags", "text", "annotations", "start", "end", "quote", "prefix", "suffix", "note", "annotator", "created", "updated",
))


#: YAML reads a plain key of more than 1024 characters as no key at all (an error): such a line
#: is never the writer's (its keys are short words), so the generic reader reports it.
_LONGEST_KEY = 1024


#: The writer indents keys 4 spaces at most (an annotation's); a file nested much deeper is not
#: its file, and reading it here would recurse once per level.
_DEEPEST_INDENT = 16


#: Characters YAML reads as line breaks besides "\n" (about 0.03 s each to look for in 280 MB).
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


class _NotOurs(Exception):
    """A line this reader does not know: leave the file to the generic reader."""


def load_own(text: str) -> Any | None:
    """The document `text` holds, if reader's writer wrote it; None otherwise."""
    if not text or any(brk in text for brk in _OTHER_BREAKS):
        return None  # (YAML breaks lines there too; the writer never leaves one raw)
    try:
        reader = _Reader(text)
        value = reader.mapping(0, None)
        if reader.pos < len(text):
            return None
        return value
    except _NotOurs:
        return None


class _Reader:
    """Walks `text` line by line (`pos` is the start of the current line, `line` its number),
    but takes a literal block whole, with one regular expression, since texts are most of it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self._block_ends: dict[int, re.Pattern[str]] = {}

    def peek(self) -> str | None:
        """The current line, without moving past it (None at the end)."""
        if self.pos >= len(self.text):
            return None
        end = self.text.find("\n", self.pos)
        return self.text[self.pos : end if end >= 0 else len(self.text)]

    def advance(self, line: str) -> None:
        self.pos += len(line) + 1
        self.line += 1

    def mapping(self, indent: int, first: str | None) -> LinedMap:
        """The block mapping whose keys sit at column `indent`, from the current line (whose
        content after a "- " is `first`, for an item of a sequence). The hot loop of the
        reader: written for speed, with `peek` and `advance` inlined."""
        if indent > _DEEPEST_INDENT:
            raise _NotOurs
        result = LinedMap()
        result.line = self.line
        lines = result.lines = {}
        pad = " " * indent
        text, find, size, entry_match = self.text, self.text.find, len(self.text), _ENTRY.match
        while self.pos < size:
            end = find("\n", self.pos)
            if end < 0:
                end = size
            if first is not None:
                content, first = first, None
            else:
                if text[self.pos : self.pos + indent] != pad or text[self.pos + indent : self.pos + indent + 1] in (" ", "-", "\n"):
                    break  # a shallower line, or the next item of the enclosing sequence
                content = text[self.pos + indent : end]
            entry = entry_match(content)
            if entry is None:
                raise _NotOurs
            key, rest = entry.group(1, 2)
            if key in result or (key not in _KEYS and (_RESOLVES.match(key) or len(key) > _LONGEST_KEY)):
                raise _NotOurs
            lines[key] = self.line
            self.pos = end + 1
            self.line += 1
            if rest is None:  # a sequence follows, at the same indentation
                result[key] = self.sequence(indent)
            elif rest == "[]":
                empty = LinedList()
                empty.line, empty.lines = self.line - 1, []
                result[key] = empty
            elif rest[:2] == "|2":
                result[key] = self.block(indent + 2, rest[2:])
            else:
                result[key] = _scalar(rest)
        return result

    def sequence(self, indent: int) -> LinedList:
        result = LinedList()
        result.line = self.line
        result.lines = []
        marker = " " * indent + "- "
        while True:
            line = self.peek()
            if line is None or not line.startswith(marker):
                break
            rest = line[len(marker) :]
            result.lines.append(self.line)
            if indent == 2 and rest.startswith("id: "):
                quick = self.annotation()
                if quick is not None:
                    result.append(quick)
                    continue
            if _ENTRY.match(rest):
                result.append(self.mapping(indent + 2, rest))
            else:
                result.append(_scalar(rest))
                self.advance(line)
        if not result:
            raise _NotOurs
        return result

    def annotation(self) -> LinedMap | None:
        """An annotation as the writer lays it out (`yaml_format._annotation_yaml`), read with
        one regular expression; None (nothing consumed) when it is laid out any other way."""
        match = _ANNOTATION.match(self.text, self.pos)
        if match is None:
            return None
        values = match.groupdict()
        if any(values[key][:2] == "|2" for key in ("id", "quote", "prefix", "suffix", "note", "annotator")):
            return None
        line = self.line
        result = LinedMap()
        result.line = line
        tags = LinedList()
        tags.line = line + 7 if values["tags"] else line + 6
        listed = values["tags"]
        tag_lines = listed.count("\n") if listed else 0
        tags.lines = [line + 7 + index for index in range(tag_lines)]
        tags.extend(_scalar(item[6:]) for item in listed.split("\n")[:-1]) if listed else None
        after = line + 7 + tag_lines
        result.lines = {
            "id": line, "start": line + 1, "end": line + 2, "quote": line + 3, "prefix": line + 4,
            "suffix": line + 5, "tags": line + 6, "note": after, "annotator": after + 1,
            "created": after + 2, "updated": after + 3,
        }
        for key in ("id", "start", "end", "quote", "prefix", "suffix"):
            result[key] = _scalar(values[key])
        result["tags"] = tags
        for key in ("note", "annotator", "created", "updated"):
            result[key] = _scalar(values[key])
        self.pos = match.end()
        self.line = after + 4
        return result

    def block(self, indent: int, chomp: str) -> str:
        if chomp not in ("", "-", "+"):
            raise _NotOurs
        pad = " " * indent
        ends = self._block_ends.get(indent)
        if ends is None:
            ends = self._block_ends[indent] = re.compile(rf"^(?!{pad}|$)", re.MULTILINE)
        text = self.text
        found = ends.search(text, self.pos)
        end = found.start() if found else len(text)
        body = text[self.pos : end]
        if not body.endswith("\n"):
            raise _NotOurs
        self.line += body.count("\n")
        self.pos = end
        if body.startswith(pad):
            body = body[indent:]
        elif not body.startswith("\n"):
            raise _NotOurs
        content = body.replace("\n" + pad, "\n")
        stripped = content.rstrip("\n")
        if not stripped:
            raise _NotOurs
        # (the writer makes blocks only of printable lines; a block edited by hand to hold raw
        # control characters is taken as it is: checking 180 MB of text here would cost 0.5 s)
        newlines = len(content) - len(stripped)
        if chomp == "-":
            if newlines != 1:
                raise _NotOurs  # the writer never leaves blank lines after a stripped block
            return stripped
        if chomp == "":
            if newlines != 1:
                raise _NotOurs
            return stripped + "\n"
        return stripped + "\n" * newlines


def _scalar(rest: str) -> Any:
    if rest[:1] == '"':
        if len(rest) < 2 or rest[-1] != '"':
            raise _NotOurs
        inner = rest[1:-1]
        if not inner.isprintable():
            raise _NotOurs  # the writer escapes every character that is not printable
        if "\\" not in inner:
            if '"' in inner:
                raise _NotOurs
            return inner
        if '"' in inner.replace("\\\\", "").replace('\\"', ""):
            raise _NotOurs
        return _ESCAPE.sub(_unescape, inner)
    known = _PLAIN_SEEN.get(rest)
    if known is not None:
        return known
    if rest == "null" or rest == "~":
        return None
    if rest == "true":
        return True
    if rest == "false":
        return False
    if _INT.match(rest):
        try:
            return int(rest)
        except ValueError:  # more digits than Python converts (4,300): the generic reader says so
            raise _NotOurs from None
    if _PLAIN.fullmatch(rest) and not _PLAIN_TAIL_BAD.search(rest) and not _RESOLVES.match(rest):
        if len(rest) <= 40 and len(_PLAIN_SEEN) < 10_000:
            _PLAIN_SEEN[rest] = rest  # annotators, tags, sources: the same few words again and again
        return rest
    raise _NotOurs


#: Plain strings already checked (a string maps to itself).
_PLAIN_SEEN: dict[str, str] = {}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[code]
    if code[0] in "xuU" and len(code) > 1:
        value = int(code[1:], 16)
        if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
            raise _NotOurs  # the generic reader reports it, with its line
        return chr(value)
    raise _NotOurs
