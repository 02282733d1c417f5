"""Scoring a recogniser against hand-annotated text: typed-span precision, recall and F1.

Gold files are plain text with each entity written inline as `[[surface|LABEL]]`; removing the
markup gives the article exactly. Scores count exact matches of (start, end, label).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reader.core.entities.spans import LABELS, Recogniser

_MARK = re.compile(r"\[\[([^\[\]|]+)\|([A-Z]+)\]\]")


class GoldFormatError(ValueError):
    pass


def parse_marked(marked: str, name: str = "<text>") -> tuple[str, list[tuple[int, int, str]]]:
    """The plain text of a marked-up article and its gold spans."""
    pieces: list[str] = []
    spans: list[tuple[int, int, str]] = []
    length = 0
    last = 0
    for match in _MARK.finditer(marked):
        before = marked[last : match.start()]
        pieces.append(before)
        length += len(before)
        surface, label = match.group(1), match.group(2)
        if label not in LABELS:
            line = marked.count("\n", 0, match.start()) + 1
            raise GoldFormatError(f"{name}:{line}: unknown label {label!r}")
        spans.append((length, length + len(surface), label))
        pieces.append(surface)
        length += len(surface)
        last = match.end()
    pieces.append(marked[last:])
    text = "".join(pieces)
    for stray in ("[[", "]]"):
        if stray in text:
            line = marked.count("\n", 0, marked.index(stray)) + 1
            raise GoldFormatError(f"{name}:{line}: unbalanced {stray!r}")
    return text, spans


def load_gold(folder: Path) -> list[tuple[str, str, list[tuple[int, int, str]]]]:
    """(name, text, spans) for every `*.txt` in `folder`, by name."""
    documents = []
    for path in sorted(Path(folder).glob("*.txt")):
        text, spans = parse_marked(path.read_text(encoding="utf-8"), str(path))
        documents.append((path.name, text, spans))
    return documents


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 0.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.true_positives += other.true_positives
        self.false_positives += other.false_positives
        self.false_negatives += other.false_negatives


def score(
    gold: Iterable[tuple[int, int, str]], predicted: Iterable[tuple[int, int, str]]
) -> dict[str, Score]:
    """Per-label scores (and "ALL") of predicted spans against gold spans, exact typed match."""
    gold_set, predicted_set = Counter(gold), Counter(predicted)
    scores: dict[str, Score] = {label: Score() for label in LABELS}
    for span, count in (gold_set & predicted_set).items():
        scores[span[2]].true_positives += count
    for span, count in (predicted_set - gold_set).items():
        scores.setdefault(span[2], Score()).false_positives += count
    for span, count in (gold_set - predicted_set).items():
        scores[span[2]].false_negatives += count
    total = Score()
    for part in scores.values():
        total.add(part)
    scores["ALL"] = total
    return scores


def evaluate(recogniser: Recogniser, documents: list[tuple[str, str, list[tuple[int, int, str]]]]) -> dict[str, Score]:
    """Scores summed over documents."""
    totals: dict[str, Score] = {}
    for _name, text, gold in documents:
        predicted = [(span.start, span.end, span.label) for span in recogniser.recognise(text)]
        for label, part in score(gold, predicted).items():
            totals.setdefault(label, Score()).add(part)
    return totals


def core_f1(scores: dict[str, Score]) -> float:
    """F1 over PERSON, GPE and ORG together."""
    together = Score()
    for label in ("PERSON", "GPE", "ORG"):
        together.add(scores.get(label, Score()))
    return together.f1
