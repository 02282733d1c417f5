"""Inter-annotator agreement on tagged passages: span F1, Cohen's kappa, Krippendorff's alpha, disagreements.

Pure arithmetic on spans: it never imports Textual, never touches the database, never changes an annotation.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple, Protocol

#: An article's key: the store's integer id, or any hashable name (a file name in an export).
ArticleKey = Hashable
Match = Literal["exact", "overlap"]
Level = Literal["char", "token"]
DisagreementKind = Literal["only_a", "only_b", "boundary", "tag"]

#: The tag given to an annotation that has no tags, so that "something is here" can still be compared.
UNTAGGED = ""

# Conventions shared by every function below:
# - A *unit* is one tag on one span by one annotator. An annotation with several tags is several units
#   (`units_from_annotations`).
# - Within one annotator, units with the same article, start, end and tag count once (tagging a passage
#   twice with the same tag says one thing). For the position-level measures (kappa, alpha) an annotator's
#   spans of one tag in one article are merged: a character is tagged or it is not.
# - An undefined result is `None`, never NaN and never a ZeroDivisionError: precision when B has no spans,
#   kappa when chance agreement is already total, alpha when every item got the same value.
# - Position-level measures never loop over characters: they work on sorted, merged intervals, so their
#   cost follows the number of spans, not the length of the articles (token level reads each text once
#   with `str.split`).


@dataclass(frozen=True, slots=True)
class Unit:
    """One tag on the span `[start, end)` of one article, by one annotator. Spans are never empty."""

    article: ArticleKey
    start: int
    end: int
    tag: str
    annotator: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(
                f"a unit needs 0 <= start < end, got [{self.start}, {self.end}) in article {self.article!r}"
            )


class _AnnotationLike(Protocol):
    article_id: int
    start: int
    end: int
    annotator: str
    tags: tuple[str, ...]


def units_from_annotations(annotations: Iterable[_AnnotationLike]) -> list[Unit]:
    """One `Unit` per tag of each annotation (a `store.Annotation` or alike); untagged ones get `UNTAGGED`."""
    return [
        Unit(annotation.article_id, annotation.start, annotation.end, tag, annotation.annotator)
        for annotation in annotations
        for tag in (annotation.tags or (UNTAGGED,))
    ]


def group_by_annotator(units: Iterable[Unit]) -> dict[str, list[Unit]]:
    """Units keyed by annotator name, in first-seen order (the input `krippendorff_alpha` wants)."""
    grouped: dict[str, list[Unit]] = {}
    for unit in units:
        grouped.setdefault(unit.annotator, []).append(unit)
    return grouped


# --------------------------------------------------------------------------------------------------
# Span-level agreement


@dataclass(frozen=True, slots=True)
class SpanScores:
    """Counts of spans and how many were paired; B is scored against A as the reference."""

    reference: int  #: spans in A
    candidate: int  #: spans in B
    matched: int  #: one-to-one pairs between them

    @property
    def precision(self) -> float | None:
        """matched / B's spans; None when B has none."""
        return self.matched / self.candidate if self.candidate else None

    @property
    def recall(self) -> float | None:
        """matched / A's spans; None when A has none."""
        return self.matched / self.reference if self.reference else None

    @property
    def f1(self) -> float | None:
        """2 * matched / (A's spans + B's spans): symmetric in A and B; None only when both have none."""
        total = self.reference + self.candidate
        return 2 * self.matched / total if total else None


@dataclass(frozen=True, slots=True)
class SpanAgreement:
    """Span scores per tag, and `overall`: the micro-average (counts summed over tags)."""

    by_tag: dict[str, SpanScores]
    overall: SpanScores

    @property
    def macro_f1(self) -> float | None:
        """Mean of the per-tag F1 scores (every tag weighs the same); None with no tags."""
        scores = [s.f1 for s in self.by_tag.values() if s.f1 is not None]
        return sum(scores) / len(scores) if scores else None


def span_agreement(
    a_units: Iterable[Unit], b_units: Iterable[Unit], match: Match = "exact", *, tag: str | None = None
) -> SpanAgreement:
    """Precision, recall and F1 of B's spans against A's, per tag and overall (optionally for one `tag`).

    `match="exact"`: a pair has the same article, start, end and tag.
    `match="overlap"`: a pair has the same article and tag and shares at least one character; pairs are
    one-to-one (one long span cannot match several short ones) and as many as possible: a maximum
    matching of the overlap graph, found by `_overlap_matching`.
    """
    _check_match(match)
    groups = _pair_groups(_dedupe(a_units, tag), _dedupe(b_units, tag))
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (_article, group_tag), (a_spans, b_spans) in groups.items():
        count = counts[group_tag]
        count[0] += len(a_spans)
        count[1] += len(b_spans)
        count[2] += _matched(a_spans, b_spans, match)
    by_tag = {name: SpanScores(*counts[name]) for name in sorted(counts)}
    if tag is not None and tag not in by_tag:  # the asked-for tag is reported even when nobody used it
        by_tag[tag] = SpanScores(0, 0, 0)
    overall = SpanScores(*(sum(c[i] for c in counts.values()) for i in range(3)))
    return SpanAgreement(by_tag, overall)


# --------------------------------------------------------------------------------------------------
# Where they disagree


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A passage `[start, end)` where A and B differ; `a` and `b` are the units involved (None: none there).

    kind: "only_a" / "only_b": one side tagged it and the other has nothing overlapping it;
    "boundary": same tag, overlapping, different start or end (reported only with `match="exact"`; with
    `match="overlap"` such a pair counts as agreement); "tag": overlapping spans with different tags.
    `start`/`end` cover both sides' spans.
    """

    article: ArticleKey
    start: int
    end: int
    kind: DisagreementKind
    a: Unit | None
    b: Unit | None

    @property
    def sides(self) -> Literal["a", "b", "both"]:
        """Which annotator(s) have a span here."""
        return "both" if self.a is not None and self.b is not None else ("a" if self.a is not None else "b")


def disagreements(
    a_units: Iterable[Unit], b_units: Iterable[Unit], match: Match = "exact", *, tag: str | None = None
) -> list[Disagreement]:
    """Every passage where A and B disagree, sorted by article, then start, then end.

    Each unit that `span_agreement` (with the same `match` and `tag`) leaves unmatched appears in exactly
    one entry: first same-tag overlapping pairs ("boundary", exact mode only), then overlapping pairs with
    different tags ("tag", one-to-one like the overlap matching), then the rest ("only_a", "only_b").
    """
    _check_match(match)
    groups = _pair_groups(_dedupe(a_units, tag), _dedupe(b_units, tag))
    found: list[Disagreement] = []
    left_a: dict[ArticleKey, list[Unit]] = defaultdict(list)
    left_b: dict[ArticleKey, list[Unit]] = defaultdict(list)
    for (article, _tag), (a_spans, b_spans) in groups.items():
        if match == "exact" and a_spans.keys() == b_spans.keys():
            continue  # the same passages: nothing to tell apart
        if match == "exact":
            a_rest = [unit for span, unit in a_spans.items() if span not in b_spans]
            b_rest = [unit for span, unit in b_spans.items() if span not in a_spans]
        else:
            a_rest, b_rest = list(a_spans.values()), list(b_spans.values())
        if a_rest and b_rest:
            pairs = _overlap_matching([(u.start, u.end) for u in a_rest], [(u.start, u.end) for u in b_rest])
            paired_a, paired_b = set(), set()
            for i, j in pairs:
                paired_a.add(i)
                paired_b.add(j)
                if match == "exact":
                    found.append(_both(article, "boundary", a_rest[i], b_rest[j]))
            a_rest = [unit for i, unit in enumerate(a_rest) if i not in paired_a]
            b_rest = [unit for j, unit in enumerate(b_rest) if j not in paired_b]
        if a_rest:
            left_a[article].extend(a_rest)
        if b_rest:
            left_b[article].extend(b_rest)
    for article in left_a.keys() | left_b.keys():
        a_rest = sorted(left_a.get(article, []), key=_reading_order)  # same pairs whatever the input order
        b_rest = sorted(left_b.get(article, []), key=_reading_order)
        paired_a, paired_b = set(), set()
        if a_rest and b_rest:
            pairs = _overlap_matching([(u.start, u.end) for u in a_rest], [(u.start, u.end) for u in b_rest])
            for i, j in pairs:
                paired_a.add(i)
                paired_b.add(j)
                found.append(_both(article, "tag", a_rest[i], b_rest[j]))
        for i, unit in enumerate(a_rest):
            if i not in paired_a:
                found.append(Disagreement(article, unit.start, unit.end, "only_a", unit, None))
        for j, unit in enumerate(b_rest):
            if j not in paired_b:
                found.append(Disagreement(article, unit.start, unit.end, "only_b", None, unit))
    found.sort(key=_disagreement_order)
    return found


def _disagreement_order(found: Disagreement) -> tuple:
    a_tag = found.a.tag if found.a is not None else ""
    b_tag = found.b.tag if found.b is not None else ""
    return _article_order(found.article), found.start, found.end, found.kind, a_tag, b_tag


def _reading_order(unit: Unit) -> tuple[int, int, str]:
    return unit.start, unit.end, unit.tag


def _both(article: ArticleKey, kind: DisagreementKind, a: Unit, b: Unit) -> Disagreement:
    return Disagreement(article, min(a.start, b.start), max(a.end, b.end), kind, a, b)


# --------------------------------------------------------------------------------------------------
# Position-level agreement: Cohen's kappa and Krippendorff's alpha


@dataclass(frozen=True, slots=True)
class BinaryTable:
    """The 2x2 table of binary items (a character or token, for one tag) coded by A (rows) and B (columns).

    both = tagged by A and B, only_a = by A alone, only_b = by B alone, neither = by nobody.
    """

    both: int
    only_a: int
    only_b: int
    neither: int

    @property
    def total(self) -> int:
        return self.both + self.only_a + self.only_b + self.neither

    @property
    def observed(self) -> float | None:
        """p_o = (both + neither) / total; None with no items."""
        return (self.both + self.neither) / self.total if self.total else None

    @property
    def expected(self) -> float | None:
        """p_e = p_A(yes) p_B(yes) + p_A(no) p_B(no), each annotator's own marginals; None with no items."""
        n = self.total
        if not n:
            return None
        a_yes, b_yes = self.both + self.only_a, self.both + self.only_b
        return (a_yes * b_yes + (n - a_yes) * (n - b_yes)) / (n * n)

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa = (p_o - p_e) / (1 - p_e); None with no items or when p_e = 1.

        p_e = 1 happens when both annotators gave every item the same single value (e.g. neither tagged
        anything): agreement is total but tells nothing, and kappa is 0/0.
        """
        n = self.total
        a_yes, b_yes = self.both + self.only_a, self.both + self.only_b
        # In integers: kappa = (n*agree - chance) / (n*n - chance), chance = n*n*p_e. Exact, no rounding.
        chance = a_yes * b_yes + (n - a_yes) * (n - b_yes)
        if n == 0 or chance == n * n:
            return None
        return (n * (self.both + self.neither) - chance) / (n * n - chance)


def agreement_table(
    a_units: Iterable[Unit],
    b_units: Iterable[Unit],
    texts: Mapping[ArticleKey, str | int],
    *,
    tag: str | None = None,
    level: Level = "char",
) -> BinaryTable:
    """The 2x2 table behind `cohens_kappa` (same arguments), for showing the counts next to the number."""
    items, tags, coverage = _coverage([list(a_units), list(b_units)], texts, tag, level)
    both = only_a = only_b = 0
    for a_spans, b_spans in coverage.values():
        cell = _cell(a_spans, b_spans)
        both += cell[0]
        only_a += cell[1]
        only_b += cell[2]
    total = items * len(tags)
    return BinaryTable(both, only_a, only_b, total - both - only_a - only_b)


def cohens_kappa(
    a_units: Iterable[Unit],
    b_units: Iterable[Unit],
    texts: Mapping[ArticleKey, str | int],
    *,
    tag: str | None = None,
    level: Level = "char",
) -> float | None:
    """Cohen's kappa between two annotators over every character (or token) of every article in `texts`.

    `texts` maps each article to its text; for `level="char"` its length (an int) is enough. The articles
    in `texts` are the population: pass the articles both annotators read, and no others, because every
    untagged character of every article counts as agreement on "not tagged". A unit on an article not in
    `texts`, or past the end of its text, is a `ValueError`.

    `tag="T"`: each position is one binary item, tagged T or not. `tag=None`: each (position, tag) pair is
    one binary item, for every tag either annotator used; i.e. the per-tag tables are summed, then one
    kappa is computed from the pooled table (not an average of per-tag kappas).

    `level="token"`: positions are whitespace-separated tokens (runs of non-space characters); a token
    is tagged when any of its characters is. A span made only of whitespace tags no token.

    None when undefined (no items, or p_e = 1 — see `BinaryTable.kappa`).
    """
    return agreement_table(a_units, b_units, texts, tag=tag, level=level).kappa


def krippendorff_alpha(
    units_by_annotator: Mapping[str, Iterable[Unit]],
    texts: Mapping[ArticleKey, str | int],
    *,
    tag: str | None = None,
    level: Level = "char",
) -> float | None:
    """Krippendorff's alpha, binary nominal, over character (or token) positions, for two or more annotators.

    This is *not* Krippendorff's unitizing alpha (alpha_U, whose distance weighs the squared lengths of
    mismatched segments): it is the "continuum as characters" approach, where every position of every
    article in `texts` is one unit of analysis and each annotator gives it a value 1 (tagged) or 0. The
    data is complete: every annotator (a key of `units_by_annotator`, with an empty list if they tagged
    nothing) coded every article in `texts`. Items, `tag` and `level` are as in `cohens_kappa`.

    With m annotators, N items, n = m*N pairable values, n_1 = values 1, n_0 = values 0 and, per item u,
    m_u1 annotators saying 1 and m_u0 saying 0:

        o_01 = sum_u m_u0 * m_u1 / (m - 1)          (the off-diagonal of the coincidence matrix)
        alpha = 1 - (n - 1) * o_01 / (n_0 * n_1)    (= 1 - D_o / D_e, D_e from the pooled values)

    For two annotators, alpha = 1 - (2N - 1) / (2N) * (1 - pi), Scott's pi, which equals Cohen's kappa
    when both annotators tagged the same number of items and is close to it otherwise. None when
    undefined: fewer than two annotators is a `ValueError`; no items, or all values equal, gives None.
    """
    coders = [list(units) for units in units_by_annotator.values()]
    m = len(coders)
    if m < 2:
        raise ValueError(f"Krippendorff's alpha needs at least two annotators, got {m}")
    items, tags, coverage = _coverage(coders, texts, tag, level)
    ones = disagreeing = 0
    for spans_by_coder in coverage.values():
        counted = _coincidences(spans_by_coder)
        ones += counted[0]
        disagreeing += counted[1]
    return alpha_from_counts(m, items * len(tags), ones, disagreeing)


def alpha_from_counts(coders: int, items: int, ones: int, disagreeing: int) -> float | None:
    """Binary nominal alpha from its sums (see `krippendorff_alpha`): `coders` = m, `items` = N (every
    position of every tag in scope), `ones` = n_1 and `disagreeing` = sum_u m_u0 * m_u1."""
    n = coders * items
    zeros = n - ones
    if ones == 0 or zeros == 0:
        return None
    return 1 - (n - 1) * disagreeing / ((coders - 1) * zeros * ones)


# --------------------------------------------------------------------------------------------------
# Per article: the same measures as additive counts, so that a corpus-wide result is a sum over
# articles (what reader.services.agreement keeps in the database and adds up).


class PairCounts(NamedTuple):
    """What two annotators did with one tag in one article. Summed over articles: `a_spans`,
    `b_spans` and `exact` (or `overlap`) are `SpanScores`' reference, candidate and matched; `both`,
    `only_a` and `only_b` are `BinaryTable`'s, whose `neither` is the positions left."""

    a_spans: int  #: A's distinct spans
    b_spans: int  #: B's distinct spans
    exact: int  #: pairs with the same start and end
    overlap: int  #: one-to-one overlapping pairs (a maximum matching)
    both: int  #: positions (characters or tokens) both tagged
    only_a: int
    only_b: int


def pair_counts(
    a_units: Iterable[Unit],
    b_units: Iterable[Unit],
    a_positions: Iterable[Unit] | None = None,
    b_positions: Iterable[Unit] | None = None,
) -> dict[tuple[ArticleKey, str], PairCounts]:
    """`PairCounts` for every (article, tag) either annotator used: spans from `a_units`/`b_units`,
    positions from `a_positions`/`b_positions` (the same units, by default; token indexes for
    token-level kappa). Summing them gives `span_agreement` (exact and overlap) and
    `agreement_table`, over any set of those articles."""
    spans = _pair_groups(_dedupe(a_units, None), _dedupe(b_units, None))
    a_positions = a_units if a_positions is None else a_positions
    b_positions = b_units if b_positions is None else b_positions
    cells = _merged_groups([a_positions, b_positions]) if a_positions is not a_units else None
    found: dict[tuple[ArticleKey, str], PairCounts] = {}
    empty: _SpanMap = {}
    for key in spans.keys() | cells.keys() if cells is not None else spans:
        a_spans, b_spans = spans.get(key, (empty, empty))
        if cells is not None:
            merged = cells.get(key)
        elif a_spans.keys() == b_spans.keys():  # the same passages: agreement on every one (most often)
            merged = None
            length = _length(_merge(a_spans))
            found[key] = PairCounts(len(a_spans), len(a_spans), len(a_spans), len(a_spans), length, 0, 0)
            continue
        else:
            merged = [_merge(a_spans), _merge(b_spans)]
        cell = _cell(*merged) if merged is not None else (0, 0, 0)
        found[key] = PairCounts(len(a_spans), len(b_spans), _matched(a_spans, b_spans, "exact"),
                                _matched(a_spans, b_spans, "overlap"), *cell)
    return found


def coder_counts(coders: Sequence[Iterable[Unit]]) -> dict[tuple[ArticleKey, str], tuple[int, int]]:
    """For every (article, tag) anyone used: (n_1, sum_u m_u0 * m_u1) over its positions, the
    additive part of `krippendorff_alpha` (see `alpha_from_counts`)."""
    return {key: _coincidences(spans) for key, spans in _merged_groups(coders).items()}


# --------------------------------------------------------------------------------------------------
# Internals


def _check_match(match: str) -> None:
    if match not in ("exact", "overlap"):
        raise ValueError(f"match must be 'exact' or 'overlap', got {match!r}")


def _article_order(article: ArticleKey) -> tuple[int, object]:
    """Sort key that puts integer ids first (numerically) and any other key after them (as text)."""
    return (0, article) if isinstance(article, int) else (1, str(article))


_SpanMap = dict[tuple[int, int], Unit]


def _dedupe(units: Iterable[Unit], tag: str | None) -> dict[tuple[ArticleKey, str], _SpanMap]:
    """Units of one annotator grouped by (article, tag), one per distinct span (the first seen is kept)."""
    grouped: dict[tuple[ArticleKey, str], _SpanMap] = defaultdict(dict)
    for unit in units:
        if tag is None or unit.tag == tag:
            grouped[unit.article, unit.tag].setdefault((unit.start, unit.end), unit)
    return grouped


def _pair_groups(
    a: dict[tuple[ArticleKey, str], _SpanMap], b: dict[tuple[ArticleKey, str], _SpanMap]
) -> dict[tuple[ArticleKey, str], tuple[_SpanMap, _SpanMap]]:
    return {key: (a.get(key, {}), b.get(key, {})) for key in a.keys() | b.keys()}


def _matched(a_spans: _SpanMap, b_spans: _SpanMap, match: str) -> int:
    """How many of one (article, tag)'s spans pair up: same bounds, or overlapping one-to-one."""
    if not a_spans or not b_spans:
        return 0
    if match == "exact":
        return len(a_spans.keys() & b_spans.keys())
    return len(_overlap_matching(list(a_spans), list(b_spans)))


def _cell(a_spans: list[tuple[int, int]], b_spans: list[tuple[int, int]]) -> tuple[int, int, int]:
    """(both, only A, only B) positions of two merged interval lists."""
    a_len, b_len = _length(a_spans), _length(b_spans)
    common = _intersection_length(a_spans, b_spans) if a_len and b_len else 0
    return common, a_len - common, b_len - common


def _coincidences(spans_by_coder: list[list[tuple[int, int]]]) -> tuple[int, int]:
    """(positions tagged, summed over coders; sum over positions of m_u0 * m_u1) for merged spans."""
    m = len(spans_by_coder)
    ones = disagreeing = 0
    events: list[tuple[int, int]] = []
    for spans in spans_by_coder:
        for start, end in spans:
            ones += end - start
            events.append((start, 1))
            events.append((end, -1))
    events.sort()
    depth, previous = 0, 0
    for position, step in events:
        if depth:
            disagreeing += (position - previous) * depth * (m - depth)
        depth += step
        previous = position
    return ones, disagreeing


def _merged_groups(coders: Sequence[Iterable[Unit]]) -> dict[tuple[ArticleKey, str], list[list[tuple[int, int]]]]:
    """Each coder's merged spans per (article, tag) any of them used."""
    raw: dict[tuple[ArticleKey, str], list[list[tuple[int, int]]]] = {}
    for index, units in enumerate(coders):
        for unit in units:
            per_coder = raw.get((unit.article, unit.tag))
            if per_coder is None:
                per_coder = raw[unit.article, unit.tag] = [[] for _ in coders]
            per_coder[index].append((unit.start, unit.end))
    return {key: [_merge(spans) for spans in per_coder] for key, per_coder in raw.items()}


def _overlap_matching(
    a_spans: Sequence[tuple[int, int]], b_spans: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """A maximum one-to-one matching between two lists of non-empty spans, pairing only spans that overlap.

    Returns (index in a_spans, index in b_spans) pairs. Spans are taken in order of their end; an unpaired
    span x is paired with the unpaired span of the other side that overlaps it and ends first (ties: the
    one that starts first). Every still-unpaired span of the other side that starts before x ends also
    ends at or after x ends, so they all overlap x and each other, and an exchange argument shows that
    pairing x with the earliest-ending one never loses a pair: the matching is maximum, not just maximal.
    O((len(a) + len(b)) log(len(a) + len(b))).
    """
    spans = [(end, start, 0, i) for i, (start, end) in enumerate(a_spans)]
    spans += [(end, start, 1, j) for j, (start, end) in enumerate(b_spans)]
    by_end = sorted(spans)
    by_start = sorted(spans, key=lambda s: s[1])
    done = (bytearray(len(a_spans)), bytearray(len(b_spans)))
    open_spans: tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]] = ([], [])
    pairs: list[tuple[int, int]] = []
    pushed = 0
    for end, _start, side, index in by_end:
        if done[side][index]:
            continue
        while pushed < len(by_start) and by_start[pushed][1] < end:
            o_end, o_start, o_side, o_index = by_start[pushed]
            heapq.heappush(open_spans[o_side], (o_end, o_start, o_index))
            pushed += 1
        other = 1 - side
        heap = open_spans[other]
        while heap and done[other][heap[0][2]]:
            heapq.heappop(heap)
        done[side][index] = 1
        if heap:
            partner = heapq.heappop(heap)[2]
            done[other][partner] = 1
            pairs.append((index, partner) if side == 0 else (partner, index))
    return pairs


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, disjoint, non-touching intervals covering the same positions."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _length(spans: list[tuple[int, int]]) -> int:
    return sum(end - start for start, end in spans)


def _intersection_length(x: list[tuple[int, int]], y: list[tuple[int, int]]) -> int:
    """Positions covered by both of two merged interval lists (one linear merge)."""
    i = j = total = 0
    while i < len(x) and j < len(y):
        low = max(x[i][0], y[j][0])
        high = min(x[i][1], y[j][1])
        if low < high:
            total += high - low
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return total


def _token_bounds(text: str, positions: Iterable[int]) -> dict[int, tuple[int, int]]:
    """For each character position p: (tokens that end at or before p, tokens that start before p).

    A token is a maximal run of characters that are not `str.isspace()` (what `str.split()` splits on, and
    what the regular expression `\\S+` matches). The text is counted stretch by stretch between the sorted
    positions with `str.split`, so the whole text is read once, at C speed, whatever the number of spans.
    """
    bounds: dict[int, tuple[int, int]] = {}
    started = 0  # tokens that start before `previous`
    previous = 0
    for position in sorted(set(positions)):
        stretch = len(text[previous:position].split())
        if stretch and previous > 0 and not text[previous - 1].isspace() and not text[previous].isspace():
            stretch -= 1  # the stretch opens inside a token that started before it
        started += stretch
        inside = 0 < position < len(text) and not text[position - 1].isspace() and not text[position].isspace()
        bounds[position] = (started - inside, started)
        previous = position
    return bounds


def _coverage(
    coders: list[list[Unit]], texts: Mapping[ArticleKey, str | int], tag: str | None, level: Level
) -> tuple[int, list[str], dict[tuple[ArticleKey, str], list[list[tuple[int, int]]]]]:
    """The number of positions (`items`), the tags in scope, and each coder's merged spans per (article, tag).

    Positions are characters, or token indexes for `level="token"`: a span covers the tokens that share a
    character with it, [tokens ending at or before its start, tokens starting before its end).
    """
    if level not in ("char", "token"):
        raise ValueError(f"level must be 'char' or 'token', got {level!r}")
    lengths: dict[ArticleKey, int] = {}
    for article, text in texts.items():
        if isinstance(text, str):
            lengths[article] = len(text)
        elif level == "token":
            raise TypeError(f"level='token' needs article texts, got {type(text).__name__} for {article!r}")
        else:
            lengths[article] = int(text)
    raw: dict[tuple[ArticleKey, str], list[list[tuple[int, int]]]] = {}
    for index, units in enumerate(coders):
        for unit in units:
            if tag is not None and unit.tag != tag:
                continue
            length = lengths.get(unit.article)
            if length is None:
                raise ValueError(f"a unit is on article {unit.article!r}, which is not in texts")
            if unit.end > length:
                raise ValueError(
                    f"unit [{unit.start}, {unit.end}) runs past the end of article {unit.article!r}"
                    f" ({length} characters)"
                )
            per_coder = raw.get((unit.article, unit.tag))
            if per_coder is None:
                per_coder = raw[unit.article, unit.tag] = [[] for _ in coders]
            per_coder[index].append((unit.start, unit.end))
    if level == "char":
        items = sum(lengths.values())
    else:
        by_article: dict[ArticleKey, list[list[list[tuple[int, int]]]]] = defaultdict(list)
        for (article, _tag), per_coder in raw.items():
            by_article[article].append(per_coder)
        counted: dict[ArticleKey, int] = {}
        for article, groups in by_article.items():
            text = texts[article]
            assert isinstance(text, str)
            positions = [len(text)]
            for per_coder in groups:
                for spans in per_coder:
                    for start, end in spans:
                        positions.append(start)
                        positions.append(end)
            bounds = _token_bounds(text, positions)
            counted[article] = bounds[len(text)][1]
            for per_coder in groups:
                for spans in per_coder:
                    translated = ((bounds[start][0], bounds[end][1]) for start, end in spans)
                    spans[:] = [(first, last) for first, last in translated if first < last]
        items = sum(
            counted[article] if article in counted else len(text.split())  # type: ignore[union-attr]
            for article, text in texts.items()
        )
    tags = {key[1] for key, per_coder in raw.items() if any(per_coder)}
    scope = sorted(tags) if tag is None else [tag]
    coverage = {key: [_merge(spans) for spans in per_coder] for key, per_coder in raw.items()}
    return items, scope, coverage
