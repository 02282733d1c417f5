"""What every `reader` command shares: the configuration named on the command line (loaded when
first needed), the database chosen (`--db`, $READER_DB, config.yaml), the configured recogniser.

Loading and opening only: every problem is one line naming the file (`failure`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from reader.commands.output import echo_lines, failure
from reader.core.config import Config, ConfigError, choose_database, find_config_path, is_user_config, load_config


class Context:
    """What the subcommands share: the config file and database given on the command line, the
    configuration loaded on demand (its `database` the one chosen)."""

    def __init__(self, config_option: str | None, database_option: str | None = None):
        self.config_option = config_option
        self.database_option = database_option
        #: What chose the database: "--db", "$READER_DB", or the config file's path.
        self.database_origin = ""
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            try:
                loaded = load_config(find_config_path(self.config_option))
                database, self.database_origin = choose_database(loaded, self.database_option)
            except ConfigError as error:
                raise failure(str(error)) from None
            if database == loaded.database and loaded.former_database is not None:
                database = self._settle(database, loaded.former_database)
            self._config = replace(loaded, database=database)
        return self._config

    @staticmethod
    def _settle(database: Path, former: Path) -> Path:
        """The database of the user's own config.yaml, moved from the config folder (where older
        readers kept it) to the user data folder if it is still there: said in one line, once."""
        from reader.services.relocate import settle_database

        settled = settle_database(database, former)
        if settled.note:
            echo_lines([settled.note], err=True)
        return settled.database

    def say_database(self) -> None:
        """One line on standard error naming the database a command writes, and what chose it."""
        database = self.config.database
        if self.database_origin.startswith(("--", "$")):
            chosen = f"from {self.database_origin}"
        elif is_user_config(self.config.path):
            chosen = f"from {self.config.path}; --db PATH or $READER_DB chooses another"
        else:
            chosen = f"from {self.database_origin}"
        echo_lines([f"Database: {database} ({chosen})"], err=True)

    def open_store(self):
        from reader.store import Store, StoreError

        try:
            store = Store.open(self.config.database)
            store.tags.sync(self.config.tags)
            study = self.config.study  # who is looking, and whose work they may see
            store.study.configure(self.config.annotator, study.blind, study.lead)
        except StoreError as error:
            raise failure(str(error)) from None
        return store


def database_parameter() -> click.Option:
    """`--db PATH` for a subcommand (cli.py gives every one it), as on `reader` itself: the
    database to use, over $READER_DB and config.yaml."""

    def remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value is not None:
            ctx.find_object(Context).database_option = value

    return click.Option(
        ["--db", "database"], type=click.Path(dir_okay=False), expose_value=False, callback=remember,
        help="The database to use (over $READER_DB and config.yaml's database).",
    )


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
