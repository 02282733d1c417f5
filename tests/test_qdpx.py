"""REFI-QDA (`.qdpx`): `reader export --format qdpx` and `reader import-annotations --format qdpx`.

The round trip reader -> qdpx -> empty reader keeps everything the standard has a place for;
offsets are code points of the source's .txt (emoji and combining marks included); the export is
valid against the standard's XSD (when the schema is at hand) and always against a structural
check; projects written by hand in the shapes other suites write import with codes as tags and
selections as annotations; bad projects are refused in one line, changing nothing.
"""

from __future__ import annotations

import importlib.util
import io
import uuid
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.core.exchange.formats.qdpx import guid, read_qdpx
from reader.core.ingest import Document, SizeLimit
from reader.core.yamlsafe import YamlError
from reader.services.export import export_document, write_export
from reader.services.import_qdpx import import_qdpx
from reader.store import Store

_SPEC = importlib.util.spec_from_file_location("check_qdpx", Path(__file__).parent.parent / "tools" / "check_qdpx.py")
check_tool = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(check_tool)

# Emoji outside the BMP (one code point, two UTF-16 units, four UTF-8 bytes), a skin-tone
# modifier, and a combining accent (e + U+0301: two code points, one character on screen).
TEXT = (
    "Harbour vote splits the council 🗳️\n\n"
    "Councillor Rene\u0301e Okafor 👩🏽‍⚖️ said the plan was “rushed”. "
    "The mayor replied that dockers had waited long enough. 🚢 Critics walked out.\n\n"
    "A second reading is set for June."
)
URL = "https://example.org/harbour-vote"
DOC = Document(text=TEXT, title="Harbour vote splits the council", source="Harbour Post", url=URL,
               path="harbour.txt", published="2025-05-02", locator="", attributes=(("section", "politics"),))
# what a terminal or an XML writer could take for something else: markup, entities, spaces at the
# ends and doubled; in notes and attributes also a tab, a line separator and line breaks
TITLE = "  [bold]Odd[/] <title> &amp;  \"quoted\" 'too'  "
HOSTILE = TITLE + "\u2028 tab\there\n\n  indented\n"
ODD = Document(text="Odd one\n\nA line with <tags> & [markup] in it.", title=TITLE, source="<Src & Co>", url=None,
               path="odd.txt", published=None, locator="", attributes=(("note", HOSTILE),))
OTHER = Document(text="Bakery strike ends\n\nBakers returned on Monday.", title="Bakery strike ends",
                 source="Town Crier", url=None, path="bakery.txt", published="2025-04", locator="")


def _span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def seeded(tmp_path: Path) -> Store:
    """Two articles with tagged passages, nested tags, a note, a memo, article tags and notes,
    by two annotators, and a codebook with colours (one a name) and descriptions."""
    store = Store.open(tmp_path / "seeded.db")
    store.tags.sync([])
    harbour = store.articles.add(DOC).article_id
    bakery = store.articles.add(OTHER).article_id
    store.annotations.add(harbour, *_span(TEXT, "Rene\u0301e Okafor 👩🏽‍⚖️ said"), ["actors/council"], "alice",
                          note="Quotes her 👍 at length\nsecond line")
    store.annotations.add(harbour, *_span(TEXT, "🚢 Critics walked out."), ["conflict", "framing/economy"], "bob")
    store.annotations.add(harbour, *_span(TEXT, "A second reading"), [], "alice", note="a memo: check the date")
    store.annotations.add(bakery, *_span(OTHER.text, "Bakers returned"), ["cooperation"], "bob")
    odd = store.articles.add(ODD).article_id
    store.annotations.add(odd, *_span(ODD.text, "<tags> & [markup]"), ["conflict"], "  sp ace ", note=HOSTILE)
    store.articles.tag(harbour, "framing/security", "alice")
    store.article_notes.set(harbour, "bob", "Whole-article note: compare with the May issue.", seen=None)
    store.tags.set_look("conflict", color="#e06c75", description="Disagreement between actors.")
    store.tags.set_look("cooperation", color="teal")
    return store


def _exported(store: Store, path: Path) -> Path:
    write_export(store, path, fmt="qdpx")
    return path


def _comparable(store: Store) -> dict:
    """Everything a store holds that an export carries, but the export time and tag keys."""
    document = export_document(store, exported="-")
    for entry in document["codebook"]:
        entry.pop("key")
    return document


# ---- export ------------------------------------------------------------------------------------


def test_round_trip_into_an_empty_database_keeps_everything(tmp_path):
    store = seeded(tmp_path)
    path = _exported(store, tmp_path / "study.qdpx")
    empty = Store.open(tmp_path / "empty.db")
    summary = import_qdpx(empty, path, "carol")
    assert summary.articles_added == 3 and summary.annotations_added == 5
    expected, got = _comparable(store), _comparable(empty)
    # a colour name travels as its hex value (REFI-QDA colours are #rrggbb)
    for entry in expected["codebook"]:
        if entry["color"] == "teal":
            entry["color"] = "#008080"
    assert got == expected
    assert summary.lines()[0].startswith("5 annotations added")
    # the same project again adds nothing
    again = import_qdpx(empty, path, "carol")
    assert again.annotations_added == 0 and again.articles_added == 0 and again.unchanged == 5
    store.close()
    empty.close()


def test_offsets_are_code_points_of_the_source_txt(tmp_path):
    store = seeded(tmp_path)
    path = _exported(store, tmp_path / "study.qdpx")
    from lxml import etree

    ns = {"q": "urn:QDA-XML:project:1.0"}
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        source = root.find(".//q:TextSource[@name='Harbour vote splits the council']", ns)
        member = "Sources/" + source.get("plainTextPath").removeprefix("internal://")
        raw = archive.read(member)
    text = raw.decode("utf-8")
    assert text == TEXT and not raw.startswith(b"\xef\xbb\xbf")
    quotes = {}
    for selection in source.findall("q:PlainTextSelection", ns):
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
        quotes[text[start:end]] = (start, end)
    assert "🚢 Critics walked out." in quotes and "Rene\u0301e Okafor 👩🏽‍⚖️ said" in quotes
    start, _ = quotes["🚢 Critics walked out."]
    # not UTF-16 units (each emoji counts twice there) nor bytes
    assert start == TEXT.index("🚢") != len(TEXT[: TEXT.index("🚢")].encode("utf-16-le")) // 2
    store.close()


def test_export_is_valid_against_the_schema_and_the_structural_check(tmp_path):
    store = seeded(tmp_path)
    path = _exported(store, tmp_path / "study.qdpx")
    schema = check_tool.schema_path()
    if schema is None:
        pytest.skip("the REFI-QDA schema (../shared/standards/refi-qda/Project-mrt2019.xsd) is not on this machine; "
                    "the structural check above ran")
    import xmlschema

    with zipfile.ZipFile(path) as archive:
        xmlschema.XMLSchema(str(schema)).validate(archive.read("project.qde"))
    assert check_tool.check_qdpx(path) == []
    store.close()


def test_structural_check_runs_without_the_schema(tmp_path, monkeypatch):
    store = seeded(tmp_path)
    path = _exported(store, tmp_path / "study.qdpx")
    monkeypatch.setattr(check_tool, "DEFAULT_XSD", tmp_path / "missing.xsd")
    monkeypatch.delenv("REFI_QDA_XSD", raising=False)
    assert check_tool.schema_path() is None
    assert check_tool.check_qdpx(path) == []
    broken = tmp_path / "broken.qdpx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "project.qde":
                data = data.replace(b'startPosition="', b'startPosition="9', 1)
            target.writestr(item, data)
    assert any("outside its text" in problem for problem in check_tool.check_qdpx(broken))
    store.close()


def test_users_codes_and_sources_have_stable_guids(tmp_path):
    store = seeded(tmp_path)
    first = _exported(store, tmp_path / "one.qdpx")
    second = _exported(store, tmp_path / "two.qdpx")

    with zipfile.ZipFile(first) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    assert f'guid="{guid("user", "alice")}" name="alice"' in qde
    assert 'name="framing" isCodable="false"' in qde and 'name="economy" isCodable="true"' in qde
    assert 'color="#008080"' in qde and "<Description>Disagreement between actors.</Description>" in qde
    with zipfile.ZipFile(first) as one, zipfile.ZipFile(second) as two:
        assert one.namelist() == two.namelist()
    store.close()


def test_cli_export_and_import(tmp_path):
    store = seeded(tmp_path)
    store.close()
    config = tmp_path / "config.yaml"
    config.write_text("annotator: alice\nload_samples: false\ndatabase: seeded.db\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "export", "--format", "qdpx"])
    assert result.exit_code != 0 and "--output FILE.qdpx" in result.output
    out = tmp_path / "study.qdpx"
    result = CliRunner().invoke(main, ["--config", str(config), "export", "--format", "qdpx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "note on whole articles not exported" not in result.output
    other = tmp_path / "other.yaml"
    other.write_text("annotator: dana\nload_samples: false\ndatabase: other.db\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(other), "import-annotations", str(out), "--format", "qdpx"])
    assert result.exit_code == 0, result.output
    assert "5 annotations added" in result.output and "3 articles added" in result.output


# ---- projects written by other suites ---------------------------------------------------------

STORED = "Ferry fares rise\n\nThe ferry company raised fares by a tenth. Commuters protested at the pier. 🚢"
# the same story as another suite keeps it: Windows line ends
SUITE_TEXT = STORED.replace("\n", "\r\n")
USER = "AD0C5E11-7B2A-4D3C-9E8F-0A1B2C3D4E5F"
CODE_PARENT, CODE_CHILD, CODE_OTHER = ("5E1C0A2B-1111-4A4A-8B8B-000000000001", "5E1C0A2B-1111-4A4A-8B8B-000000000002",
                                       "5E1C0A2B-1111-4A4A-8B8B-000000000003")
SOURCE, SOURCE_FILE = "9A8B7C6D-2222-4B4B-9C9C-000000000010", "0F0E0D0C-3333-4C4C-AD0D-000000000020"
NOTE = "1C2D3E4F-4444-4D4D-BE1E-000000000030"
VARIABLE = "2D3E4F5A-8888-4E6E-8F7F-000000000070"


def _positions(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def atlas_like(selection_text: str = SUITE_TEXT, quote: str = "Commuters protested", bounds=None,
               extra_sources: str = "", text_path: str | None = None, url: str | None = None) -> bytes:
    """A project in the shape ATLAS.ti and NVivo write: uppercase GUIDs, a code folder with nested
    codes, a plainTextPath source with a BOM, a selection named by its quote with a Description
    and a NoteRef, a coded source, a PDF source."""
    start, end = bounds or _positions(selection_text, quote)
    variables = value = ""
    if url is not None:
        variables = f"""<Variables><Variable guid="{VARIABLE}" name="URL" typeOfVariable="Text"/></Variables>"""
        value = f"""<VariableValue><VariableRef targetGUID="{VARIABLE}"/><TextValue>{url}</TextValue></VariableValue>"""
    qde = f"""<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Ferry study" origin="Hand-written test project">
 <Users><User guid="{USER}" name="Mira Tal"/></Users>
 <CodeBook><Codes>
  <Code guid="{CODE_PARENT}" name="Reactions" isCodable="false">
   <Code guid="{CODE_CHILD}" name="protest / anger" isCodable="true" color="#AA3300">
    <Description>People object in public.</Description>
   </Code>
  </Code>
  <Code guid="{CODE_OTHER}" name="Prices" isCodable="true" color="#3A3"/>
 </Codes></CodeBook>
 {variables}
 <Sources>
  <TextSource guid="{SOURCE}" name="Ferry fares rise.docx" plainTextPath="{text_path or f'internal://{SOURCE_FILE}.txt'}"
   richTextPath="internal://{SOURCE_FILE}.docx" creatingUser="{USER}" creationDateTime="2024-02-01T10:00:00Z">
   <PlainTextSelection guid="7D6C5B4A-5555-4E4E-8F2F-000000000040" name="{quote}" startPosition="{start}"
    endPosition="{end}" creatingUser="{USER}" creationDateTime="2024-02-01T10:05:00Z"
    modifiedDateTime="2024-02-02T09:00:00Z">
    <Description>Crowd size unclear.</Description>
    <Coding guid="6E5D4C3B-6666-4F4F-9A3A-000000000050" creatingUser="{USER}">
     <CodeRef targetGUID="{CODE_CHILD}"/>
    </Coding>
    <NoteRef targetGUID="{NOTE}"/>
   </PlainTextSelection>
   <Coding guid="6E5D4C3B-6666-4F4F-9A3A-000000000051" creatingUser="{USER}" creationDateTime="2024-02-01T11:00:00Z">
    <CodeRef targetGUID="{CODE_OTHER}"/>
   </Coding>
   {value}
  </TextSource>
  <PDFSource guid="8F7E6D5C-7777-4A5A-8B6B-000000000060" name="Timetable.pdf" path="internal://8F7E6D5C-7777-4A5A-8B6B-000000000060.pdf"/>
  {extra_sources}
 </Sources>
 <Notes>
  <Note guid="{NOTE}" name="Memo 1" creatingUser="{USER}"><PlainTextContent>Ask the union for numbers.</PlainTextContent></Note>
 </Notes>
</Project>
"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde.encode("utf-8"))
        archive.writestr(f"Sources/{SOURCE_FILE}.txt", "\ufeff".encode("utf-8") + SUITE_TEXT.encode("utf-8"))
        archive.writestr("Sources/8F7E6D5C-7777-4A5A-8B6B-000000000060.pdf", b"%PDF-1.4 not really")
    return buffer.getvalue()


def qualcoder_like() -> bytes:
    """The shape QualCoder writes: lower-case `sources/` folder, GUIDs in braces, the text inline
    (PlainTextContent), a variable on the source, a case with a variable, a memo as a Note."""
    text = "Library hours cut\n\nThe council cut library hours on Sundays. Readers signed a petition."
    start, end = _positions(text, "Readers signed a petition")
    qde = f"""<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="libraries" origin="Hand-written, QualCoder shape">
 <Users><User guid="{{11111111-2222-4333-8444-555555555555}}" name="jo"/></Users>
 <CodeBook><Codes>
  <Code guid="{{aaaaaaaa-0000-4000-8000-000000000001}}" name="civic action" isCodable="true" color="#00ff00"/>
 </Codes></CodeBook>
 <Variables>
  <Variable guid="{{bbbbbbbb-0000-4000-8000-000000000001}}" name="url" typeOfVariable="Text"/>
  <Variable guid="{{bbbbbbbb-0000-4000-8000-000000000002}}" name="region" typeOfVariable="Text"/>
 </Variables>
 <Cases>
  <Case guid="{{cccccccc-0000-4000-8000-000000000001}}" name="North">
   <VariableValue><VariableRef targetGUID="{{bbbbbbbb-0000-4000-8000-000000000002}}"/><TextValue>north</TextValue></VariableValue>
   <SourceRef targetGUID="{{dddddddd-0000-4000-8000-000000000001}}"/>
  </Case>
 </Cases>
 <Sources>
  <TextSource guid="{{dddddddd-0000-4000-8000-000000000001}}" name="Library hours cut">
   <PlainTextContent>{text}</PlainTextContent>
   <PlainTextSelection guid="{{eeeeeeee-0000-4000-8000-000000000001}}" startPosition="{start}" endPosition="{end}"
    creatingUser="{{11111111-2222-4333-8444-555555555555}}">
    <Coding guid="{{ffffffff-0000-4000-8000-000000000001}}"><CodeRef targetGUID="{{aaaaaaaa-0000-4000-8000-000000000001}}"/></Coding>
   </PlainTextSelection>
   <VariableValue><VariableRef targetGUID="{{bbbbbbbb-0000-4000-8000-000000000001}}"/><TextValue>https://example.org/library</TextValue></VariableValue>
  </TextSource>
 </Sources>
</Project>
"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", qde.encode("utf-8"))
        archive.writestr("sources/", b"")
    return buffer.getvalue()


def _write(tmp_path: Path, data: bytes, name: str = "suite.qdpx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_suite_project_becomes_articles_tags_and_annotations(tmp_path):
    store = Store.open(tmp_path / "empty.db")
    summary = import_qdpx(store, _write(tmp_path, atlas_like()), "carol")
    assert summary.articles_added == 1 and summary.annotations_added == 1 and summary.article_tags_added == 1
    assert any("PDFSource" in what and "not a plain-text source" in why for what, why in summary.skipped_files)
    document = export_document(store, exported="-")
    (article,) = document["articles"]
    assert article["title"] == "Ferry fares rise.docx"
    assert article["text"] == STORED  # CRLF and the BOM gone, as reader import stores texts
    (note,) = article["annotations"]
    assert note["quote"] == "Commuters protested" and STORED[note["start"]:note["end"]] == note["quote"]
    assert note["tags"] == ["Reactions/protest ∕ anger"]
    assert note["note"] == "Crowd size unclear.\n\nAsk the union for numbers."
    assert note["annotator"] == "Mira Tal" and note["created"] == "2024-02-01T10:05:00+00:00"
    assert note["id"] == "7d6c5b4a-5555-4e4e-8f2f-000000000040"
    assert [(tag["name"], tag["annotator"]) for tag in article["tags"]] == [("Prices", "Mira Tal")]
    codebook = {entry["name"]: entry for entry in document["codebook"]}
    assert codebook["Reactions/protest ∕ anger"]["color"] == "#AA3300"
    assert codebook["Reactions/protest ∕ anger"]["description"] == "People object in public."
    assert "Reactions" not in codebook  # a code folder (isCodable false) is no tag of its own
    store.close()


def test_qualcoder_shape_inline_text_variables_and_cases(tmp_path):
    store = Store.open(tmp_path / "empty.db")
    summary = import_qdpx(store, _write(tmp_path, qualcoder_like()), "carol")
    assert summary.articles_added == 1 and summary.annotations_added == 1
    (article,) = export_document(store, exported="-")["articles"]
    assert article["url"] == "https://example.org/library"
    assert article["attributes"] == [{"name": "region", "value": "north"}]
    assert article["annotations"][0]["quote"] == "Readers signed a petition"
    assert article["annotations"][0]["annotator"] == "jo"
    store.close()


def test_into_a_database_with_the_article_placed_by_offset(tmp_path):
    store = Store.open(tmp_path / "have.db")
    article_id = store.articles.add(Document(text=STORED, title="Ferry fares rise", source="Quay News", url=None,
                                             path="ferry.txt", published=None, locator="")).article_id
    summary = import_qdpx(store, _write(tmp_path, atlas_like()), "carol")
    assert summary.articles_added == 0 and summary.annotations_added == 1 and summary.placed_by_quote == 0
    (note,) = store.annotations.of_article(article_id)
    assert note.quote == "Commuters protested"
    store.close()


def test_into_a_database_whose_text_differs_selections_move_by_quote(tmp_path):
    """The stored article (found by its URL) has a sentence more before the passage: the offsets
    no longer point at the quote, so it is placed where the quote now is; a passage no longer in
    the text is kept as an orphan."""
    edited = STORED.replace("The ferry", "Late on Friday, after a long meeting, the board agreed. The ferry")
    store = Store.open(tmp_path / "have.db")
    article_id = store.articles.add(Document(text=edited, title="Ferry fares rise", source="Quay News", url=URL,
                                             path="ferry.txt", published=None, locator="")).article_id
    path = _write(tmp_path, atlas_like(url=URL))
    summary = import_qdpx(store, path, "carol")
    assert summary.articles_added == 0 and summary.placed_by_quote == 1 and summary.orphaned == 0
    (note,) = store.annotations.of_article(article_id)
    assert edited[note.start:note.end] == "Commuters protested"
    store.close()


def _rezip(tmp_path: Path, data: bytes, replace: dict[str, bytes], name: str = "changed.qdpx") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            target.writestr(item.filename, replace.get(item.filename, source.read(item)))
    return path


# ---- bad projects ----------------------------------------------------------------------------------


def _bad_projects(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    good = atlas_like()
    qde = zipfile.ZipFile(io.BytesIO(good)).read("project.qde")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        archive.writestr(f"Sources/{SOURCE_FILE}.txt", b"\0" * (3 * 1024 * 1024))
    traversal = io.BytesIO()
    with zipfile.ZipFile(traversal, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("Sources/../../outside.txt", b"escape")
    no_project = io.BytesIO()
    with zipfile.ZipFile(no_project, "w") as archive:
        archive.writestr("Sources/a.txt", b"text")
    entity = b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa">]><Project xmlns="urn:QDA-XML:project:1.0" name="x">&a;</Project>'
    start, end = _positions(SUITE_TEXT, "Commuters protested")
    return {
        "not a zip": (_write(tmp_path, b"just some text, not an archive", "a.qdpx"), "not a zip archive"),
        "no project.qde": (_write(tmp_path, no_project.getvalue(), "b.qdpx"), "no project.qde"),
        "broken XML": (_rezip(tmp_path, good, {"project.qde": qde[:-40]}, "c.qdpx"), "not well-formed XML"),
        "entities": (_rezip(tmp_path, good, {"project.qde": entity}, "d.qdpx"), "DOCTYPE"),
        "not a project": (_rezip(tmp_path, good, {"project.qde": b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'/>"},
                                 "e.qdpx"), "not a REFI-QDA Project"),
        "out of range": (_write(tmp_path, atlas_like(bounds=(start, len(SUITE_TEXT) + 5)), "f.qdpx"),
                         "outside its source's text"),
        "bad offset": (_write(tmp_path, atlas_like(bounds=(start, "12x")), "g.qdpx"), "is not a whole number"),
        "unknown code": (_rezip(tmp_path, good, {"project.qde": qde.replace(CODE_CHILD.encode() + b'"/>',
                                                                            b'00000000-0000-4000-8000-000000000000"/>')},
                                "h.qdpx"), "which the codebook does not have"),
        "zip bomb": (_write(tmp_path, bomb.getvalue(), "i.qdpx"), "more than"),
        "traversal member": (_write(tmp_path, traversal.getvalue(), "j.qdpx"), "outside the project"),
        "traversal path": (_write(tmp_path, atlas_like(text_path="internal://../../etc/passwd"), "k.qdpx"),
                           "outside the project"),
        "missing text": (_write(tmp_path, atlas_like(text_path="internal://nowhere.txt"), "l.qdpx"),
                         "is not in the archive"),
        "bad guid": (_rezip(tmp_path, good, {"project.qde": qde.replace(USER.encode() + b'" name', b'not-a-guid" name')},
                            "m.qdpx"), "is not a GUID"),
    }


@pytest.mark.parametrize("case", ["not a zip", "no project.qde", "broken XML", "entities", "not a project",
                                  "out of range", "bad offset", "unknown code", "zip bomb", "traversal member",
                                  "traversal path", "missing text", "bad guid"])
def test_bad_projects_are_refused_in_one_line_and_change_nothing(tmp_path, case):
    store = seeded(tmp_path)
    before = _comparable(store)
    path, says = _bad_projects(tmp_path)[case]
    with pytest.raises(YamlError) as caught:
        import_qdpx(store, path, "carol", article_limit=SizeLimit(1))
    message = str(caught.value)
    assert message.startswith(str(path)) and "\n" not in message and says in message, message
    assert _comparable(store) == before
    store.close()


def test_cli_bad_project_is_one_error_line(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("annotator: alice\nload_samples: false\n", encoding="utf-8")
    bad = _write(tmp_path, b"PK\x03\x04 truncated", "bad.qdpx")
    result = CliRunner().invoke(main, ["--config", str(config), "import-annotations", str(bad), "--format", "qdpx"])
    assert result.exit_code != 0
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and "bad.qdpx" in errors[0] and "not a zip archive" in errors[0]


def test_reader_reads_its_own_guids_back():
    data = io.BytesIO()
    from reader.core.exchange.formats.qdpx import export_qdpx

    record = {"id": "u1", "title": "T", "source": None, "url": None, "published": None, "sha256": "-",
              "tags": [], "text": "Alpha beta gamma.", "attributes": [{"name": "source", "value": "clash"}],
              "annotations": [{"id": "not-a-uuid", "start": 0, "end": 5, "quote": "Alpha", "prefix": "",
                               "suffix": " beta", "tags": ["x"], "note": None, "annotator": "a",
                               "created": "2025-01-01T00:00:00+00:00", "updated": "2025-01-01T00:00:00+00:00"}]}
    export_qdpx([record], [], data, now="2025-01-01T00:00:00+00:00")
    project = read_qdpx(io.BytesIO(data.getvalue()), "z", "2025-01-02T00:00:00+00:00")
    (article,) = project.document["articles"]
    assert article["id"] == "u1"
    # an attribute named as one of reader's own fields travels apart from it and comes back
    assert article["attributes"] == [{"name": "source", "value": "clash"}] and article["source"] is None
    (note,) = article["annotations"]
    assert uuid.UUID(note["id"]) and note["quote"] == "Alpha" and note["tags"] == ["x"]


def minimal(sources: str, members: dict[str, bytes] | None = None) -> bytes:
    """A project of one codable code (`C`) and the given TextSource elements."""
    qde = f"""<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="small">
 <CodeBook><Codes><Code guid="{CODE_OTHER}" name="Prices" isCodable="true"/></Codes></CodeBook>
 <Sources>{sources}</Sources>
</Project>"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", qde.encode("utf-8"))
        for name, data in (members or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _coded(guid_: str, text: str, quote: str, selection: str) -> str:
    start, end = _positions(text, quote)
    return (f'<TextSource guid="{guid_}" name="copy"><PlainTextContent>{text}</PlainTextContent>'
            f'<PlainTextSelection guid="{selection}" startPosition="{start}" endPosition="{end}">'
            f'<Coding guid="{uuid.uuid4()}"><CodeRef targetGUID="{CODE_OTHER}"/></Coding></PlainTextSelection>'
            f'</TextSource>')


def test_two_sources_of_one_text_become_one_article(tmp_path):
    text = "Fares rise\n\nThe ferry raised fares. Riders protested."
    sources = (_coded(str(uuid.uuid4()), text, "raised fares", str(uuid.uuid4()))
               + _coded(str(uuid.uuid4()), text, "Riders protested", str(uuid.uuid4())))
    store = Store.open(tmp_path / "empty.db")
    summary = import_qdpx(store, _write(tmp_path, minimal(sources)), "carol")
    assert summary.articles_added == 1 and summary.annotations_added == 2
    store.close()


def test_external_sources_are_listed_never_read(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("not to be read", encoding="utf-8")
    sources = (f'<TextSource guid="{uuid.uuid4()}" name="Outside" plainTextPath="absolute://{outside}"/>'
               f'<TextSource guid="{uuid.uuid4()}" name="Relative" plainTextPath="relative:///secret.txt"/>')
    store = Store.open(tmp_path / "empty.db")
    summary = import_qdpx(store, _write(tmp_path, minimal(sources)), "carol")
    assert summary.articles_added == 0
    assert [what for what, why in summary.skipped_files if "only texts inside the .qdpx are read" in why] == [
        "TextSource “Outside”", "TextSource “Relative”"]
    store.close()


def test_a_source_text_not_in_utf8_is_refused(tmp_path):
    key = str(uuid.uuid4())
    data = minimal(f'<TextSource guid="{key}" name="Latin" plainTextPath="internal://{key}.txt"/>',
                   {f"Sources/{key}.txt": "Caf\u00e9 society".encode("latin-1")})
    store = Store.open(tmp_path / "empty.db")
    with pytest.raises(YamlError, match=r"Sources/.*\.txt: not UTF-8 \(byte 3\)"):
        import_qdpx(store, _write(tmp_path, data), "carol")
    assert store.db.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    store.close()


def test_into_a_database_whose_text_lost_the_passage_it_is_an_orphan(tmp_path):
    gone = STORED.replace("Commuters protested at the pier.", "Nobody said anything at all.")
    store = Store.open(tmp_path / "have.db")
    article_id = store.articles.add(Document(text=gone, title="Ferry fares rise", source="Quay News", url=URL,
                                             path="ferry.txt", published=None, locator="")).article_id
    summary = import_qdpx(store, _write(tmp_path, atlas_like(url=URL)), "carol")
    assert summary.articles_added == 0 and summary.annotations_added == 0 and summary.orphaned == 1
    assert store.annotations.of_article(article_id) == []
    (orphan,) = store.annotations.orphans(article_id)
    assert orphan.quote == "Commuters protested" and orphan.tags == ("Reactions/protest ∕ anger",)
    store.close()


def test_an_empty_database_exports_a_valid_empty_project(tmp_path):
    store = Store.open(tmp_path / "nothing.db")
    path = _exported(store, tmp_path / "empty.qdpx")
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["project.qde"]
    assert check_tool.check_qdpx(path) == []
    assert import_qdpx(Store.open(tmp_path / "other.db"), path, "carol").annotations_added == 0
    store.close()
