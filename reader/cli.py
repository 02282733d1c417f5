"""The `reader` command: bare `reader` opens the TUI; subcommands import, export and inspect.

Errors reach the user as one line naming the file; the database is opened only after the
configuration has been validated.
"""

from __future__ import annotations

import importlib
import json
import re
import sqlite3
import sys
from pathlib import Path

import click

from reader import __version__
from reader.commands.output import echo, echo_json, echo_lines, failure, guard_error
from reader.core.config import Config, ConfigError, find_config_path, load_config


class Context:
    """What the subcommands share: the config file given on the command line, loaded on demand."""

    def __init__(self, config_option: str | None):
        self.config_option = config_option
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            try:
                self._config = load_config(find_config_path(self.config_option))
            except ConfigError as error:
                raise failure(str(error)) from None
        return self._config

    def open_store(self):
        from reader.store import Store, StoreError

        try:
            store = Store.open(self.config.database)
            store.tags.sync(self.config.tags)
        except StoreError as error:
            raise failure(str(error)) from None
        return store


class ReaderGroup(click.Group):
    """The `reader` command group: a database that refuses a write (read-only, disk full) or
    turns out damaged is a one-line error naming the file and what is wrong, from every command;
    every error message, click's own too, is printed through the terminal guard."""

    def make_context(self, *args, **kwargs) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.ClickException as error:
            raise guard_error(error) from None

    def invoke(self, ctx: click.Context):
        from reader.store import StoreError, database_error_reason

        try:
            return super().invoke(ctx)
        except StoreError as error:
            raise failure(str(error)) from None
        except sqlite3.DatabaseError as error:  # a damaged page met while reading, from any command
            config = ctx.obj.config if isinstance(ctx.obj, Context) else None
            where = config.database if config is not None else "the database"
            raise failure(f"{where}: {database_error_reason(error)}") from None
        except click.ClickException as error:
            raise guard_error(error) from None


@click.group(cls=ReaderGroup, invoke_without_command=True)
@click.option(
    "--config",
    "config_option",
    type=click.Path(dir_okay=False),
    help="Config file (default: $READER_CONFIG, ./config.yaml, then your user config dir).",
)
@click.version_option(__version__, prog_name="reader")
@click.pass_context
def main(ctx: click.Context, config_option: str | None) -> None:
    """Read a corpus of news articles with entities highlighted and tag passages by keyboard.

    Run without a command to open the reader.
    """
    ctx.obj = Context(config_option)
    if ctx.invoked_subcommand is None:
        open_tui(ctx.obj)


def make_recogniser(config, lazy: bool):
    """The configured recogniser, or a one-line error naming the config file."""
    from reader.core.entities import build_recogniser, lazy_recogniser
    from reader.core.entities.spacy_backend import EntityBackendError

    settings = config.entities
    make = lazy_recogniser if lazy else build_recogniser
    try:
        return make(settings.gazetteer, settings.backend, settings.spacy_pipeline)
    except EntityBackendError as error:
        raise failure(str(config.error("entities", str(error)))) from None


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
        app = ReaderApp(config, store, recogniser)
        app.run()
    finally:
        store.close()
    if app.database_problem:  # a damaged database under the app: one line, not a traceback
        raise failure(app.database_problem)
    if app.return_code:  # any other error ended the app (Textual has printed it)
        raise SystemExit(app.return_code)


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.pass_obj
def import_command(context: Context, paths: tuple[str, ...]) -> None:
    """Import articles from files and folders (.txt .md .html .json .jsonl), recursively."""
    from reader.services.corpus import import_files
    from reader.core.ingest import SizeLimit, iter_files

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
            summary = import_files(store, files, on_file=lambda _path: bar.update(1), limit=limit)
    finally:
        store.close()
    echo_lines(summary.lines())  # a file name can hold ESC or a newline


@main.command("export")
@click.option("--output", "-o", type=click.Path(), help="Write to FILE (a folder for brat) instead of standard output.")
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "w3c", "doccano", "prodigy", "brat", "csv"]), default="yaml",
    show_default=True, help="yaml is reader's own (lossless); the others are for other tools.",
)
@click.option("--tag", help="Only annotations with this tag (and articles tagged with it).")
@click.option("--source", help="Only articles from this source.")
@click.option("--since", metavar="DATE", help="Only annotations created or changed on or after DATE (2025-09-01).")
@click.option("--article", metavar="ID", help="Only this article (its id or uid, or the start of its uid).")
@click.option("--annotator", metavar="NAME", help="Only this annotator's annotations.")
@click.pass_obj
def export_command(
    context: Context, output: str | None, fmt: str, tag: str | None, source: str | None, since: str | None,
    article: str | None, annotator: str | None,
) -> None:
    """Export annotations, with their articles: all of them, or those the options select."""
    from reader.services.export import write_export, write_to
    from reader.core.model import ExportFilter

    if since is not None and not _ISO_DATE.fullmatch(since):
        raise click.BadParameter(f"expected a date like 2025-09-01, got {since!r}", param_hint="--since")
    if fmt == "brat" and not output:
        raise click.UsageError("brat writes a folder of files: give it with --output FOLDER")
    only = ExportFilter(tag=tag, source=source, since=since, article=article, annotator=annotator)
    store = context.open_store()
    try:
        if article is not None:
            try:
                only = ExportFilter(tag=tag, source=source, since=since, article=str(store.articles.find(article)),
                                    annotator=annotator)
            except KeyError as error:
                raise click.BadParameter(str(error.args[0]), param_hint="--article") from None
        orphans = store.annotations.orphan_count()
        if orphans and (fmt != "yaml" or only != ExportFilter()):
            echo(f"note: {orphans} orphaned annotations are not exported (they have no place in their article's text; "
                 f"O in reader; a whole YAML export carries them)", err=True)
        if output:
            try:
                count = write_export(store, Path(output), only, fmt)
            except OSError as error:
                raise failure(f"{output}: cannot write the export ({error.strerror or error})") from None
            echo_lines([f"Exported {count} {'annotations' if fmt == 'yaml' else 'records'} to {output}"], err=True)
        else:
            from reader.core.safetext import data_stream

            write_to(store, data_stream(sys.stdout), only, fmt)  # exact to a file, guarded on a terminal
    finally:
        store.close()


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][0-9:.+Z-]*)?")


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_obj
def backup_command(context: Context, file: str) -> None:
    """Write a consistent copy of the database to FILE (safe while reader is open)."""
    store = context.open_store()
    try:
        store.backup(Path(file))
    except ValueError as error:
        raise failure(f"{file}: {error}") from None
    except (OSError, sqlite3.Error) as error:
        raise failure(f"{file}: cannot write the backup ({getattr(error, 'strerror', None) or error})") from None
    finally:
        store.close()
    echo_lines([f"Backed up {context.config.database} to {file}"], err=True)


@main.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_obj
def restore_command(context: Context, file: str) -> None:
    """Put a backup made by `reader backup` back as the database. The backup is checked first
    (a whole, undamaged reader database, not from a newer reader); the database it replaces is
    kept beside it as <name>.before-restore-<time>. Refused while another program (a reader, an
    import) has the database open."""
    from reader.services.restore import restore
    from reader.store import StoreError

    database = context.config.database
    try:
        restored = restore(Path(file), database)
    except StoreError as error:
        raise failure(f"{error} (nothing was changed)") from None
    lines = [f"Restored {file} as {database}: {restored.articles} articles, {restored.annotations} annotations"]
    if restored.kept_aside is not None:
        lines.append(f"The database it replaced is kept as {restored.kept_aside}")
    echo_lines(lines, err=True)


@main.command("import-annotations")
@click.argument("file", type=click.Path(exists=True))
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "w3c", "doccano", "prodigy", "brat"]), default="yaml",
    show_default=True, help="yaml is reader's own export; brat reads a folder of .txt and .ann files.",
)
@click.option("--dry-run", is_flag=True, help="Print what would change and write nothing.")
@click.pass_obj
def import_annotations_command(context: Context, file: str, fmt: str, dry_run: bool) -> None:
    """Merge annotations into the database: from a reader YAML export (yours or a colleague's),
    or from a W3C, doccano or Prodigy file or a brat folder (see --format).

    The file is checked whole before anything is written, then merged in short steps so that
    reader stays usable meanwhile; if the import is stopped half-way, what it merged stays,
    and running it again adds the rest (nothing twice)."""
    from reader.core.exchange.formats import FOLDER_FORMATS
    from reader.core.yamlsafe import YamlError

    path = Path(file)
    if fmt in FOLDER_FORMATS and not path.is_dir():
        raise click.BadParameter(f"{file} is a file; --format {fmt} reads a folder (of .txt and .ann files)",
                                 param_hint="FILE")
    if fmt not in FOLDER_FORMATS and path.is_dir():
        raise click.BadParameter(f"{file} is a folder; --format {fmt} reads a file (only brat reads a folder)",
                                 param_hint="FILE")
    from reader.core.ingest import SizeLimit

    article_limit = SizeLimit(context.config.importing.max_file_mb, f"import.max_file_mb in {context.config.path}")
    store = context.open_store()
    try:
        if fmt == "yaml":
            from reader.services.import_yaml import import_annotations

            summary = import_annotations(store, path, dry_run=dry_run)
        else:
            from reader.services.import_foreign import import_foreign

            summary = import_foreign(store, path, fmt, context.config.annotator, dry_run=dry_run,
                                     article_limit=article_limit)
    except YamlError as error:
        raise failure(f"{error} (nothing was imported)") from None
    finally:
        store.close()
    echo_lines(summary.lines())  # names, titles and file names from the file: never raw


@main.command("entities")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--format", "output_format", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option(
    "--no-feedback", "no_feedback", is_flag=True,
    help="Leave out what you said about entities in reader (accepted, retyped, rejected); by default the "
         "configured database's feedback is applied, as in the reader.",
)
@click.pass_obj
def entities_command(context: Context, paths: tuple[str, ...], output_format: str, no_feedback: bool) -> None:
    """Print the entities found in each file, one JSON line per document, with what you accepted,
    retyped or rejected in reader applied (the configured database's feedback; never creates it)."""
    from reader.core.entities.packed import SpanTable
    from reader.core.entities.user import UserEntities
    from reader.core.ingest import SizeLimit, Skipped, iter_files, read_file
    from reader.store import Store, StoreError

    recogniser = make_recogniser(context.config, lazy=False)
    user = UserEntities(())
    database = context.config.database
    if not no_feedback and database.exists():
        try:
            user = UserEntities(Store.entity_feedback_in(database))
        except StoreError as error:
            raise failure(f"{error} (--no-feedback prints the entities without it)") from None
    failed = False
    limit = SizeLimit(context.config.importing.max_file_mb, f"import.max_file_mb in {context.config.path}")
    for path in iter_files(paths):
        for item in read_file(path, limit):
            if isinstance(item, Skipped):
                echo_lines([f"reader: skipped {item.path}: {item.reason}"], err=True)
                failed = True
                continue
            line: dict[str, object] = {"file": str(path)}
            if item.locator:
                line["locator"] = item.locator
            found = recogniser.recognise(item.text)
            if user:
                found = list(user.apply(item.text, SpanTable.from_spans(found)))
            line["spans"] = [
                {"start": s.start, "end": s.end, "label": s.label, "text": item.text[s.start : s.end]}
                for s in found
            ]
            echo_json(json.dumps(line, ensure_ascii=False))
    if failed:
        sys.exit(1)


# Subcommands in modules of their own register themselves on `main` when imported; last,
# because they import `main`.
for _command in ("agreement", "stats"):
    importlib.import_module(f"reader.commands.{_command}")
