"""`reader import`: articles from files and folders into the database, with a progress bar and a
summary of every file imported, updated, unchanged or skipped (and why).

It prints only through the output guard: a file name can hold anything.
"""

from __future__ import annotations

import sys

import click

from reader.commands.context import Context
from reader.commands.output import echo_lines, failure


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.pass_obj
def import_command(context: Context, paths: tuple[str, ...]) -> None:
    """Import articles from files and folders (.txt .md .html .json .jsonl), recursively."""
    from reader.services.corpus import import_files
    from reader.core.ingest import ReadOptions, SizeLimit, iter_files

    config = context.config
    limit = SizeLimit(config.importing.max_file_mb, f"import.max_file_mb in {config.path}")
    try:
        files = list(iter_files(paths))
    except FileNotFoundError as error:
        raise failure(str(error)) from None
    store = context.open_store()
    try:
        with click.progressbar(
            length=len(files),
            label=f"Importing {len(files)} file{'' if len(files) == 1 else 's'}",
            file=sys.stderr,
            show_pos=True,
        ) as bar:
            summary = import_files(
                store, files, on_file=lambda _path: bar.update(1), limit=limit,
                options=ReadOptions(day_first=config.importing.day_first),
            )
    finally:
        store.close()
    echo_lines(summary.lines())  # a file name can hold ESC or a newline
