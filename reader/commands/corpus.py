"""`reader import`: articles from files, folders and standard input (`-`) into the database, with
a progress bar and a summary of every file imported, updated, unchanged or skipped (and why).

It prints only through the output guard: a file name can hold anything.
"""

from __future__ import annotations

import sys

import click

from reader.commands.context import Context
from reader.commands.output import echo_summary, failure
from reader.commands.stdin import STDIN_NAME, dashes, stdin_import_documents, stdin_option


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True))
@stdin_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object (with the database).")
@click.option("--source", "source", metavar="NAME", help="The source of every article imported (over what the files say).")
@click.option("--source-from-folder", is_flag=True, help="The source of each article: the name of the folder holding its file.")
@click.option("--set", "settings", metavar="NAME=VALUE", multiple=True,
              help="Set a field on every article imported: title, source, url, author, date, or any other "
                   "name (an attribute, such as --set collection=elections). Repeatable.")
@click.option("--csv-delimiter", metavar="CHAR", help="The delimiter of CSV files (, ; | or tab); default: sniffed from each header.")
@click.pass_obj
def import_command(
    context: Context, paths: tuple[str, ...], stdin_format: str, as_json: bool, source: str | None,
    source_from_folder: bool, settings: tuple[str, ...], csv_delimiter: str | None,
) -> None:
    """Import articles from files and folders (.txt .md .html .json .jsonl .csv .tsv),
    recursively; `-` reads standard input (see --stdin-format). A JSONL or CSV file is read a
    record at a time: the size limit applies to each record."""
    from reader.services.corpus import ImportSummary, Overrides, import_documents, import_files, parse_setting, read_options
    from reader.core.ingest import SizeLimit, iter_files

    config = context.config
    limit = SizeLimit(config.importing.max_file_mb, f"import.max_file_mb in {config.path}")
    from_stdin = dashes(paths)
    try:
        files = list(iter_files(path for path in paths if path != "-"))
    except FileNotFoundError as error:
        raise failure(str(error)) from None
    if csv_delimiter is not None:
        csv_delimiter = {"tab": "\t", "\\t": "\t"}.get(csv_delimiter, csv_delimiter)
        if len(csv_delimiter) != 1 or csv_delimiter in "\"\r\n":
            raise click.BadParameter("expected one character (or tab)", param_hint="--csv-delimiter")
    try:
        pairs = tuple(parse_setting(setting) for setting in settings)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--set") from None
    options = read_options(config.importing, csv_delimiter)
    overrides = Overrides(
        source=source.strip() or None if source else None, source_from_folder=source_from_folder,
        settings=pairs, day_first=config.importing.day_first,
    )
    # (text and HTML read whole now, within the limit; JSONL and CSV a record at a time as imported)
    documents = stdin_import_documents(limit, stdin_format, options) if from_stdin else iter(())
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
                import_files(store, files, on_file=lambda _path: bar.update(1), limit=limit, summary=summary,
                             options=options, overrides=overrides)
        if from_stdin:
            import_documents(store, documents, STDIN_NAME, summary, overrides)
    finally:
        store.close()
    echo_summary(summary, as_json, database=str(config.database))  # a file name can hold ESC or a newline
