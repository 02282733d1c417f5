"""Pilot tests for the modal pickers and the note editor: the keys pressed and what they return."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.screen import Screen
from textual.widgets import Input, OptionList, SelectionList, Static, TextArea

from reader.tui.screens.note_editor import NoteEditor
from reader.tui.screens.pickers import MAX_OPTIONS, ChecklistScreen, PickerScreen

SIZE = (100, 30)
TAGS = ["cooperation", "conflict", "economic"]
MISSING = object()


class HostApp(App[None]):
    """Pushes one modal screen on mount and records what it dismisses with."""

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.modal = screen
        self.result: Any = MISSING

    def on_mount(self) -> None:
        self.push_screen(self.modal, self.record)

    def record(self, result: Any) -> None:
        self.result = result


def option_texts(screen: PickerScreen) -> list[str]:
    return [str(option.prompt) for option in screen.query_one(OptionList).options]


async def test_fuzzy_filter_puts_the_best_match_first_and_enter_picks_it():
    app = HostApp(PickerScreen("Tag", TAGS))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.modal
        assert option_texts(screen) == TAGS  # empty query: the given order
        await pilot.press("c", "n", "f")
        assert option_texts(screen)[0] == "conflict"
        first = screen.query_one(OptionList).options[0].prompt
        assert [(span.start, span.end) for span in first.spans] == [(0, 1), (2, 3), (3, 4)]  # c, n, f
        assert "economic" not in option_texts(screen)
        assert isinstance(app.focused, Input)
        await pilot.press("enter")
    assert app.result == "conflict"


async def test_down_and_up_move_the_highlight_while_typing_continues():
    app = HostApp(PickerScreen("Tag", TAGS))
    async with app.run_test(size=SIZE) as pilot:
        options = app.modal.query_one(OptionList)
        assert options.highlighted == 0
        await pilot.press("down", "down")
        assert options.highlighted == 2
        await pilot.press("up")
        assert options.highlighted == 1
        assert isinstance(app.focused, Input)
        await pilot.press("enter")
    assert app.result == "conflict"


async def test_escape_gives_none():
    app = HostApp(PickerScreen("Tag", TAGS))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", "o", "escape")
    assert app.result is None


async def test_allow_new_offers_to_create_the_typed_name():
    app = HostApp(PickerScreen("Tag", TAGS, allow_new=True))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"framing", "space")
        assert option_texts(app.modal) == ["Create tag “framing”"]
        await pilot.press("enter")
    assert app.result == "framing"  # stripped


async def test_allow_new_highlights_the_best_match_and_offers_create_last():
    app = HostApp(PickerScreen("Tag", TAGS, allow_new=True))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"coop")
        texts = option_texts(app.modal)
        assert texts[0] == "cooperation" and texts[-1] == "Create tag “coop”"
        assert app.modal.query_one(OptionList).highlighted == 0
        await pilot.press("enter")
    assert app.result == "cooperation"

    app = HostApp(PickerScreen("Tag", TAGS, allow_new=True))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"coop")
        await pilot.press(*["down"] * (len(option_texts(app.modal)) - 1), "enter")
    assert app.result == "coop"


async def test_typing_an_existing_name_picks_it_whatever_its_case():
    app = HostApp(PickerScreen("Tag", ["conflict resolution", *TAGS], allow_new=True))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"conflict")
        texts = option_texts(app.modal)
        assert texts[0] == "conflict"
        assert not any(text.startswith("Create tag") for text in texts)
        await pilot.press("enter")
    assert app.result == "conflict"

    app = HostApp(PickerScreen("Tag", TAGS, allow_new=True))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"Conflict")
        texts = option_texts(app.modal)
        assert texts[0] == "conflict" and not any(text.startswith("Create tag") for text in texts)
        await pilot.press("enter")
    assert app.result == "conflict"  # no near-duplicate "Conflict" is created


async def test_current_items_are_ticked():
    app = HostApp(PickerScreen("Tag", TAGS, current=["conflict"]))
    async with app.run_test(size=SIZE) as pilot:
        assert option_texts(app.modal) == ["  cooperation", "✓ conflict", "  economic"]
        await pilot.press("down", "enter")
    assert app.result == "conflict"


async def test_empty_choices_show_a_hint():
    app = HostApp(PickerScreen("Tag", [], allow_new=True))
    async with app.run_test(size=SIZE) as pilot:
        hint = app.modal.query_one("#picker-hint", Static)
        assert hint.display and "No tags yet: type a name to create one" in str(hint.render())
        await pilot.press("enter")  # nothing to choose: stays open
        assert app.screen is app.modal
        await pilot.press(*"new", "enter")
    assert app.result == "new"

    app = HostApp(PickerScreen("Tag", []))
    async with app.run_test(size=SIZE) as pilot:
        assert "Nothing to choose from" in str(app.modal.query_one("#picker-hint", Static).render())


async def test_a_huge_list_builds_at_most_200_options():
    choices = [f"tag-{index:05d}" for index in range(50_000)]
    app = HostApp(PickerScreen("Tag", choices, allow_new=True))
    async with app.run_test(size=SIZE) as pilot:
        options = app.modal.query_one(OptionList)
        assert options.option_count == MAX_OPTIONS
        assert str(options.options[0].prompt) == "tag-00000"
        await pilot.press(*"t49999")
        await app.modal.workers.wait_for_complete()
        await pilot.pause()
        assert 0 < options.option_count <= MAX_OPTIONS
        assert str(options.options[0].prompt) == "tag-49999"
        assert str(options.options[options.option_count - 1].prompt) == "Create tag “t49999”"
        await pilot.press(*"0", "enter")  # enter before a filter finishes still sees the new text
    assert app.result == "t499990"


async def test_names_with_markup_show_literally():
    names = ["[bold]", "[/]", "a[red]b[/red]"]
    app = HostApp(PickerScreen("[b]Tags[/b]", names, current=["[/]"]))
    async with app.run_test(size=SIZE) as pilot:
        assert option_texts(app.modal) == ["  [bold]", "✓ [/]", "  a[red]b[/red]"]
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert sorted(option_texts(app.modal)) == sorted(["  [bold]", "✓ [/]", "  a[red]b[/red]"])
        await pilot.press("slash")
        assert option_texts(app.modal)[0] == "✓ [/]"
        await pilot.press("enter")
    assert app.result == "[/]"


def checklist() -> ChecklistScreen:
    items = [("PERSON", "person"), ("ORG", "organisation"), ("GPE", "place")]
    return ChecklistScreen("Entity types", items, {"PERSON", "GPE"},
                           colors={"PERSON": "#e06c75", "ORG": "not a colour"})


async def test_checklist_space_toggles_and_enter_applies():
    app = HostApp(checklist())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "down", "space")
        assert set(app.modal.query_one(SelectionList).selected) == {"ORG", "GPE"}
        await pilot.press("enter")
    assert app.result == {"ORG", "GPE"}


async def test_checklist_o_keeps_only_the_highlighted_and_a_ticks_all():
    app = HostApp(checklist())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "o")
        assert app.modal.query_one(SelectionList).selected == ["ORG"]
        await pilot.press("a")
        assert set(app.modal.query_one(SelectionList).selected) == {"PERSON", "ORG", "GPE"}
        await pilot.press("k", "o", "enter")
    assert app.result == {"PERSON"}


async def test_checklist_escape_gives_none():
    app = HostApp(checklist())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "escape")
    assert app.result is None


async def test_note_editor_escape_returns_the_typed_text():
    app = HostApp(NoteEditor("She said the draft was “close to done”.", "first"))
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.focused, TextArea)
        await pilot.press("space", *"line", "enter", *"two", "escape")
    assert app.result == "first line\ntwo"


async def test_note_editor_ctrl_s_saves_and_ctrl_d_discards():
    app = HostApp(NoteEditor("quote", None))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"hi", "ctrl+s")
    assert app.result == "hi"

    app = HostApp(NoteEditor("quote", "keep me"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"xx", "ctrl+d")
    assert app.result is None


async def test_note_editor_whitespace_only_is_no_note():
    app = HostApp(NoteEditor("[bold]quote[/]", "old"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("backspace", "backspace", "backspace", "space", "enter", "space", "escape")
    assert app.result == ""


async def test_note_editor_shows_the_quote_on_one_line_literally():
    quote = "[bold]Not markup[/] " + "word " * 60
    app = HostApp(NoteEditor(quote, None))
    async with app.run_test(size=(60, 20)) as pilot:
        line = app.modal.query_one("#note-quote", Static)
        assert line.size.height == 1
        assert str(line.render()).startswith("“[bold]Not markup[/] word")
        await pilot.press("escape")
    assert app.result == ""
