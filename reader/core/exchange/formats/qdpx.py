"""REFI-QDA project exchange (`.qdpx`), the format NVivo, MAXQDA, ATLAS.ti and QualCoder exchange
projects in: a zip of `project.qde` (XML, namespace `urn:QDA-XML:project:1.0`) and `Sources/`.

Pure: reader's export records (as `yaml_format.moving_record` makes them) in, the zip's bytes
out to a binary stream (each source's and note's XML kept in a temporary file until project.qde
is written, so memory stays flat); a zip in, a `reader-annotations/3` document out. Never touches the store,
never extracts anything to disk, never reads a file outside the archive.

What maps to what (REFI-QDA 1.5, the spec in `Project-mrt2019.xsd`):

* annotators -> `Users/User`, GUID `uuid5(reader namespace, "user:" + name)`: the same name is the
  same user in every export of every database (reader owns annotations by name);
* the codebook -> `CodeBook/Codes`: a tag `framing/economy` is the code `economy` nested in the
  code `framing` (`isCodable="false"` when no tag `framing` exists), with its colour (`#rrggbb`;
  a colour name is written as its hex value) and its description; GUIDs made from the name;
* each article -> a `TextSource` whose text is `Sources/<guid>.txt` (UTF-8, no BOM), named by its
  title; its source, date, URL, path, locator, reader id and attributes as `Variables` (Text)
  with a `VariableValue` each; articles of one source (outlet) grouped as a `Case`;
* each annotation -> a `PlainTextSelection` (its GUID is the annotation's id) with one `Coding`
  per tag, and its note as a `Note` (`Notes`) the selection points to with a `NoteRef`; a memo
  (a note with no tag) is a selection with a `NoteRef` and no `Coding`;
* article tags -> `Coding`s of the `TextSource`; notes on the whole article -> `Note`s it points
  to with `NoteRef`s.

Offsets: section 10.2 of the specification counts a text selection in Unicode code points of
the plain-text file, the first being 0; its examples (and every suite) end a selection after its
last character. Those are reader's offsets exactly (Python `str` indices; an emoji is one, a
combining accent one more), and the `.txt` written is the stored text, so no conversion is made.
A UTF-8 byte-order mark at the start of a source's file is not counted (suites that write one
count from the text).

Not carried (the standard has no place for them): tag keys, entity feedback, orphans, annotations
kept aside, deletions. Imported from another suite: text sources (inline or `internal://` .txt),
codes (nested ones as `parent/child`; a `/` inside one code's name becomes `∕`), text selections
with their codings, notes (`NoteRef`s and a selection's `Description`), source codings and
notes, variables of sources and of the cases holding them (as attributes); PDF, picture, audio,
video and external sources are listed as left out.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from lxml import etree

from reader.core.anchoring import selector_for
from reader.core.exchange.incoming import lines_kept, one_line

NAMESPACE = "urn:QDA-XML:project:1.0"
SCHEMA_LOCATION = "http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
#: The namespace of every GUID reader makes (users, codes, sources, notes, codings).
READER_GUIDS = uuid.UUID("3b0c1f5e-8d2a-4e7b-9a61-5c4f2d8e7a13")
SOURCES_FOLDER = "Sources"
PROJECT_FILE = "project.qde"

#: Variables reader writes for an article's own fields, by field (attributes keep their names).
FIELD_VARIABLES = {"source": "source", "published": "published", "url": "url", "path": "path",
                   "locator": "locator", "id": "reader id"}

#: reader's colour names (`config.COLOR_NAMES`) as the hex REFI-QDA needs.
COLOR_HEX = {
    "red": "#ff0000", "green": "#008000", "blue": "#0000ff", "yellow": "#ffff00", "magenta": "#ff00ff",
    "cyan": "#00ffff", "white": "#ffffff", "black": "#000000", "orange": "#ffa500", "purple": "#800080",
    "pink": "#ffc0cb", "brown": "#a52a2a", "grey": "#808080", "gray": "#808080", "teal": "#008080",
    "olive": "#808000", "navy": "#000080", "maroon": "#800000", "lime": "#00ff00", "aqua": "#00ffff",
    "gold": "#ffd700", "salmon": "#fa8072", "violet": "#ee82ee", "indigo": "#4b0082", "coral": "#ff7f50",
    "crimson": "#dc143c", "turquoise": "#40e0d0",
}
_HEX = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
                   r"|\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}")
_DATE_TIME = re.compile(r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")
#: What XML 1.0 cannot hold at all (its `Char` production): removed from names and notes.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_INTEGER = re.compile(r"[+-]?\d{1,18}")


def guid(kind: str, key: str) -> str:
    """A GUID made from what a thing is (`kind`) and its key: the same in every export."""
    return str(uuid.uuid5(READER_GUIDS, f"{kind}:{key}"))


def annotation_guid(annotation_id: str) -> str:
    """An annotation's id when it is a UUID (reader's are), else a GUID made from it."""
    try:
        if str(uuid.UUID(annotation_id)) == annotation_id:
            return annotation_id
    except ValueError:
        pass
    return guid("annotation", annotation_id)


def hex_color(color: str | None) -> str | None:
    """A colour as REFI-QDA's `RGBType` (#rrggbb or #rgb), or None."""
    if color is None:
        return None
    if _HEX.fullmatch(color):
        return color
    return COLOR_HEX.get(color.lower())


def xsd_stamp(stamp: str | None) -> str | None:
    """A stamp as `xsd:dateTime`: as written when it is one (reader's are), else None."""
    return stamp if stamp and _DATE_TIME.fullmatch(stamp) else None


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def _short(text: str, limit: int = 60) -> str:
    line = " ".join(_xml(text).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


# ---- writing ----------------------------------------------------------------------------------


@dataclass
class QdpxWritten:
    """What an export wrote: selections (annotations, memos included), sources, notes."""

    selections: int = 0
    sources: int = 0
    notes: int = 0


class _ProjectWriter:
    """Builds `project.qde` while the sources' texts go into the zip one at a time."""

    def __init__(self, codebook: list[dict[str, Any]], sources: IO[bytes], notes: IO[bytes]) -> None:
        """`sources` and `notes` (temporary files) take each source's and note's XML as it is
        made, so memory stays flat however many there are."""
        self.codebook = {entry["name"]: entry for entry in codebook}
        self.users: dict[str, str] = {}
        self.variables: dict[str, str] = {}
        self.cases: dict[str, list[str]] = {}
        self.sources, self.notes = sources, notes
        self.used_tags: set[str] = set()
        self.written = QdpxWritten()

    def user(self, name: str | None) -> str | None:
        if not name:
            return None
        if name not in self.users:
            self.users[name] = guid("user", name)
        return self.users[name]

    def variable(self, name: str) -> str:
        if name not in self.variables:
            self.variables[name] = guid("variable", name)
        return self.variables[name]

    def code(self, tag: str) -> str:
        self.used_tags.add(tag)
        return guid("code", tag)

    def note(self, key: str, text: str, annotator: str | None, created: str | None, updated: str | None,
             name: str) -> str:
        target = guid("note", key)
        note = etree.Element(_q("Note"), nsmap={None: NAMESPACE}, guid=target, name=_short(name))
        _stamps(note, self.user(annotator), created, updated)
        etree.SubElement(note, _q("PlainTextContent")).text = _xml(text)
        self.notes.write(etree.tostring(note, encoding="UTF-8", pretty_print=True))
        self.written.notes += 1
        return target

    def source(self, record: dict[str, Any]) -> tuple[str, str]:
        """The `TextSource` of one article record; returns (its GUID, the zip member of its text)."""
        source_guid = guid("source", record["id"])
        member = f"{SOURCES_FOLDER}/{source_guid}.txt"
        element = etree.Element(_q("TextSource"), nsmap={None: NAMESPACE}, guid=source_guid,
                                name=_xml(one_line(record["title"])),
                                plainTextPath=f"internal://{source_guid}.txt")
        for note in sorted(record["annotations"], key=lambda note: (note["start"], -note["end"], note["id"])):
            self._selection(element, note)
        for tag in record.get("tags") or []:
            tag = tag if isinstance(tag, dict) else {"name": tag, "annotator": None, "created": None}
            coding = etree.SubElement(element, _q("Coding"), guid=guid("coding", f"{record['id']}\n{tag['name']}"))
            _put(coding, "creatingUser", self.user(tag.get("annotator")))
            _put(coding, "creationDateTime", xsd_stamp(tag.get("created")))
            etree.SubElement(coding, _q("CodeRef"), targetGUID=self.code(tag["name"]))
        for note in record.get("notes") or []:
            target = self.note(f"article\n{record['id']}\n{note['annotator']}", note["note"], note["annotator"],
                               note["created"], note["updated"], f"Note on “{record['title']}”")
            etree.SubElement(element, _q("NoteRef"), targetGUID=target)
        values = [(FIELD_VARIABLES[key], record.get(key)) for key in FIELD_VARIABLES]
        taken = set(FIELD_VARIABLES.values())
        values += [(name if name not in taken else f"attribute: {name}", value)
                   for name, value in ((item["name"], item["value"]) for item in record.get("attributes") or [])]
        for name, value in values:
            if value is None:
                continue
            holder = etree.SubElement(element, _q("VariableValue"))
            etree.SubElement(holder, _q("VariableRef"), targetGUID=self.variable(_xml(name)))
            etree.SubElement(holder, _q("TextValue")).text = _xml(value)
        if record.get("source"):
            self.cases.setdefault(record["source"], []).append(source_guid)
        self.sources.write(etree.tostring(element, encoding="UTF-8", pretty_print=True))
        self.written.sources += 1
        return source_guid, member

    def _selection(self, parent: etree._Element, note: dict[str, Any]) -> None:
        user = self.user(note["annotator"])
        selection = etree.SubElement(parent, _q("PlainTextSelection"), guid=annotation_guid(note["id"]),
                                     name=_short(note["quote"]), startPosition=str(note["start"]),
                                     endPosition=str(note["end"]))
        _stamps(selection, user, note["created"], note["updated"])
        for tag in note["tags"]:
            coding = etree.SubElement(selection, _q("Coding"), guid=guid("coding", f"{note['id']}\n{tag}"))
            _put(coding, "creatingUser", user)
            _put(coding, "creationDateTime", xsd_stamp(note["created"]))
            etree.SubElement(coding, _q("CodeRef"), targetGUID=self.code(tag))
        if note.get("note"):
            target = self.note(f"annotation\n{note['id']}", note["note"], note["annotator"], note["created"],
                               note["updated"], f"Note on “{note['quote']}”")
            etree.SubElement(selection, _q("NoteRef"), targetGUID=target)
        self.written.selections += 1

    def project(self, name: str, origin: str, now: str, out: IO[bytes]) -> None:
        """Write project.qde to `out`: what was gathered, then the sources and notes written so far."""
        root = etree.Element(_q("Project"), nsmap={None: NAMESPACE, "xsi": _XSI}, name=name, origin=origin)
        root.set(f"{{{_XSI}}}schemaLocation", f"{NAMESPACE} {SCHEMA_LOCATION}")
        _put(root, "creationDateTime", xsd_stamp(now))
        _put(root, "modifiedDateTime", xsd_stamp(now))
        if self.users:
            users = etree.SubElement(root, _q("Users"))
            for user_name, user_guid in sorted(self.users.items()):
                etree.SubElement(users, _q("User"), guid=user_guid, name=_xml(user_name))
        codes = self._codes()
        if len(codes):
            etree.SubElement(root, _q("CodeBook")).append(codes)
        if self.variables:
            variables = etree.SubElement(root, _q("Variables"))
            for variable_name, variable_guid in self.variables.items():
                etree.SubElement(variables, _q("Variable"), guid=variable_guid, name=variable_name,
                                 typeOfVariable="Text")
        if self.cases:
            cases = etree.SubElement(root, _q("Cases"))
            for case_name, members in sorted(self.cases.items()):
                case = etree.SubElement(cases, _q("Case"), guid=guid("case", case_name), name=_xml(case_name))
                etree.SubElement(case, _q("Description")).text = _xml(f"Articles from {case_name}")
                for member in members:
                    etree.SubElement(case, _q("SourceRef"), targetGUID=member)
        if self.written.sources:
            etree.SubElement(root, _q("Sources"))  # (where the sources go: an element of its own name)
        head = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        if not self.written.sources:
            out.write(head)
            return
        place = head.rindex(b"<Sources/>")
        out.write(head[:place] + b"<Sources>\n")
        _copy(self.sources, out)
        out.write(b"</Sources>\n")
        if self.written.notes:
            out.write(b"<Notes>\n")
            _copy(self.notes, out)
            out.write(b"</Notes>\n")
        out.write(head[place + len(b"<Sources/>"):])

    def _codes(self) -> etree._Element:
        """Every tag of the codebook and every tag used, nested by `/`."""
        names = set(self.codebook) | self.used_tags
        tree: dict[str, Any] = {}
        for name in names:
            node = tree
            for part in name.split("/"):
                node = node.setdefault(part, {})
        codes = etree.Element(_q("Codes"))

        def add(parent: etree._Element, children: dict[str, Any], prefix: str) -> None:
            for part, grandchildren in sorted(children.items()):
                full = f"{prefix}{part}"
                entry = self.codebook.get(full, {})
                code = etree.SubElement(parent, _q("Code"), guid=guid("code", full), name=_xml(part),
                                        isCodable="true" if full in names else "false")
                _put(code, "color", hex_color(entry.get("color")))
                if entry.get("description") is not None:
                    etree.SubElement(code, _q("Description")).text = _xml(entry["description"])
                add(code, grandchildren, f"{full}/")

        add(codes, tree, "")
        return codes


def _copy(source: IO[bytes], target: IO[bytes]) -> None:
    source.seek(0)
    shutil.copyfileobj(source, target, 1024 * 1024)


def _q(name: str, namespace: str = NAMESPACE) -> str:
    return f"{{{namespace}}}{name}" if namespace else name


def _put(element: etree._Element, name: str, value: str | None) -> None:
    if value is not None:
        element.set(name, value)


def _stamps(element: etree._Element, user: str | None, created: str | None, updated: str | None) -> None:
    _put(element, "creatingUser", user)
    _put(element, "creationDateTime", xsd_stamp(created))
    _put(element, "modifyingUser", user)
    _put(element, "modifiedDateTime", xsd_stamp(updated))


def export_qdpx(records: Iterable[dict[str, Any]], codebook: list[dict[str, Any]], stream: IO[bytes], *,
                name: str = "reader export", origin: str = "reader", now: str | None = None) -> QdpxWritten:
    """Write a `.qdpx` of the article `records` (each as `moving_record` makes it: text,
    annotations, article tags and notes) and the `codebook` entries to the binary `stream`;
    orphans in the records are left out (they have no place in a text)."""
    with (tempfile.TemporaryFile() as sources, tempfile.TemporaryFile() as notes,
          zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive):
        writer = _ProjectWriter(codebook, sources, notes)
        for record in records:
            _, member = writer.source(record)
            archive.writestr(member, record["text"].encode("utf-8"))
        with archive.open(PROJECT_FILE, "w") as project:
            writer.project(name, origin, now or "", project)
    return writer.written


# ---- reading ----------------------------------------------------------------------------------


class QdpxError(ValueError):
    """What is wrong with a `.qdpx`: where (a member, a line of project.qde, an element), what."""

    def __init__(self, where: str, problem: str) -> None:
        self.where, self.problem = where, problem
        super().__init__(f"{where}: {problem}" if where else problem)


@dataclass
class QdpxProject:
    """A `.qdpx` read as a `reader-annotations/3` document, and what had no place in reader."""

    document: dict[str, Any]
    #: (what, why) of each thing left out, one line each.
    left_out: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class QdpxLimits:
    """The most a `.qdpx` may unpack to: any one member, and all members together (a zip bomb
    is refused before anything is decompressed), and the most members it may hold."""

    member_bytes: int = 50 * 1024 * 1024
    total_bytes: int = 2048 * 1024 * 1024
    members: int = 100_000


def read_qdpx(stream: IO[bytes], annotator: str, now: str, limits: QdpxLimits = QdpxLimits()) -> QdpxProject:
    """The project in the `.qdpx` zip `stream` as a reader document: codes as tags, text sources
    as articles, selections as annotations. `annotator` and `now` stand in for the user and time
    of what the file names none for. Raises QdpxError on anything the file gets wrong."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise QdpxError("", "not a REFI-QDA project (.qdpx): not a zip archive") from None
    with archive:
        members = _members(archive, limits)
        project = members.get(PROJECT_FILE.lower())
        if project is None:
            raise QdpxError("", f"no {PROJECT_FILE} in it: not a REFI-QDA project (.qdpx)")
        root = _parse(_read_member(archive, project, limits), project.filename)
        return _Reader(archive, members, root, annotator, now, limits).read()


def _members(archive: zipfile.ZipFile, limits: QdpxLimits) -> dict[str, zipfile.ZipInfo]:
    """The archive's members by lower-cased name, once every name is checked to stay inside the
    archive and the sizes to stay within `limits`."""
    infos = archive.infolist()
    if len(infos) > limits.members:
        raise QdpxError("", f"holds {len(infos)} files, more than the {limits.members} a project may hold")
    total = 0
    found: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or "\\" in name or ".." in parts or re.match(r"[A-Za-z]:", name) or "\x00" in name:
            raise QdpxError(one_line(name), "a path outside the project's folder (refused)")
        if info.file_size > limits.member_bytes:
            raise QdpxError(one_line(name), f"unpacks to {info.file_size} bytes, more than the {limits.member_bytes} "
                                            "a file of a project may hold")
        total += info.file_size
        if total > limits.total_bytes:
            raise QdpxError("", f"unpacks to more than {limits.total_bytes} bytes (a zip bomb?)")
        found[name.lower()] = info
    return found


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: QdpxLimits) -> bytes:
    try:
        with archive.open(info) as member:
            data = member.read(limits.member_bytes + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as error:
        raise QdpxError(one_line(info.filename), f"cannot be unpacked ({error})") from None
    if len(data) > limits.member_bytes:
        raise QdpxError(one_line(info.filename), "larger than it says (refused)")
    return data


def _parse(data: bytes, name: str) -> etree._Element:
    """project.qde parsed without entities, DTDs or network (a DOCTYPE is refused)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        tree = etree.parse(io.BytesIO(data), parser)
    except etree.XMLSyntaxError as error:
        line = error.lineno if error.lineno else None
        raise QdpxError(f"{name}" + (f" line {line}" if line else ""), f"not well-formed XML ({one_line(error.msg)})") from None
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise QdpxError(name, "has a DOCTYPE (refused: a project file declares no entities)")
    root = tree.getroot()
    if etree.QName(root).localname != "Project" or etree.QName(root).namespace not in (NAMESPACE, None):
        raise QdpxError(name, f"the root element is {one_line(root.tag)}, not a REFI-QDA Project ({NAMESPACE})")
    return root


def _merge_into(article: dict[str, Any], other: dict[str, Any]) -> None:
    """`other`'s annotations, tags and notes added to `article` (the same text)."""
    article["annotations"].extend(other["annotations"])
    names = {tag["name"] for tag in article["tags"]}
    article["tags"].extend(tag for tag in other["tags"] if tag["name"] not in names)
    notes = {note["annotator"]: note for note in article.get("notes", [])}
    for note in other.get("notes", []):
        if note["annotator"] in notes:
            notes[note["annotator"]]["note"] += "\n\n" + note["note"]
        else:
            notes[note["annotator"]] = note
    if notes:
        article["notes"] = list(notes.values())


class _Reader:
    """One pass over a parsed project.qde (see `read_qdpx`)."""

    def __init__(self, archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], root: etree._Element,
                 annotator: str, now: str, limits: QdpxLimits) -> None:
        self.archive, self.members, self.root, self.limits = archive, members, root, limits
        self.namespace = etree.QName(root).namespace
        self.annotator, self.now = annotator, now
        self.users: dict[str, str] = {}
        self.codes: dict[str, str] = {}
        self.codebook: list[dict[str, Any]] = []
        self.variables: dict[str, str] = {}
        self.notes: dict[str, dict[str, Any]] = {}
        self.case_values: dict[str, list[tuple[str, str]]] = {}
        self.left_out: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.file = PROJECT_FILE

    def q(self, name: str) -> str:
        return _q(name, self.namespace)

    def fail(self, element: etree._Element, problem: str) -> QdpxError:
        name = element.get("name")
        what = etree.QName(element).localname + (f" “{_short(name, 40)}”" if name else "")
        return QdpxError(f"{self.file} line {element.sourceline}: {what}", problem)

    def guid_of(self, element: etree._Element, attribute: str = "guid", required: bool = True) -> str | None:
        value = element.get(attribute)
        if value is None:
            if required:
                raise self.fail(element, f"has no {attribute}")
            return None
        if not _GUID.fullmatch(value.strip()):
            raise self.fail(element, f"{attribute} {one_line(value)!r} is not a GUID")
        return str(uuid.UUID(value.strip()))

    def read(self) -> QdpxProject:
        root = self.root
        for user in root.iterfind(f"{self.q('Users')}/{self.q('User')}"):
            key = self.guid_of(user)
            name = one_line(user.get("name") or user.get("id") or "")
            self.users[key] = name if name.strip() else f"user {key[:8]}"
        codes = root.find(f"{self.q('CodeBook')}/{self.q('Codes')}")
        if codes is not None:
            self._codes(codes, "")
        for variable in root.iterfind(f"{self.q('Variables')}/{self.q('Variable')}"):
            self.variables[self.guid_of(variable)] = one_line(variable.get("name") or "").strip()
        for note in root.iterfind(f"{self.q('Notes')}/{self.q('Note')}"):
            self.notes[self.guid_of(note)] = self._note(note)
        for case in root.iterfind(f"{self.q('Cases')}/{self.q('Case')}"):
            values = self._values(case)
            for ref in case.iterfind(self.q("SourceRef")):
                self.case_values.setdefault(self.guid_of(ref, "targetGUID"), []).extend(values)
        articles: dict[str, dict[str, Any]] = {}  # by the text's sha256: one article per text
        seen: set[str] = set()
        sources = root.find(self.q("Sources"))
        for source in sources if sources is not None else []:
            if not isinstance(source.tag, str):
                continue
            kind = etree.QName(source).localname
            if kind != "TextSource":
                self.left_out.append((f"{kind} “{_short(source.get('name') or '', 40)}”",
                                      "not a plain-text source (reader reads text)"))
                continue
            key = self.guid_of(source)
            if key in seen:
                raise self.fail(source, f"its guid {key} is another source's too")
            seen.add(key)
            article = self._source(source)
            if article is None:
                continue
            same = articles.get(article["sha256"])
            if same is None:
                articles[article["sha256"]] = article
            else:  # the same text twice (two documents of one text): one article with both's coding
                _merge_into(same, article)
        document = {"format": "reader-annotations/3", "exported": self.now, "codebook": self.codebook,
                    "entities": [], "articles": list(articles.values()), "pending": []}
        return QdpxProject(document, self.left_out)

    def _codes(self, parent: etree._Element, prefix: str) -> None:
        for code in parent.iterfind(self.q("Code")):
            key = self.guid_of(code)
            part = one_line(code.get("name") or "").strip().replace("/", "∕")
            part = " ".join(part.split()) or f"code {key[:8]}"
            name = f"{prefix}{part}"
            self.codes[key] = name
            if code.get("isCodable", "true").strip().lower() in ("true", "1"):
                color = code.get("color")
                description = code.findtext(self.q("Description"))
                if name not in {entry["name"] for entry in self.codebook}:
                    self.codebook.append({
                        "name": name, "key": None,
                        "color": color.strip() if color and _HEX.fullmatch(color.strip()) else None,
                        "description": None if description is None else lines_kept(description),
                    })
            self._codes(code, f"{name}/")

    def _note(self, note: etree._Element) -> dict[str, Any]:
        text = note.findtext(self.q("PlainTextContent"))
        if text is None and note.get("plainTextPath"):
            text = self._internal_text(note, note.get("plainTextPath"))
        if not text or not text.strip():
            text = note.findtext(self.q("Description")) or ""
        text = lines_kept(text)
        return {"text": text if text.strip() else "", "user": self._user(note.get("creatingUser"), note),
                "created": self._stamp(note.get("creationDateTime")),
                "updated": self._stamp(note.get("modifiedDateTime"))}

    def _user(self, value: str | None, element: etree._Element) -> str:
        if not value:
            return self.annotator
        if not _GUID.fullmatch(value.strip()):
            raise self.fail(element, f"user {one_line(value)!r} is not a GUID")
        return self.users.get(str(uuid.UUID(value.strip())), self.annotator)

    def _stamp(self, value: str | None) -> str | None:
        if not value:
            return None
        value = one_line(value).strip()
        return value[:-1] + "+00:00" if value.endswith("Z") else value

    def _values(self, holder: etree._Element) -> list[tuple[str, str]]:
        values = []
        for value in holder.iterfind(self.q("VariableValue")):
            ref = value.find(self.q("VariableRef"))
            if ref is None:
                raise self.fail(value, "has no VariableRef")
            target = self.guid_of(ref, "targetGUID")
            if target not in self.variables:
                raise self.fail(value, "refers to a variable the project does not define")
            given = [child.text or "" for child in value if child is not ref and isinstance(child.tag, str)]
            if given and self.variables[target]:
                values.append((self.variables[target], lines_kept(given[0])))
        return values

    def _internal_text(self, element: etree._Element, path: str) -> str:
        """The UTF-8 text of an `internal://` file of the sources folder (BOM dropped)."""
        if not path.startswith("internal://"):
            raise self.fail(element, f"its text is outside the project ({one_line(path)}): not read")
        name = path[len("internal://"):]
        if not name or "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
            raise self.fail(element, f"{one_line(path)}: a path outside the project's sources folder (refused)")
        info = self.members.get(f"{SOURCES_FOLDER}/{name}".lower())
        if info is None:
            raise self.fail(element, f"its text {SOURCES_FOLDER}/{one_line(name)} is not in the archive")
        data = _read_member(self.archive, info, self.limits)
        try:
            return data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError as error:
            raise QdpxError(one_line(info.filename), f"not UTF-8 (byte {error.start})") from None

    def _source(self, source: etree._Element) -> dict[str, Any] | None:
        key = self.guid_of(source)
        content = source.find(self.q("PlainTextContent"))
        path = source.get("plainTextPath")
        if content is not None:
            text = content.text or ""
        elif path and path.startswith(("relative://", "absolute://")):
            self.left_out.append((f"TextSource “{_short(source.get('name') or '', 40)}”",
                                  "its text is an external file (only texts inside the .qdpx are read)"))
            return None
        elif path:
            text = self._internal_text(source, path)
        else:
            self.left_out.append((f"TextSource “{_short(source.get('name') or '', 40)}”",
                                  "no plain text (only a rich-text file, which reader does not read)"))
            return None
        title = one_line(source.get("name") or "")
        title = title if title.strip() else "(untitled source)"
        record: dict[str, Any] = {"id": None, "title": title, "source": None, "url": None, "published": None}
        fields = {variable: name for name, variable in FIELD_VARIABLES.items()}
        attributes: list[dict[str, str]] = []
        given = self._values(source) + [value for value in self.case_values.get(key, [])]
        for name, value in given:
            target = fields.get(name.lower())
            if target is not None:
                if record.get(target) is None and value.strip():
                    record[target] = one_line(value)
            else:
                name = name.removeprefix("attribute: ")
                if name not in {item["name"] for item in attributes}:
                    attributes.append({"name": name, "value": value})
        record["id"] = record["id"] or key  # reader's own id when the project came from reader
        if attributes:
            record["attributes"] = attributes
        record["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
        record["tags"] = self._source_tags(source)
        notes = self._source_notes(source)
        if notes:
            record["notes"] = notes
        record["text"] = text
        record["annotations"] = [annotation for selection in source.iterfind(self.q("PlainTextSelection"))
                                 if (annotation := self._selection(selection, text)) is not None]
        return record

    def _tags(self, holder: etree._Element) -> list[tuple[str, etree._Element]]:
        tags = []
        for coding in holder.iterfind(self.q("Coding")):
            ref = coding.find(self.q("CodeRef"))
            if ref is None:
                raise self.fail(coding, "has no CodeRef")
            target = self.guid_of(ref, "targetGUID")
            if target not in self.codes:
                raise self.fail(coding, f"refers to code {target}, which the codebook does not have")
            tags.append((self.codes[target], coding))
        return tags

    def _refs(self, holder: etree._Element) -> list[dict[str, Any]]:
        notes = []
        for ref in holder.iterfind(self.q("NoteRef")):
            target = self.guid_of(ref, "targetGUID")
            if target not in self.notes:
                raise self.fail(ref, f"refers to note {target}, which the project does not have")
            if self.notes[target]["text"]:
                notes.append(self.notes[target])
        return notes

    def _source_tags(self, source: etree._Element) -> list[dict[str, Any]]:
        tags: dict[str, dict[str, Any]] = {}
        for name, coding in self._tags(source):
            tags.setdefault(name, {"name": name, "annotator": self._user(coding.get("creatingUser"), coding),
                                   "created": self._stamp(coding.get("creationDateTime")) or self.now})
        return list(tags.values())

    def _source_notes(self, source: etree._Element) -> list[dict[str, Any]]:
        """Notes on the source, one per annotator (several of one annotator joined)."""
        by_user: dict[str, dict[str, Any]] = {}
        for note in self._refs(source):
            created = note["created"] or self.now
            mine = by_user.get(note["user"])
            if mine is None:
                by_user[note["user"]] = {"annotator": note["user"], "note": note["text"], "created": created,
                                         "updated": note["updated"] or created}
            else:
                mine["note"] += "\n\n" + note["text"]
        return list(by_user.values())

    def _selection(self, selection: etree._Element, text: str) -> dict[str, Any] | None:
        key = self.guid_of(selection)
        bounds = []
        for attribute in ("startPosition", "endPosition"):
            value = (selection.get(attribute) or "").strip()
            if not _INTEGER.fullmatch(value):
                raise self.fail(selection, f"{attribute} {one_line(value)!r} is not a whole number")
            bounds.append(int(value))
        start, end = bounds
        if not 0 <= start < end <= len(text):
            raise self.fail(selection, f"characters [{start}, {end}) are outside its source's text "
                                       f"({len(text)} characters) or empty")
        tags = sorted({name for name, _ in self._tags(selection)})
        parts = [note["text"] for note in self._refs(selection)]
        description = lines_kept(selection.findtext(self.q("Description")) or "")
        if description.strip():
            parts.insert(0, description)
        note = "\n\n".join(parts) or None
        if not tags and note is None:
            self.left_out.append((f"selection [{start}, {end}) “{_short(text[start:end], 40)}”",
                                  "neither a code nor a note (reader keeps passages with a tag or a note)"))
            return None
        if key in self.ids:  # (a GUID given twice: the second gets one of its own)
            key = guid("selection", f"{key}\n{start}\n{end}\n{len(self.ids)}")
        self.ids.add(key)
        quote, prefix, suffix = selector_for(text, start, end)
        created = self._stamp(selection.get("creationDateTime")) or self.now
        return {"id": key, "start": start, "end": end, "quote": quote, "prefix": prefix, "suffix": suffix,
                "tags": tags, "note": note,
                "annotator": self._user(selection.get("creatingUser") or selection.get("modifyingUser"), selection),
                "created": created, "updated": self._stamp(selection.get("modifiedDateTime")) or created}
