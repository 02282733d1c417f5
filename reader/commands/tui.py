"""Bare `reader`: checks what config.yaml says the screen needs, opens the database (with the bundled
samples when it is new and empty), runs the reader until it quits.

It draws nothing itself; a damaged database met on screen ends in one line, not a traceback.
"""

from __future__ import annotations

from reader.commands.context import Context, make_recogniser
from reader.commands.output import failure


def open_tui(context: Context) -> None:
    config = context.config
    from reader.core.keys import keymap_problem
    from reader.tui.app import ReaderApp, theme_problem

    problem = theme_problem(config.theme)
    if problem:
        raise failure(str(config.error("theme", problem)))
    problem = keymap_problem(config.keymap)
    if problem:
        raise failure(str(config.error("keymap", problem)))
    recogniser = make_recogniser(config, lazy=True)
    store = context.open_store()
    try:
        if config.load_samples and store.listing.count() == 0:
            from reader.services.corpus import import_samples

            import_samples(store)
        from reader.tui.remembered import default_state_path

        app = ReaderApp(config, store, recogniser, state_path=default_state_path())
        app.run()
    finally:
        store.close()
    if app.database_problem:  # a damaged database under the app: one line, not a traceback
        raise failure(app.database_problem)
    if app.return_code:  # any other error ended the app (Textual has printed it)
        raise SystemExit(app.return_code)
