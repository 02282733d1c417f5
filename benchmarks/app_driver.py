"""Run reader's Textual app headless in a fresh process and time launch, opening articles and tagging (used by run.py).

It must never be pointed at a real user's database: it writes annotations and one long article into the store it is given.
"""

#     python benchmarks/app_driver.py T0 CONFIG RESULT.json [--full | --goals SPEC.json]
#
# With neither flag it only launches (to the list's first frame). --full adds list moves, opening
# articles and tag keys; --goals the issue 3 measures (sorts, search, 1 MB documents, scrolling,
# memory), with SPEC.json naming the search queries and the long documents' paths.
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
# Each frame also records a small state probe of the screen it shows (the list's query, cursor
# and whether rows were fetched; the article view's wrap width, entity count, cursor line), taken
# in `_display`, i.e. exactly the state that frame was composed from. The --goals measures wait
# for the first frame whose state shows the key's effect (e.g. entities present, cursor moved).

from __future__ import annotations

import argparse
import json
import resource
import sys
import threading
import time

T0 = float(sys.argv[1]) if len(sys.argv) > 1 else time.time()
MARKS: dict[str, float] = {"python_started": time.time() - T0}

from pathlib import Path  # noqa: E402

from reader.core.config import load_config  # noqa: E402
from reader.core.entities import lazy_recogniser  # noqa: E402
from reader.store import Store

MARKS["core_imported"] = time.time() - T0

from textual import events  # noqa: E402
from textual._compositor import CompositorUpdate  # noqa: E402
from textual.css.query import NoMatches  # noqa: E402
from textual.widgets import Input  # noqa: E402

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
    """Peak resident set size of this process so far, in MB: VmHWM from /proc, since on Linux
    `ru_maxrss` of a child starts at its parent's peak (exec records the old memory map's high
    water mark), so it would report run.py's own peak whenever that is higher."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    """Resident set size right now, in MB (from /proc; NaN elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def probe(screen) -> tuple | None:
    """What a frame of `screen` shows, in a few numbers (None while it is being built)."""
    try:
        if isinstance(screen, ArticleListScreen):
            rows = screen.query_one(ArticleList)
            query = screen.query_state
            return ("list", bool(rows._rows._pages), rows.count, query.sort, query.search, rows.cursor)
        if isinstance(screen, ArticleScreen):
            view = screen.query_one(ArticleView)
            return ("article", view.wrapped.width, len(view.entities), view.cursor, view.wrapped.line_of(view.cursor))
    except NoMatches:
        return None
    return None


class BenchApp(ReaderApp):
    """ReaderApp that notes when each frame is ready: composed, and turned into the escape
    codes a terminal would be sent (headless Textual skips that step, so it is done here)."""

    #: The background entity-cache fill is off while measuring: with 100,000 articles it runs for
    #: minutes and would make every number depend on where it had got to. The goals are about the
    #: steady state, with the corpus's entities cached (the long documents are still recognised
    #: on first opening, as the benchmark wants to see).
    FILL_ENTITY_CACHE = False

    # Textual resolves CSS_PATH next to the class's own module; point it back at the package's.
    CSS_PATH = str(Path(sys.modules[ReaderApp.__module__].__file__).parent / ReaderApp.CSS_PATH)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.frames: list[tuple[float, type]] = []
        self.states: list[tuple | None] = []  # probe() of each frame's screen, same index as frames

    def _display(self, screen, renderable) -> None:
        if renderable is not None:
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(self.console)
            self.frames.append((time.time(), type(screen)))
            self.states.append(probe(screen))
        super()._display(screen, renderable)

    def frame_where(self, moment: float, test) -> float | None:
        """Time of the first frame after `moment` whose probed state passes `test`."""
        for (t, _kind), state in zip(self.frames, self.states):
            if t > moment and state is not None and test(state):
                return t
        return None

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


async def drive(config_path: Path, full: bool, goals: dict | None = None) -> dict:
    config = load_config(config_path)
    store = Store.open(config.database)
    store.tags.sync(config.tags)
    MARKS["store_opened"] = time.time() - T0
    recogniser = lazy_recogniser(config.entities.gazetteer)  # what the command line gives ReaderApp
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
            assert article_list._rows._pages, "the list fetched no rows"
            MARKS["first_frame_pilot"] = time.time() - T0
            first = app.frame_after(0, ArticleListScreen)
            assert first is not None, "no frame of the article list was composed"
            MARKS["first_frame_composed"] = first - T0
            with_rows = app.frame_where(0, lambda state: state[0] == "list" and state[1])
            MARKS["first_frame_rows"] = (with_rows - T0) if with_rows else float("nan")
            result["rss_list_mb"] = rss_mb()
            result["rss_list_now_mb"] = current_rss_mb()
            if full:
                await measure_app(app, pilot, article_list, store, recogniser, result)
                result["rss_end_mb"] = rss_mb()
            if goals is not None:
                await measure_goals(app, pilot, article_list, store, goals, result)
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
    recognise, sizes, texts, text_frames = [], [], [], []
    for index in picks:
        article_list.cursor = index
        await pilot.pause()
        started = await key(("enter",), ArticleScreen, opens)
        shown = app.frame_where(started, lambda state: state[0] == "article" and state[1] > 0)
        text_frames.append((shown - started) if shown else float("nan"))
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
    result["open"] = {**opens.as_dict(), "text": text_frames}
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
    added = store.articles.add(
        Document(text=body, title=title, source="bench", url=None, path="benchmark-long-article",
                 published="9999-12-31", locator="")
    )
    app.screen._reload()  # what the list does when it comes back into view: count and refetch
    article_list.cursor = 0
    await pilot.pause()
    assert article_list.current.id == added.article_id
    long_open, long_recognise, long_text = Timings(), [], []
    for _ in range(3):
        started = await key(("enter",), ArticleScreen, long_open)
        shown = app.frame_where(started, lambda state: state[0] == "article" and state[1] > 0)
        long_text.append((shown - started) if shown else float("nan"))
        assert isinstance(app.screen, ArticleScreen)
        started = time.perf_counter()
        recogniser.recognise(app.screen.article.text)
        long_recognise.append(time.perf_counter() - started)
        await pilot.press("q")
        await pilot.pause()
    result["open_10kb"] = {**long_open.as_dict(), "text": long_text}
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
    add_annotation = store.annotations.add

    def noting_commit(*args, **kwargs):
        annotation = add_annotation(*args, **kwargs)
        commits.append(time.time())
        return annotation

    store.annotations.add = noting_commit  # this process's store object only
    before = store.annotations.count()
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
    made = store.annotations.count() - before
    assert made == 40, f"expected 40 annotations, found {made}"
    store.annotations.add = add_annotation
    result["s_and_tag_key"] = s_and_tag.as_dict()
    result["tag_key_to_commit_s"] = tag_to_commit
    result["tag_key_to_frame_s"] = tag_to_frame
    result["move_keys"] = {"pilot": moves.pilot}
    await pilot.press("q")
    await pilot.pause()


NAN = float("nan")
KEY_REPEAT_S = 1 / 30  # a held key: about 30 repeats a second, as terminals send them


def list_index(store: Store, article_id: int) -> int:
    """Where `article_id` is in the list in its default order (date, no filter)."""
    from reader.store.listing import _ORDER_BY

    row = store.db.execute(
        f"""SELECT n FROM (SELECT a.id, row_number() OVER (ORDER BY {_ORDER_BY['published']}) - 1 AS n
            FROM articles a) WHERE id = ?""",
        [article_id],
    ).fetchone()
    return row[0]


def send_keys(app: BenchApp, key: str, count: int, interval: float, sent: list[float]) -> threading.Thread:
    """Send `key` `count` times from another thread, `interval` apart, as a terminal's input
    thread would (the keys arrive whatever the app is doing); `sent` gets each key's time."""

    def run() -> None:
        for _ in range(count):
            sent.append(time.time())
            app._driver.send_message(events.Key(key, key if len(key) == 1 else None))
            time.sleep(interval)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


async def measure_goals(app: BenchApp, pilot, article_list: ArticleList, store: Store, goals: dict, result: dict) -> None:
    """The issue 3 measures, in this order: list sorts and G, search, opening the 10 KB and the
    1 MB documents, scrolling them; peak RSS after the searches and after the 1 MB documents."""
    import asyncio

    from reader.core.model import SORT_KEYS

    out: dict = {}
    result["goals"] = out
    screen = app.screen
    assert isinstance(screen, ArticleListScreen)

    async def wait_for(started: float, test, timeout: float = 15.0) -> float:
        """Seconds from `started` to the first frame whose state passes `test` (NaN on timeout)."""
        deadline = time.time() + timeout
        while True:
            frame = app.frame_where(started, test)
            if frame is not None:
                return frame - started
            if time.time() > deadline:
                return NAN
            await pilot.pause(0.01)

    async def press_until(key: str, test, timeout: float = 15.0) -> tuple[float, float]:
        """Press `key` (Pilot), return (key -> first frame passing `test`, around press + pause)."""
        started = time.time()
        await pilot.press(key)
        await pilot.pause()
        around = time.time() - started
        return await wait_for(started, test, timeout), around

    def on_list(state) -> bool:
        return state[0] == "list"

    # ---- sorts: o -> frame of the new order; G -> frame of the last row, for every sort ------
    sort_frames: dict[str, list[float]] = {key: [] for key in SORT_KEYS}
    end_frames: dict[str, list[float]] = {key: [] for key in SORT_KEYS}
    for _cycle in range(goals.get("sort_cycles", 3)):
        for _ in SORT_KEYS:
            current = screen.query_state.sort
            last = article_list.count - 1
            frame, _ = await press_until("G", lambda s: on_list(s) and s[3] == current and s[5] == last and s[1])
            end_frames[current].append(frame)
            await pilot.press("g")
            await pilot.pause()
            following = SORT_KEYS[(SORT_KEYS.index(current) + 1) % len(SORT_KEYS)]
            frame, _ = await press_until("o", lambda s: on_list(s) and s[3] == following and s[1])
            sort_frames[following].append(frame)
    assert screen.query_state.sort == "published"
    out["sort_key_frame"] = sort_frames
    out["list_end_frame"] = end_frames

    # ---- search: / + query + enter -> first frame of the results (typing is not timed) ------
    searches: dict[str, list[float]] = {query: [] for query in goals["searches"]}
    counts: dict[str, int] = {}
    for _round in range(goals.get("search_rounds", 3)):
        for query in goals["searches"]:
            await pilot.press("slash")
            await pilot.pause()
            field = screen.query_one("#search", Input)
            field.value = query
            await pilot.pause()
            frame, _ = await press_until(
                "enter", lambda s, q=query: on_list(s) and s[4] == q and (s[1] or s[2] == 0)
            )
            searches[query].append(frame)
            counts[query] = article_list.count
            await pilot.press("c")  # clear the search (untimed)
            await pilot.pause()
    out["search_frame"] = searches
    out["search_count"] = counts
    out["rss_after_search_mb"] = rss_mb()
    out["rss_after_search_now_mb"] = current_rss_mb()

    # ---- opening documents: enter -> first frame, -> frame with the text laid out, -> frame
    # with entities (which for texts over 50,000 characters come from a background thread) ----
    def on_article(state) -> bool:
        return state[0] == "article"

    async def open_document(article_id: int) -> dict[str, float]:
        article_list.cursor = list_index(store, article_id)
        await pilot.pause()
        assert article_list.current.id == article_id, "the list cursor is not on the document"
        started = time.time()
        await pilot.press("enter")
        await pilot.pause()
        around = time.time() - started
        assert isinstance(app.screen, ArticleScreen), f"enter did not open an article ({app.screen!r})"
        entities = await wait_for(started, lambda s: on_article(s) and s[1] > 0 and s[2] > 0)
        first = app.frame_after(started, ArticleScreen)
        text = app.frame_where(started, lambda s: on_article(s) and s[1] > 0)
        count = len(app.screen.entities)
        # The first move after opening (entities already shown): it pays for whatever the view
        # left for the first key.
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        line = view.wrapped.line_of(view.cursor)
        first_move, _ = await press_until("pagedown", lambda s: on_article(s) and s[4] > line)
        return {
            "first_frame": (first - started) if first else NAN,
            "text_frame": (text - started) if text else NAN,
            "entities_frame": entities,
            "pilot": around,
            "entities": count,
            "first_pagedown": first_move,
        }

    async def back_to_list() -> None:
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ArticleListScreen)

    documents = goals["documents"]  # name -> article id
    opens: dict[str, list[dict[str, float]]] = {name: [] for name in documents}
    for _round in range(goals.get("open_rounds", 3)):
        for name, article_id in documents.items():
            opens[name].append(await open_document(article_id))
            await back_to_list()
    out["open"] = opens

    # ---- scrolling the long documents, after their entities have arrived -----------------------
    scrolling: dict[str, dict] = {}
    for name in goals["scroll_documents"]:
        article_id = documents[name]
        record: dict = {}
        scrolling[name] = record

        # pagedown while entities are still being recognised (keys sent 100 ms apart from the
        # moment the text is on screen)
        opened = await open_document_without_waiting(app, pilot, article_list, store, article_id)
        view = app.screen.query_one(ArticleView)
        line0 = view.wrapped.line_of(view.cursor)
        page = max(1, view.scrollable_content_region.height - 1)  # what pagedown moves
        sent: list[float] = []
        thread = send_keys(app, "pagedown", 5, 0.1, sent)
        while thread.is_alive():
            await asyncio.sleep(0.01)
        busy = []
        for index, moment in enumerate(sent):
            target = line0 + (index + 1) * page
            busy.append(await wait_for(moment, lambda s, t=target: on_article(s) and s[4] >= t, 10))
        # when the entities came, and when the keys were sent, both from the enter key
        record["entities_frame_after_open"] = await wait_for(opened, lambda s: on_article(s) and s[2] > 0, 30)
        record["pagedowns_sent_after_open"] = [moment - opened for moment in sent]
        record["pagedown_during_recognition"] = busy
        await pilot.pause()

        # pagedown, one key at a time
        pagedowns = []
        for _ in range(goals.get("pagedowns", 30)):
            line = view.wrapped.line_of(view.cursor)
            frame, _ = await press_until("pagedown", lambda s, l=line: on_article(s) and s[4] > l)
            pagedowns.append(frame)
        record["pagedown"] = pagedowns

        # j held: keys at the terminal's repeat rate; each key to the first frame showing its line
        line0 = view.wrapped.line_of(view.cursor)
        sent = []
        thread = send_keys(app, "j", goals.get("held_keys", 50), KEY_REPEAT_S, sent)
        while thread.is_alive():
            await asyncio.sleep(0.005)
        held = []
        for index, moment in enumerate(sent):
            held.append(await wait_for(moment, lambda s, target=line0 + index + 1: on_article(s) and s[4] >= target, 10))
        record["j_held"] = held
        record["j_held_lines"] = view.wrapped.line_of(view.cursor) - line0
        await pilot.pause()

        # G: the end of the document; g (untimed) back to the top
        ends = []
        last = len(view.text) - 1
        for _ in range(goals.get("ends", 5)):
            frame, _ = await press_until("G", lambda s: on_article(s) and s[3] == last)
            ends.append(frame)
            await pilot.press("g")
            await pilot.pause()
        record["G"] = ends
        await back_to_list()
    out["scroll"] = scrolling
    out["rss_after_long_mb"] = rss_mb()
    out["rss_after_long_now_mb"] = current_rss_mb()


async def open_document_without_waiting(app: BenchApp, pilot, article_list: ArticleList, store: Store, article_id: int) -> float:
    """Open an article from the list and return as soon as its text is on screen; returns
    when the enter key was sent."""
    article_list.cursor = list_index(store, article_id)
    await pilot.pause()
    import asyncio

    started = time.time()
    app._driver.send_message(events.Key("enter", "\r"))  # not pilot.press: it waits for the CPU to go idle
    while app.frame_where(started, lambda s: s[0] == "article" and s[1] > 0) is None:
        await asyncio.sleep(0.005)
    return started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("t0", type=float)
    parser.add_argument("config", type=Path)
    parser.add_argument("result", type=Path)
    parser.add_argument("--full", action="store_true", help="also time list moves, opening articles and tag keys")
    parser.add_argument("--goals", type=Path, metavar="SPEC.json", help="time the issue 3 goals (sorts, search, 1 MB documents, memory)")
    args = parser.parse_args()
    import asyncio

    goals = json.loads(args.goals.read_text(encoding="utf-8")) if args.goals else None
    result = asyncio.run(drive(args.config, args.full, goals))
    args.result.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
