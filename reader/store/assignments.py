"""Assignments of a coding study (`reader assign`) and each coder's done marks and progress.

SQL only: the split itself is reader/core/assignment.py; done marks live in `reading` (m024).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reader.core.assignment import AssignmentChange
from reader.core.model import CoderProgress, now_utc
from reader.store.common import Repository
from reader.store.errors import StaleWriteError

#: Why a done mark was refused (StaleWriteError's reason).
DONE_CHANGED = "the article's done mark changed since it was shown (in another window or program)"


class Assignments(Repository):
    """Who codes which article, who has started or finished it, and progress per coder."""

    def current(self, article_ids: Sequence[int] | None = None) -> dict[int, set[str]]:
        """The coders of each assigned article (of `article_ids`, or all)."""
        found: dict[int, set[str]] = {}
        if article_ids is None:
            rows = self.db.execute("SELECT article_id, annotator FROM assignments")
        else:
            rows = self.db.execute(
                "SELECT article_id, annotator FROM assignments WHERE article_id IN (SELECT value FROM json_each(?))",
                [_json(article_ids)],
            )
        for article_id, annotator in rows:
            found.setdefault(article_id, set()).add(annotator)
        return found

    def started(self, article_ids: Sequence[int]) -> set[tuple[int, str]]:
        """(article, coder) pairs where the coder has begun: annotated, tagged or noted the
        article, or marked it done."""
        chosen = "(SELECT value FROM json_each(?))"
        rows = self.db.execute(
            f"""SELECT article_id, annotator FROM annotations WHERE article_id IN {chosen}
                UNION SELECT article_id, annotator FROM article_tags WHERE article_id IN {chosen}
                UNION SELECT article_id, annotator FROM article_notes WHERE article_id IN {chosen}
                UNION SELECT article_id, annotator FROM reading WHERE done_at IS NOT NULL AND article_id IN {chosen}""",
            [_json(article_ids)] * 4,
        )
        return {(row[0], row[1]) for row in rows}

    def plan_change(self, plan: Mapping[int, tuple[tuple[str, ...], bool]], kept: Sequence[tuple[int, str]]) -> AssignmentChange:
        """What `replace(plan, kept)` would change, written nowhere."""
        before = self.current(sorted(plan))
        want = {(article_id, coder) for article_id, (coders, _o) in plan.items() for coder in coders}
        had = {(article_id, coder) for article_id, coders in before.items() for coder in coders}
        return AssignmentChange(tuple(sorted(want - had)), tuple(sorted(had - want)), len(want & had), tuple(kept))

    def replace(self, plan: Mapping[int, tuple[tuple[str, ...], bool]], kept: Sequence[tuple[int, str]]) -> AssignmentChange:
        """Make the assignments of the articles in `plan` what it says (others stay as they
        are), in one transaction; what changed."""
        stamp = now_utc()
        with self.store.writing("the assignments"):
            change = self.plan_change(plan, kept)
            for article_id, coder in change.removed:
                self.db.execute("DELETE FROM assignments WHERE article_id = ? AND annotator = ?", [article_id, coder])
            for article_id, (coders, overlap) in plan.items():
                for coder in coders:
                    self.db.execute(
                        """INSERT INTO assignments (article_id, annotator, overlap, assigned) VALUES (?, ?, ?, ?)
                           ON CONFLICT (article_id, annotator) DO UPDATE SET overlap = excluded.overlap""",
                        [article_id, coder, int(overlap), stamp],
                    )
        return change

    def annotation_count(self, annotator: str) -> int:
        return self.db.execute("SELECT count(*) FROM annotations WHERE annotator = ?", [annotator]).fetchone()[0]

    def has_queue(self, annotator: str) -> bool:
        return self.db.execute("SELECT 1 FROM assignments WHERE annotator = ? LIMIT 1", [annotator]).fetchone() is not None

    def is_done(self, article_id: int, annotator: str) -> bool:
        row = self.db.execute(
            "SELECT done_at IS NOT NULL FROM reading WHERE article_id = ? AND annotator = ?", [article_id, annotator]
        ).fetchone()
        return bool(row and row[0])

    def done_at(self, article_id: int, annotator: str) -> str | None:
        row = self.db.execute(
            "SELECT done_at FROM reading WHERE article_id = ? AND annotator = ?", [article_id, annotator]
        ).fetchone()
        return row[0] if row else None

    def set_done(self, article_id: int, annotator: str, done_at: str | None, *, seen: str | None) -> str | None:
        """Mark the article done for `annotator` at `done_at` (None: not done), provided it is
        still as the user saw it (`seen`, its done time or None): StaleWriteError otherwise.
        Returns what it was before."""
        action = "marking the article done" if done_at else "marking the article not done"
        with self.store.writing(action):
            before = self.done_at(article_id, annotator)
            if before != seen:
                raise StaleWriteError(self.path, DONE_CHANGED, action)
            self.db.execute(
                """INSERT INTO reading (article_id, annotator, position, done_at) VALUES (?, ?, 0, ?)
                   ON CONFLICT (article_id, annotator) DO UPDATE SET done_at = excluded.done_at""",
                [article_id, annotator, done_at],
            )
        return before

    def progress(self, annotator: str) -> tuple[int, int]:
        """(done, assigned) of `annotator`'s queue."""
        return self.db.execute(
            """SELECT count(r.done_at), count(*) FROM assignments s
               LEFT JOIN reading r ON r.article_id = s.article_id AND r.annotator = s.annotator
               WHERE s.annotator = ?""",
            [annotator],
        ).fetchone()

    def by_annotator(self, only: str | None = None) -> list[CoderProgress]:
        """Per coder (everyone assigned or annotating; `only`: that one): articles assigned, done
        (of those assigned), annotations, and passages per tag."""
        names = {row[0] for row in self.db.execute(
            "SELECT annotator FROM assignments UNION SELECT annotator FROM annotations")}
        only = self.store.study.whose(only)  # blind study: the viewer's own row alone
        if only is not None:
            names = {only}
        found: list[CoderProgress] = []
        for name in sorted(names):
            done, assigned = self.progress(name)
            annotations = self.db.execute("SELECT count(*) FROM annotations WHERE annotator = ?", [name]).fetchone()[0]
            tags = tuple(self.db.execute(
                """SELECT t.name, count(*) FROM annotations n JOIN annotation_tags x ON x.annotation_id = n.id
                   JOIN tags t ON t.id = x.tag_id WHERE n.annotator = ? GROUP BY t.name ORDER BY t.name""",
                [name],
            ).fetchall())
            found.append(CoderProgress(name, assigned, done, annotations, tags))
        return found


def _json(values: Sequence[int]) -> str:
    import json

    return json.dumps(list(values))
