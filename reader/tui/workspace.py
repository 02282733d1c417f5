"""What every screen works with: the configuration, the open store, the codebook, the recogniser,
the history.

A plain holder built once by the app; it opens and closes nothing itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reader.core.codebook import Codebook
from reader.core.config import Config
from reader.core.entities import Recogniser
from reader.services.history import History
from reader.store import Store


@dataclass
class Workspace:
    #: Replaced when the Tags screen renames tags or reads config.yaml again.
    config: Config
    store: Store
    recogniser: Recogniser | None
    history: History
    #: Entity types the user chose not to highlight, for the rest of the session.
    hidden_labels: set[str] = field(default_factory=set)
    #: Whose annotations the list counts and the article shows (None: everyone's).
    shown: Shown = field(default_factory=lambda: Shown())
    #: The tags with their keys, colours and descriptions, as the database held them when last
    #: read: what every screen shows and applies (`reload_codebook` after a change).
    codebook: Codebook = field(default_factory=lambda: Codebook({}))

    def reload_codebook(self) -> bool:
        """Read the codebook again; whether it changed."""
        codebook = self.store.tags.codebook()
        changed = codebook != self.codebook
        self.codebook = codebook
        return changed


@dataclass
class Shown:
    """What the user chose to see, shared by the screens for the session."""

    annotator: str | None = None
