"""Orphans in the TUI: listed from the article list, put back from the article."""

from reader.core.ingest import Document
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.orphans import OrphansScreen

TEXT = "Quay talks\n\nDockers walked out on Monday. Talks failed again."


def article(text):
    return Document(text=text, title="Quay talks", source="Wirefeed", url=None, path="quay.txt", published="2025-01-01", locator="")


async def test_an_orphan_is_listed_opened_and_put_back_on_a_sentence(config, tmp_path):
    from reader.store import Store

    store = Store.open(config.database)
    article_id = store.articles.add(article(TEXT)).article_id
    lost = store.annotations.add(article_id, TEXT.index("Talks failed"), len(TEXT), ["talks"], "alice", note="check")
    new_text = "Quay talks\n\nDockers walked out on Monday. Negotiators met overnight without result."
    store.articles.add(article(new_text))
    assert [o.id for o in store.annotations.orphans()] == [lost.id]
    app = ReaderApp(config, store)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press("O")
        await pilot.pause()
        assert isinstance(app.screen, OrphansScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen) and app.screen.article.id == article_id
        view = app.screen.view
        view.move_cursor_to(new_text.index("Negotiators"))
        await pilot.press("s", "O")
        await pilot.pause()
        assert isinstance(app.screen, OrphansScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
    [placed] = [a for a in store.annotations.of_article(article_id) if a.id == lost.id]
    assert placed.quote == "Negotiators met overnight without result."
    assert (placed.tags, placed.note, placed.created) == (("talks",), "check", lost.created)
    assert store.annotations.orphans() == []


async def test_x_deletes_an_orphan_for_good(config):
    from reader.store import Store

    store = Store.open(config.database)
    article_id = store.articles.add(article(TEXT)).article_id
    store.annotations.add(article_id, TEXT.index("Talks failed"), len(TEXT), ["talks"], "alice")
    store.articles.add(article("Quay talks\n\nSomething else entirely happened today."))
    app = ReaderApp(config, store)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press("O")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert not isinstance(app.screen, OrphansScreen)
    assert store.annotations.orphans() == []
