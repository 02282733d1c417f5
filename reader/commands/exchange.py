"""Moving annotations and databases: `reader export`, `import-annotations`, `backup` and `restore`.

Each opens the store, calls one service and reports in one line per fact, through the output guard.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path

import click

from reader.commands.context import Context
from reader.commands.output import echo, echo_lines, echo_summary, failure
from reader.commands.stdin import STDIN_NAME, read_stdin
from reader.commands.where import where_option


@click.command("export")
@click.option("--output", "-o", type=click.Path(), help="Write to FILE (a folder for brat) instead of standard output.")
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "w3c", "doccano", "prodigy", "brat", "csv", "qdpx"]), default="yaml",
    show_default=True, help="yaml is reader's own (lossless); the others are for other tools (qdpx: a REFI-QDA "
    "project for NVivo, MAXQDA, ATLAS.ti, QualCoder).",
)
@click.option("--tag", help="Only annotations with this tag or a tag nested in it (framing: framing/...), and articles tagged so.")
@click.option("--source", help="Only articles from this source.")
@click.option("--since", metavar="DATE", help="Only annotations created or changed on or after DATE (2025-09-01).")
@click.option("--article", metavar="ID", help="Only this article (its id or uid, or the start of its uid).")
@click.option("--annotator", metavar="NAME", help="Only this annotator's annotations.")
@where_option
@click.pass_obj
def export_command(
    context: Context, output: str | None, fmt: str, tag: str | None, source: str | None, since: str | None,
    article: str | None, annotator: str | None, where: tuple[tuple[str, str], ...],
) -> None:
    """Export annotations, with their articles: all of them, or those the options select."""
    from reader.services.export import left_out, write_export, write_to
    from reader.core.model import ExportFilter, ListQuery

    if since is not None and not _ISO_DATE.fullmatch(since):
        raise click.BadParameter(f"expected a date like 2025-09-01, got {since!r}", param_hint="--since")
    if fmt == "brat" and not output:
        raise click.UsageError("brat writes a folder of files: give it with --output FOLDER")
    if fmt == "qdpx" and not output:
        raise click.UsageError("qdpx writes a zip file: give it with --output FILE.qdpx")
    listed = ListQuery(where=where) if where else None
    only = ExportFilter(tag=tag, source=source, since=since, article=article, annotator=annotator, listed=listed)
    store = context.open_store()
    try:
        if article is not None:
            try:
                only = ExportFilter(tag=tag, source=source, since=since, article=str(store.articles.find(article)),
                                    annotator=annotator, listed=listed)
            except KeyError as error:
                raise click.BadParameter(str(error.args[0]), param_hint="--article") from None
        orphans = store.annotations.orphan_count()
        if orphans and (fmt != "yaml" or only != ExportFilter()):
            echo(f"note: {orphans} orphaned annotations are not exported (they have no place in their article's text; "
                 f"O in reader; a whole YAML export carries them)", err=True)
        removed = store.removal.removed_orphan_count()
        if removed and fmt == "yaml" and only == ExportFilter():
            echo(f"note: {removed} orphan{'' if removed == 1 else 's'} of removed articles "
                 f"{'is' if removed == 1 else 'are'} not exported (their articles are not in the database; "
                 "importing the articles again puts them back)", err=True)
        for line in left_out(store, only, fmt):
            echo(f"note: {line}", err=True)
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


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False), required=False)
@click.option("--into", "folder", type=click.Path(file_okay=False),
              help="Write a backup named by the database and the time (UTC) into this folder, for a schedule.")
@click.option("--keep", type=click.IntRange(1), default=None,
              help="With --into: keep only the newest N of those dated backups (never other files).")
@click.pass_obj
def backup_command(context: Context, file: str | None, folder: str | None, keep: int | None) -> None:
    """Write a consistent copy of the database to FILE (safe while reader is open), or with
    --into FOLDER a dated one (team-20261207-221500.db) beside the others, --keep N of them."""
    if (file is None) == (folder is None):
        raise click.UsageError("give a FILE or --into FOLDER (one of them)")
    if keep is not None and folder is None:
        raise click.UsageError("--keep goes with --into FOLDER")
    store = context.open_store()
    removed: tuple[Path, ...] = ()
    try:
        if folder is not None:
            from reader.services.backups import backup_into

            made = backup_into(store, context.config.database, Path(folder), keep)
            file, removed = str(made.path), made.removed
        else:
            store.backup(Path(file))
    except ValueError as error:
        raise failure(f"{file}: {error}") from None
    except (OSError, sqlite3.Error) as error:
        where = file or folder
        raise failure(f"{where}: cannot write the backup ({getattr(error, 'strerror', None) or error})") from None
    finally:
        store.close()
    lines = [f"Backed up {context.config.database} to {file}"]
    if removed:
        lines.append(f"Removed {len(removed)} older backup{'s' if len(removed) != 1 else ''} (--keep {keep}): "
                     + ", ".join(path.name for path in removed))
    echo_lines(lines, err=True)


@click.command("restore")
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


@click.command("import-annotations")
@click.argument("file", type=click.Path(exists=True, allow_dash=True))
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "w3c", "doccano", "prodigy", "brat", "qdpx"]), default="yaml",
    show_default=True, help="yaml is reader's own export; brat reads a folder of .txt and .ann files; qdpx a "
    "REFI-QDA project (.qdpx) from reader, NVivo, MAXQDA, ATLAS.ti or QualCoder.",
)
@click.option("--dry-run", is_flag=True, help="Print what would change and write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object (with the database).")
@click.pass_obj
def import_annotations_command(context: Context, file: str, fmt: str, dry_run: bool, as_json: bool) -> None:
    """Merge annotations into the database: from a reader YAML export (yours or a colleague's),
    or from a W3C, doccano or Prodigy file, a brat folder or a REFI-QDA project (see --format);
    `-` reads standard input (not for brat or qdpx).

    The file is checked whole before anything is written, then merged in short steps so that
    reader stays usable meanwhile; if the import is stopped half-way, what it merged stays,
    and running it again adds the rest (nothing twice)."""
    from reader.core.exchange.formats import FOLDER_FORMATS
    from reader.core.yamlsafe import YamlError

    data = None
    if file == "-":
        if fmt in FOLDER_FORMATS:
            raise click.BadParameter(f"--format {fmt} reads a folder (of .txt and .ann files), not standard input",
                                     param_hint="FILE")
        if fmt == "qdpx":
            raise click.BadParameter("--format qdpx reads a .qdpx file (a zip), not standard input", param_hint="FILE")
        path = Path(STDIN_NAME)
    else:
        path = Path(file)
        if fmt in FOLDER_FORMATS and not path.is_dir():
            raise click.BadParameter(f"{file} is a file; --format {fmt} reads a folder (of .txt and .ann files)",
                                     param_hint="FILE")
        if fmt not in FOLDER_FORMATS and path.is_dir():
            raise click.BadParameter(f"{file} is a folder; --format {fmt} reads a file (only brat reads a folder)",
                                     param_hint="FILE")
    from reader.core.ingest import SizeLimit

    article_limit = SizeLimit(context.config.importing.max_file_mb, f"import.max_file_mb in {context.config.path}")
    if file == "-":
        from reader.services.import_yaml import FILE_LIMIT

        data = read_stdin(FILE_LIMIT)
    store = context.open_store()
    try:
        if fmt == "yaml":
            from reader.services.import_yaml import import_annotations

            summary = import_annotations(store, path, dry_run=dry_run, data=data)
        elif fmt == "qdpx":
            from reader.services.import_qdpx import import_qdpx

            summary = import_qdpx(store, path, context.config.annotator, dry_run=dry_run, article_limit=article_limit)
        else:
            from reader.services.import_foreign import import_foreign

            summary = import_foreign(store, path, fmt, context.config.annotator, dry_run=dry_run,
                                     article_limit=article_limit, data=data)
    except YamlError as error:
        raise failure(f"{error} (nothing was imported)") from None
    finally:
        store.close()
    if not as_json:  # (after the file was found good: a bad one is one line)
        context.say_database()
    # names, titles and file names from the file: never raw
    echo_summary(summary, as_json, database=str(context.config.database), source=str(path))
