"""Text from outside made safe where reader shows or writes it: each line on a terminal, each JSON
string, each CSV cell; and the character classes the TUI's display guard (reader/tui/wrap.py) uses.

It never drops, reorders or hides a character: one a terminal would act on is shown as its escape
(`\\x1b`, `\\u202e`), and data written to a file or a pipe keeps every character it had.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import IO, Any

#: C0 controls (ESC, BEL, line breaks, tab...), DEL and C1 controls (U+009B is a CSI of its own):
#: a terminal acts on them instead of showing them.
CONTROL_CHARACTERS = "".join(chr(code) for code in (*range(0x00, 0x20), *range(0x7F, 0xA0)))

#: Bidirectional formatting characters: embeddings and overrides (U+202A-202E), isolates
#: (U+2066-2069) and the marks ALM, LRM, RLM. They make a terminal show text in another order
#: than it is stored ("Trojan Source"). Zero-width joiners and spaces are not among them: they
#: change no order, and emoji and several scripts need them.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

#: Unicode's own line and paragraph separators: text on "one line" holds none (U+0085, the
#: third, is a C1 control).
LINE_SEPARATORS = "\u2028\u2029"

#: Halves of UTF-16 surrogate pairs, alone: Python keeps bytes of a file name that are not
#: UTF-8 as these, and no terminal encoding can write them.
LONE_SURROGATES = "\ud800-\udfff"


def _class(characters: str, ranges: str = "") -> re.Pattern[str]:
    return re.compile(f"[{re.escape(characters)}{ranges}]")


_UNSAFE = _class(CONTROL_CHARACTERS + BIDI_CONTROLS + LINE_SEPARATORS, LONE_SURROGATES)
#: The same, but for line breaks and tabs: they lay out data written to a terminal and drive nothing.
_UNSAFE_IN_DATA = _class(CONTROL_CHARACTERS.replace("\n", "").replace("\t", "") + BIDI_CONTROLS, LONE_SURROGATES)
#: What `json.dumps` leaves unescaped inside strings although a terminal acts on it.
_UNSAFE_IN_JSON = _class(CONTROL_CHARACTERS[0x20:] + BIDI_CONTROLS, LONE_SURROGATES)


def _escape(match: re.Match[str]) -> str:
    return ascii(match.group())[1:-1]  # \x1b, \n, \u202e, \ud800


def terminal_line(text: str) -> str:
    """`text` safe to print as one line of a terminal: every control character (line breaks and
    tabs included), line separator, bidi formatting character and lone surrogate shown as its
    escape."""
    return text if _UNSAFE.search(text) is None else _UNSAFE.sub(_escape, text)


def terminal_text(text: str) -> str:
    """`text` of several lines safe to print on a terminal: its line breaks kept, each line
    guarded as `terminal_line` guards it."""
    return "\n".join(terminal_line(line) for line in text.split("\n"))


def terminal_data(text: str) -> str:
    """Data (CSV, YAML) as a terminal may show it: line breaks and tabs kept, every other control
    character, bidi formatting character and lone surrogate shown as its escape."""
    return text if _UNSAFE_IN_DATA.search(text) is None else _UNSAFE_IN_DATA.sub(_escape, text)


def terminal_json(json_text: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) whose strings hold no character a
    terminal acts on: DEL, C1, bidi formatting characters and lone surrogates become `\\uXXXX`
    escapes (json already escapes the C0 ones), so it still parses to exactly the same data."""
    if _UNSAFE_IN_JSON.search(json_text) is None:
        return json_text
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", json_text)


class _TerminalStream:
    """A text stream to a terminal: every write guarded by `terminal_data`."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal_data(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def data_stream(stream: IO[str]) -> IO[str]:
    """Where to write data (CSV, YAML, JSON) meant for `stream`: `stream` itself when it is a file
    or a pipe, so the data stays exact; guarded by `terminal_data` when it is a terminal."""
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        terminal = False
    return _TerminalStream(stream) if terminal else stream  # type: ignore[return-value]


#: Leading characters that make a spreadsheet run a cell as a formula (OWASP's list: a leading
#: tab or carriage return can smuggle one in).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """A CSV cell value no spreadsheet runs as a formula: text starting with one of
    `FORMULA_STARTS` gets a leading apostrophe, which spreadsheets read as "this is text";
    None becomes an empty cell; numbers and other text stay as they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SpreadsheetCsvWriter:
    """`csv.writer` for a file a spreadsheet may open: every cell through `spreadsheet_cell`, rows
    ended by `\\n`, fields quoted only when they need it, and a field holding a carriage return
    quoted too. (csv quotes only the characters of the line terminator, but a spreadsheet starts a
    new row at a bare carriage return, which would bring a formula to the start of a cell.)"""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._row = io.StringIO()
        # "\r\n" as the terminator makes csv quote a field holding either; each row then ends in "\n".
        self._writer = csv.writer(self._row, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)

    def writerow(self, row: Iterable[Any]) -> None:
        self._row.seek(0)
        self._row.truncate()
        self._writer.writerow([spreadsheet_cell(value) for value in row])
        self._stream.write(self._row.getvalue()[:-2] + "\n")

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
