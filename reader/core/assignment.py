"""How `reader assign` splits articles among coders: an overlap share coded by everyone, the rest
dealt out in blocks, by a seeded random sample or in list order; what a re-run changes.

Pure: it reads no database and no file; the store keeps the plan and says who started what.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


class AssignmentError(ValueError):
    """A coder list or overlap share that cannot make a plan; the message is one line."""


def parse_share(written: str) -> float:
    """`10%`, `0.1` or `0` as a share between 0 and 1; AssignmentError otherwise."""
    text = written.strip()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(%?)", text)
    if not match:
        raise AssignmentError(f"--overlap: expected a share such as 10% or 0.1, got {written!r}")
    value = float(match.group(1)) / (100 if match.group(2) else 1)
    if not 0 <= value <= 1:
        raise AssignmentError(f"--overlap: must be between 0% and 100%, got {written!r}")
    return value


def parse_coders(written: str) -> tuple[str, ...]:
    """`alice,bob,carol` as names, in the order given; AssignmentError on none or a repeat."""
    coders = tuple(name.strip() for name in written.split(",") if name.strip())
    if not coders:
        raise AssignmentError("--coders: name at least one coder (alice,bob)")
    repeated = sorted({name for name in coders if coders.count(name) > 1})
    if repeated:
        raise AssignmentError(f"--coders: {', '.join(repeated)} named twice")
    return coders


def overlap_size(articles: int, share: float) -> int:
    """How many of `articles` everyone codes: the share, rounded half up."""
    return int(articles * share + 0.5)


def split(article_ids: Sequence[int], coders: Sequence[str], share: float, seed: int | None = None,
          in_order: bool = False) -> dict[int, tuple[tuple[str, ...], bool]]:
    """Each article's coders and whether it is in the overlap. In order: the overlap is the first
    articles of `article_ids`, then each coder a contiguous block; else the same over a sample
    shuffled by `seed` (the same seed, the same plan). Blocks differ in size by one at most."""
    if not coders:
        raise AssignmentError("no coders to assign to")
    ordered = list(article_ids)
    if not in_order:
        random.Random(seed).shuffle(ordered)
    shared = overlap_size(len(ordered), share)
    plan: dict[int, tuple[tuple[str, ...], bool]] = {article_id: (tuple(coders), True) for article_id in ordered[:shared]}
    rest = ordered[shared:]
    size, extra = divmod(len(rest), len(coders))
    start = 0
    for index, coder in enumerate(coders):
        end = start + size + (1 if index < extra else 0)
        for article_id in rest[start:end]:
            plan[article_id] = ((coder,), False)
        start = end
    return plan


@dataclass(frozen=True, slots=True)
class AssignmentChange:
    """What a run of `reader assign` changed: (article id, coder) pairs added and removed, those
    that stayed, and those kept because the coder had started the article."""

    added: tuple[tuple[int, str], ...]
    removed: tuple[tuple[int, str], ...]
    unchanged: int
    kept_started: tuple[tuple[int, str], ...]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def settle(plan: Mapping[int, tuple[tuple[str, ...], bool]], current: Mapping[int, set[str]],
           started: Iterable[tuple[int, str]]) -> tuple[dict[int, tuple[tuple[str, ...], bool]], tuple[tuple[int, str], ...]]:
    """`plan` with the coders who already started an article they hold (annotated it or marked it
    done) kept on it: an article started by its coder stays theirs (a single-coder article is not
    moved to another); an overlap article keeps them besides everyone planned."""
    begun: dict[int, set[str]] = {}
    for article_id, coder in started:
        if coder in current.get(article_id, set()):
            begun.setdefault(article_id, set()).add(coder)
    settled = dict(plan)
    kept: list[tuple[int, str]] = []
    for article_id, coders in begun.items():
        if article_id not in plan:
            continue
        planned, overlap = plan[article_id]
        if overlap:
            merged = tuple(planned) + tuple(sorted(coders - set(planned)))
        else:
            merged = tuple(sorted(coders))
        kept += [(article_id, coder) for coder in sorted(coders) if coder not in planned]
        settled[article_id] = (merged, overlap)
    return settled, tuple(sorted(kept))
