"""Annotation files from elsewhere stay data: what they name (annotators, titles, sources, tags,
notes, brat file names) is stored without anything that could drive a terminal, their texts are
normalised as `reader import` normalises them with every annotation on the same characters, and
pipes, devices and huge files are refused without being read."""

import json
import os
import subprocess
import sys
import unicodedata

import pytest
import yaml

from reader.services.import_foreign import import_foreign
from reader.services.import_yaml import import_annotations
from reader.core.ingest import Document, normalise_text
from reader.core.model import sha256_text
from reader.store import Store
from reader.core.yamlsafe import YamlError

STAMP = "2026-01-01T12:00:00+00:00"
#: Title-setting OSC, clipboard OSC 52, colour CSI, 8-bit CSI, bidi override and isolate, line breaks, NUL.
HOSTILE = "x\x1b]0;owned\x07\x1b]52;c;ZXZpbA==\x07\x1b[31mred\x9b2J \u202eevil\u2066\nline\r\x85two\x00\u2028end"
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
LINE_BREAKS = set("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def one_line_problem(value: str | None) -> str | None:
    if value is None:
        return None
    for character in value:
        if unicodedata.category(character) == "Cc" or character in BIDI or character in LINE_BREAKS:
            return f"{value!r} holds {character!r}"
    return None


def lines_problem(value: str | None) -> str | None:
    if value is None:
        return None
    for character in value:
        if unicodedata.category(character) == "Cc" and character not in "\n\t":
            return f"{value!r} holds {character!r}"
    return None


def assert_stored_safely(store: Store) -> None:
    """Every name, title and time on one line and free of controls; every note and text free of
    control characters but newline and tab."""
    single = {
        "articles": ("uid", "title", "source", "url", "path", "locator", "published"),
        "annotations": ("id", "annotator", "created", "updated"),
        "tags": ("name", "key", "color"),
        "article_tags": ("annotator", "created"),
        "entity_feedback": ("label", "verdict", "annotator", "created"),
        "pending_annotations": ("article_uid", "article_title", "annotation_id", "source_file", "created"),
        "orphans": ("id", "orphaned"),
    }
    multi = {"articles": ("text",), "annotations": ("quote", "prefix", "suffix", "note"), "tags": ("description",),
             "entity_feedback": ("surface",), "pending_annotations": ("record",), "orphans": ("record",)}
    for table, columns in single.items():
        for row in store.db.execute(f"SELECT {', '.join(columns)} FROM {table}"):
            for value in row:
                assert one_line_problem(value if isinstance(value, str) else None) is None, (table, value)
    for table, columns in multi.items():
        for row in store.db.execute(f"SELECT {', '.join(columns)} FROM {table}"):
            for value in row:
                assert lines_problem(value) is None, (table, value)
    for record, in store.db.execute("SELECT record FROM orphans UNION ALL SELECT record FROM pending_annotations"):
        for value in json.loads(record).values():
            assert lines_problem(value if isinstance(value, str) else None) is None, record


def write(tmp_path, text: str, name: str) -> os.PathLike:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


RAW_TEXT = "Envoys meet\r\n\r\nThe envoy \x1b]0;pwned\x07spoke at\x1b[2J noon.\r\nCritics \x9b2Jwere\x00 not convinced."


def hostile_document() -> dict:
    raw = RAW_TEXT
    quote_start = raw.index("envoy")
    quote_end = raw.index("noon.") + 5
    erased = raw.index("\x1b[2J")
    note = {"start": quote_start, "end": quote_end, "tags": ["conflict"], "note": HOSTILE, "annotator": HOSTILE,
            "created": STAMP, "updated": STAMP}
    only_escape = {"start": erased, "end": erased + 4, "tags": ["conflict"], "note": None, "annotator": "alice",
                   "created": STAMP, "updated": STAMP}
    for index, annotation in enumerate((note, only_escape)):
        annotation.update(id=f"a{index}", quote=raw[annotation["start"] : annotation["end"]],
                          prefix=raw[max(0, annotation["start"] - 32) : annotation["start"]],
                          suffix=raw[annotation["end"] : annotation["end"] + 32])
    return json.loads(json.dumps({  # (no shared objects: YAML would write them as aliases, which are refused)
        "format": "reader-annotations/3",
        "exported": STAMP,
        "codebook": [{"name": "conflict", "key": "1", "color": "red", "description": HOSTILE}],
        "entities": [{"surface": HOSTILE, "label": "PERSON", "verdict": "accept", "annotator": HOSTILE, "created": STAMP}],
        "articles": [{
            "id": HOSTILE, "title": HOSTILE, "source": HOSTILE, "path": HOSTILE, "url": HOSTILE, "published": HOSTILE,
            "sha256": sha256_text(raw), "tags": [{"name": "checked", "annotator": HOSTILE, "created": HOSTILE}],
            "text": raw, "annotations": [note, only_escape],
            "orphans": [dict(note, id="o1", orphaned=HOSTILE, quote=HOSTILE, prefix=HOSTILE, suffix=HOSTILE)],
        }],
        "pending": [{"article": HOSTILE, "sha256": None, "title": HOSTILE, "annotation_id": HOSTILE,
                     "source_file": HOSTILE, "kept": HOSTILE,
                     "record": json.dumps({"id": "p", "quote": HOSTILE, "annotator": HOSTILE})}],
    }))


def test_a_hostile_reader_file_is_stored_neutralised_and_its_passages_on_the_same_characters(tmp_path):
    store = Store.open(tmp_path / "a.db")
    summary = import_annotations(store, write(tmp_path, yaml.safe_dump(hostile_document()), "hostile.yaml"))
    assert_stored_safely(store)
    [article] = [store.articles.get(1)]
    assert article.text == normalise_text(RAW_TEXT)  # exactly what reader import stores
    assert article.sha256 == sha256_text(article.text)
    [placed] = store.annotations.of_article(1)
    assert placed.quote == "envoy spoke at noon." == article.text[placed.start : placed.end]
    # the passage that was nothing but an escape sequence has no place: kept whole, as an orphan
    assert {orphan.id for orphan in store.annotations.orphans()} == {"a1", "o1"}
    assert summary.texts_normalised == 1 and summary.passages_emptied == 1
    assert all(one_line_problem(line) is None for line in summary.lines())


@pytest.mark.parametrize("where", ["annotation", "article tag", "codebook"])
def test_a_tag_name_breaking_the_codebook_rule_is_refused_naming_the_file_and_line(tmp_path, where):
    document = hostile_document()
    bad = "evil\x1b[31m"
    if where == "annotation":
        document["articles"][0]["annotations"][0]["tags"] = [bad]
    elif where == "article tag":
        document["articles"][0]["tags"][0]["name"] = " padded/ "
    else:
        document["codebook"][0]["name"] = bad
    store = Store.open(tmp_path / "a.db")
    path = write(tmp_path, yaml.safe_dump(document), "bad.yaml")
    with pytest.raises(YamlError) as error:
        import_annotations(store, path)
    message = str(error.value)
    assert message.startswith(f"{path}:") and "tag name" in message and "refused" in message
    assert one_line_problem(message) is None  # the refused name is shown escaped
    assert store.listing.count() == 0 and store.tags.names() == []


def seeded(tmp_path) -> tuple[Store, str]:
    text = normalise_text(RAW_TEXT)
    store = Store.open(tmp_path / "a.db")
    store.articles.add(Document(text=text, title="Envoys meet", source=None, url=None, path="envoys.txt",
                                published=None, locator=""))
    return store, store.articles.get(1).uid


def test_hostile_names_in_other_formats_are_stored_neutralised(tmp_path):
    store, uid = seeded(tmp_path)
    raw = RAW_TEXT
    start, end = raw.index("Critics"), raw.index("convinced") + 9
    doccano = json.dumps({"text": raw, "article_id": uid, "title": HOSTILE, "url": HOSTILE,
                          "entities": [{"start_offset": start, "end_offset": end, "label": "reaction"}]})
    summary = import_foreign(store, write(tmp_path, doccano + "\n", "spans.jsonl"), "doccano", HOSTILE)
    assert summary.annotations_added == 1 and summary.texts_normalised == 1
    [placed] = store.annotations.of_article(1)
    assert placed.quote == "Critics 2Jwere not convinced" == store.articles.get(1).text[placed.start : placed.end]
    w3c = {"type": "Annotation", "id": "urn:uuid:11111111-2222-3333-4444-555555555555", "created": STAMP,
           "creator": {"type": "Person", "nickname": HOSTILE},
           "body": [{"type": "TextualBody", "purpose": "tagging", "value": "reaction"},
                    {"type": "TextualBody", "purpose": "commenting", "value": HOSTILE}],
           "target": {"source": f"urn:reader:article:{HOSTILE}",
                      "selector": [{"type": "TextQuoteSelector", "exact": HOSTILE}]}}
    summary = import_foreign(store, write(tmp_path, json.dumps(w3c), "notes.jsonld"), "w3c", "alice")
    assert summary.kept_aside  # no such article: kept aside, its fields neutralised
    prodigy = json.dumps({"text": raw, "meta": {"article_id": HOSTILE, "title": HOSTILE},
                          "spans": [{"start": start, "end": end, "label": "reaction"}]})
    import_foreign(store, write(tmp_path, prodigy + "\n", "tasks.jsonl"), "prodigy", "alice")
    assert_stored_safely(store)


def test_brat_file_names_are_neutralised(tmp_path):
    store, _uid = seeded(tmp_path)
    folder = tmp_path / "brat"
    folder.mkdir()
    name = "evil\x1b]0;pwned\x07\u202e\nname"
    (folder / f"{name}.txt").write_text("Envoys meet\n\nThe envoy spoke.", encoding="utf-8")
    (folder / f"{name}.ann").write_text("T1\treaction 13 18\tenvoy\n", encoding="utf-8")
    summary = import_foreign(store, folder, "brat", "alice")
    assert summary.kept_aside or summary.annotations_added
    assert_stored_safely(store)
    assert all(one_line_problem(line) is None for line in summary.lines())


# ---- pipes, devices, huge files ----------------------------------------------------------------


def run_reader(tmp_path, *args, timeout=60):
    """The real command in its own process, so that a hang fails the test instead of blocking it."""
    config = tmp_path / "config.yaml"
    if not config.exists():
        config.write_text(f"database: {tmp_path / 'a.db'}\nload_samples: false\nannotator: alice\n")
    return subprocess.run([sys.executable, "-m", "reader", "--config", str(config), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


def test_a_brat_folder_with_a_device_a_pipe_and_a_huge_file_imports_the_rest(tmp_path):
    store, uid = seeded(tmp_path)
    store.close()
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / f"{uid}.txt").write_text(normalise_text(RAW_TEXT), encoding="utf-8")
    (folder / f"{uid}.ann").write_text("T1\treaction 0 6\tEnvoys\n", encoding="utf-8")
    (folder / "a.ann").write_text("T1\treaction 0 6\tEnvoys\n", encoding="utf-8")
    os.symlink("/dev/zero", folder / "a.txt")
    os.mkfifo(folder / "b.ann")
    os.mkfifo(folder / "c.txt")
    (folder / "c.ann").write_text("T1\treaction 0 6\tEnvoys\n", encoding="utf-8")
    with open(folder / "d.txt", "wb") as huge:
        huge.truncate(60 * 1024 * 1024)  # sparse: over the 50 MB import.max_file_mb
    (folder / "d.ann").write_text("T1\treaction 0 6\tEnvoys\n", encoding="utf-8")
    result = run_reader(tmp_path, "import-annotations", "--format", "brat", folder)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"skipped {folder / 'a.txt'}: not a regular file (a device)" in lines
    assert f"skipped {folder / 'b.ann'}: not a regular file (a named pipe)" in lines
    assert f"skipped {folder / 'c.txt'}: not a regular file (a named pipe)" in lines
    assert any(line.startswith(f"skipped {folder / 'd.txt'}: larger than the 50 MB limit") for line in lines)
    assert lines[0].startswith("1 annotation added")  # the good file's, placed in its article


@pytest.mark.parametrize("kind", ["fifo", "device", "huge"])
@pytest.mark.parametrize("fmt", ["yaml", "w3c", "doccano"])
def test_an_annotation_file_that_is_a_pipe_a_device_or_huge_is_refused_unread(tmp_path, kind, fmt):
    path = tmp_path / "in.file"
    if kind == "fifo":
        os.mkfifo(path)
        reason = "not a regular file (a named pipe)"
    elif kind == "device":
        os.symlink("/dev/zero", path)
        reason = "not a regular file (a device)"
    else:
        with open(path, "wb") as huge:
            huge.truncate(3 * 1024 * 1024 * 1024)
        reason = "larger than the 2048 MB limit"
    result = run_reader(tmp_path, "import-annotations", "--format", fmt, path)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: {path}: {reason}") and "nothing was imported" in line
