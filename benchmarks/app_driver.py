"""Run reader's Textual app headless in a fresh process and time launch, opening articles and tagging (used by run.py).

It must never be pointed at a real user's database: it writes annotations and one long article into the store it is given.
"""

#     python benchmarks/app_driver.py T0 CONFIG RESULT.json [--full]
#
# T0 is the parent's `time.time()` just before it started this process, so "launch" includes the
# interpreter's start-up and every import. Results are written as JSON to RESULT.json.
#
# Two clocks are reported for each interaction:
# * "pilot": around `await pilot.press(...); await pilot.pause()`. Pilot waits until the process
#   looks idle (it samples CPU time every 1/50 s), so this includes tens of ms of waiting that a
#   user would not see; the "h","l" cursor-move row measures that floor.
# * "frame": from just before the key is sent to the first frame of the expected screen that
#   Textual composed and serialised to terminal escape codes afterwards (recorded by a subclass
#   of ReaderApp defined here; the package itself is not changed). This is what a user waits for.
# * "settled": from the same moment to the last frame composed before the Pilot returned (later
#   frames redraw the screen, e.g. the footer after a focus change).

from __future__ import annotations

import argparse
import json
import resource
import sys
import time

T0 = float(sys.argv[1]) if len(sys.argv) > 1 else time.time()
MARKS: dict[str, float] = {"python_started": time.time() - T0}

from pathlib import Path  # noqa: E402

from reader.core.config import load_config  # noqa: E402
from reader.core.entities import build_recogniser  # noqa: E402
from reader.core.store import Store  # noqa: E402

MARKS["core_imported"] = time.time() - T0

from textual._compositor import CompositorUpdate  # noqa: E402

from reader.core.ingest import Document  # noqa: E402
from reader.tui.app import ReaderApp  # noqa: E402
from reader.tui.screens.article import ArticleScreen  # noqa: E402
from reader.tui.screens.article_list import ArticleListScreen  # noqa: E402
from reader.tui.widgets.article_list import ArticleList  # noqa: E402
from reader.tui.widgets.article_view import ArticleView  # noqa: E402

MARKS["tui_imported"] = time.time() - T0

SIZE = (120, 40)
LONG_ARTICLE_BYTES = 10_000


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class BenchApp(ReaderApp):
    """ReaderApp that notes when each frame is ready: composed, and turned into the escape
    codes a terminal would be sent (headless Textual skips that step, so it is done here)."""

    # Textual resolves CSS_PATH next to the class's own module; point it back at the package's.
    CSS_PATH = str(Path(sys.modules[ReaderApp.__module__].__file__).parent / ReaderApp.CSS_PATH)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.frames: list[tuple[float, type]] = []

    def _display(self, screen, renderable) -> None:
        if renderable is not None:
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(self.console)
            self.frames.append((time.time(), type(screen)))
        super()._display(screen, renderable)

    def frame_after(self, moment: float, screen_type: type) -> float | None:
        """Time of the first frame of a `screen_type` screen after `moment`."""
        return next((t for t, kind in self.frames if t > moment and issubclass(kind, screen_type)), None)

    def last_frame_before(self, moment: float) -> float | None:
        return next((t for t, _kind in reversed(self.frames) if t <= moment), None)


class Timings:
    def __init__(self) -> None:
        self.pilot: list[float] = []
        self.frame: list[float] = []
        self.settled: list[float] = []

    def as_dict(self) -> dict[str, list[float]]:
        return {"pilot": self.pilot, "frame": self.frame, "settled": self.settled}


async def drive(config_path: Path, full: bool) -> dict:
    config = load_config(config_path)
    store = Store.open(config.database)
    store.sync_tags(config.tags)
    MARKS["store_opened"] = time.time() - T0
    recogniser = build_recogniser(config.entities.gazetteer)  # what ReaderApp builds when given none
    MARKS["recogniser_built"] = time.time() - T0
    app = BenchApp(config, store, recogniser)
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
            MARKS["first_frame_pilot"] = time.time() - T0
            first = app.frame_after(0, ArticleListScreen)
            assert first is not None, "no frame of the article list was composed"
            MARKS["first_frame_composed"] = first - T0
            result["rss_list_mb"] = rss_mb()
            if full:
                await measure_app(app, pilot, article_list, store, recogniser, result)
                result["rss_end_mb"] = rss_mb()
    finally:
        store.close()
    return result


async def measure_app(app: BenchApp, pilot, article_list: ArticleList, store: Store, recogniser, result: dict) -> None:
    async def key(keys: tuple[str, ...], screen_type: type, timings: Timings) -> float:
        """Press `keys`, wait as a test would, note the clocks; returns when the keys were sent.

        With several keys, "frame" is the first frame after the first key; the caller may
        replace it."""
        started = time.time()
        await pilot.press(*keys)
        await pilot.pause()
        ended = time.time()
        timings.pilot.append(ended - started)
        frame = app.frame_after(started, screen_type)
        timings.frame.append((frame - started) if frame else float("nan"))
        last = app.last_frame_before(ended)
        timings.settled.append((last - started) if last and last > started else float("nan"))
        return started

    # List movement: one row down; a jump to the last row (the deepest page of the list query).
    down, jump = Timings(), Timings()
    for _ in range(9):
        await key(("j",), ArticleListScreen, down)
    await key(("G",), ArticleListScreen, jump)
    await pilot.press("g")
    await pilot.pause()
    result["list_down"] = down.as_dict()
    result["list_jump_end"] = jump.as_dict()

    # Open five articles spread over the list; time the recogniser on each separately.
    count = article_list.count
    picks = sorted({0, 1, count // 3, (2 * count) // 3, count - 1})[:5]
    opens, backs = Timings(), Timings()
    recognise, sizes, texts = [], [], []
    for index in picks:
        article_list.cursor = index
        await pilot.pause()
        await key(("enter",), ArticleScreen, opens)
        screen = app.screen
        assert isinstance(screen, ArticleScreen), f"enter did not open an article (screen: {screen!r})"
        text = screen.article.text
        assert screen.query_one(ArticleView).entities or not recogniser.recognise(text), "entities not set"
        texts.append(text)
        sizes.append(len(text.encode("utf-8")))
        started = time.perf_counter()
        recogniser.recognise(text)
        recognise.append(time.perf_counter() - started)
        await key(("q",), ArticleListScreen, backs)
        assert isinstance(app.screen, ArticleListScreen)
    result["open"] = opens.as_dict()
    result["open_bytes"] = sizes
    result["recognise_s"] = recognise
    result["back_to_list"] = backs.as_dict()

    # A 10 KB article, made from the texts just read and sorted to the top of the list.
    body = "\n\n".join(texts)
    while len(body.encode("utf-8")) < 2 * LONG_ARTICLE_BYTES:
        body += "\n\n" + body
    body = body.encode("utf-8")[:LONG_ARTICLE_BYTES].decode("utf-8", "ignore")
    title = "Benchmark: a 10 KB article"
    body = (title + "\n\n" + body[body.index("\n\n") + 2 :]).rstrip()
    added = store.add_document(
        Document(text=body, title=title, source="bench", url=None, path="benchmark-long-article",
                 published="9999-12-31", locator="")
    )
    article_list.reload(store.article_count())
    article_list.cursor = 0
    await pilot.pause()
    assert article_list.current.id == added.article_id
    long_open, long_recognise = Timings(), []
    for _ in range(3):
        await key(("enter",), ArticleScreen, long_open)
        assert isinstance(app.screen, ArticleScreen)
        started = time.perf_counter()
        recogniser.recognise(app.screen.article.text)
        long_recognise.append(time.perf_counter() - started)
        await pilot.press("q")
        await pilot.pause()
    result["open_10kb"] = long_open.as_dict()
    result["recognise_10kb_s"] = long_recognise
    result["long_article_bytes"] = len(body.encode("utf-8"))

    # The tag key on the 10 KB article: "s" selects the sentence, the tag key saves it. Timed:
    # pilot.press("s", key) as a whole; and from the tag key alone to the commit (add_annotation
    # returned) and to the next frame. Two cursor moves ("h", "l") show the Pilot's floor.
    await pilot.press("enter")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ArticleScreen)
    tag_key = next(tag.key for tag in screen.config.tags if tag.key)
    commits: list[float] = []
    add_annotation = store.add_annotation

    def noting_commit(*args, **kwargs):
        annotation = add_annotation(*args, **kwargs)
        commits.append(time.time())
        return annotation

    store.add_annotation = noting_commit  # this process's store object only
    before = store.annotation_count()
    s_and_tag, moves = Timings(), Timings()
    tag_to_commit, tag_to_frame = [], []
    for round_ in range(40):
        await pilot.press("right_parenthesis", "escape")
        await pilot.pause()
        if round_ % 2 == 0:
            started = await key(("s", tag_key), ArticleScreen, s_and_tag)
            frame = app.frame_after(commits[-1], ArticleScreen)
            s_and_tag.frame[-1] = (frame - started) if frame else float("nan")
        else:
            await pilot.press("s")
            await pilot.pause()
            started = time.time()
            await pilot.press(tag_key)
            await pilot.pause()
            tag_to_commit.append(commits[-1] - started)
            frame = app.frame_after(commits[-1], ArticleScreen)
            tag_to_frame.append((frame - started) if frame else float("nan"))
        await key(("h", "l"), ArticleScreen, moves)
    made = store.annotation_count() - before
    assert made == 40, f"expected 40 annotations, found {made}"
    store.add_annotation = add_annotation
    result["s_and_tag_key"] = s_and_tag.as_dict()
    result["tag_key_to_commit_s"] = tag_to_commit
    result["tag_key_to_frame_s"] = tag_to_frame
    result["move_keys"] = {"pilot": moves.pilot}
    await pilot.press("q")
    await pilot.pause()


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
