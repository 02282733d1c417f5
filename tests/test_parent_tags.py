"""A parent tag means itself and every tag nested in it, everywhere a tag filters: the list's `f`
filter (which offers parents nobody created), `reader export --tag`, `reader stats --tag`, the
passages of a tag; "framing" never matches "framingX"."""

import json

import yaml
from click.testing import CliRunner

from reader.cli import main
from reader.core.model import ExportFilter, ListQuery, PassageQuery
from reader.tui.app import ReaderApp
from reader.tui.screens.article_list import ArticleListScreen
from reader.tui.screens.pickers import PickerScreen
from reader.tui.widgets.article_list import ArticleList


def seed(store):
    """Only nested framing tags (no tag is called "framing"), and a look-alike "framingX"."""
    store.annotations.add(1, 0, 22, ["framing/economy"], "alice")
    store.annotations.add(2, 0, 19, ["framing/security/borders"], "bob")
    store.annotations.add(3, 0, 15, ["framingX"], "alice")
    store.articles.tag(3, "framingX", "alice")


def test_the_family_of_a_tag_is_it_and_its_nested_tags_only(store):
    seed(store)
    assert "framing" not in store.tags.names()
    assert store.tags.family("framing") == ["framing/economy", "framing/security/borders"]
    assert store.tags.family("framing/security") == ["framing/security/borders"]
    assert store.tags.family("framingX") == ["framingX"]
    assert store.tags.family("frame") == []
    assert store.tags.filter_names() == [
        "conflict", "cooperation", "framing", "framing/economy", "framing/security", "framing/security/borders", "framingX"]


def test_listing_export_passages_and_stats_figures_count_a_parent_with_its_nested_tags(store):
    seed(store)
    assert store.listing.count(ListQuery(tag="framing")) == 2
    assert {row.id for row in store.listing.page(0, 10, ListQuery(tag="framing"))} == {1, 2}
    assert store.listing.count(ListQuery(tag="framing/security")) == 1
    exported = [(article.id, [a.tags for a in notes])
                for article, notes in store.exchange.annotated_articles(only=ExportFilter(tag="framing"))]
    assert exported == [(1, [("framing/economy",)]), (2, [("framing/security/borders",)])]
    assert store.passages.count(PassageQuery(tag="framing")) == 2


def test_reader_export_and_stats_take_a_parent_tag_nobody_created(store, tmp_path, monkeypatch):
    seed(store)
    monkeypatch.delenv("READER_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # conftest's config.yaml and annotations.db are here
    store.close()
    result = CliRunner().invoke(main, ["export", "--tag", "framing"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.stdout)
    tags = sorted(tag for article in data["articles"] for note in article["annotations"] for tag in note["tags"])
    assert tags == ["framing/economy", "framing/security/borders"]
    stats = CliRunner().invoke(main, ["stats", "--by", "source", "--tag", "framing", "--format", "json"],
                               catch_exceptions=False)
    assert stats.exit_code == 0, stats.output
    counts = json.loads(stats.stdout)["source"]["column_totals"]
    assert counts == {"framing/economy": 1, "framing/security/borders": 1}


async def test_f_offers_a_parent_tag_and_the_list_shows_its_nested_tags_articles(store, config):
    seed(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert "framing" in app.screen.choices and "framing/security" in app.screen.choices
        await pilot.press(*"framing", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ArticleListScreen)
        assert screen.query_state.tag == "framing"
        assert screen.query_one(ArticleList).count == 2


async def test_the_charts_tag_filter_offers_a_parent_and_counts_its_nested_tags(store, config):
    from tests.test_tui_charts import open_charts, settle, table_text

    seed(store)
    app = ReaderApp(config, store)
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_charts(pilot)
        await pilot.press("t")
        await pilot.pause()
        assert "framing" in app.screen.choices
        await pilot.press(*"framing", "enter")
        await settle(pilot)
        assert screen.state.tag == "framing"
        header = [str(column.label) for column in screen.table.columns.values()]
        assert "framing/economy" in " ".join(header) and "framingX" not in " ".join(header)
        assert table_text(screen)[-1][-1] == "2"
