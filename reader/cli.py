"""The `reader` command: bare `reader` opens the TUI; subcommands import, export and inspect.

It only assembles the command group (each family lives in reader/commands/); errors reach the user
as one line naming the file, and the database is opened only after the configuration is valid.
"""

from __future__ import annotations

import sqlite3

import click

from reader import __version__
from reader.commands.agreement import agreement_command
from reader.commands.context import Context, database_parameter
from reader.commands.corpus import import_command
from reader.commands.entities import entities_command
from reader.commands.exchange import backup_command, export_command, import_annotations_command, restore_command
from reader.commands.output import failure, guard_error
from reader.commands.stats import stats_command
from reader.commands.study import assign_command, study_group
from reader.commands.tui import open_tui


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
@click.option(
    "--db",
    "database_option",
    type=click.Path(dir_okay=False),
    help="The database to use (default: $READER_DB, else config.yaml's database).",
)
@click.version_option(__version__, prog_name="reader")
@click.pass_context
def main(ctx: click.Context, config_option: str | None, database_option: str | None) -> None:
    """Read a corpus of news articles with entities highlighted and tag passages by keyboard.

    Run without a command to open the reader.
    """
    ctx.obj = Context(config_option, database_option)
    if ctx.invoked_subcommand is None:
        open_tui(ctx.obj)


for _command in (import_command, export_command, backup_command, restore_command, import_annotations_command,
                 entities_command, agreement_command, stats_command, assign_command, study_group):
    _command.params.append(database_parameter())  # `reader import --db PATH` as `reader --db PATH import`
    main.add_command(_command)
