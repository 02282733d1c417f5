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
* The type is the tag as a name brat stores as it is (its configuration parser renames any
  other, `projectconfig.normalize_to_storage_form`: `^[a-zA-Z0-9_-]*$`): ASCII letters, digits
  and `-` are kept, every other character (`_` too) is written `_<hex>_`, its code point in
  upper-case hex (`human rights` -> `human_20_rights`, `framing/économie` ->
  `framing_2F__E9_conomie`), and a name of hyphens only (a separator line in brat's
  configuration) starts with `_2D_`. The encoding is one-to-one, so the importer reads the
  tag back from the type alone; `annotation.conf` also lists each type with its tag
  (`#reader-tag` comment lines, which brat skips), and the importer prefers that list: a type
  brat users added themselves (`Cell_type`) is kept as it is. Types of older reader exports
  (`human%20rights`) are read back too.
* `<name>` is the article's uid with anything but ASCII letters, digits, `-`, `_` and `.`
  replaced by `_` (a uid is hex already), cut to 200 characters with a hash of the uid when
  longer (the importer then finds the article by its text); a name used twice (or differing
  only in case) gets `-2`, `-3`, ...
* `annotation.conf` lists the types as entities and allows any overlap between them
  (`<OVERLAP> Arg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>`: annotations nest, cross and share
  spans in reader, and a tag pair on one passage is two `T` lines over one span), so brat's
  verifier accepts the folder; `visual.conf` labels each type with its tag name, so brat shows
  `framing/économie`, not its type (a tag holding `|`, `<...>` or starting with `!`, which brat's
  labels cannot hold, is shown by its type). `write_config=False` leaves both out.

Offsets are brat's: character offsets into the `.txt` as brat's Python server reads it, which
are code points. brat reads text with universal newlines, so `\\r\\n` would count as one
character there; reader's ingest already stores every line break as `\\n`.

Entities, annotators, times and annotation ids are not written.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from reader.core.safefile import write_text
from reader.core.exchange.formats.common import ExportItem, ImportedAnnotation, article_key, from_text
from reader.core.ingest import IngestError, SizeLimit, read_regular_file
from reader.core.model import Annotation, tag_name_problem

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
    types: dict[str, str] = {}
    count = 0
    for article, marks, _entities in items:
        name = _free_name(file_name(article_key(article)), used)
        lines, written_types = ann_lines(article.text, marks)
        types.update(written_types)
        count += sum(1 for line in lines if line.startswith("T"))
        write_text(folder / f"{name}.txt", article.text)
        write_text(folder / f"{name}.ann", "".join(line + "\n" for line in lines))
    if write_config:
        write_text(folder / "annotation.conf", annotation_conf(types))
        write_text(folder / "visual.conf", visual_conf(types))
    return count


#: The comment line of `annotation.conf` that maps a type back to its tag (JSON-quoted).
TAG_COMMENT = "#reader-tag"
#: brat's rule for `<OVERLAP>` (projectconfig.py `overlap_types`): any entity may contain, cross
#: or share its span with any other.
ANY_OVERLAP = "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>"


def annotation_conf(types: dict[str, str]) -> str:
    """brat's `annotation.conf` for these types (type -> tag): each an entity, any overlap
    allowed, and a `#reader-tag` comment per type naming its tag."""
    names = sorted(types)
    return "\n".join([
        "# Written by reader. Types are tag names in brat's characters (A-Z a-z 0-9 -; any other",
        "# character written _<hex>_); `reader import-annotations --format brat` reads them back.",
        *(f"{TAG_COMMENT}\t{kind}\t{json.dumps(types[kind], ensure_ascii=False)}" for kind in names),
        "[entities]", *names, "", "[relations]", ANY_OVERLAP, "", "[events]", "", "[attributes]", "",
    ])


def visual_conf(types: dict[str, str]) -> str:
    """brat's `visual.conf`: each type labelled with its tag name (where brat's labels can hold
    it), and brat's default drawing."""
    labels = []
    for kind in sorted(types):
        tag = types[kind]
        if tag != kind and "|" not in tag and not tag.startswith("!") and not re.search(r"<.*?>", tag):
            labels.append(f"{kind} | {tag}")
    return "\n".join([
        "[labels]", *labels, "",
        "[drawing]", "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken",
        "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5", "ATTRIBUTE_DEFAULT\tglyph:*", "",
    ])


def ann_lines(text: str, marks: Iterable[Annotation]) -> tuple[list[str], dict[str, str]]:
    """The `.ann` lines (without line ends) for one article's annotations, and the types used
    (type -> tag)."""
    lines: list[str] = []
    types: dict[str, str] = {}
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
            types[kind] = tag
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


_TYPE_KEPT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")
_TYPE_ESCAPE = re.compile(r"_([0-9A-F]{1,6})_")
_OLD_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def type_name(tag: str) -> str:
    """A tag as a brat type (`^[a-zA-Z0-9_-]+$`, not hyphens only): ASCII letters, digits and `-`
    kept, every other character written `_<hex>_` (its code point, upper-case hex)."""
    kind = "".join(ch if ch in _TYPE_KEPT else f"_{ord(ch):X}_" for ch in tag)
    if kind and not kind.strip("-"):  # hyphens only: a separator line in brat's configuration
        kind = "_2D_" + kind[1:]
    return kind


def tag_name(kind: str, mapping: dict[str, str] | None = None) -> str:
    """The tag a brat type names: from `mapping` (an `annotation.conf`'s `#reader-tag` lines)
    when it lists the type; else the reverse of `type_name` when the type is one it writes
    (`human_20_rights`), or of older reader exports (`human%20rights`); else the type itself."""
    if mapping and kind in mapping:
        return mapping[kind]
    if "%" in kind:
        return _OLD_ESCAPES.sub(lambda m: bytes.fromhex(m.group().replace("%", "")).decode("utf-8", "replace"), kind)
    try:
        tag = _TYPE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), kind)
    except (ValueError, OverflowError):  # past U+10FFFF
        return kind
    return tag if type_name(tag) == kind and tag_name_problem(tag) is None else kind


def read_tag_comments(conf: str) -> dict[str, str]:
    """The `#reader-tag` lines of an `annotation.conf`: type -> tag (a bad line is skipped)."""
    mapping = {}
    for line in conf.split("\n"):
        parts = line.rstrip("\r").split("\t")
        if len(parts) == 3 and parts[0] == TAG_COMMENT:
            try:
                tag = json.loads(parts[2])
            except ValueError:
                continue
            if isinstance(tag, str) and tag_name_problem(tag) is None:
                mapping[parts[1]] = tag
    return mapping


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
    `.txt`), the files left out with the reason, and the tags `annotation.conf` names types by
    (`#reader-tag` lines)."""

    annotations: list[ImportedAnnotation]
    texts: dict[str, str | None]
    skipped: list[tuple[Path, str]]
    tags: dict[str, str] = field(default_factory=dict)


def read_folder(folder: Path, limit: SizeLimit | None = DEFAULT_LIMIT) -> BratFolder:
    """`import_brat`, telling which files were left out and why. Every file is checked as
    `reader import` checks an article's (`ingest.read_regular_file`): a named pipe, a device or
    a file over `limit` is never read. A `.ann` that is not UTF-8 raises UnicodeDecodeError."""
    found = BratFolder([], {}, [])
    conf_path = Path(folder) / "annotation.conf"
    if conf_path.exists() or conf_path.is_symlink():
        try:
            found.tags = read_tag_comments(read_regular_file(conf_path, limit).decode("utf-8", errors="replace"))
        except IngestError as error:
            found.skipped.append((conf_path, error.reason))
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
        found.annotations.extend(read_ann(ann_path.stem, ann, text, found.tags))
    return found


def read_ann(key: str, ann: str, text: str | None, tags: dict[str, str] | None = None) -> list[ImportedAnnotation]:
    """The annotations of one `.ann` file's content; `tags` names types by their tag (see
    `tag_name`)."""
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
            listed = ranges.setdefault((start, end), [])
            tag = tag_name(kind, tags)
            if tag not in listed:
                listed.append(tag)
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
