"""`reader import`: articles from files, folders and standard input (`-`) into the database, with
progress (on a terminal) and a summary of every file imported, updated, unchanged or skipped (and why).

It prints only through the output guard: a file name can hold anything.
"""

from __future__ import annotations

import shutil
import sys
import time
from concurrent.futures.process import BrokenProcessPool

import click

from reader.commands.context import Context
from reader.commands.output import echo_summary, failure
from reader.commands.stdin import STDIN_NAME, dashes, stdin_import_documents, stdin_option
from reader.core.safetext import terminal_line


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
@click.option("--workers", type=click.IntRange(min=0), metavar="N",
              help="Processes that read the files while this one writes (0: read here); default: one per core for large imports.")
@click.pass_obj
def import_command(
    context: Context, paths: tuple[str, ...], stdin_format: str, as_json: bool, source: str | None,
    source_from_folder: bool, settings: tuple[str, ...], csv_delimiter: str | None, workers: int | None,
) -> None:
    """Import articles from files and folders (.txt .md .html .json .jsonl .csv .tsv),
    recursively; `-` reads standard input (see --stdin-format). A JSONL or CSV file is read a
    record at a time: the size limit applies to each record. On a terminal, progress is shown
    on standard error with a rate and an estimate of the time left."""
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
            progress = Progress() if not as_json and sys.stderr.isatty() else None
            try:
                import_files(store, files, limit=limit, summary=summary, options=options, overrides=overrides,
                             workers=workers, on_progress=progress)
            except BrokenProcessPool:
                raise failure(
                    "a process reading the files ended unexpectedly (out of memory?); the articles imported "
                    "before it are saved: run the import again, with --workers 0 to read in one process"
                ) from None
            finally:
                if progress:
                    progress.clear()
        if from_stdin:
            import_documents(store, documents, STDIN_NAME, summary, overrides)
    finally:
        store.close()
    echo_summary(summary, as_json, database=str(config.database))  # a file name can hold ESC or a newline


class Progress:
    """The import's progress on standard error, one line rewritten at most once a second:
    "12,000 articles · 35% of 346 MB · 4,100/s · about 20 s left" (the share and the time left
    by bytes read: a JSONL file's articles are not counted before they are read)."""

    def __init__(self, every: float = 1.0, clock=time.monotonic) -> None:
        self.clock = clock
        self.started = clock()
        self.shown: float | None = None  # (the first call shows at once)
        self.every = every
        self.width = 0

    def __call__(self, articles: int, done: int, total: int) -> None:
        now = self.clock()
        if self.shown is not None and now - self.shown < self.every:
            return
        self.shown = now
        elapsed = now - self.started
        line = f"{articles:,} articles"
        if total:
            line += f" · {min(100, 100 * done // total)}% of {_size(total)}"
        if elapsed >= 1:
            line += f" · {articles / elapsed:,.0f}/s"
        if total and done and elapsed >= 2:
            left = elapsed * (total - done) / done
            line += f" · about {_duration(left)} left"
        self.write(line)

    def write(self, line: str) -> None:
        # (one terminal line: a wrapped one could not be rewritten)
        line = terminal_line(line)[: max(1, shutil.get_terminal_size((80, 24)).columns - 1)]
        sys.stderr.write("\r" + line + " " * max(0, self.width - len(line)))
        sys.stderr.flush()
        self.width = len(line)

    def clear(self) -> None:
        if self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()
            self.width = 0


def _size(count: int) -> str:
    return f"{count / 1e9:.1f} GB" if count >= 1e9 else f"{count / 1e6:.0f} MB" if count >= 1e6 else f"{max(1, round(count / 1e3))} KB"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 90 else f"{minutes / 60:.1f} h"
