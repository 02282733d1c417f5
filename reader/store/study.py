"""A coding study's blind mode: the one place that knows whose work the person at the keyboard may
see (every read of annotations, article tags, notes and counts asks `whose`), and its state.

SQL only; the state is kept in the database (m024) so every coder of a shared file sees the same.
"""

from __future__ import annotations

from reader.core.model import StudyState, now_utc
from reader.store.common import Repository
from reader.store.errors import StoreWriteError


class Study(Repository):
    """Whose work the viewer sees, and the study's blind mode and lead."""

    def __init__(self, store) -> None:
        super().__init__(store)
        #: The annotator at the keyboard (config.yaml's `annotator`); None: a tool that sees all.
        self.viewer: str | None = None
        #: config.yaml's `study:` (the database's own word, when it has one, wins for `blind`).
        self._config_blind = False
        self._config_lead: str | None = None

    def configure(self, viewer: str, blind: bool = False, lead: str | None = None) -> None:
        """Say who is looking and what config.yaml says of the study. Reading state kept before
        it was per annotator (m024 left it to nobody) becomes the viewer's."""
        self.viewer = viewer
        self._config_blind = blind
        self._config_lead = lead
        if self.read_only:
            return
        if self.db.execute("SELECT 1 FROM reading WHERE annotator = '' LIMIT 1").fetchone() is None:
            return
        try:
            with self.store.writing("taking over the reading state kept before it was per annotator"):
                self.db.execute(
                    """UPDATE OR IGNORE reading SET annotator = ? WHERE annotator = ''""", [viewer]
                )
                self.db.execute("DELETE FROM reading WHERE annotator = ''")
        except StoreWriteError:
            pass  # another process holds the lock: the next opening takes them

    def adopt(self, other: Study) -> None:
        """See as `other` (another connection's Study: a screen's reading thread) sees, writing nothing."""
        self.viewer, self._config_blind, self._config_lead = other.viewer, other._config_blind, other._config_lead

    @property
    def reader(self) -> str:
        """The name reading state is kept under: the viewer, or '' for a tool with none."""
        return self.viewer or ""

    def state(self) -> StudyState:
        """The study as the database says it (after `reader study`), else as config.yaml does."""
        said = dict(self.db.execute("SELECT name, value FROM study_settings").fetchall())
        lead = said.get("lead") or self._config_lead
        if "blind" in said:
            return StudyState(said["blind"] == "1", lead, "database", said.get("changed_by"), said.get("changed"))
        return StudyState(self._config_blind, lead, "config")

    def is_lead(self) -> bool:
        lead = self.state().lead
        return self.viewer is None or (lead is not None and lead == self.viewer)

    def blind_for_viewer(self) -> bool:
        """Whether the viewer sees only their own work now: the study is blind and they do not lead it."""
        if self.viewer is None:
            return False
        state = self.state()
        return state.blind and state.lead != self.viewer

    def whose(self, asked: str | None = None) -> str | None:
        """Whose work a read shows: `asked` (None: everyone's), but the viewer's own alone while
        the study is blind for them, whatever was asked."""
        return self.viewer if self.blind_for_viewer() else asked

    def refusal(self, what: str) -> str | None:
        """Why the viewer may not see `what` (agreement, the side-by-side view: everyone's work
        at once), or None when they may."""
        if not self.blind_for_viewer():
            return None
        lead = self.state().lead
        return (f"{what} stays with the study lead{f' ({lead})' if lead else ''} while the study is blind: "
                "coders see only their own work until the lead opens it (reader study open)")

    def set_blind(self, blind: bool, by: str, lead: str | None = None) -> StudyState:
        """Close (blind) or open the study for every coder of this database, as `by`; `lead`
        names the lead (kept; by default the one already named, else `by`)."""
        current = self.state()
        lead = lead or current.lead or by
        with self.store.writing("opening the study" if not blind else "closing the study (blind coding)"):
            for name, value in (("blind", "1" if blind else "0"), ("lead", lead), ("changed_by", by),
                                ("changed", now_utc())):
                self.db.execute(
                    "INSERT INTO study_settings (name, value) VALUES (?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value", [name, value],
                )
        return self.state()
