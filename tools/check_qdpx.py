"""Checks a REFI-QDA project (`.qdpx`) as the suites that import it would: `check_qdpx(path)`
lists every problem found ([] when none); `python tools/check_qdpx.py study.qdpx` prints them.

Two layers: a structural check that always runs (a zip holding project.qde and a flat Sources/
folder of UTF-8 .txt files, the Project root in the REFI-QDA namespace, GUIDs well-formed and
unique, every reference resolving, every text selection inside its source's text counted in
code points), and validation of project.qde against the standard's XSD with `xmlschema` when
the schema is at hand (`xsd=`, `$REFI_QDA_XSD`, or `../shared/standards/refi-qda/` beside the
repository). Reads only; never extracts anything.
"""

from __future__ import annotations

import os
import re
import sys
import zipfile
from pathlib import Path

NAMESPACE = "urn:QDA-XML:project:1.0"
_NS = f"{{{NAMESPACE}}}"
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
                   r"|\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}")
#: Where the schema is looked for when not given.
DEFAULT_XSD = Path(__file__).resolve().parent.parent.parent / "shared" / "standards" / "refi-qda" / "Project-mrt2019.xsd"
#: Which element kinds each reference attribute must point to.
_TARGETS = {"CodeRef": {"Code"}, "NoteRef": {"Note"}, "SourceRef": {"TextSource", "PDFSource", "PictureSource",
            "AudioSource", "VideoSource"}, "VariableRef": {"Variable"}, "SelectionRef": {"PlainTextSelection"}}


def schema_path(xsd: str | Path | None = None) -> Path | None:
    """The REFI-QDA project schema to validate against, if there is one."""
    for candidate in (xsd, os.environ.get("REFI_QDA_XSD"), DEFAULT_XSD):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def check_qdpx(path: str | Path, xsd: str | Path | None = None) -> list[str]:
    """Every problem of the `.qdpx` at `path`, one line each; [] when it is valid."""
    from lxml import etree

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        return [f"{path}: not a zip archive ({error})"]
    problems: list[str] = []
    with archive:
        names = archive.namelist()
        if "project.qde" not in names:
            return [f"{path}: no project.qde at the top of the archive"]
        for name in names:
            if name == "project.qde":
                continue
            folder, _, rest = name.partition("/")
            if folder.lower() != "sources" or not rest or "/" in rest:
                problems.append(f"{name}: not a file of the flat sources folder")
        data = archive.read("project.qde")
        try:
            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as error:
            return [*problems, f"project.qde: not well-formed XML ({error})"]
        if root.tag != f"{_NS}Project":
            problems.append(f"project.qde: the root is {root.tag}, not Project in {NAMESPACE}")
        kinds: dict[str, str] = {}
        for element in root.iter():
            guid = element.get("guid")
            if guid is None:
                continue
            if not _GUID.fullmatch(guid):
                problems.append(f"project.qde line {element.sourceline}: guid {guid!r} is not a GUID")
            key = guid.strip("{}").lower()
            if key in kinds and etree.QName(element).localname != "Representation":
                problems.append(f"project.qde line {element.sourceline}: guid {guid} is used twice")
            kinds[key] = etree.QName(element).localname
        for element in root.iter():
            kind = etree.QName(element).localname
            target = element.get("targetGUID")
            if kind in _TARGETS and (target is None or kinds.get(target.strip("{}").lower()) not in _TARGETS[kind]):
                problems.append(f"project.qde line {element.sourceline}: {kind} to {target}, which is no "
                                f"{' or '.join(sorted(_TARGETS[kind]))} of the project")
        for source in root.iter(f"{_NS}TextSource"):
            text = source.findtext(f"{_NS}PlainTextContent")
            plain = source.get("plainTextPath")
            if plain is not None:
                member = next((name for name in names if name.lower() == f"sources/{plain.removeprefix('internal://')}".lower()), None)
                if not plain.startswith("internal://") or member is None:
                    problems.append(f"project.qde line {source.sourceline}: plainTextPath {plain} is not in the archive")
                    continue
                try:
                    text = archive.read(member).decode("utf-8").removeprefix("\ufeff")
                except UnicodeDecodeError as error:
                    problems.append(f"{member}: not UTF-8 ({error})")
                    continue
            if text is None:
                continue
            for selection in source.iter(f"{_NS}PlainTextSelection"):
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                if not 0 <= start <= end <= len(text):
                    problems.append(f"project.qde line {selection.sourceline}: selection [{start}, {end}) outside "
                                    f"its text ({len(text)} code points)")
        schema = schema_path(xsd)
        if schema is not None:
            import xmlschema

            for error in xmlschema.XMLSchema(str(schema)).iter_errors(data):
                problems.append(f"project.qde: not valid against {schema.name}: {error.reason} (at {error.path})")
    return problems


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: check_qdpx.py FILE.qdpx...", file=sys.stderr)
        return 2
    failed = 0
    for name in argv:
        problems = check_qdpx(name)
        schema = schema_path()
        checked = f"XSD {schema.name} and structure" if schema else "structure only (no XSD found)"
        print(f"{name}: {'valid' if not problems else f'{len(problems)} problems'} ({checked})")
        for problem in problems:
            print(f"  {problem}")
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
