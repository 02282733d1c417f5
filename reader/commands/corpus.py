"""`reader import`: articles from files, folders and standard input (`-`) into the database, with
a progress bar and a summary of every file imported, updated, unchanged or skipped (and why).

It prints only through the output guard: a file name can hold anything.
"""

from __future__ import annotations

import sys

import click

from reader.commands.context import Context
from reader.commands.output import echo_summary, failure
from reader.commands.stdin import STDIN_NAME, as_stdin_articles, dashes, read_stdin, stdin_documents, stdin_option


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True))
@stdin_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object (with the database).")
@click.pass_obj
def import_command(context: Context, paths: tuple[str, ...], stdin_format: str, as_json: bool) -> None:
    """Import articles from files and folders (.txt .md .html .json .jsonl), recursively; `-`
    reads standard input (see --stdin-format)."""
    from reader.services.corpus import ImportSummary, import_documents, import_files
    from reader.core.ingest import SizeLimit, iter_files

    config = context.config
    limit = SizeLimit(config.importing.max_file_mb, f"import.max_file_mb in {config.path}")
    from_stdin = dashes(paths)
    try:
        files = list(iter_files(path for path in paths if path != "-"))
    except FileNotFoundError as error:
        raise failure(str(error)) from None
    documents = list(as_stdin_articles(stdin_documents(read_stdin(limit), stdin_format))) if from_stdin else []
    store = context.open_store()
    if not as_json:  # (once it opened: one that cannot be is one line naming it)
        context.say_database()
    summary = ImportSummary()
    try:
        if files:
            with click.progressbar(
                length=len(files),
                label=f"Importing {len(files)} file{'' if len(files) == 1 else 's'}",
                file=sys.stderr,
                show_pos=True,
            ) as bar:
                import_files(store, files, on_file=lambda _path: bar.update(1), limit=limit, summary=summary)
        if from_stdin:
            import_documents(store, documents, STDIN_NAME, summary)
    finally:
        store.close()
    echo_summary(summary, as_json, database=str(config.database))  # a file name can hold ESC or a newline
