"""Soft-wrapping an article into display lines, and mapping offsets to and from screen cells.

It never changes the text: every display line is a `[start, end)` slice of the stored text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from rich.cells import cell_len

from reader.core.safetext import BIDI_CONTROLS, CONTROL_CHARACTERS, LINE_SEPARATORS

_TOKEN = re.compile(r"\S+\s*|\s+")

# Characters that must never reach the terminal as they are: the control characters the CLI's
# guard escapes (reader/core/safetext.py, so the two never disagree). Import already removed
# them from stored text; this guards text from anywhere else. One character in, one character
# out, so offsets and cell positions stay aligned.
_DISPLAY_TABLE = {ord(char): "\ufffd" for char in CONTROL_CHARACTERS}
for _break in "\t\n" + LINE_SEPARATORS:  # one line on screen, as one line of the CLI
    _DISPLAY_TABLE[ord(_break)] = " "

# Bidirectional formatting characters (embeddings, overrides, isolates, marks; the same as the
# CLI's) can make a terminal show text in another order than it is stored ("Trojan Source"):
# they are shown as a visible replacement character instead, in the text and in its layout
# alike.
_BIDI_TABLE = {ord(char): "\ufffd" for char in BIDI_CONTROLS}
_DISPLAY_TABLE.update(_BIDI_TABLE)
#: What layout replaces as display does, so both measure the same cells (U+2028 measures none).
_LAYOUT_TABLE = {**_BIDI_TABLE, **{ord(char): " " for char in LINE_SEPARATORS}}

_CONTROLS = re.compile(f"[{re.escape(CONTROL_CHARACTERS.replace(chr(9), '').replace(chr(10), '') + BIDI_CONTROLS + LINE_SEPARATORS)}]")
_LAYOUT_CHANGES = re.compile(f"[{re.escape(BIDI_CONTROLS + LINE_SEPARATORS)}]")


def display_text(text: str) -> str:
    """`text` made safe to print on one line: same length, control and bidi formatting
    characters replaced, line breaks and tabs made spaces."""
    if _CONTROLS.search(text) is None:  # the usual case: imported text has only \t and \n
        return text.replace("\t", " ").replace("\n", " ")
    return text.translate(_DISPLAY_TABLE)


_EDIT_TABLE = {code: replacement for code, replacement in _DISPLAY_TABLE.items() if chr(code) not in "\t\n"}


def editable_text(text: str) -> str:
    """`text` made safe to show in an editor: same length and lines, control and bidi
    formatting characters replaced, tabs and line breaks kept."""
    return text if _CONTROLS.search(text) is None else text.translate(_EDIT_TABLE)


def layout_text(text: str) -> str:
    """`text` as it is laid out for display: same length and line breaks, bidi formatting
    characters and line separators replaced as `display_text` replaces them, so both measure
    the same cells."""
    return text if _LAYOUT_CHANGES.search(text) is None else text.translate(_LAYOUT_TABLE)


def char_width(char: str) -> int:
    return cell_len(char)


@dataclass(frozen=True)
class WrappedText:
    """Display lines of a text wrapped at `width` cells: `starts[i]` and `ends[i]` per line."""

    text: str
    width: int
    starts: list[int]
    ends: list[int]

    @classmethod
    def wrap(cls, text: str, width: int) -> WrappedText:
        width = max(1, width)
        starts: list[int] = []
        ends: list[int] = []
        position = 0
        for line in text.split("\n"):
            _wrap_line(line, position, width, starts, ends)
            position += len(line) + 1
        return cls(text, width, starts, ends)

    def __len__(self) -> int:
        return len(self.starts)

    def line_of(self, offset: int) -> int:
        """The display line that shows the character at `offset`."""
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    def column_of(self, offset: int) -> int:
        """The cell column of `offset` within its display line."""
        start = self.starts[self.line_of(offset)]
        return cell_len(self.text[start:offset])

    def offset_at(self, line: int, column: int) -> int:
        """The offset of the character at cell `column` of display `line` (clamped to the line)."""
        line = min(max(line, 0), len(self.starts) - 1)
        start, end = self.starts[line], self.ends[line]
        cells = 0
        for offset in range(start, end):
            cells += char_width(self.text[offset])
            if cells > column:
                return offset
        return max(start, end - 1) if end > start else start


# Characters whose cell width is not 1: combining and zero-width marks, wide (East Asian,
# emoji) characters. A line without any is wrapped by a regular expression, in C.
_NOT_ONE_CELL = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f\u0e31-\u0e3a\u1100-\u115f"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u200b-\u200f\u2028-\u202e\u2060-\u206f\u20d0-\u20ff\u2e80-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe00-\ufe0f\ufe20-\ufe4f\uff00-\uff60\uffe0-\uffe6\ufeff"
    "\U0001f000-\U0001faff\U00020000-\U0003fffd\U000e0000-\U000e01ef]"
)
_LINE_PATTERNS: dict[int, re.Pattern[str]] = {}


def _line_pattern(width: int) -> re.Pattern[str]:
    """One display line: the most whole words that fit (and their trailing spaces), else a
    slice of an over-long word, else a run of spaces."""
    pattern = _LINE_PATTERNS.get(width)
    if pattern is None:
        pattern = re.compile(r"[^\n]{0,%d}\S(?=\s|$)\s*|\S{%d}|\s+" % (width - 1, width))
        _LINE_PATTERNS[width] = pattern
    return pattern


def _wrap_line(line: str, base: int, width: int, starts: list[int], ends: list[int]) -> None:
    """Greedy word wrap of one logical line (no newline inside) starting at offset `base`."""
    if len(line) <= width and cell_len(line) <= width:
        starts.append(base)
        ends.append(base + len(line))
        return
    if _NOT_ONE_CELL.search(line) is None:
        for match in _line_pattern(width).finditer(line):
            starts.append(base + match.start())
            ends.append(base + match.end())
        return
    _wrap_cells(line, base, width, starts, ends)


def _wrap_cells(line: str, base: int, width: int, starts: list[int], ends: list[int]) -> None:
    """The same wrap for lines with wide or zero-width characters, measuring every cell."""
    line_start = 0
    used = 0
    for match in _TOKEN.finditer(line):
        token = match.group()
        word = token.rstrip()
        word_cells = cell_len(word)
        if used and used + word_cells > width:
            starts.append(base + line_start)
            ends.append(base + match.start())
            line_start, used = match.start(), 0
        if word_cells > width:  # a word longer than a line: cut it
            piece_start = match.start()
            for index, char in enumerate(word, start=match.start()):
                if used + char_width(char) > width:
                    starts.append(base + piece_start)
                    ends.append(base + index)
                    piece_start, used = index, 0
                used += char_width(char)
            line_start = piece_start
            used += len(token) - len(word)
            continue
        used += word_cells + (len(token) - len(word))
    starts.append(base + line_start)
    ends.append(base + len(line))
