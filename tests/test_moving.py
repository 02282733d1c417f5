"""Moving a database: export to YAML, import into an empty database, export again gives the same
file and the same tables, for everything a user made; merging into a database that has work."""

import io
import json

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.cli import main
from reader.services.import_foreign import import_foreign
from reader.core.exchange.incoming import lines_kept, one_line
from reader.services.export import FORMAT, write_yaml
from reader.services.import_yaml import import_annotations
from reader.core.exchange.yaml_read import load_own
from reader.core.ingest import Document, normalise_text
from reader.core.model import tag_name_problem
from reader.store import Store
from reader.core.yamlsafe import load_lined

STAMP = "2026-01-01T12:00:00+00:00"
GENEVA = (
    "Talks resume in Geneva\n\n"
    "GENEVA (Wirefeed) — Foreign Minister Ana Lima met envoys at the Palais des Nations on Tuesday.\n"
    "She said a draft was “close to done”; critics called it thin.\n\n"
    "A second round opens in March."
)
HARBOUR = "Port strike ends\n\nDock workers in Halden voted to return after nine days.\nThe union called it a fair deal."
QUAY = "Quay closed for repairs\n\nThe north quay shuts for six weeks while the council replaces its piles."


def exported(store: Store) -> str:
    stream = io.StringIO()
    write_yaml(store, stream, exported=STAMP)
    return stream.getvalue()


def write(tmp_path, text: str, name: str = "moved.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def document(text: str, path: str, title: str | None = None) -> Document:
    return Document(text=text, title=title or text.split("\n")[0], source="Wirefeed", url=None, path=path,
                    published="2025-03-04", locator="")


def tables(store: Store) -> dict[str, list]:
    """Everything a user made, as the database holds it (ids that differ between databases left out)."""
    query = {
        "tags": "SELECT name, key, color, description FROM tags ORDER BY name",
        "annotations": 'SELECT n.id, a.uid, n.start, n."end", n.quote, n.prefix, n.suffix, n.note, n.annotator, '
                       "n.created, n.updated FROM annotations n JOIN articles a ON a.id = n.article_id ORDER BY n.id",
        "annotation_tags": "SELECT nt.annotation_id, t.name FROM annotation_tags nt JOIN tags t ON t.id = nt.tag_id "
                           "ORDER BY 1, 2",
        "article_tags": "SELECT a.uid, t.name, at.annotator, at.created FROM article_tags at "
                        "JOIN articles a ON a.id = at.article_id JOIN tags t ON t.id = at.tag_id ORDER BY 1, 2",
        "orphans": "SELECT o.id, a.uid, o.record, o.orphaned FROM orphans o JOIN articles a ON a.id = o.article_id "
                   "ORDER BY o.id",
        "article_notes": "SELECT a.uid, n.annotator, n.note, n.created, n.updated FROM article_notes n "
                         "JOIN articles a ON a.id = n.article_id ORDER BY 1, 2",
        "pending": "SELECT article_uid, article_sha256, article_title, annotation_id, record, source_file, created "
                   "FROM pending_annotations ORDER BY id",
        "entity_feedback": "SELECT surface, label, verdict, annotator, created FROM entity_feedback ORDER BY id",
        # (articles nobody annotated are the corpus, not work: an export leaves them out)
        "articles": "SELECT uid, sha256, title, source, url, path, locator, published, text FROM articles WHERE id IN "
                    "(SELECT article_id FROM annotations UNION SELECT article_id FROM article_tags "
                    "UNION SELECT article_id FROM orphans) ORDER BY id",
    }
    found = {name: [tuple(row) for row in store.db.execute(sql)] for name, sql in query.items()}
    # an orphan's record names its article by this database's own id: compare it without
    found["orphans"] = [(row[0], row[1], {key: value for key, value in json.loads(row[2]).items() if key != "article_id"},
                         row[3]) for row in found["orphans"]]
    return found


def everything(tmp_path) -> Store:
    """A database with one of every kind of thing a user makes."""
    store = Store.open(tmp_path / "mine.db")
    # a codebook with keys, colours and descriptions, some tags used by nobody yet
    store.tags.ensure("conflict")
    store.tags.set_look("conflict", color="#e06c75", description="Disagreement between actors.\nSecond line.", key="1")
    for name in ("framing", "framing/economy", "framing/security", "unused"):
        store.tags.ensure(name)
    store.tags.set_look("framing/economy", color="teal", key="2")
    store.tags.set_look("unused", description="Nobody has used this yet.", key="z")
    geneva = store.articles.add(document(GENEVA, "geneva.txt")).article_id
    harbour = store.articles.add(document(HARBOUR, "harbour.txt")).article_id
    quay = store.articles.add(document(QUAY, "quay.txt")).article_id
    start = GENEVA.index("Foreign Minister")
    outer = store.annotations.add(geneva, start, GENEVA.index("Tuesday.") + 8, ["framing/security", "conflict"],
                                 "alice", note="Check the wording.\n\tIndented second line.")
    store.annotations.add(geneva, start, start + 16, ["framing/economy"], "bob")  # nested inside
    store.annotations.add(geneva, GENEVA.index("critics"), GENEVA.index("thin.") + 5, ["conflict"], "bob", note="")
    store.articles.tag(geneva, "framing", "alice", "2025-05-01T09:00:00+00:00")
    store.articles.tag(geneva, "checked", "bob", "2025-05-02T10:30:00+00:00")
    store.annotations.set_note(outer.id, "Check the wording.\n\tIndented second line, edited.")
    # a memo (a note alone on a passage) and notes on the whole article, one per annotator
    start = GENEVA.index("A second round")
    store.annotations.add(geneva, start, start + len("A second round opens in March."), [], "bob", note="Which March?")
    store.article_notes.set(geneva, "alice", "Wire copy; compare with\nthe ministry's statement.", seen=None)
    store.article_notes.set(geneva, "bob", "Follow up in March.", seen=None)
    # orphans: the harbour article is re-scraped into other words; the quay one keeps only orphans
    store.annotations.add(harbour, HARBOUR.index("Dock"), HARBOUR.index("days.") + 5, ["conflict"], "carol", note="who?")
    store.annotations.add(quay, QUAY.index("The north"), QUAY.index("piles.") + 6, ["framing"], "alice")
    store.articles.add(document("Port strike ends\n\nAn entirely rewritten report about a ferry.", "harbour.txt"))
    store.articles.add(document("Quay closed\n\nSomething else happened at the ferry terminal instead.", "quay.txt"))
    store.annotations.add(harbour, 0, 4, ["framing/economy"], "alice")
    assert len(store.annotations.orphans()) == 2
    # entity feedback of each kind: accept, retype (accept again under another label), reject
    store.entities.accept("Ana Lima", "PERSON", "alice")
    store.entities.accept("Palais des Nations", "ORG", "alice")
    store.entities.accept("Palais des Nations", "FAC", "bob")
    store.entities.reject("Geneva", "ORG", "bob")
    store.entities.reject("March", "PERSON", "alice")
    # pending: annotations of articles this database lacks, from a version 1 file and a doccano one
    v1 = {"format": "reader-annotations/1", "articles": [{
        "id": "f" * 64, "title": "Not here", "sha256": "f" * 64, "tags": [], "annotations": [{
            "id": "pending-1", "start": 0, "end": 4, "quote": "Gone", "prefix": "", "suffix": " away",
            "tags": ["conflict"], "note": "kept aside", "annotator": "dana", "created": STAMP, "updated": STAMP}]}]}
    import_annotations(store, write(tmp_path, yaml.safe_dump(v1), "v1.yaml"))
    spans = tmp_path / "spans.jsonl"
    spans.write_text(json.dumps({"text": "A ferry sank.", "article_id": "elsewhere",
                                 "entities": [{"start_offset": 2, "end_offset": 7, "label": "conflict"}]}) + "\n")
    import_foreign(store, spans, "doccano", "alice")
    assert len(store.annotations.pending()) == 2
    return store


def test_everything_a_user_made_survives_the_move_byte_for_byte(tmp_path):
    mine = everything(tmp_path)
    first = exported(mine)
    assert first.startswith(f"format: {FORMAT}\n")
    theirs = Store.open(tmp_path / "new-machine.db")
    summary = import_annotations(theirs, write(tmp_path, first))
    assert exported(theirs) == first
    assert tables(theirs) == tables(mine)
    assert (summary.orphans_added, summary.pending_added, summary.tags_added, summary.verdicts_added) == (2, 2, 6, 4)
    # and once more: importing the same file again changes nothing
    again = import_annotations(theirs, write(tmp_path, first))
    assert tables(theirs) == tables(mine) and again.annotations_added == 0 and again.pending_added == 0
    assert again.unchanged == 7  # 5 annotations (a memo among them) and 2 orphans
    assert summary.article_notes_added == 2 and again.article_notes_added == again.article_notes_updated == 0


def test_the_move_by_the_commands_a_user_runs(tmp_path):
    everything(tmp_path).close()
    for name, database in (("mine", "mine.db"), ("theirs", "theirs.db")):
        (tmp_path / f"{name}.yaml").write_text(f"database: {tmp_path / database}\nload_samples: false\n")
    runner = CliRunner()
    result = runner.invoke(main, ["--config", str(tmp_path / "mine.yaml"), "export", "-o", str(tmp_path / "a.yaml")])
    assert result.exit_code == 0, result.output
    assert "orphaned annotations are not exported" not in result.output
    result = runner.invoke(main, ["--config", str(tmp_path / "theirs.yaml"), "import-annotations", str(tmp_path / "a.yaml")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["--config", str(tmp_path / "theirs.yaml"), "export", "-o", str(tmp_path / "b.yaml")])
    assert result.exit_code == 0, result.output
    first, second = (tmp_path / "a.yaml").read_text(), (tmp_path / "b.yaml").read_text()
    assert first.split("\n", 2)[2] == second.split("\n", 2)[2]  # all but the `exported` time
    assert tables(Store.open(tmp_path / "theirs.db")) == tables(Store.open(tmp_path / "mine.db"))


def test_files_of_versions_1_and_2_are_still_read(tmp_path):
    mine = everything(tmp_path)
    data = yaml.safe_load(exported(mine))
    for version in (1, 2):
        old = {"format": f"reader-annotations/{version}", "exported": STAMP, "articles": []}
        for article in data["articles"]:
            article = dict(article, tags=[tag["name"] for tag in article["tags"]])
            article.pop("orphans", None)
            article.pop("notes", None)
            if version == 1:
                article.pop("text")
            old["articles"].append(article)
        other = Store.open(tmp_path / f"v{version}.db")
        summary = import_annotations(other, write(tmp_path, yaml.safe_dump(old, allow_unicode=True), f"v{version}.yaml"))
        if version == 2:
            assert summary.annotations_added == 5 and summary.article_tags_added == 2
            assert {row[2] for row in tables(other)["article_tags"]} == {"import"}  # version 2 did not say who
        else:
            assert summary.kept_aside and other.annotations.count() == 0


def test_a_filtered_export_carries_the_codebook_of_its_tags_only(tmp_path):
    mine = everything(tmp_path)
    from reader.services.export import export_document
    from reader.core.model import ExportFilter

    part = export_document(mine, STAMP, ExportFilter(annotator="bob"))
    assert {entry["name"] for entry in part["codebook"]} == {"conflict", "framing", "framing/economy", "checked"}
    assert part["entities"] == [] and part["pending"] == []
    assert all("orphans" not in article for article in part["articles"])


# ---- merging into a database that has work ---------------------------------------------------


def two_machines(tmp_path) -> tuple[Store, Store]:
    mine = Store.open(tmp_path / "mine.db")
    article = mine.articles.add(document(GENEVA, "geneva.txt")).article_id
    mine.annotations.add(article, 0, 5, ["conflict"], "alice", note="first thoughts")
    theirs = Store.open(tmp_path / "laptop.db")
    import_annotations(theirs, write(tmp_path, exported(mine), "to-laptop.yaml"))
    return mine, theirs


def later(store: Store, annotation_id: str, stamp: str) -> None:
    with store.writing():
        store.db.execute("UPDATE annotations SET updated = ? WHERE id = ?", [stamp, annotation_id])


def test_the_same_annotators_newer_version_wins_whichever_way_files_travel(tmp_path):
    mine, laptop = two_machines(tmp_path)
    [note] = laptop.annotations.of_article(1)
    laptop.annotations.set_note(note.id, "second thoughts, on the laptop")
    laptop.annotations.tag(note.id, "framing")
    later(laptop, note.id, "2030-01-01T00:00:00+00:00")
    from_laptop = write(tmp_path, exported(laptop), "from-laptop.yaml")
    stale = write(tmp_path, exported(mine), "stale.yaml")
    summary = import_annotations(mine, from_laptop)
    assert (summary.annotations_updated, summary.conflicts) == (1, [])
    [merged] = mine.annotations.of_article(1)
    assert (merged.note, merged.tags) == ("second thoughts, on the laptop", ("conflict", "framing"))
    # the older file arriving afterwards changes nothing, and says so
    summary = import_annotations(mine, stale)
    assert (summary.kept_newer, summary.annotations_added, summary.conflicts) == (1, 0, [])
    assert mine.annotations.of_article(1) == [merged]
    assert any("newer here" in line for line in summary.lines())
    # both machines now hold the same
    import_annotations(laptop, write(tmp_path, exported(mine), "back.yaml"))
    assert tables(laptop)["annotations"] == tables(mine)["annotations"]


def test_a_key_another_tag_has_here_is_not_taken_and_the_summary_says_so(tmp_path):
    mine = Store.open(tmp_path / "mine.db")
    mine.tags.ensure("conflict")
    mine.tags.set_look("conflict", key="1", color="red")
    mine.tags.ensure("framing")
    mine.tags.set_look("framing", key="2")
    theirs = Store.open(tmp_path / "theirs.db")
    theirs.tags.ensure("cooperation")
    theirs.tags.set_look("cooperation", key="1")
    theirs.tags.ensure("framing")
    theirs.tags.set_look("framing", color="blue", key="5", description="Theirs.")
    summary = import_annotations(theirs, write(tmp_path, exported(mine)))
    looks = theirs.tags.codebook().looks
    assert looks["conflict"].key is None and looks["conflict"].color == "red"  # created, without the taken key
    assert looks["cooperation"].key == "1"
    assert (looks["framing"].key, looks["framing"].color, looks["framing"].description) == ("5", "blue", "Theirs.")
    assert summary.keys_refused == [("1", "conflict", "cooperation")]
    assert "codebook: key 1 not given to tag conflict: tag cooperation has it in this database" in summary.lines()


def test_a_tag_here_takes_from_the_file_only_what_it_lacks(tmp_path):
    mine = Store.open(tmp_path / "mine.db")
    mine.tags.ensure("framing")
    mine.tags.set_look("framing", color="teal", description="How a story is told.", key="3")
    theirs = Store.open(tmp_path / "theirs.db")
    theirs.tags.ensure("framing")
    theirs.tags.set_look("framing", color="gold")
    summary = import_annotations(theirs, write(tmp_path, exported(mine)))
    look = theirs.tags.codebook().looks["framing"]
    assert (look.color, look.description, look.key) == ("gold", "How a story is told.", "3")
    assert summary.tags_completed == 1


def test_entity_feedback_merges_by_time(tmp_path):
    mine = Store.open(tmp_path / "mine.db")
    theirs = Store.open(tmp_path / "theirs.db")
    with mine.writing(), theirs.writing():
        for store, rows in ((mine, [("Lima", "GPE", "accept", "alice", "2025-01-01T00:00:00+00:00"),
                                    ("Halden", "ORG", "reject", "alice", "2025-06-01T00:00:00+00:00")]),
                            (theirs, [("Lima", "PERSON", "accept", "bob", "2025-03-01T00:00:00+00:00"),
                                      ("Halden", "ORG", "accept", "bob", "2025-02-01T00:00:00+00:00")])):
            store.entities._insert_verdicts(rows)
    summary = import_annotations(theirs, write(tmp_path, exported(mine)))
    assert set(theirs.entities.feedback()) == {("Lima", "PERSON", "accept"), ("Halden", "ORG", "reject")}
    assert (summary.verdicts_kept, summary.verdicts_replaced) == (1, 1)


def test_a_dry_run_writes_nothing_of_any_kind(tmp_path):
    first = exported(everything(tmp_path))
    empty = Store.open(tmp_path / "empty.db")
    before = tables(empty)
    summary = import_annotations(empty, write(tmp_path, first), dry_run=True, seconds=0)
    assert tables(empty) == before and summary.transactions > 1
    assert (summary.annotations_added, summary.orphans_added, summary.pending_added) == (5, 2, 2)


# ---- any content ----------------------------------------------------------------------------

names = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12).map(
    lambda raw: "".join(c for c in raw if c.isprintable()).strip() or "t"
).filter(lambda name: tag_name_problem(name) is None)
words = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
stamps = st.datetimes(timezones=st.just(__import__("datetime").timezone.utc)).map(lambda d: d.isoformat(timespec="seconds"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    codebook=st.lists(st.tuples(names, st.none() | st.sampled_from(list("0123456789zQ")),
                                st.none() | st.sampled_from(["red", "#abc", "#a0b1c2"]), st.none() | words), max_size=6),
    articles=st.lists(st.tuples(words, words, st.lists(st.tuples(st.integers(0, 300), st.integers(1, 50),
                                                                  st.none() | names,  # None: a memo, if it has a note
                                                                  st.none() | words, st.sampled_from(["alice", "bob"])),
                                                        max_size=4),
                                st.lists(st.tuples(names, st.sampled_from(["alice", "bob", "chen"]), stamps), max_size=3),
                                st.booleans()),
                      min_size=1, max_size=3),
    verdicts=st.lists(st.tuples(words.filter(lambda surface: lines_kept(surface).strip()), st.sampled_from(["PERSON", "ORG", "GPE"]), st.booleans(),
                                st.none() | stamps), max_size=4),
    pending=st.lists(st.tuples(names, words), max_size=2),
    article_notes=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["alice", "bob"]), words), max_size=3),
)
def test_any_content_moves_byte_for_byte(tmp_path_factory, codebook, articles, verdicts, pending, article_notes):
    tmp = tmp_path_factory.mktemp("move")
    store = Store.open(tmp / "a.db")
    for name, key, color, description in codebook:
        store.tags.ensure(name)
        holder = key and store.tags.codebook().tag_for_key(key)
        store.tags.set_look(name, color=color, description=description and lines_kept(description),
                           key=None if holder else key)
    for index, (title, body, notes, article_tags, rewrite) in enumerate(articles):
        # stored as reader stores what it is given (texts normalised as by reader import, titles
        # on one line, notes without control characters)
        text = normalise_text(body) + f" {index}"
        added = store.articles.add(Document(text=text.strip(), title=one_line(title) or "t", source=None, url=None,
                                            path=f"{index}.txt", published=None, locator=""))
        if added.outcome != "imported":
            continue
        text = store.articles.get(added.article_id).text
        for start, length, tag, note, annotator in notes:
            start %= len(text)
            end = min(len(text), start + length)
            note = None if note is None else lines_kept(note)
            if end > start and (tag is not None or (note and note.strip())):
                store.annotations.add(added.article_id, start, end, [] if tag is None else [tag], annotator, note=note)
        for tag, annotator, stamp in article_tags:
            store.articles.tag(added.article_id, tag, annotator, stamp)
        if rewrite:  # its passages become orphans
            store.articles.add(Document(text=f"Rewritten {index}", title="Rewritten", source=None, url=None,
                                        path=f"{index}.txt", published=None, locator=""))
    for surface, label, accept, stamp in verdicts:
        change = (store.entities.accept if accept else store.entities.reject)(lines_kept(surface), label, "alice")
        if stamp and change.added:
            with store.writing():
                store.db.execute("UPDATE entity_feedback SET created = ? WHERE surface = ? AND label = ?",
                                 [stamp, lines_kept(surface), label])
    article_ids = [row[0] for row in store.db.execute("SELECT id FROM articles ORDER BY id")]
    for which, annotator, note in article_notes:
        if lines_kept(note).strip():
            article_id = article_ids[which % len(article_ids)]
            store.article_notes.set(article_id, annotator, lines_kept(note),
                                    seen=store.article_notes.get(article_id, annotator))
    with store.writing():
        for index, (title, quote) in enumerate(pending):
            store.db["pending_annotations"].insert({
                "article_uid": f"absent-{index}", "article_title": one_line(title), "annotation_id": f"p{index}",
                "record": json.dumps({"id": f"p{index}", "quote": lines_kept(quote)}, ensure_ascii=False),
                "source_file": "old.yaml", "created": STAMP})
    first = exported(store)
    assert load_own(first) == load_lined(first, "x") and load_own(first) is not None  # the quick reader agrees
    assert yaml.safe_load(first) == yaml.load(first, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    other = Store.open(tmp / "b.db")
    try:
        import_annotations(other, write(tmp, first))
        assert exported(other) == first
        assert tables(other) == tables(store)
    finally:
        other.close()
        store.close()
