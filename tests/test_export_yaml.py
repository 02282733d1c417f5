import yaml

from reader.core.config import TagSpec
from reader.services.export import FORMAT, export_document, write_export, write_yaml
from reader.core.ingest import Document
from reader.store import Store

HOSTILE = "Zoë said “no”: 😀 e\u0301 \u2028 \u202eRTL\u202c العربية [bold]x[/] null yes 012 - # : \t end"


def seeded_store() -> tuple[Store, int]:
    store = Store.memory()
    store.tags.sync([TagSpec("conflict", "1", "red", "")])
    text = "Headline\n\n" + HOSTILE + "\n\nLast line."
    article_id = store.articles.add(
        Document(text=text, title="Héadline", source=None, url="https://example.test/a", path="a.json",
                 published="2025-09-14", locator="line 2")
    ).article_id
    store.articles.add(Document(text="Unannotated.", title="U", source=None, url=None, path="b.txt",
                                published=None, locator=""))
    start = text.index("Zoë")
    store.annotations.add(article_id, start, start + len(HOSTILE), ["conflict", "quote"], "alice", note="multi\nline: note")
    store.annotations.add(article_id, 0, 8, ["conflict"], "bob")
    return store, article_id


def test_export_has_the_documented_shape_and_only_annotated_articles():
    store, article_id = seeded_store()
    document = export_document(store, exported="2026-01-01T12:00:00+00:00")
    assert document["format"] == FORMAT and document["exported"] == "2026-01-01T12:00:00+00:00"
    [article] = document["articles"]
    stored = store.articles.get(article_id)
    assert list(article) == [
        "id", "title", "source", "path", "locator", "url", "published", "sha256", "tags", "text", "annotations"
    ]
    assert article["text"] == stored.text
    assert article["id"] == stored.uid and article["sha256"] == stored.sha256
    assert article["locator"] == "line 2" and article["url"] == "https://example.test/a"
    first, second = article["annotations"]
    assert list(first) == ["id", "start", "end", "quote", "prefix", "suffix", "tags", "note", "annotator", "created", "updated"]
    assert (first["start"], first["end"], first["quote"]) == (0, 8, "Headline")
    assert second["quote"] == HOSTILE == stored.text[second["start"] : second["end"]]
    assert second["tags"] == ["conflict", "quote"] and second["note"] == "multi\nline: note"


def written(store, exported="2026-01-01T12:00:00+00:00") -> str:
    import io

    stream = io.StringIO()
    write_yaml(store, stream, exported=exported)
    return stream.getvalue()


def test_yaml_round_trips_hostile_text_exactly():
    store, _ = seeded_store()
    text = written(store)
    assert yaml.safe_load(text) == export_document(store, exported="2026-01-01T12:00:00+00:00")
    assert "Zoë" in text  # readable, not \\u-escaped
    assert "&" not in text.split("articles:")[0] and "*id" not in text


def test_write_export_replaces_the_file_whole(tmp_path):
    store, _ = seeded_store()
    target = tmp_path / "annotations.yaml"
    assert write_export(store, target) == 2
    loaded = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert len(loaded["articles"][0]["annotations"]) == 2
    assert not list(target.parent.glob("*.partial"))


def test_an_empty_export_is_valid():
    store = Store.memory()
    assert yaml.safe_load(written(store)) == {
        "format": FORMAT, "exported": "2026-01-01T12:00:00+00:00", "codebook": [], "entities": [], "articles": [],
        "pending": [],
    }
