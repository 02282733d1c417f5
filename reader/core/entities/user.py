"""The user backend: entities the user confirmed, corrected, added or rejected, applied on top
of what the machine found, in every article and at once (the machine's cached spans are kept as
they are; this layer is cheap enough to apply at every opening).

Precedence: a user-accepted surface wins over any found span it overlaps; a found span whose
surface and label the user rejected is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from reader.core.entities.spans import LABELS, Span
from reader.core.entities.packed import SpanTable

SOURCE = "user"


class UserEntities:
    def __init__(self, feedback: Iterable[tuple[str, str, str]]) -> None:
        self.accepted: dict[str, str] = {}
        self.rejected: set[tuple[str, str]] = set()
        for surface, label, verdict in feedback:
            if label not in LABELS or not surface.strip():
                continue
            if verdict == "accept":
                self.accepted[surface] = label
            elif verdict == "reject":
                self.rejected.add((surface, label))
        phrases = sorted(self.accepted, key=len, reverse=True)
        self._regex = (
            re.compile("(?<!\\w)(?:" + "|".join(re.escape(phrase) for phrase in phrases) + ")(?!\\w)")
            if phrases
            else None
        )

    def __bool__(self) -> bool:
        return bool(self.accepted or self.rejected)

    def find(self, text: str) -> list[Span]:
        """Every occurrence of an accepted surface, as the label the user gave it."""
        if self._regex is None:
            return []
        return [Span(m.start(), m.end(), self.accepted[m.group()], SOURCE, 1.0) for m in self._regex.finditer(text)]

    def apply(self, text: str, found: SpanTable) -> SpanTable:
        """`found` with the user's word over it."""
        if not self:
            return found
        mine = self.find(text)
        kept: list[Span] = list(mine)
        position = 0
        for span in found:
            if self.rejected and (text[span.start : span.end], span.label) in self.rejected:
                continue
            # skip found spans overlapping one of the user's (both lists are sorted by start)
            while position < len(mine) and mine[position].end <= span.start:
                position += 1
            if position < len(mine) and mine[position].start < span.end:
                continue
            kept.append(span)
        return SpanTable.from_spans(kept)
