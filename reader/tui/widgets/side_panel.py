"""The article's side panel: its annotations and its entities, each a jump target.

It only lists what the screen gives it and says where to jump; it changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.core.entities import LABELS, Span
from reader.core.model import Annotation, ArticleNote
from reader.tui.format import short_quote
from reader.tui.keys import bindings_for
from reader.tui.wrap import display_text


class SidePanel(OptionList):
    """Annotations in text order, then entities grouped by type with their counts."""

    DEFAULT_CSS = """
    SidePanel {
        dock: right;
        width: 38;
        max-width: 45%;
        border-left: solid $panel-lighten-2;
        background: $surface;
    }
    """
    KEY_CONTEXT = "side_panel"
    BINDINGS = bindings_for(KEY_CONTEXT)

    class Jump(Message):
        """The user picked an item: move the article's cursor to `offset`."""

        def __init__(self, offset: int) -> None:
            super().__init__()
            self.offset = offset

    def show(
        self,
        annotations: Sequence[Annotation],
        entities: Sequence[Span],
        text: str,
        tag_colors: dict[str, str],
        entity_colors: dict[str, str],
        article_notes: Sequence[ArticleNote] = (),
    ) -> None:
        """List the notes on the whole article, these annotations (a memo, a note with no tag,
        shows its note) and entities (replacing what was listed)."""
        self.clear_options()
        self._offsets: dict[str, int] = {}
        options: list[Option | None] = []
        for note in article_notes:
            line = Text("✎ article ", style="bold italic")
            line.append(f"{display_text(note.annotator)}: ", style="dim")
            line.append(short_quote(note.note, 60), style="italic")
            options.append(Option(line, disabled=True))
        options.append(Option(Text(f"Annotations ({len(annotations)})", style="bold"), disabled=True))
        # Names are given when several people annotated the article: two annotators' identical
        # tags on the same passage are two rows, told apart by whose they are.
        named = len({annotation.annotator for annotation in annotations}) > 1
        for annotation in annotations:
            label = Text()
            if named:
                label.append(display_text(annotation.annotator) + ": ", style="italic")
            for tag in annotation.tags:
                label.append(f" {display_text(tag)} ", style=f"bold reverse {tag_colors.get(tag, 'grey')}")
                label.append(" ")
            if not annotation.tags:  # a memo: its note is what it says
                label.append("✎ ", style="bold")
                label.append(short_quote(annotation.note or "", 40), style="italic")
                label.append(" · ", style="dim")
            label.append(short_quote(annotation.quote, 60))
            if annotation.note and annotation.tags:
                label.append(" ✎", style="dim")
            options.append(self._jump_option(label, annotation.start))
        first_seen: dict[tuple[str, str], int] = {}
        counts: Counter[tuple[str, str]] = Counter()
        for span in entities:
            key = (span.label, text[span.start : span.end])
            first_seen.setdefault(key, span.start)
            counts[key] += 1
        options.append(None)
        options.append(Option(Text(f"Entities ({len(counts)})", style="bold"), disabled=True))
        for label in LABELS:
            keys = sorted((key for key in counts if key[0] == label), key=lambda key: (-counts[key], key[1]))
            for key in keys:
                line = Text()
                line.append(f"{label:<6} ", style=f"bold {entity_colors.get(label, '')}")
                line.append(short_quote(key[1], 24))
                if counts[key] > 1:
                    line.append(f" ×{counts[key]}", style="dim")
                options.append(self._jump_option(line, first_seen[key]))
        self.add_options(options)
        self.highlighted = len(article_notes) + 1 if len(annotations) else None

    def _jump_option(self, prompt: Text, offset: int) -> Option:
        """An item that jumps to `offset` (several items may share an offset; ids may not)."""
        option_id = f"item-{len(self._offsets)}"
        self._offsets[option_id] = offset
        return Option(prompt, id=option_id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        offset = self._offsets.get(event.option.id or "")
        if offset is not None:
            self.post_message(self.Jump(offset))
