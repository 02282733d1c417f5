"""Named-entity recognition behind one interface: `recognise(text) -> list[Span]`.

Recognisers never touch the database or the UI; they only read text and configuration.
"""

from __future__ import annotations

import hashlib
import json
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


def engine_key(recogniser: Recogniser, gazetteer: dict[str, tuple[str, ...]]) -> str:
    """What cached spans depend on: the engine, its version and the user's gazetteer."""
    listed = json.dumps(sorted((label, sorted(names)) for label, names in gazetteer.items()), ensure_ascii=False)
    return f"{recogniser.name}/{recogniser.version}/{hashlib.sha256(listed.encode('utf-8')).hexdigest()[:16]}"


def build_recogniser(gazetteer: dict[str, tuple[str, ...]] | None = None) -> Recogniser:
    """The recogniser the configuration asks for (for now, the simple built-in one)."""
    from reader.core.entities.simple import SimpleRecogniser

    return SimpleRecogniser(gazetteer or {})
