"""`reader import-annotations --format w3c|doccano|prodigy|brat`: round trips through each format,
article matching, placement in edited text, identity, kept-aside annotations, bad files refused."""

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.services.import_foreign import import_foreign
from reader.core.exchange.formats import EXPORTERS, FOLDER_FORMATS
from reader.services.export import export_items
from reader.core.ingest import Document
from reader.core.model import sha256_text
from reader.store import Store
from reader.core.yamlsafe import YamlError

FORMATS = ["w3c", "doccano", "prodigy", "brat"]
URL = "https://example.org/talks"
TEXT = (
    "Talks resume in Geneva\n\n"
    "Foreign Minister Ana Lima met officials from the United Nations on Tuesday. "
    "She said the draft was “close to done”. Critics disagreed with her, loudly.\n\n"
    "The next round opens on December 1."
)
ADDED = "A sentence was added before everything else, much later. "
EDITED = TEXT.replace("\n\nForeign", "\n\n" + ADDED + "Foreign", 1)
FIRST = "Ana Lima met officials from the United Nations"
SECOND = "Critics disagreed with her"
DOC = Document(text=TEXT, title="Talks resume in Geneva", source="Wirefeed", url=URL, path="talks.txt",
               published="2025-03-03", locator="")
OTHER = Document(text="Port strike spreads\n\nDockers walked out.", title="Port strike", source="Wirefeed", url=None,
                 path="port.txt", published=None, locator="")


def seeded(tmp_path, name="a.db") -> Store:
    """A store with the article and two annotations by two annotators, one with a note."""
    store = Store.open(tmp_path / name)
    article_id = store.articles.add(DOC).article_id
    start = TEXT.index(FIRST)
    store.annotations.add(article_id, start, start + len(FIRST), ["conflict", "quote"], "alice", note="check\nthis")
    start = TEXT.index(SECOND)
    store.annotations.add(article_id, start, start + len(SECOND), ["cooperation"], "bob")
    return store


def with_article(tmp_path, name, *docs) -> Store:
    store = Store.open(tmp_path / name)
    for doc in docs:
        store.articles.add(doc)
    return store


def export(store, fmt, tmp_path, name="out"):
    target = tmp_path / f"{name}.{fmt}"
    if fmt in FOLDER_FORMATS:
        EXPORTERS[fmt](export_items(store), target)
    else:
        with target.open("w", encoding="utf-8", newline="\n") as stream:
            EXPORTERS[fmt](export_items(store), stream)
    return target


def spans(store, article_id=1):
    return sorted((a.start, a.end, a.quote, a.tags) for a in store.annotations.of_article(article_id))


def pending(store):
    return store.db.execute("SELECT count(*) FROM pending_annotations").fetchone()[0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_importing_an_export_into_its_own_store_changes_nothing(tmp_path, fmt):
    store = seeded(tmp_path)
    before = store.annotations.of_article(1)
    summary = import_foreign(store, export(store, fmt, tmp_path), fmt, "carol")
    assert (summary.annotations_added, summary.unchanged, summary.conflicts, summary.kept_aside) == (0, 2, [], [])
    assert store.annotations.of_article(1) == before
    assert summary.lines()[0] == "0 annotations added, 2 unchanged, 0 conflicts, 0 articles added"


@pytest.mark.parametrize("fmt", FORMATS)
def test_importing_into_a_store_holding_the_article_adds_every_annotation(tmp_path, fmt):
    source = seeded(tmp_path)
    path = export(source, fmt, tmp_path)
    target = with_article(tmp_path, "b.db", DOC)
    summary = import_foreign(target, path, fmt, "carol")
    assert (summary.annotations_added, summary.unchanged, summary.moved, summary.fuzzy) == (2, 0, 0, 0)
    assert spans(target) == spans(source)
    mine, theirs = target.annotations.of_article(1), source.annotations.of_article(1)
    if fmt == "w3c":  # everything kept: ids, notes, annotators, times
        assert mine == theirs
    else:  # no ids, annotators or times in these formats: new ids, the given annotator, now
        assert {a.id for a in mine}.isdisjoint(a.id for a in theirs)
        assert {a.annotator for a in mine} == {"carol"}
        assert all(a.created == a.updated and a.created for a in mine)
        assert [a.note for a in mine] == (["check\nthis", None] if fmt == "brat" else [None, None])
    again = import_foreign(target, path, fmt, "carol")
    assert (again.annotations_added, again.unchanged) == (0, 2)
    assert target.annotations.count() == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_importing_into_an_edited_article_moves_the_annotations(tmp_path, fmt):
    path = export(seeded(tmp_path), fmt, tmp_path)
    target = with_article(tmp_path, "b.db", DOC)
    assert target.articles.add(replace(DOC, text=EDITED)).outcome == "updated"  # same uid, new text
    summary = import_foreign(target, path, fmt, "carol")
    assert (summary.annotations_added, summary.moved, summary.fuzzy, summary.orphaned) == (2, 2, 0, [])
    assert spans(target) == [
        (EDITED.index(FIRST), EDITED.index(FIRST) + len(FIRST), FIRST, ("conflict", "quote")),
        (EDITED.index(SECOND), EDITED.index(SECOND) + len(SECOND), SECOND, ("cooperation",)),
    ]
    assert any("2 annotations placed by their quote" in line for line in summary.lines())
    again = import_foreign(target, path, fmt, "carol")
    assert (again.annotations_added, again.unchanged) == (0, 2)


@pytest.mark.parametrize("fmt", FORMATS)
def test_annotations_of_an_article_the_store_lacks_are_kept_aside(tmp_path, fmt):
    path = export(seeded(tmp_path), fmt, tmp_path)
    target = with_article(tmp_path, "b.db", OTHER)
    summary = import_foreign(target, path, fmt, "carol")
    assert summary.annotations_added == 0 and target.annotations.count() == 0
    [(label, count)] = summary.kept_aside
    assert count == 2 and label == {"w3c": URL, "brat": sha256_text(TEXT)}.get(fmt, DOC.title)
    assert pending(target) == 2
    assert any(line.startswith("kept aside: 2 annotations of") for line in summary.lines())
    record = json.loads(target.db.execute("SELECT record FROM pending_annotations ORDER BY id").fetchone()[0])
    assert record["quote"] == FIRST and record["tags"] == ["conflict", "quote"] and record["format"] == fmt
    import_foreign(target, path, fmt, "carol")
    assert pending(target) == 2  # the same file again keeps nothing twice


def test_a_passage_not_found_in_the_stored_text_is_kept_aside_and_reported(tmp_path):
    path = export(seeded(tmp_path), "doccano", tmp_path)
    target = with_article(tmp_path, "b.db", DOC)
    target.articles.add(replace(DOC, text="Talks resume in Geneva\n\nEverything was rewritten. Nothing is left."))
    summary = import_foreign(target, path, "doccano", "carol")
    assert summary.annotations_added == 0 and summary.orphaned == [(DOC.title, 2)]
    assert pending(target) == 2 and target.annotations.count() == 0
    assert any("whose passage was not found" in line for line in summary.lines())


def test_a_w3c_annotation_changed_elsewhere_is_kept_twice_as_a_conflict(tmp_path):
    store = seeded(tmp_path)
    path = export(store, "w3c", tmp_path)
    document = json.loads(path.read_text(encoding="utf-8"))
    changed = document["first"]["items"][0]
    changed["body"].append({"type": "TextualBody", "purpose": "tagging", "value": "reviewed"})
    path.write_text(json.dumps(document), encoding="utf-8")
    before = {a.id: a for a in store.annotations.of_article(1)}
    summary = import_foreign(store, path, "w3c", "carol")
    [conflict] = summary.conflicts
    assert (summary.annotations_added, summary.unchanged) == (1, 1)
    after = {a.id: a for a in store.annotations.of_article(1)}
    assert after[conflict.annotation_id] == before[conflict.annotation_id]  # never overwritten
    assert "reviewed" in after[conflict.kept_as].tags
    assert any(line.startswith("conflict: annotation") for line in summary.lines())


def test_w3c_matches_an_article_by_url_and_fills_in_what_it_lacks(tmp_path):
    # another path and an edited text: another uid, the same URL
    target = with_article(tmp_path, "b.db", replace(DOC, text=EDITED, path="elsewhere.txt"))
    start = TEXT.index(FIRST)
    record = {
        "type": "Annotation",
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": "conflict"}],
        "target": {"source": URL, "selector": [
            {"type": "TextPositionSelector", "start": start, "end": start + len(FIRST)},
            {"type": "TextQuoteSelector", "exact": FIRST, "prefix": TEXT[start - 17 : start]},
        ]},
    }
    path = tmp_path / "one.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    summary = import_foreign(target, path, "w3c", "carol")
    assert (summary.annotations_added, summary.moved) == (1, 1)
    [annotation] = target.annotations.of_article(1)
    assert (annotation.start, annotation.quote, annotation.annotator) == (EDITED.index(FIRST), FIRST, "carol")
    assert annotation.created and annotation.created == annotation.updated


def test_w3c_matches_an_article_whose_url_it_wrote_percent_encoded(tmp_path):
    # the export writes `?x=ä` as `?x=%C3%A4` (a valid URI); the article elsewhere has another
    # text (another uid), so only the URL as stored can match it
    url = "https://example.org/nachrichten?x=ä&q=a b"
    source = with_article(tmp_path, "a.db", replace(DOC, url=url))
    start = TEXT.index(FIRST)
    source.annotations.add(1, start, start + len(FIRST), ["conflict"], "alice")
    path = export(source, "w3c", tmp_path)
    assert "?x=%C3%A4&q=a%20b" in path.read_text(encoding="utf-8")
    target = with_article(tmp_path, "b.db", replace(DOC, url=url, text=EDITED, path="elsewhere.txt"))
    summary = import_foreign(target, path, "w3c", "carol")
    assert (summary.annotations_added, summary.moved, summary.kept_aside) == (1, 1, [])
    [annotation] = target.annotations.of_article(1)
    assert (annotation.quote, annotation.tags, annotation.annotator) == (FIRST, ("conflict",), "alice")


@pytest.mark.parametrize("fmt", FORMATS)
def test_tags_brat_cannot_name_come_back_from_every_format(tmp_path, fmt):
    source = with_article(tmp_path, "a.db", DOC)
    start = TEXT.index(FIRST)
    source.annotations.add(1, start, start + len(FIRST), ["framing/économie", "human rights", "source_type"], "alice")
    source.annotations.add(1, start, start + len(FIRST), ["--"], "bob")  # the same span again
    target = with_article(tmp_path, "b.db", DOC)
    summary = import_foreign(target, export(source, fmt, tmp_path), fmt, "carol")
    assert summary.annotations_added == (2 if fmt == "w3c" else 1)  # others merge one span's tags
    assert {tag for a in target.annotations.of_article(1) for tag in a.tags} == {
        "framing/économie", "human rights", "source_type", "--"}


def test_doccano_lines_without_article_ids_match_by_text(tmp_path):
    path = export(seeded(tmp_path), "doccano", tmp_path)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        del line["article_id"], line["url"]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    target = with_article(tmp_path, "b.db", OTHER, replace(DOC, path="copy.txt"))
    summary = import_foreign(target, path, "doccano", "carol")
    assert summary.annotations_added == 2 and len(target.annotations.of_article(2)) == 2


def test_a_file_of_the_other_jsonl_format_is_refused(tmp_path):
    path = export(seeded(tmp_path), "doccano", tmp_path)
    store = with_article(tmp_path, "b.db", DOC)
    with pytest.raises(YamlError, match="no Prodigy records in it"):
        import_foreign(store, path, "prodigy", "carol")


def _doccano(tmp_path, *lines):
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


GOOD_DOCCANO = json.dumps({"text": TEXT, "entities": [{"start_offset": 0, "end_offset": 5, "label": "conflict"}]})


def _bad_w3c_tags(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"type": "Annotation", "id": "x1", "body": [], "target": {
        "source": URL, "selector": {"type": "TextQuoteSelector", "exact": FIRST}}}), encoding="utf-8")
    return path


def _bad_brat(tmp_path, ann: bytes):
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "talks.txt").write_text(TEXT, encoding="utf-8")
    (folder / "talks.ann").write_bytes(ann)
    return folder


@pytest.mark.parametrize(
    "fmt, make, expected",
    [
        ("doccano", lambda tmp: _doccano(tmp, GOOD_DOCCANO, '{"text": "x", "entities": [}'), "bad.jsonl:2: not valid JSON"),
        ("doccano", lambda tmp: _doccano(tmp, GOOD_DOCCANO, json.dumps(
            {"text": TEXT, "entities": [{"start_offset": 0, "end_offset": 5, "label": "two\nlines"}]})),
         "bad.jsonl:2: tags: tag name 'two\\nlines' refused"),
        ("doccano", lambda tmp: _doccano(tmp, json.dumps({"text": TEXT, "entities": [{"start_offset": 0, "label": "a"}]})),
         "bad.jsonl:1: cannot read it as doccano (a field is missing ('end_offset'))"),
        ("doccano", lambda tmp: _doccano(tmp, json.dumps(
            {"text": TEXT, "entities": [{"start_offset": 9, "end_offset": 5, "label": "a"}]})),
         "bad.jsonl:1: end: expected 0 <= start < end, got [9, 5)"),
        ("prodigy", lambda tmp: _doccano(tmp, json.dumps(
            {"text": TEXT, "spans": [{"start": "one", "end": 5, "label": "a"}]})),
         "bad.jsonl:1: cannot read it as Prodigy (invalid literal"),
        ("w3c", lambda tmp: _doccano(tmp, '{"type": "Annotation",', '  "body": ]}'), "bad.jsonl:2: not valid JSON"),
        ("w3c", _bad_w3c_tags, "bad.json: annotation 1 (x1).tags: an annotation needs at least one tag"),
        ("w3c", lambda tmp: _doccano(tmp, '{"hello": "world"}'), "no W3C annotations in it"),
        ("brat", lambda tmp: _bad_brat(tmp, b"T1\tconflict 0 5\tTalks\nT2\tbad%0Atag 7 13\tresume\n"),
         "talks.ann:2: [7, 13).tags: tag name "),
        ("brat", lambda tmp: _bad_brat(tmp, b"T1\tconflict 0 5\tTalks \xff\n"), "talks.ann: not UTF-8"),
    ],
)
def test_a_bad_file_is_one_line_naming_it_and_nothing_is_written(tmp_path, fmt, make, expected):
    store = seeded(tmp_path)
    before = (store.annotations.of_article(1), pending(store))
    with pytest.raises(YamlError) as error:
        import_foreign(store, make(tmp_path), fmt, "carol")
    message = str(error.value)
    assert expected in message and "\n" not in message
    assert (store.annotations.of_article(1), pending(store)) == before


def _config(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {tmp_path / 'b.db'}\nload_samples: false\nannotator: carol\n", encoding="utf-8")
    return config


def test_the_command_dry_run_reports_and_writes_nothing(tmp_path):
    path = export(seeded(tmp_path), "doccano", tmp_path)
    with_article(tmp_path, "b.db", DOC).close()
    config = _config(tmp_path)
    result = CliRunner().invoke(main, ["--config", str(config), "import-annotations", str(path), "--format", "doccano",
                                       "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Dry run: nothing written. These would be the changes: 2 annotations added")
    assert Store.open(tmp_path / "b.db").annotations.count() == 0
    result = CliRunner().invoke(main, ["--config", str(config), "import-annotations", str(path), "--format", "doccano"])
    assert result.exit_code == 0 and result.stdout.startswith("2 annotations added, 0 unchanged")
    store = Store.open(tmp_path / "b.db")
    assert {a.annotator for a in store.annotations.of_article(1)} == {"carol"}


def test_the_command_reads_a_brat_folder_and_only_a_folder(tmp_path):
    folder = export(seeded(tmp_path), "brat", tmp_path)
    with_article(tmp_path, "b.db", DOC).close()
    config = _config(tmp_path)
    run = lambda *args: CliRunner().invoke(main, ["--config", str(config), "import-annotations", *args])  # noqa: E731
    result = run(str(folder), "--format", "brat")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("2 annotations added")
    result = run(str(next(folder.glob("*.ann"))), "--format", "brat")
    assert result.exit_code == 2 and "is a file; --format brat reads a folder" in result.output
    result = run(str(folder))
    assert result.exit_code == 2 and "is a folder; --format yaml reads a file" in result.output
    result = run(str(folder), "--format", "w3c")
    assert result.exit_code == 2 and "is a folder" in result.output


def test_the_command_fails_with_one_line(tmp_path):
    with_article(tmp_path, "b.db", DOC).close()
    path = _doccano(tmp_path, GOOD_DOCCANO, "not json")
    result = CliRunner().invoke(main, ["--config", str(_config(tmp_path)), "import-annotations", str(path),
                                       "--format", "doccano"])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert f"{path}:2: not valid JSON" in result.output and "nothing was imported" in result.output
    assert Store.open(tmp_path / "b.db").annotations.count() == 0


def test_reimporting_an_export_of_two_annotators_on_one_passage_adds_nothing(tmp_path):
    import io

    from reader.core.exchange.formats import EXPORTERS
    from reader.services.import_foreign import import_foreign
    from reader.services.export import export_items
    from reader.core.ingest import Document
    from reader.store import Store

    store = Store.open(tmp_path / "a.db")
    text = "Ministry talks\n\nThe ministry said talks would resume."
    article_id = store.articles.add(
        Document(text=text, title="Ministry talks", source=None, url=None, path="m.txt", published=None, locator="")
    ).article_id
    start = text.index("The ministry")
    store.annotations.add(article_id, start, len(text), ["conflict"], "bob")
    store.annotations.add(article_id, start, len(text), ["cooperation"], "alice")
    for fmt in ("doccano", "prodigy"):
        stream = io.StringIO()
        EXPORTERS[fmt](export_items(store), stream)
        path = tmp_path / f"out.{fmt}.jsonl"
        path.write_text(stream.getvalue(), encoding="utf-8")
        summary = import_foreign(store, path, fmt, "alice")
        assert summary.annotations_added == 0, (fmt, summary.lines())
    assert store.annotations.count() == 2
