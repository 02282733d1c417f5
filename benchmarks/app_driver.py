"""Run reader's Textual app headless in a fresh process and time launch, opening articles and tagging (used by run.py).
It must never be pointed at a real user's database: it writes annotations and one long article into the store it is given.

    python benchmarks/app_driver.py T0 CONFIG RESULT.json [--full]

T0 is the parent's `time.time()` just before it started this process, so "launch" includes the
interpreter's start-up and every import. Results are written as JSON to RESULT.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time

T0 = float(sys.argv[1]) if len(sys.argv) > 1 else time.time()
MARKS: dict[str, float] = {"python_started": time.time() - T0}

from pathlib import Path  # noqa: E402

from reader.core.config import load_config  # noqa: E402
from reader.core.store import Store  # noqa: E402

MARKS["core_imported"] = time.time() - T0

from reader.tui.app import ReaderApp  # noqa: E402
from reader.tui.screens.article import ArticleScreen  # noqa: E402
from reader.tui.screens.article_list import ArticleListScreen  # noqa: E402
from reader.tui.widgets.article_list import ArticleList  # noqa: E402
from reader.tui.widgets.article_view import ArticleView  # noqa: E402

MARKS["tui_imported"] = time.time() - T0

SIZE = (120, 40)
LONG_ARTICLE_CHARS = 10_000


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def drive(config_path: Path, full: bool) -> dict:
    config = load_config(config_path)
    store = Store.open(config.database)
    store.sync_tags(config.tags)
    MARKS["store_opened"] = time.time() - T0
    app = ReaderApp(config, store)
    MARKS["app_built"] = time.time() - T0
    result: dict = {"marks": MARKS}
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            while not isinstance(app.screen, ArticleListScreen):
                await pilot.pause()
            article_list = app.screen.query_one(ArticleList)
            article_list.render_line(1)
            assert article_list._pages, "the list fetched no rows"
            MARKS["first_frame"] = time.time() - T0
            result["launch_s"] = MARKS["first_frame"]
            result["rss_list_mb"] = rss_mb()
            if full:
                await measure_app(app, pilot, article_list, store, result)
                result["rss_end_mb"] = rss_mb()
    finally:
        store.close()
    return result


async def timed(action) -> float:
    started = time.perf_counter()
    await action()
    return time.perf_counter() - started


async def measure_app(app: ReaderApp, pilot, article_list: ArticleList, store: Store, result: dict) -> None:
    count = article_list.count

    # List movement: one row down, and a jump to the last row (the deepest page fetch).
    async def press(*keys):
        await pilot.press(*keys)
        await pilot.pause()

    result["list_down_s"] = statistics.median([await timed(lambda: press("j")) for _ in range(9)])
    result["list_jump_end_s"] = await timed(lambda: press("G"))
    await press("g")

    # Open five articles spread over the list.
    picks = sorted({0, 1, count // 3, (2 * count) // 3, count - 1})
    while len(picks) < min(5, count):
        picks = sorted(set(picks) | {len(picks)})
    opens, recognise, sizes, backs, texts = [], [], [], [], []
    for index in picks[:5]:
        article_list.cursor = index
        await pilot.pause()
        opens.append(await timed(lambda: press("enter")))
        screen = app.screen
        assert isinstance(screen, ArticleScreen), f"enter did not open an article (screen: {screen!r})"
        view = screen.query_one(ArticleView)
        assert view.entities or not app.recogniser.recognise(screen.article.text), "entities were not set"
        text = screen.article.text
        texts.append(text)
        sizes.append(len(text.encode("utf-8")))
        started = time.perf_counter()
        app.recogniser.recognise(text)
        recognise.append(time.perf_counter() - started)
        backs.append(await timed(lambda: press("q")))
        assert isinstance(app.screen, ArticleListScreen)
    result["open_s"] = opens
    result["open_bytes"] = sizes
    result["recognise_s"] = recognise
    result["back_to_list_s"] = backs

    # A 10 KB article, made from the texts just read and sorted to the top of the list.
    body = "\n\n".join(texts)
    while len(body.encode("utf-8")) < LONG_ARTICLE_CHARS:
        body += "\n\n" + body
    body = body.encode("utf-8")[:LONG_ARTICLE_CHARS].decode("utf-8", "ignore")
    body = "Benchmark: a 10 KB article\n\n" + body[body.index("\n\n") + 2 :].rstrip()
    from reader.core.ingest import Document

    added = store.add_document(
        Document(text=body, title="Benchmark: a 10 KB article", source="bench", url=None,
                 path="benchmark-long-article", published="9999-12-31", locator="")
    )
    article_list.reload(store.article_count())
    article_list.cursor = 0
    await pilot.pause()
    assert article_list.current.id == added.article_id
    long_open = []
    long_recognise = []
    for _ in range(3):
        long_open.append(await timed(lambda: press("enter")))
        assert isinstance(app.screen, ArticleScreen)
        started = time.perf_counter()
        app.recogniser.recognise(app.screen.article.text)
        long_recognise.append(time.perf_counter() - started)
        await press("q")
    result["open_10kb_s"] = long_open
    result["recognise_10kb_s"] = long_recognise
    result["long_article_bytes"] = len(body.encode("utf-8"))

    # The tag key: select the sentence under the cursor and tag it, as a user would ("s", "1"),
    # on the next sentence each time; and, for scale, two cursor moves ("h", "l").
    await press("enter")
    screen = app.screen
    assert isinstance(screen, ArticleScreen)
    tag_key = next(tag.key for tag in screen.config.tags if tag.key)
    before = store.annotation_count()
    tag_times, move_times = [], []
    for _ in range(25):
        await press("right_parenthesis")
        await pilot.press("escape")
        tag_times.append(await timed(lambda: pilot.press("s", tag_key)))
        move_times.append(await timed(lambda: pilot.press("h", "l")))
    await pilot.pause()
    made = store.annotation_count() - before
    assert made == len(tag_times), f"expected {len(tag_times)} annotations, found {made}"
    result["tag_key_s"] = tag_times
    result["move_keys_s"] = move_times
    await press("q")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("t0", type=float)
    parser.add_argument("config", type=Path)
    parser.add_argument("result", type=Path)
    parser.add_argument("--full", action="store_true", help="also time list moves, opening articles and tag keys")
    args = parser.parse_args()
    import asyncio

    result = asyncio.run(drive(args.config, args.full))
    args.result.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
