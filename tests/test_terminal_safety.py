"""Text that reaches the terminal: escapes, control characters, bidi overrides and markup in titles,
texts, tags and notes are shown literally or visibly neutralised, and drive nothing.

The texts are written to the database directly, as a foreign import or another program could,
so these tests see what the display does on its own (import strips most of it first)."""

import re
import sys

import pytest

from reader.core.ingest import Document
from reader.store import Store
from reader.tui.app import ReaderApp
from reader.tui.wrap import WrappedText, display_text, layout_text

from .conftest import open_article
from .terminal import run_in_terminal

SIZE = (110, 32)

# Each is something a terminal acts on, not something it shows.
OSC52_CLIPBOARD = "\x1b]52;c;SGVsbG8gY2xpcGJvYXJk\x07"
OSC8_LINK = "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
REPORT_TITLE = "\x1b[21t"
DCS_QUERY = "\x1bP+q544e\x1b\\"
C1_CSI = "\x9b2J"
TITLE_SET = "\x1b]0;owned\x07"
BIDI = "\u202eevil\u202c \u2066iso\u2069 \u200fmark"
MARKUP = "[bold]b[/] [/] [link=https://x.example]l[/link] [@click=app.quit]quit[/]"

HOSTILE_TITLE = f"Title {MARKUP} {OSC52_CLIPBOARD}{TITLE_SET}{BIDI}"
HOSTILE_TEXT = (
    f"Opening {REPORT_TITLE}line with {OSC8_LINK} and {DCS_QUERY} and {C1_CSI} end.\n\n"
    f"Second {MARKUP} paragraph {BIDI} with zero\u200bwidth and e\u0301 and 😀 and "
    + "Averyveryverylongword" * 12
    + "\x00\x07\x08\x7f.\n\nThird paragraph is plain."
)
HOSTILE_TAG = "[@click=app.quit]q[/] [red]tag"
HOSTILE_NOTE = f"note {MARKUP} {OSC52_CLIPBOARD} {BIDI}"
HOSTILE_SOURCE = f"[i]Wire[/i]{REPORT_TITLE}"


def hostile_database(path):
    store = Store.open(path)
    store.articles.add(
        Document(text=HOSTILE_TEXT, title=HOSTILE_TITLE, source=HOSTILE_SOURCE, url=None, path="h.txt",
                 published="2025-01-01", locator="")
    )
    second = HOSTILE_TEXT.index("Second")
    store.annotations.add(1, second, second + 30, [HOSTILE_TAG], "alice", note=HOSTILE_NOTE)
    return store


def screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def assert_nothing_active(lines: list[str]) -> None:
    screen = "\n".join(lines)
    for char in screen:
        code = ord(char)
        assert not (code < 0x20 and char != "\n"), f"control {code:#x} on screen"
        assert not 0x7F <= code < 0xA0, f"C1 control {code:#x} on screen"
        assert char not in "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069", f"bidi {code:#x} on screen"


def test_display_and_layout_keep_length_and_neutralise_bidi():
    text = "a\u202eb\nc\u2067d\u2069 e\u200bf \U0001F600"
    shown, laid = display_text(text), layout_text(text)
    assert len(shown) == len(laid) == len(text)
    assert "\u202e" not in shown and "\u2067" not in laid and "\ufffd" in shown
    assert laid.count("\n") == 1 and "\n" not in shown
    assert "\u200b" in shown  # zero-width space: harmless, kept
    wrapped = WrappedText.wrap(laid, 4)
    assert wrapped.column_of(text.index("b")) == 2  # the replaced override takes its one cell


async def test_hostile_article_list_and_article_render_literally_and_inert(tmp_path, config):
    store = hostile_database(tmp_path / "hostile.db")
    app = ReaderApp(config, store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            listing = screen_lines(app)
            assert_nothing_active(listing)
            # (the title column ends in an ellipsis beside the tags column: the first of the markup)
            assert any("Title [bold]b[/] [/] [link=https://x.example]" in line for line in listing)
            assert any("[i]Wire[/i]\ufffd[21t" in line for line in listing)
            view = await open_article(pilot)
            article = screen_lines(app)
            assert_nothing_active(article)
            screen = "\n".join(article)
            assert "[@click=app.quit]quit[/]" in screen  # markup in the title and the text, as written
            assert "\ufffdevil\ufffd \ufffdiso\ufffd" in screen  # bidi overrides visible, not obeyed
            assert "\ufffd]8;;https://evil.example/\ufffd\\click" in screen  # a hyperlink is only text
            await pilot.press("i")  # the side panel: annotations with their tags
            await pilot.pause()
            panel = screen_lines(app)
            assert_nothing_active(panel)
            assert any("[@click=app.quit]q[/] [red]tag" in line for line in panel)  # markup in a tag name
            await pilot.click(offset=(30, 6))  # a click on the [@click=app.quit] text does nothing
            await pilot.press("escape")
            view.move_cursor_to(HOSTILE_TEXT.index("Second") + 3)
            await pilot.press("m")  # the note, in the editor
            await pilot.pause()
            assert_nothing_active(screen_lines(app))
            assert any("note [bold]b[/]" in line for line in screen_lines(app))
            await pilot.press("escape", "?")
            await pilot.pause()
            assert_nothing_active(screen_lines(app))
            assert app.is_running
    finally:
        store.close()


# ---- the bytes written to a real terminal -------------------------------------------------

# What Textual itself writes: CSI sequences (cursor, colours, modes), OSC 22 (the mouse pointer's
# shape), and ESC 7 / ESC 8 / ESC = / ESC >. Article text could only ever add others.
_TEXTUAL_ESCAPE = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\]22;[a-z-]*(?:\x07|\x1b\\)|[78=>])")


def stray_escapes(written: bytes) -> list[bytes]:
    """The escape sequences in `written` that are not of a kind Textual writes."""
    stray, position = [], written.find(b"\x1b")
    while position != -1:
        known = _TEXTUAL_ESCAPE.match(written, position)
        if known is None:
            stray.append(written[position : position + 16])
        position = written.find(b"\x1b", known.end() if known else position + 1)
    return stray


def test_the_escape_checker_sees_an_injected_sequence():
    assert stray_escapes(b"\x1b[2J\x1b[38;2;1;2;3mhi\x1b]22;default\x1b\\ok") == []
    for injected in (OSC52_CLIPBOARD, OSC8_LINK, DCS_QUERY, TITLE_SET):
        assert stray_escapes(b"\x1b[0mtext" + injected.encode() + b"\x1b[1m")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_the_bytes_written_to_the_terminal_hold_no_escape_but_textuals_own(tmp_path, config):
    store = hostile_database(config.database)
    store.close()
    # m opens the memo editor on the hostile first sentence (its quote shown); esc closes it, esc the panel;
    # q goes back to the list, ctrl+q quits (q would ask while entities are still being found)
    written, code = run_in_terminal(["--config", str(config.path)],
                                    [b"\r", b"i", b"m", b"\x1b", b"\x1b", b"q", b"\x11"], ready=b"articles")
    assert b"Third paragraph" in written, "the article was shown"
    assert code == 0
    assert stray_escapes(written) == []
    for payload in (b"\x1b]52", b"\x1b]0;owned", b"\x1bP+q", b"\x1b[21t", b"evil.example/\x1b"):
        assert payload not in written
    decoded = written.decode("utf-8", errors="replace")
    assert not re.search("[\x80-\x9f]", decoded), "a C1 control reached the terminal"
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", decoded), "a bidi override reached the terminal"


# ---- names from other people's files, on every screen ----------------------------------------

HOSTILE_ANNOTATOR = f"bob{TITLE_SET}{BIDI}[b]x[/b]"


async def test_hostile_names_stay_inert_on_every_screen(tmp_path, config):
    """Annotator, source, title and tag names as a colleague's file or another program could
    write them, on each screen that shows one (filters, titles, status lines, pickers, toasts)."""
    store = hostile_database(tmp_path / "hostile.db")
    second = HOSTILE_TEXT.index("Second")
    store.annotations.add(1, second, second + 30, [HOSTILE_TAG, "plain"], HOSTILE_ANNOTATOR, note=HOSTILE_NOTE)
    store.annotations.keep_orphan(store.annotations.add(1, 0, 7, [HOSTILE_TAG], HOSTILE_ANNOTATOR, note=HOSTILE_NOTE))
    app = ReaderApp(config, store)
    seen: list[str] = []
    visited: set[str] = set()

    async def look(*keys: str) -> None:
        await pilot.press(*keys)
        await pilot.pause()
        lines = screen_lines(app)
        seen.append("\n".join(lines))
        visited.add(type(app.screen).__name__)
        try:
            assert_nothing_active(lines)
        except AssertionError as error:
            raise AssertionError(f"after {keys} on {type(app.screen).__name__}: {error}") from None

    try:
        async with app.run_test(size=SIZE) as pilot:
            await look("a")  # annotator picker
            await look("enter")  # the list filtered by the hostile annotator: its title names them
            await look("S")  # source picker
            await look("enter")
            await look("enter")  # the article, one annotator shown (status line)
            await look("W")
            await look(*"compare", "enter")
            await look("enter")
            await look("enter")  # two annotators side by side
            await look("q")
            await look("O")  # this article's orphans
            await look("escape")
            await look("q")
            await look("O")  # every orphan
            await look("escape")
            await look("T")  # codebook
            await look("enter")  # passages of the first tag
            await look("a")
            await look("enter")  # filtered by the hostile annotator
            await look("escape")
            await look("escape")
            await look("E")  # entity picker
            await look("escape")
            await look("C")  # charts
            await look("escape")
            await look("A")  # agreement
            await look("escape")
            await look("ctrl+p")  # the palette
            await look("escape")
            assert app.is_running
    finally:
        store.close()
    assert any("bob\ufffd]0;owned\ufffd" in screen for screen in seen), "the annotator was shown, neutralised"
    assert visited >= {"ArticleListScreen", "ArticleScreen", "CompareScreen", "OrphansScreen", "TagsScreen",
                       "TagPassagesScreen", "EntityPicker", "ChartsScreen", "AgreementScreen", "CommandPalette"}, visited
