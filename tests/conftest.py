import hashlib
import json
from pathlib import Path

import pytest

from reader.core.config import Config, parse_config
from reader.core.ingest import Document
from reader.store import Store

CONFIG = """\
annotator: alice
load_samples: false
tags:
  - name: conflict
    key: "1"
    color: "#e06c75"
    description: Disagreement between actors.
  - name: cooperation
    key: "2"
    color: "#98c379"
    description: Actors working together.
"""

ARTICLE = (
    "Talks resume in Geneva\n\n"
    "GENEVA, March 3 (Wirefeed) — Foreign Minister Ana Lima met officials from the United Nations on Tuesday. "
    "She said the draft was “close to done”. Critics disagreed.\n\n"
    "[Photo] Delegates at the Palais des Nations. [bold]Not markup[/]\n\n"
    "The next round opens on December 1, 2025."
)


def pytest_make_parametrize_id(config, val, argname):
    """Keep parametrised test ids short and on one line: a long or multi-line text becomes its
    first characters (escaped) and a digest, so `-k` and reports stay usable."""
    if not isinstance(val, (str, bytes)):
        return None
    shown = repr(val)[1:-1] if isinstance(val, str) else repr(val)[2:-1]
    if len(shown) <= 40:
        return shown
    raw = val.encode("utf-8", "surrogatepass") if isinstance(val, str) else val
    return f"{shown[:24]}..{len(val)}.{hashlib.sha1(raw).hexdigest()[:6]}"


def make_article(title: str, text: str, published: str, path: str) -> Document:
    return Document(text=text, title=title, source="Wirefeed", url=None, path=path, published=published, locator="")


@pytest.fixture
def config(tmp_path: Path) -> Config:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return parse_config(CONFIG, path)


@pytest.fixture
def store(tmp_path: Path, config: Config):
    store = Store.open(config.database)
    store.tags.sync(config.tags)
    store.articles.add(make_article("Talks resume in Geneva", ARTICLE, "2025-03-03", "geneva.txt"))
    store.articles.add(make_article("Port strike spreads", "Port strike spreads\n\nDockers walked out. Talks failed.", "2025-02-01", "port.txt"))
    store.articles.add(make_article("Älteste Zeitung", "Älteste Zeitung\n\nZoë Nakamura wrote it.", "2025-01-15", "zeitung.txt"))
    yield store
    store.close()


async def open_article(pilot, index: int = 0):
    """Move down `index` rows of the list, open that article, and return its ArticleView."""
    from reader.tui.screens.article import ArticleScreen
    from reader.tui.widgets.article_view import ArticleView

    for _ in range(index):
        await pilot.press("j")
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ArticleScreen)
    return pilot.app.screen.query_one(ArticleView)


@pytest.fixture(scope="session")
def built_recogniser():
    """The app's recogniser, built once for the whole session (building takes about 0.5 s)."""
    from reader.core.entities import lazy_recogniser

    recogniser = lazy_recogniser()
    recogniser.get()
    return recogniser


@pytest.fixture(autouse=True)
def quiet_app(monkeypatch, built_recogniser):
    """Apps under test use the ready recogniser and fill no entity cache in the background,
    so what a test sees does not depend on a thread's timing (tests of that turn it back on)."""
    import reader.tui.app

    monkeypatch.setattr(reader.tui.app.ReaderApp, "FILL_ENTITY_CACHE", False)
    monkeypatch.setattr(reader.tui.app, "lazy_recogniser", lambda gazetteer=None: built_recogniser if not gazetteer else _fresh(gazetteer))


def _fresh(gazetteer):
    from reader.core.entities import lazy_recogniser

    recogniser = lazy_recogniser(gazetteer)
    recogniser.get()
    return recogniser


def user_rows(store) -> dict[str, list]:
    """Every row a user made, in a fixed order, comparable across an undo: annotations and orphans
    without the time they were last touched (an undo is a change of its own), tags by name."""
    db = store.db
    orphans = []
    for orphan_id, article_id, record, orphaned in db.execute("SELECT id, article_id, record, orphaned FROM orphans ORDER BY id"):
        fields = json.loads(record)
        fields.pop("updated", None)
        orphans.append((orphan_id, article_id, sorted(fields.items(), key=lambda item: item[0]), orphaned))
    return {
        "annotations": db.execute(
            'SELECT id, article_id, start, "end", quote, prefix, suffix, note, annotator, created FROM annotations ORDER BY id'
        ).fetchall(),
        "taggings": db.execute(
            "SELECT nt.annotation_id, t.name FROM annotation_tags nt JOIN tags t ON t.id = nt.tag_id ORDER BY 1, 2"
        ).fetchall(),
        "article_tags": db.execute(
            "SELECT at.article_id, t.name, at.annotator, at.created FROM article_tags at JOIN tags t ON t.id = at.tag_id ORDER BY 1, 2"
        ).fetchall(),
        "tags": db.execute("SELECT name, color, description, key FROM tags ORDER BY name").fetchall(),
        "orphans": orphans,
        "feedback": db.execute("SELECT surface, label, verdict, annotator, created FROM entity_feedback ORDER BY 1, 2, 3").fetchall(),
        "article_notes": db.execute(
            "SELECT article_id, annotator, note, created, updated FROM article_notes ORDER BY 1, 2").fetchall(),
        "article_details": db.execute(
            "SELECT id, title, published, published_written, source FROM articles ORDER BY id").fetchall(),
        "article_attributes": db.execute(
            "SELECT article_id, name, value, position FROM article_attributes ORDER BY 1, 2").fetchall(),
        "article_edits": db.execute("SELECT article_id, field FROM article_edits ORDER BY 1, 2").fetchall(),
        "done": db.execute(
            "SELECT article_id, annotator, done_at FROM reading WHERE done_at IS NOT NULL ORDER BY 1, 2").fetchall(),
        # gold decisions of the gold annotations there are (a deleted one's row waits for its undo)
        "gold_decisions": db.execute(
            "SELECT g.* FROM gold_decisions g JOIN annotations n ON n.id = g.annotation_id ORDER BY 1").fetchall(),
    }


def forget_entity(store, surface: str) -> None:
    """Remove every verdict on `surface`, as a person editing the database by hand would (reader
    itself takes one back only by undoing it)."""
    with store.writing("forgetting"):
        store.db.execute("DELETE FROM entity_feedback WHERE surface = ?", [surface])


def write_file(path: Path, content: str | bytes) -> Path:
    """`content` written at `path` (bytes as they are, text as UTF-8), its folders made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path
