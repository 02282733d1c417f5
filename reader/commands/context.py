"""What every `reader` command shares: the configuration named on the command line (loaded when
first needed), the database opened from it, the configured recogniser.

Loading and opening only: every problem is one line naming the file (`failure`).
"""

from __future__ import annotations

from reader.commands.output import failure
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
