"""Adjudication: a curator settles two coders' disagreements into the gold layer (A's version,
B's, both, an edit of one), and takes the passages they agree on in bulk.

It writes only gold annotations, through the undo history, each against the coders' annotations
as the curator saw them; it never changes a coder's annotation and imports neither click nor Textual.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from reader.core.agreement import UNTAGGED, Disagreement, Unit, disagreements, units_from_annotations  # noqa: F401 (re-exported)
from reader.core.model import Annotation, GoldChoice, GoldVersion
from reader.services.history import Change, History

#: Passages the bulk acceptance writes per transaction (each well under a second).
CHUNK = 250


class AdjudicationError(ValueError):
    """A decision that cannot be taken as asked (nothing on that side, an untagged passage...):
    one line for the curator, nothing written."""


@dataclass(frozen=True, slots=True)
class Sides:
    """A disagreement with the coders' annotations behind it, as the curator sees them."""

    found: Disagreement
    a: Annotation | None
    b: Annotation | None

    @property
    def seen(self) -> list[Annotation]:
        return [annotation for annotation in (self.a, self.b) if annotation is not None]


@dataclass(frozen=True, slots=True)
class Curating:
    """An article opened from adjudication to edit a passage into gold: new passages tagged
    there become `gold`'s, decided by `curator` from the coders' annotations as `seen`."""

    gold: str
    curator: str
    seen: tuple[Annotation, ...]

    def adopt(self, history: History, version: GoldVersion, seen_sha256: str | None) -> Change:
        """The edited version into gold (checked against the coders' annotations as seen)."""
        sources = tuple(annotation.id for annotation in self.seen)
        version = GoldVersion(version.article_id, version.start, version.end, version.tags, sources)
        return history.adopt_gold([version], list(self.seen), self.gold, self.curator, "edit", seen_sha256)


def walk(store, a: str, b: str) -> list[Disagreement]:
    """Every passage where coders `a` and `b` disagree (exact spans, per tag), on the articles
    both annotated, in reading order."""
    units = units_from_annotations(store.annotations.of_annotators([a, b]))
    a_units = [unit for unit in units if unit.annotator == a]
    b_units = [unit for unit in units if unit.annotator == b]
    both = {unit.article for unit in a_units} & {unit.article for unit in b_units}
    return disagreements([u for u in a_units if u.article in both], [u for u in b_units if u.article in both])


def _annotation_of(store, unit: Unit | None) -> Annotation | None:
    if unit is None:
        return None
    for annotation in store.annotations.select(
        'WHERE n.article_id = ? AND n.start = ? AND n."end" = ? AND n.annotator = ?',
        [unit.article, unit.start, unit.end, unit.annotator],
    ):
        if unit.tag in annotation.tags or (unit.tag == UNTAGGED and not annotation.tags):
            return annotation
    return None


def sides_of(store, found: Disagreement) -> Sides:
    """The disagreement's annotations as they are now (what the curator sees)."""
    return Sides(found, _annotation_of(store, found.a), _annotation_of(store, found.b))


def _version(unit: Unit, annotation: Annotation, sources: tuple[str, ...]) -> GoldVersion:
    if unit.tag == UNTAGGED:
        raise AdjudicationError(f"{annotation.annotator}'s passage has no tag (a memo): only tagged passages go into gold")
    return GoldVersion(int(unit.article), unit.start, unit.end, (unit.tag,), sources)  # type: ignore[call-overload]


def in_gold(store, found: Disagreement, gold: str) -> list[Annotation]:
    """Gold annotations overlapping the disagreement's passage."""
    return [annotation for annotation in store.gold.of_article(found.article, gold)
            if annotation.start < found.end and found.start < annotation.end]


def adopt(history: History, sides: Sides, choice: GoldChoice, gold: str, curator: str) -> Change:
    """Write A's version, B's or both of the passage into `gold`, if the coders' annotations are
    still as `sides` shows them (StaleWriteError otherwise). AdjudicationError when the chosen
    side has nothing there (adopting "nothing" writes nothing: the passage stays out of gold)."""
    found = sides.found
    ids = tuple(annotation.id for annotation in sides.seen)
    versions: list[GoldVersion] = []
    for side, unit, annotation in (("a", found.a, sides.a), ("b", found.b, sides.b)):
        if choice not in (side, "both") or unit is None:
            continue
        if annotation is None:
            raise AdjudicationError("the coder's annotation is not there any more: the list is read again")
        versions.append(_version(unit, annotation, (annotation.id,) if choice != "both" else ids))
    if len(versions) == 2 and (versions[0].start, versions[0].end, versions[0].tags) == (versions[1].start, versions[1].end, versions[1].tags):
        versions = versions[:1]
    if not versions:
        who = "A" if choice == "a" else "B"
        raise AdjudicationError(f"{who} has nothing here: to leave the passage out of {gold}, adopt nothing (move on)")
    present = {(annotation.start, annotation.end, tag) for annotation in in_gold(history.store, found, gold)
               for tag in annotation.tags}
    versions = [version for version in versions if (version.start, version.end, version.tags[0]) not in present]
    if not versions:
        raise AdjudicationError(f"{gold} already holds that version of the passage (u takes it back)")
    return history.adopt_gold(versions, sides.seen, gold, curator, choice)


def agreed_versions(store, a: str, b: str, gold: str) -> list[tuple[GoldVersion, list[Annotation]]]:
    """The passages `a` and `b` tagged alike (same span, same tag) that gold does not hold yet,
    one version per span with every tag they share, with the annotations it comes from."""
    by_span: dict[tuple[int, int, int], dict[str, list[Annotation]]] = {}
    golden: set[tuple[int, int, int, str]] = set()
    for annotation in store.annotations.of_annotators([a, b, gold]):
        span = (annotation.article_id, annotation.start, annotation.end)
        if annotation.annotator == gold:
            golden.update((*span, tag) for tag in annotation.tags)
            continue
        by_span.setdefault(span, {}).setdefault(annotation.annotator, []).append(annotation)
    found = []
    for span, coders in by_span.items():
        if len(coders) < 2:
            continue
        a_tags = {tag for annotation in coders[a] for tag in annotation.tags}
        b_tags = {tag for annotation in coders[b] for tag in annotation.tags}
        shared = sorted(tag for tag in a_tags & b_tags if (*span, tag) not in golden)
        if not shared:
            continue
        sources = [annotation for annotation in coders[a] + coders[b] if set(annotation.tags) & set(shared)]
        found.append((GoldVersion(*span, tuple(shared), tuple(annotation.id for annotation in sources)), sources))
    found.sort(key=lambda item: (item[0].article_id, item[0].start, item[0].end))
    return found


def accept_agreements(history: History, agreed: list[tuple[GoldVersion, list[Annotation]]], gold: str,
                      curator: str) -> Iterator[Change]:
    """Write the agreed passages into gold, CHUNK to a transaction, each chunk one undoable
    change; a chunk whose sources changed since they were read is refused whole (StaleWriteError)."""
    for first in range(0, len(agreed), CHUNK):
        chunk = agreed[first:first + CHUNK]
        seen = [annotation for _version, sources in chunk for annotation in sources]
        yield history.adopt_gold([version for version, _sources in chunk], _unique(seen), gold, curator, "agreed")


def _unique(annotations: Iterable[Annotation]) -> list[Annotation]:
    return list({annotation.id: annotation for annotation in annotations}.values())
