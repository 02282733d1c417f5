"""Removing articles from the TUI, for every screen (through `ReaderApp.remove_articles`): the box
that says what would go, a second question before annotations are deleted, the removal.

Nothing is removed before a yes; a removal carries what the box showed (refused if it changed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from reader.store.removal import RemovalCounts
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.remove import KEEP, RemoveScreen


def ask_and_remove(app, article_ids: Sequence[int], heading: str, done: Callable[[RemovalCounts], None]) -> None:
    """Show what removing `article_ids` takes, ask, remove as answered, then call
    `done` with what was removed (the caller reloads and says it). Nothing is removed on no."""
    store = app.workspace.store
    preview = store.removal.preview(list(article_ids))
    if not preview.articles:
        app.notify("No article to remove.")
        return

    def remove(delete_annotations: bool) -> None:
        counts = store.removal.remove(preview.article_ids, delete_annotations=delete_annotations, seen=preview)
        done(counts)

    def answered(answer: str | None) -> None:
        if answer is None:
            app.notify("Nothing removed.")
        elif answer == KEEP:
            remove(False)
        else:
            held = preview.annotations + preview.orphans
            question = (f"Delete {held:,} annotation{'' if held == 1 else 's'} for good, with the "
                        f"{preview.articles:,} article{'' if preview.articles == 1 else 's'}? They are not kept as "
                        "orphans, and cannot be put back.")

            def second(yes: bool | None) -> None:
                if yes:
                    remove(True)
                else:
                    app.notify("Nothing removed.")

            app.push_screen(ConfirmScreen(question), app.saving(second))

    app.push_screen(RemoveScreen(preview, heading), app.saving(answered))


