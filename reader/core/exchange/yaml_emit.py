"""Writing the export's YAML directly: the same few shapes every time (mappings of scalars,
lists of strings, lists of mappings), each string written so that any YAML reader gets it back
exactly, whatever it holds.

PyYAML's dumper spends most of its time deciding how to write each value (about 10 s for
100,000 annotations); here the decision is a regular expression per string:

- a string of printable characters on one line, with no leading or trailing space, that YAML
  would read back as the same string, is written plain;
- a string of several lines whose characters are all printable (`str.isprintable`, which
  leaves out control characters, U+0085, U+2028, U+2029 and U+FEFF) but for line breaks and
  tabs is written as a literal block (`|`) with an explicit indentation indicator and the chomping that keeps its final line
  breaks, so long texts and notes stay readable and diff well in git;
- anything else is written double-quoted, escaping what YAML would otherwise read differently:
  `"` and `\\`, control characters, U+0085, U+2028, U+2029, U+FEFF, and other non-printable
  characters.
"""

from __future__ import annotations

import re

# What a plain scalar may hold: nothing that starts a YAML indicator, no ": " or " #", no
# leading/trailing space, printable characters only. Conservative on purpose.
_PLAIN = re.compile(
    r"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff_/(][^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff\"'#:,\[\]{}&*!|>%@`]*"
)
_PLAIN_TAIL_BAD = re.compile(r"[\s]$|\s#|:\s|:$")
# Plain words YAML 1.1 reads as something else (booleans, null, numbers, timestamps...).
_RESOLVES = re.compile(
    r"""(?ix)
    (?:y|yes|n|no|true|false|on|off|null|~)$
    | [-+]?[0-9_.,:]+(?:e[-+]?[0-9]+)?$
    | [-+]?\.(?:inf|nan)$
    | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}
    | 0x | 0o | 0b
    | <<$ | =$
    """
)

_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\x00": "\\0",
    "\x07": "\\a",
    "\x08": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\x0b": "\\v",
    "\x0c": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    "\x85": "\\N",
    "\xa0": "\\_",
    "\u2028": "\\L",
    "\u2029": "\\P",
}
_ESCAPE_TABLE = {ord(character): escape for character, escape in _ESCAPES.items()}
for _code in [*range(0x20), 0x7F, *range(0x80, 0xA0), 0xFEFF, 0xFFFE, 0xFFFF, *range(0xD800, 0xE000)]:
    _ESCAPE_TABLE.setdefault(_code, f"\\x{_code:02x}" if _code < 0x100 else f"\\u{_code:04x}")


def quoted(value: str) -> str:
    """`value` double-quoted, escaped so that it reads back exactly (on one line)."""
    if value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'  # nothing to escape (the usual case, and ten times faster)
    escaped = value.translate(_ESCAPE_TABLE)
    if not escaped.isprintable():  # spaces other than " " and the like: escaped too, so the
        escaped = "".join(c if c.isprintable() else _escape(c) for c in escaped)  # line is printable
    return f'"{escaped}"'


def _escape(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def scalar(value: object, indent: int, block: bool = True) -> str:
    """`value` as it follows "key: " at `indent` spaces (or "- ", with `block` false: items
    of a sequence are never literal blocks); a literal block includes its own line breaks.
    Always ends with a line break."""
    if type(value) is not str:
        if value is None:
            return "null\n"
        if value is True or value is False:
            return "true\n" if value else "false\n"
        if isinstance(value, int):
            return f"{value}\n"
        raise TypeError(f"cannot write a {type(value).__name__} in the export")
    if _PLAIN.fullmatch(value) and not _PLAIN_TAIL_BAD.search(value) and not _RESOLVES.match(value):
        return value + "\n"
    if block and "\n" in value.rstrip("\n") and value.replace("\n", "").replace("\t", "").isprintable():
        return _literal(value, indent + 2)
    return quoted(value) + "\n"


def _literal(value: str, indent: int) -> str:
    """A literal block, indented `indent` spaces, with chomping that keeps the text exact."""
    stripped = value.rstrip("\n")
    trailing = len(value) - len(stripped)
    chomp = "-" if trailing == 0 else "" if trailing == 1 else "+"
    pad = " " * indent
    lines = stripped.split("\n")
    body = "".join(f"{pad}{line}\n" if line else "\n" for line in lines)
    # "keep" chomping: the extra line breaks are part of the value
    body += "\n" * max(0, trailing - 1)
    # The indicator is relative to the key's column, which is `indent` - 2.
    return f"|2{chomp}\n{body}"


def mapping(items: list[tuple[str, object]], indent: int, first_prefix: str = "") -> str:
    """A block mapping at `indent` spaces; the first line starts with `first_prefix` (e.g.
    "- " for an item of a sequence) instead of the indentation. Values may be scalars, lists of
    strings, or lists of such mappings (given as lists of (key, value) pairs)."""
    pad = " " * indent
    out: list[str] = []
    for index, (key, value) in enumerate(items):
        lead = first_prefix if index == 0 and first_prefix else pad
        if isinstance(value, list):
            if not value:
                out.append(f"{lead}{key}: []\n")
                continue
            out.append(f"{lead}{key}:\n")
            for item in value:
                if isinstance(item, list):
                    out.append(mapping(item, indent + 2, pad + "- "))
                else:
                    out.append(f"{pad}- {scalar(item, indent, block=False)}")
        else:
            out.append(f"{lead}{key}: {scalar(value, indent)}")
    return "".join(out)
