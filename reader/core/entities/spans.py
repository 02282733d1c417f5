"""What every recogniser speaks: the entity labels, a found span, the recogniser protocol.

Definitions only: no recogniser, no text read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


#: OntoNotes labels reader understands, in the order the legend shows them.
LABELS: tuple[str, ...] = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "DATE", "MONEY", "EVENT")


@dataclass(frozen=True, slots=True)
class Span:
    """An entity mention: `[start, end)` in code points of the text it was found in."""

    start: int
    end: int
    label: str
    source: str
    confidence: float = 1.0


class Recogniser(Protocol):
    """Anything that finds entities in a text."""

    name: str
    version: str

    def recognise(self, text: str) -> list[Span]: ...
