"""brat standoff (https://brat.nlplab.org/standoff.html): a folder with, per article,
`<name>.txt` (the text, exactly, UTF-8) and `<name>.ann`:

    T1<TAB>reception 48 103<TAB>Critics called it “a quiet revolution” for the quarter.
    #1<TAB>AnnotatorNotes T1<TAB>Check the source.\\nSecond line.

(`<TAB>` is a tab character.)

* One text-bound `T` line per (annotation, tag), numbered from 1 in each file. A quote that
  spans a line break is written as brat requires, since `.ann` is line-based: a discontinuous
  annotation whose fragments (`start end;start end`) leave out the line breaks, with its text
  the fragments joined by one space (brat's `DISCONT_SEP`). Line breaks are everything
  `str.splitlines` breaks at (brat reads `.ann` files through Python's `codecs`, whose
  `readline` breaks there too); blank fragments are left
  out, since brat rejects fragments that touch or overlap. So line breaks at either end of an
  annotation belong to no fragment, and it comes back from brat without them.
* A note becomes one `#` line, `AnnotatorNotes`, on the annotation's first `T`. brat notes are
  one line, so a backslash, line break or tab in the note is escaped as `\\\\`, `\\n`, `\\r`,
  `\\t`, and any other line break as `\\uXXXX` (brat shows the escapes; the importer reads
  them back). brat itself strips a note's outer whitespace.
* The type is the tag, with every character that is not a letter, digit, `-`, `_` or `.`
  percent-encoded as UTF-8 (`human rights` -> `human%20rights`): brat ends a type at the first
  space, and its configuration gives other characters meanings.
* `<name>` is the article's uid with anything but ASCII letters, digits, `-`, `_` and `.`
  replaced by `_` (a uid is hex already), cut to 200 characters with a hash of the uid when
  longer (the importer then finds the article by its text); a name used twice (or differing
  only in case) gets `-2`, `-3`, ...
* `annotation.conf` lists the types as entities, so brat shows them without configuration
  errors (`write_config=False` leaves it out).

Offsets are brat's: character offsets into the `.txt` as brat's Python server reads it, which
are code points. brat reads text with universal newlines, so `\\r\\n` would count as one
character there; reader's ingest already stores every line break as `\\n`.

Entities, annotators, times and annotation ids are not written.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reader.core.safefile import write_text
from reader.core.exchange.formats.common import ExportItem, ImportedAnnotation, article_key, from_text
from reader.core.ingest import IngestError, SizeLimit, read_regular_file
from reader.core.model import Annotation

#: The largest `.txt` or `.ann` read, as `reader import` reads an article by default.
DEFAULT_LIMIT = SizeLimit(50)

_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_NOTE_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NOTE_UNESCAPES = {"\\": "\\", "n": "\n", "r": "\r", "t": "\t"}
_NOTE_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|.)", re.DOTALL)
#: What `str.splitlines` breaks at.
_LINE_BREAKS = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")


def export_brat(items: Iterable[ExportItem], folder: Path, *, write_config: bool = True) -> int:
    """Write `<name>.txt` and `<name>.ann` for every article into `folder` (created if need be);
    returns the number of `T` lines written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    types: set[str] = set()
    count = 0
    for article, marks, _entities in items:
        name = _free_name(file_name(article_key(article)), used)
        lines, written_types = ann_lines(article.text, marks)
        types.update(written_types)
        count += sum(1 for line in lines if line.startswith("T"))
        write_text(folder / f"{name}.txt", article.text)
        write_text(folder / f"{name}.ann", "".join(line + "\n" for line in lines))
    if write_config:
        config = ["[entities]", *sorted(types), "", "[relations]", "", "[events]", "", "[attributes]"]
        write_text(folder / "annotation.conf", "\n".join(config) + "\n")
    return count


def ann_lines(text: str, marks: Iterable[Annotation]) -> tuple[list[str], set[str]]:
    """The `.ann` lines (without line ends) for one article's annotations, and the types used."""
    lines: list[str] = []
    types: set[str] = set()
    number = 0
    notes = 0
    for annotation in marks:
        fragments = fragments_of(text, annotation.start, annotation.end)
        if not fragments:
            continue
        offsets = ";".join(f"{start} {end}" for start, end in fragments)
        quote = " ".join(text[start:end] for start, end in fragments)
        first = None
        for tag in annotation.tags:
            number += 1
            first = first or f"T{number}"
            kind = type_name(tag)
            types.add(kind)
            lines.append(f"T{number}\t{kind} {offsets}\t{quote}")
        if first and annotation.note:
            notes += 1
            lines.append(f"#{notes}\tAnnotatorNotes {first}\t{escape_note(annotation.note)}")
    return lines, types


def fragments_of(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """`[start, end)` cut at line breaks: the non-empty pieces between them."""
    fragments = []
    position = start
    for match in _LINE_BREAKS.finditer(text, start, end):
        if match.start() > position:
            fragments.append((position, match.start()))
        position = match.end()
    if end > position:
        fragments.append((position, end))
    return fragments


#: The longest name `file_name` gives: file systems take 255 bytes, and ".partial" (while it is
#: written), ".ann" and a "-2" come on top.
_LONGEST_NAME = 200


def file_name(key: str) -> str:
    """A file name (without suffix) made of safe characters only; a key too long for one (a uid
    from a hand-made file can be any length) is cut, with a hash of it to keep it apart."""
    name = _NAME_UNSAFE.sub("_", key).lstrip(".")
    if len(name) > _LONGEST_NAME:
        name = f"{name[: _LONGEST_NAME - 17]}-{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}"
    return name or "article"


def _free_name(name: str, used: set[str]) -> str:
    candidate, suffix = name, 1
    while candidate.lower() in used:
        suffix += 1
        candidate = f"{name}-{suffix}"
    used.add(candidate.lower())
    return candidate


def type_name(tag: str) -> str:
    """A tag as a brat type: letters, digits, `-`, `_`, `.` kept, all else percent-encoded."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "".join(f"%{b:02X}" for b in ch.encode("utf-8"))
                   for ch in tag)


def tag_name(kind: str) -> str:
    """The reverse of `type_name`."""
    return re.sub(r"(?:%[0-9A-Fa-f]{2})+", lambda m: bytes.fromhex(m.group().replace("%", "")).decode("utf-8",
                                                                                                        "replace"), kind)


def escape_note(note: str) -> str:
    r"""A note on one line: `\\`, `\n`, `\r`, `\t`, and `\uXXXX` for the other line breaks."""
    return "".join(
        _NOTE_ESCAPES.get(ch) or (f"\\u{ord(ch):04x}" if _LINE_BREAKS.match(ch) else ch) for ch in note
    )


def unescape_note(escaped: str) -> str:
    """The reverse of `escape_note` (an unknown escape is kept as it is)."""

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if len(code) == 5:
            return chr(int(code[1:], 16))
        return _NOTE_UNESCAPES.get(code, match.group())

    return _NOTE_ESCAPE.sub(one, escaped)


def import_brat(folder: Path, limit: SizeLimit | None = DEFAULT_LIMIT) -> list[ImportedAnnotation]:
    """Annotations from every `<name>.ann` in `folder` (sorted by name), keyed by `<name>`.

    The `T` lines of one range make one annotation with their types as tags; a discontinuous
    `T` covers from its first start to its last end. `AnnotatorNotes` on any of them is the
    note. Quote, prefix and suffix come from `<name>.txt` (when missing, the quote is the `T`
    line's text). Other brat lines (relations, events, attributes) are ignored. Files that are
    not regular files (pipes, devices) or are larger than `limit` are left out (`read_folder`
    says which)."""
    return read_folder(folder, limit).annotations


@dataclass
class BratFolder:
    """What `read_folder` read: the annotations, each `<name>`'s text (None: no readable
    `.txt`), and the files left out with the reason."""

    annotations: list[ImportedAnnotation]
    texts: dict[str, str | None]
    skipped: list[tuple[Path, str]]


def read_folder(folder: Path, limit: SizeLimit | None = DEFAULT_LIMIT) -> BratFolder:
    """`import_brat`, telling which files were left out and why. Every file is checked as
    `reader import` checks an article's (`ingest.read_regular_file`): a named pipe, a device or
    a file over `limit` is never read. A `.ann` that is not UTF-8 raises UnicodeDecodeError."""
    found = BratFolder([], {}, [])
    for ann_path in sorted(Path(folder).glob("*.ann")):
        try:
            ann = read_regular_file(ann_path, limit).decode("utf-8")
        except IngestError as error:
            found.skipped.append((ann_path, error.reason))
            continue
        text_path = ann_path.with_suffix(".txt")
        text = None
        if text_path.exists() or text_path.is_symlink():
            try:
                data = read_regular_file(text_path, limit)
            except IngestError as error:
                found.skipped.append((text_path, error.reason))
            else:  # as brat reads it: universal newlines
                text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        found.texts[ann_path.stem] = text
        found.annotations.extend(read_ann(ann_path.stem, ann, text))
    return found


def read_ann(key: str, ann: str, text: str | None) -> list[ImportedAnnotation]:
    """The annotations of one `.ann` file's content."""
    ranges: dict[tuple[int, int], list[str]] = {}
    quotes: dict[tuple[int, int], str] = {}
    range_of: dict[str, tuple[int, int]] = {}
    noted: list[tuple[str, str]] = []
    for line in ann.split("\n"):
        line = line.rstrip("\r")
        parts = line.split("\t", 2)
        if len(parts) < 2:
            continue
        if line.startswith("T") and " " in parts[1]:
            kind, offsets = parts[1].split(" ", 1)
            try:
                spans = [tuple(int(number) for number in piece.split()) for piece in offsets.split(";")]
                start, end = min(span[0] for span in spans), max(span[1] for span in spans)
            except (ValueError, IndexError):
                continue
            tags = ranges.setdefault((start, end), [])
            tag = tag_name(kind)
            if tag not in tags:
                tags.append(tag)
            quotes.setdefault((start, end), parts[2] if len(parts) > 2 else "")
            range_of[parts[0]] = (start, end)
        elif line.startswith("#") and len(parts) > 2:
            fields = parts[1].split()
            if len(fields) == 2 and fields[0] == "AnnotatorNotes":
                noted.append((fields[1], unescape_note(parts[2])))
    notes: dict[tuple[int, int], str] = {}
    for target, note in noted:
        if target in range_of:
            notes.setdefault(range_of[target], note)
    return [
        from_text(key, text, start, end, sorted(tags), notes.get((start, end)), quotes[(start, end)])
        for (start, end), tags in sorted(ranges.items(), key=lambda item: (item[0][0], -item[0][1]))
    ]
