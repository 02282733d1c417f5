"""Modal pickers: choose one name from a fuzzy-filtered list, or tick values in a checklist.

They only return what was chosen; they never parse a name as markup, and never change anything.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence

from textual import work
from textual.app import ComposeResult
from textual.color import Color, ColorParseError
from textual.containers import Vertical
from textual.content import Content
from textual.fuzzy import Matcher
from textual.style import Style
from textual.widgets import Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection
from textual.worker import get_current_worker

from reader.tui.keys import bindings_for
from reader.tui.screens.modal import BoxedModal
from reader.tui.wrap import display_text

MAX_OPTIONS = 200
"""Never build more options than this: `OptionList` slows down with every row."""

FILTER_IN_THREAD_ABOVE = 2_000
"""Lists longer than this are filtered in a thread so typing stays responsive."""

#: How a picker's highlight moves while typing filters (j and k are letters of the filter).
MOVE_HINT = "↑↓ or ctrl+n ctrl+p move (j k type)"

MATCH_STYLE = "bold underline"
CHECKED_MARK = "✓ "
UNCHECKED_MARK = "  "

PICKER_CSS = """
.picker-box {
    width: 72;
}
.picker-title {
    height: 1;
    text-style: bold;
    text-wrap: nowrap;
    text-overflow: ellipsis;
}
.picker-box Input {
    margin: 1 0 0 0;
}
.picker-box SelectionList {
    height: auto;
    max-height: 16;
    margin: 1 0 0 0;
}
.picker-box OptionList {
    height: auto;
    /* Half the screen: the keys' line under the list stays in the box at 80x24. */
    max-height: 50vh;
    border: none;
    padding: 0;
    background: $surface;
    /* The list never has focus (typing stays in the Input): show its cursor as if it had. */
    & > .option-list--option-highlighted {
        color: $block-cursor-foreground;
        background: $block-cursor-background;
        text-style: $block-cursor-text-style;
    }
}
.picker-hint {
    height: auto;
    color: $text-muted;
}
.picker-keys {
    height: auto;
    margin: 1 0 0 0;
    color: $text-muted;
}
"""


def ranked_matches(
    query: str,
    choices: Sequence[str],
    limit: int = MAX_OPTIONS,
    is_cancelled: Callable[[], bool] | None = None,
) -> list[tuple[int, Sequence[int]]]:
    """The best `limit` choices for `query`: (index, matched offsets), best score first.

    Ties keep the order of `choices`. An empty query gives the first `limit` choices.
    `is_cancelled`, when given, is a callable checked now and then; it ends the search early.
    """
    if not query:
        return [(index, ()) for index in range(min(limit, len(choices)))]
    search = Matcher(query).fuzzy_search  # one cache per query: safe to use from a thread
    scored: list[tuple[float, int, Sequence[int]]] = []
    for index, choice in enumerate(choices):
        if is_cancelled is not None and index % 1000 == 0 and is_cancelled():
            return []
        score, offsets = search.match(query, choice)
        if score > 0:
            scored.append((-score, index, offsets))
    best = heapq.nsmallest(limit, scored)
    return [(index, offsets) for _, index, offsets in best]


def highlighted(name: str, offsets: Sequence[int]) -> Content:
    """`name` as literal text with the letters at `offsets` emphasised."""
    content = Content(display_text(name), strip_control_codes=False)
    for offset in offsets:
        if offset < len(name) and not name[offset].isspace():
            content = content.stylize(MATCH_STYLE, offset, offset + 1)
    return content


class PickerScreen(BoxedModal[str | None]):
    """Type to filter, up/down (or ctrl+n/ctrl+p) to move, enter to choose; dismisses with the name or None.

    With `allow_new`, a typed name that is not a choice is offered last as "Create tag “name”";
    it is highlighted only when nothing else matches (otherwise the best match is, one row below).
    """

    DEFAULT_CSS = PICKER_CSS

    KEY_CONTEXT = "picker"
    BINDINGS = bindings_for(KEY_CONTEXT)

    def __init__(
        self,
        title: str,
        choices: Sequence[str],
        *,
        allow_new: bool = False,
        new_label: str = "Create tag",
        placeholder: str = "type to filter",
        current: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.allow_new = allow_new
        self.new_label = new_label
        self.placeholder = placeholder
        self.current = frozenset(current)
        self._choice_set: frozenset[str] | None = None
        self._values: list[str] = []  # what each option dismisses with, by option index
        self._shown_query: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker-box modal-box"):
            yield Static(Content(display_text(self.title_text)), classes="picker-title")
            yield Input(placeholder=self.placeholder, id="picker-input")
            options = OptionList(id="picker-options", markup=False, compact=True)
            options.can_focus = False  # focus stays in the Input; up/down move the highlight
            yield options
            yield Static("", id="picker-hint", classes="picker-hint", markup=False)
            yield Static(Content(MOVE_HINT + " · enter chooses · esc cancels"), classes="picker-keys")

    def on_mount(self) -> None:
        self.query_one("#picker-input", Input).focus()
        self._show("", ranked_matches("", self.choices))

    @property
    def option_list(self) -> OptionList:
        return self.query_one("#picker-options", OptionList)

    @property
    def query_text(self) -> str:
        return self.query_one("#picker-input", Input).value

    # ---- filtering ------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        query = event.value.strip()
        if len(self.choices) <= FILTER_IN_THREAD_ABOVE or not query:
            self._show(query, ranked_matches(query, self.choices))
        else:
            self._filter_in_thread(query)

    @work(thread=True, exclusive=True, group="picker-filter")
    def _filter_in_thread(self, query: str) -> None:
        worker = get_current_worker()
        matches = ranked_matches(query, self.choices, is_cancelled=lambda: worker.is_cancelled)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, query, matches)

    def _existing(self, name: str) -> str | None:
        """The choice called `name`, ignoring case when no choice has exactly that name
        (so typing "Economic" picks "economic" rather than creating a near-duplicate)."""
        if self._choice_set is None:
            self._choice_set = frozenset(self.choices)
            self._folded = {}
            for choice in self.choices:
                self._folded.setdefault(choice.casefold(), choice)
        if name in self._choice_set:
            return name
        return self._folded.get(name.casefold())

    def _show(self, query: str, matches: list[tuple[int, Sequence[int]]]) -> None:
        """Replace the options with `matches` for `query` (ignored if the query has moved on)."""
        if not self.is_attached or query != self.query_text.strip():
            return
        options: list[Option] = []
        values: list[str] = []
        existing = self._existing(query) if query else None
        if existing is not None:
            # The named choice always comes first, so typing a name and enter picks it.
            matches = [(index, offsets) for index, offsets in matches if self.choices[index] != existing]
            options.append(self._option(existing, range(len(existing))))
            values.append(existing)
        creating = bool(query) and self.allow_new and existing is None
        for index, offsets in matches[: MAX_OPTIONS - len(options) - creating]:
            options.append(self._option(self.choices[index], offsets))
            values.append(self.choices[index])
        if creating:
            # Last, so enter picks the best existing match ("coop" gives "cooperation"), and
            # first to be highlighted when nothing matches.
            options.append(Option(Content.assemble((f"{self.new_label} ", "italic"), "“", display_text(query), "”")))
            values.append(query)
        self._values = values
        self._shown_query = query
        option_list = self.option_list
        option_list.set_options(options)
        if options:
            option_list.highlighted = 0
        self._show_hint(query, bool(options))

    def _option(self, name: str, offsets: Sequence[int]) -> Option:
        label = highlighted(name, offsets)
        if self.current:
            label = Content(CHECKED_MARK if name in self.current else UNCHECKED_MARK) + label
        return Option(label)

    def _show_hint(self, query: str, has_options: bool) -> None:
        hint = self.query_one("#picker-hint", Static)
        if has_options:
            text = ""
        elif not self.choices and not query:
            text = "No tags yet: type a name to create one" if self.allow_new else "Nothing to choose from"
        else:
            text = "Nothing matches"
        hint.update(Content(text))
        hint.display = bool(text)

    # ---- actions --------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if step > 0:
            self.option_list.action_cursor_down()
        else:
            self.option_list.action_cursor_up()

    def action_page(self, step: int) -> None:
        if step > 0:
            self.option_list.action_page_down()
        else:
            self.option_list.action_page_up()

    def action_choose(self) -> None:
        query = self.query_text.strip()
        if query != self._shown_query:  # a thread is still filtering: finish the job now
            self._show(query, ranked_matches(query, self.choices))
        highlighted_index = self.option_list.highlighted
        if highlighted_index is None or highlighted_index >= len(self._values):
            self.app.bell()
            return
        self.dismiss(self._values[highlighted_index])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A click on an option chooses it."""
        event.stop()
        if event.option_index < len(self._values):
            self.dismiss(self._values[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


def _color_style(color: str | None) -> Style | None:
    if not color:
        return None
    try:
        return Style(foreground=Color.parse(color))
    except ColorParseError:
        return None


class ChecklistScreen(BoxedModal[set[str] | None]):
    """Tick values on and off; enter dismisses with the ticked set, escape with None."""

    DEFAULT_CSS = PICKER_CSS

    KEY_CONTEXT = "checklist"
    BINDINGS = bindings_for(KEY_CONTEXT)

    def __init__(
        self,
        title: str,
        items: Sequence[tuple[str, str]],
        checked: set[str],
        colors: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.items = list(items)
        self.checked = set(checked)
        self.type_colors = dict(colors or {})

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker-box modal-box"):
            yield Static(Content(display_text(self.title_text)), classes="picker-title")
            yield SelectionList[str](*self._selections(), id="checklist-options", compact=True)
            yield Static(Content("space toggles · a all · o only this · enter applies · esc cancels"),
                         classes="picker-keys")

    def _selections(self) -> list[Selection[str]]:
        selections = []
        for value, label in self.items:
            style = _color_style(self.type_colors.get(value))
            parts: list[str | tuple[str, Style]] = [("■ ", style)] if style is not None else []
            selections.append(Selection(Content.assemble(*parts, display_text(label)), value,
                                        value in self.checked))
        return selections

    def on_mount(self) -> None:
        self.selection_list.focus()

    @property
    def selection_list(self) -> SelectionList[str]:
        return self.query_one("#checklist-options", SelectionList)

    def action_move(self, step: int) -> None:
        if step > 0:
            self.selection_list.action_cursor_down()
        else:
            self.selection_list.action_cursor_up()

    def action_select_all(self) -> None:
        self.selection_list.select_all()

    def action_only_highlighted(self) -> None:
        selection_list = self.selection_list
        if selection_list.highlighted is None:
            return
        value = selection_list.get_option_at_index(selection_list.highlighted).value
        selection_list.deselect_all()
        selection_list.select(value)

    def action_done(self) -> None:
        self.dismiss(set(self.selection_list.selected))

    def action_cancel(self) -> None:
        self.dismiss(None)


EVERYONE = "(everyone)"


def pick_annotator(screen, annotators: Sequence[str], current: str | None, then, extra: Sequence[str] = ()) -> None:
    """Ask whose annotations to show: everyone, one annotator, or one of `extra` choices;
    `then` gets None for everyone, else the choice."""
    if not annotators:
        screen.notify("Nobody has annotated yet.", markup=False)
        return
    choices = [EVERYONE, *annotators, *extra]
    picker = PickerScreen("Show the annotations of", choices, current=[current or EVERYONE])

    def chosen(name: str | None) -> None:
        if name is not None:
            then(None if name == EVERYONE else name)

    screen.app.push_screen(picker, chosen)
