"""Bare `reader`: checks what config.yaml says the screen needs, opens the database (with the bundled
samples when it is new and empty), runs the reader until it quits.

It draws nothing itself; a damaged database met on screen ends in one line, not a traceback.
"""

from __future__ import annotations

import click

from reader.commands.context import Context, make_recogniser
from reader.commands.output import failure


@click.command("adjudicate")
@click.argument("a")
@click.argument("b")
@click.pass_obj
def adjudicate_command(context: Context, a: str, b: str) -> None:
    """Open the reader on the disagreements of coders A and B, to settle each passage into the
    gold layer (config.yaml's study.gold, default gold): A's version, B's, both, or an edit."""
    gold = context.config.gold
    store = context.open_store()
    try:
        known = store.annotations.annotators()
    finally:
        store.close()
    for name in (a, b):
        if name == gold:
            raise failure(f"{name!r} is the gold layer itself (study.gold): name two coders to adjudicate")
        if name not in known:
            shown = ", ".join(known[:12]) or "nobody yet"
            raise failure(f"no annotations by {name!r}; annotators: {shown}")
    if a == b:
        raise failure(f"adjudication needs two different coders, got {a!r} twice")
    open_tui(context, adjudicate=(a, b))


def open_tui(context: Context, adjudicate: tuple[str, str] | None = None) -> None:
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

        app = ReaderApp(config, store, recogniser, state_path=default_state_path(), adjudicate=adjudicate)
        app.run()
    finally:
        store.close()
    if app.database_problem:  # a damaged database under the app: one line, not a traceback
        raise failure(app.database_problem)
    if app.return_code:  # any other error ended the app (Textual has printed it)
        raise SystemExit(app.return_code)
