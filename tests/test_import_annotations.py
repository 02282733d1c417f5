"""Merging a YAML export into a database: added, unchanged, conflicts, kept aside, hostile files refused."""

import io
from dataclasses import replace

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.cli import main
from reader.core.config import TagSpec
from reader.core.exchange.incoming import lines_kept, one_line
from reader.services.export import write_yaml
from reader.services.import_yaml import import_annotations, version_key
from reader.core.ingest import Document, normalise_text
from reader.core.model import tag_name_problem
from reader.store import Store
from reader.core.exchange.yaml_read import load_own
from reader.core.yamlsafe import YamlError, load_lined

STAMP = "2026-01-01T12:00:00+00:00"
TEXT = "Talks resume\n\nZoë said “no” 😀 to the plan.\u2028Second part.\n\nLast line."


def exported(store) -> str:
    stream = io.StringIO()
    write_yaml(store, stream, exported=STAMP)
    return stream.getvalue()


def seeded(tmp_path, name="a.db") -> Store:
    store = Store.open(tmp_path / name)
    store.tags.sync([TagSpec("conflict", "1", "red", "")])
    article_id = store.articles.add(
        Document(text=TEXT, title="Talks resume", source="Wirefeed", url=None, path="talks.txt", published="2025-09-14", locator="")
    ).article_id
    start = TEXT.index("Zoë")
    store.annotations.add(article_id, start, start + 10, ["conflict", "quote"], "alice", note="multi\nline")
    store.annotations.add(article_id, 0, 5, ["conflict"], "bob")
    store.articles.tag(article_id, "checked", "alice")
    return store


def write(tmp_path, text, name="in.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_export_import_into_an_empty_database_export_is_byte_identical(tmp_path):
    first = exported(seeded(tmp_path))
    empty = Store.open(tmp_path / "empty.db")
    summary = import_annotations(empty, write(tmp_path, first))
    assert (summary.articles_added, summary.annotations_added, summary.conflicts) == (1, 2, [])
    assert exported(empty) == first


def test_importing_the_same_file_again_changes_nothing(tmp_path):
    store = seeded(tmp_path)
    path = write(tmp_path, exported(store))
    summary = import_annotations(store, path)
    assert (summary.annotations_added, summary.unchanged, summary.articles_added) == (0, 2, 0)
    assert store.annotations.count() == 2


def test_an_annotation_changed_on_both_sides_in_the_same_second_converges(tmp_path):
    """Same owner, same `updated`, different content: not kept twice (issue 17) but decided by a
    content hash, so that every database keeps the same version."""
    store = seeded(tmp_path)
    theirs = yaml.safe_load(exported(store))
    theirs["articles"][0]["annotations"][0]["note"] = "their note"
    before = {a.id: a for a in store.annotations.of_article(1)}
    summary = import_annotations(store, write(tmp_path, yaml.safe_dump(theirs, allow_unicode=True)))
    assert not summary.conflicts
    after = {a.id: a for a in store.annotations.of_article(1)}
    assert set(after) == set(before)
    changed = theirs["articles"][0]["annotations"][0]["id"]
    incoming = replace(before[changed], note="their note")
    assert after[changed].note == max((before[changed], incoming), key=version_key).note


def test_two_owners_with_one_id_are_kept_twice_and_reported(tmp_path):
    store = seeded(tmp_path)
    theirs = yaml.safe_load(exported(store))
    theirs["articles"][0]["annotations"][0]["note"] = "their note"
    theirs["articles"][0]["annotations"][0]["annotator"] = "someone-else"
    before = {a.id: a for a in store.annotations.of_article(1)}
    summary = import_annotations(store, write(tmp_path, yaml.safe_dump(theirs, allow_unicode=True)))
    [conflict] = summary.conflicts
    assert conflict.annotation_id in before and conflict.kept_as not in before
    after = {a.id: a for a in store.annotations.of_article(1)}
    assert after[conflict.annotation_id] == before[conflict.annotation_id]  # never overwritten
    assert after[conflict.kept_as].note == "their note"
    assert any("conflict" in line for line in summary.lines())


def test_a_dry_run_reports_and_writes_nothing(tmp_path):
    first = exported(seeded(tmp_path))
    empty = Store.open(tmp_path / "empty.db")
    summary = import_annotations(empty, write(tmp_path, first), dry_run=True)
    assert summary.annotations_added == 2 and summary.lines()[0].startswith("Dry run")
    assert empty.annotations.count() == 0 and empty.listing.count() == 0


def test_annotations_of_missing_articles_without_text_are_kept_aside(tmp_path):
    document = yaml.safe_load(exported(seeded(tmp_path)))
    document["format"] = "reader-annotations/1"
    del document["articles"][0]["text"]
    document["articles"][0]["tags"] = [tag["name"] for tag in document["articles"][0]["tags"]]  # as version 1 wrote them
    empty = Store.open(tmp_path / "empty.db")
    summary = import_annotations(empty, write(tmp_path, yaml.safe_dump(document, allow_unicode=True)))
    assert summary.kept_aside == [("Talks resume", 2)]
    rows = list(empty.db["pending_annotations"].rows)
    assert len(rows) == 2 and {row["article_title"] for row in rows} == {"Talks resume"}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["articles"][0]["annotations"][0].update(quote="something else"), "quote: does not match"),
        (lambda d: d["articles"][0]["annotations"][0].update(end=10_000), "end: is outside the article's text"),
        (lambda d: d["articles"][0]["annotations"][0].update(start="3"), "start: expected a whole number"),
        (lambda d: d["articles"][0]["annotations"][0].pop("annotator"), "annotator: expected a non-empty string, got nothing"),
        (lambda d: d["articles"][0]["annotations"][0].update(tags=[]), "an annotation needs at least one tag"),
        (lambda d: d["articles"][0].update(text="edited text"), "text: does not match the article's sha256"),
        (lambda d: d["articles"][0]["annotations"][1].update(colour="red"), "colour: unknown field"),
        (lambda d: d.update(format="someone-else/9"), "format: expected one of"),
        (lambda d: d["articles"][0]["annotations"][0].update(tags=["a\x1fb"]), "tag name 'a\\x1fb' refused"),
    ],
)
def test_bad_files_are_refused_whole_with_file_line_and_field(tmp_path, edit, message):
    store = seeded(tmp_path)
    document = yaml.safe_load(exported(store))
    document["articles"][0]["annotations"][0]["id"] = "brand-new-id"  # would be added if accepted
    edit(document)
    path = write(tmp_path, yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
    before = exported(store)
    with pytest.raises(YamlError) as error:
        import_annotations(store, path)
    assert message in str(error.value) and str(error.value).startswith(f"{path}:")
    assert exported(store) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("format: reader-annotations/2\narticles: &a []\nagain: *a\n", "anchors and aliases are not allowed"),
        ("format: !!python/object/apply:os.system [echo]\narticles: []\n", "is not allowed"),
        ("format: reader-annotations/2\nformat: reader-annotations/2\narticles: []\n", "given twice"),
        ("- just\n- a list\n", "not a reader annotations file"),
        ("format: [unclosed\n", "not valid YAML"),
        ("a: &x [1]\nb: [*x, *x, *x, *x]\n", "anchors and aliases"),
    ],
)
def test_hostile_yaml_is_refused_with_its_line(tmp_path, text, message):
    store = Store.open(tmp_path / "a.db")
    with pytest.raises(YamlError) as error:
        import_annotations(store, write(tmp_path, text))
    assert message in str(error.value)
    assert store.annotations.count() == 0 and store.listing.count() == 0


def test_the_command_reports_and_fails_with_one_line(tmp_path):
    first = exported(seeded(tmp_path))
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {tmp_path / 'other.db'}\nload_samples: false\n")
    result = CliRunner().invoke(main, ["--config", str(config), "import-annotations", str(write(tmp_path, first))])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("2 annotations added, 0 unchanged, 0 conflicts, 1 article added")
    bad = write(tmp_path, "format: x\narticles: []\n", "bad.yaml")
    result = CliRunner().invoke(main, ["--config", str(config), "import-annotations", str(bad)])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert f"{bad}:1: format:" in result.output and "nothing was imported" in result.output


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=120)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    articles=st.lists(
        st.tuples(texts, texts, st.lists(st.tuples(st.integers(0, 200), st.integers(1, 40), texts.filter(str.strip)), max_size=4)),
        min_size=1,
        max_size=3,
    )
)
def test_round_trip_is_lossless_for_any_text(tmp_path_factory, articles):
    tmp = tmp_path_factory.mktemp("rt")
    store = Store.open(tmp / "a.db")
    for index, (title, body, notes) in enumerate(articles):
        # stored as reader stores what it is given: the text normalised as by reader import,
        # the title on one line, notes without control characters
        text = normalise_text(f"{body}{index}") or str(index)
        added = store.articles.add(
            Document(text=text, title=one_line(title) or "untitled", source=None, url=None, path=f"{index}.txt",
                     published=None, locator="")
        )
        if added.outcome != "imported":
            continue
        for start, length, note in notes:
            start = start % len(text)
            end = min(len(text), start + length)
            if end > start:
                tag = "".join(c for c in note if c.isprintable()).strip()[:20]
                tag = tag if tag_name_problem(tag) is None else "t"  # a name the codebook accepts
                store.annotations.add(added.article_id, start, end, [tag], "alice", note=lines_kept(note))
    first = exported(store)
    assert load_own(first) == load_lined(first, "x") and load_own(first) is not None  # the quick reader agrees
    other = Store.open(tmp / "b.db")
    import_annotations(other, write(tmp, first))
    assert exported(other) == first
    assert yaml.safe_load(first) == yaml.load(first, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def test_export_filters_select_annotations_and_their_articles(tmp_path):
    store = seeded(tmp_path)
    other = store.articles.add(
        Document(text="Other story\n\nPort workers struck.", title="Other", source="Harbour Ledger", url=None,
                 path="o.txt", published=None, locator="")
    ).article_id
    store.annotations.add(other, 13, 25, ["strike"], "carol")

    def exported_with(**only):
        from reader.services.export import export_document
        from reader.core.model import ExportFilter

        document = export_document(store, STAMP, ExportFilter(**only))
        return {(a["title"], n["annotator"], tuple(n["tags"])) for a in document["articles"] for n in a["annotations"]}

    assert exported_with(annotator="carol") == {("Other", "carol", ("strike",))}
    assert exported_with(tag="quote") == {("Talks resume", "alice", ("conflict", "quote"))}
    assert exported_with(source="Wirefeed") == {("Talks resume", "alice", ("conflict", "quote")), ("Talks resume", "bob", ("conflict",))}
    assert exported_with(since="2999-01-01") == set()
    assert exported_with(article=str(other)) == {("Other", "carol", ("strike",))}
    from reader.core.model import ListQuery

    assert exported_with(listed=ListQuery(search="port")) == {("Other", "carol", ("strike",))}
    assert exported_with(listed=ListQuery(tag="strike")) == {("Other", "carol", ("strike",))}
    assert exported_with(listed=ListQuery(annotator="bob")) == {("Talks resume", "bob", ("conflict",))}


@pytest.mark.parametrize("fmt", ["w3c", "doccano", "prodigy", "csv"])
def test_the_command_exports_other_formats(tmp_path, fmt):
    seeded(tmp_path).close()
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {tmp_path / 'a.db'}\nload_samples: false\n")
    target = tmp_path / f"out.{fmt}"
    result = CliRunner().invoke(main, ["--config", str(config), "export", "--format", fmt, "--annotator", "bob", "-o", str(target)])
    assert result.exit_code == 0, result.output
    body = target.read_text(encoding="utf-8-sig")
    assert "Talks resume" in body or "Talks" in body
    assert "alice" not in body  # only bob's annotation


def test_brat_needs_a_folder(tmp_path):
    seeded(tmp_path).close()
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {tmp_path / 'a.db'}\nload_samples: false\n")
    result = CliRunner().invoke(main, ["--config", str(config), "export", "--format", "brat"])
    assert result.exit_code == 2 and "--output FOLDER" in result.output
    result = CliRunner().invoke(main, ["--config", str(config), "export", "--format", "brat", "-o", str(tmp_path / "brat")])
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in (tmp_path / "brat").iterdir()) == [".ann", ".conf", ".conf", ".txt"]  # annotation, visual


def test_a_hand_edited_file_is_read_by_the_generic_reader_with_the_same_result(tmp_path):
    first = exported(seeded(tmp_path))
    edited = yaml.safe_dump(yaml.safe_load(first), allow_unicode=True, sort_keys=False, width=40)  # another layout
    assert load_own(edited) is None and load_lined(edited, "x") == load_lined(first, "x")
    empty = Store.open(tmp_path / "empty.db")
    summary = import_annotations(empty, write(tmp_path, edited))
    assert summary.annotations_added == 2 and exported(empty) == first


def test_the_quick_reader_keeps_line_numbers_for_errors(tmp_path):
    document = exported(seeded(tmp_path)).replace("    annotator: bob\n", "    annotator: 42\n")
    line = document.split("\n").index("    annotator: 42") + 1
    with pytest.raises(YamlError) as error:
        import_annotations(Store.open(tmp_path / "empty.db"), write(tmp_path, document))
    assert f":{line}: articles[0].annotations[0].annotator: expected a non-empty string, got a number" in str(error.value)


def test_a_very_long_quote_and_every_awkward_character_round_trip(tmp_path):
    # every character a stored text can hold once reader import has normalised it
    awkward = "".join(chr(c) for c in [0x09, 0xA0, 0x2028, 0x2029, 0x202E, 0x200B, 0xFEFF, 0x1F600, 0x301])
    body = ("Zoë 😀 e\u0301 العربية " + awkward + " [bold]x[/] ") * 400 + "\n\n" + "Last paragraph."
    store = Store.open(tmp_path / "a.db")
    article_id = store.articles.add(
        Document(text=body, title="Long title\u00a0", source=None, url=None, path="long.txt", published=None, locator="")
    ).article_id
    store.annotations.add(article_id, 3, len(body) - 20, ["long quote"], "alice", note=awkward + "\nsecond line")
    first = exported(store)
    other = Store.open(tmp_path / "b.db")
    import_annotations(other, write(tmp_path, first))
    assert exported(other) == first
    [note] = other.annotations.of_article(1)
    assert len(note.quote) == len(body) - 23 and note.note == awkward + "\nsecond line"


def test_a_lone_surrogate_escape_is_a_one_line_error(tmp_path):
    document = exported(seeded(tmp_path)).replace('note: "multi', 'note: "\\ud800 multi', 1)
    if "\\ud800" not in document:  # the note is a literal block: put the escape in the annotator instead
        document = exported(seeded(tmp_path)).replace("annotator: bob", 'annotator: "b\\ud800b"', 1)
    with pytest.raises(YamlError) as error:
        import_annotations(Store.open(tmp_path / "empty.db"), write(tmp_path, document))
    message = str(error.value)
    assert "invalid" in message and message.startswith(f"{tmp_path / 'in.yaml'}:") and "\n" not in message


def test_a_conflict_is_kept_once_however_often_the_file_is_imported(tmp_path):
    store = seeded(tmp_path)
    theirs = yaml.safe_load(exported(store))
    theirs["articles"][0]["annotations"][0]["note"] = "their note"
    theirs["articles"][0]["annotations"][0]["annotator"] = "someone-else"  # one id, two owners
    path = write(tmp_path, yaml.safe_dump(theirs, allow_unicode=True))
    first = import_annotations(store, path)
    again = import_annotations(store, path)
    assert len(first.conflicts) == 1 and again.conflicts == [] and again.unchanged == 2
    assert store.annotations.count() == 3


def test_the_same_id_under_two_articles_of_one_file_is_refused(tmp_path):
    store = seeded(tmp_path)
    other = store.articles.add(
        Document(text="Second story\n\nQuay closed.", title="Second", source=None, url=None, path="s.txt", published=None, locator="")
    ).article_id
    store.annotations.add(other, 0, 6, ["conflict"], "alice")
    document = yaml.safe_load(exported(store))
    document["articles"][1]["annotations"][0]["id"] = document["articles"][0]["annotations"][0]["id"]
    with pytest.raises(YamlError) as error:
        import_annotations(store, write(tmp_path, yaml.safe_dump(document, allow_unicode=True)))
    assert "is given twice in this file" in str(error.value)


def test_a_file_made_before_the_article_changed_is_placed_by_quote(tmp_path):
    old_store = seeded(tmp_path, "old.db")
    before = exported(old_store)
    # here the article was re-imported with an extra paragraph first, and one sentence gone
    store = seeded(tmp_path, "new.db")
    new_text = "Breaking\n\n" + TEXT.replace("Last line.", "Final words.")
    store.articles.add(
        Document(text=new_text, title="Talks resume", source="Wirefeed", url=None, path="talks.txt", published="2025-09-14", locator="")
    )
    with store.writing():
        store.db.execute("DELETE FROM annotation_tags")
        store.db.execute("DELETE FROM annotations")
    summary = import_annotations(store, write(tmp_path, before))
    assert summary.placed_by_quote == 2 and summary.orphaned == 0 and summary.annotations_added == 2
    for annotation in store.annotations.of_article(1):
        assert new_text[annotation.start : annotation.end] == annotation.quote
    assert any("placed by their quote" in line for line in summary.lines())


def test_an_orphan_whose_id_comes_back_placed_in_a_file_is_replaced_by_it(tmp_path):
    import shutil

    store = seeded(tmp_path)
    new_text = "Completely different words now, about talks."
    store.articles.add(
        Document(text=new_text, title="Talks resume", source="Wirefeed", url=None, path="talks.txt", published="2025-09-14", locator="")
    )
    assert len(store.annotations.orphans()) == 2 and store.annotations.count() == 0
    store.close()
    shutil.copy(tmp_path / "a.db", tmp_path / "colleague.db")
    colleague = Store.open(tmp_path / "colleague.db")
    for orphan in colleague.annotations.orphans():  # the colleague puts them back by hand
        colleague.annotations.reattach_orphan(orphan.id, new_text.index("talks"), new_text.index("talks") + 5)
    placed = exported(colleague)
    store = Store.open(tmp_path / "a.db")
    summary = import_annotations(store, write(tmp_path, placed))
    assert summary.annotations_added == 2 and store.annotations.orphans() == [] and store.annotations.count() == 2
    assert {a.quote for a in store.annotations.of_article(1)} == {"talks"}
