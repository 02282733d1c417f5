"""Agreement reports: which annotators and tags are compared, on which articles, and the numbers
(shared by `reader agreement` and the agreement screen).

It only reads the database, never changes an annotation, imports neither click nor Textual, and
does no arithmetic of its own: the measures are reader.core.agreement's.
"""

# What is compared (the same in the command and in the agreement screen):
#
# - A *pair* of annotators is compared on the articles both annotated (at least one annotation
#   each, of any tag): every measure, span F1 included, and the disagreement list leave out the
#   other articles, where a missing passage means "not read" rather than "not there". Krippendorff's
#   alpha over three or more annotators uses the articles every one of them annotated.
# - Tags: exact names. `--tag framing` is the tag "framing" only; with `--nested` the tags nested
#   in it ("framing/economy") are compared too, each as a row of its own. By default every tag the
#   compared annotators used on those articles.
# - Span precision/recall/F1: B's passages scored against A's (F1 is symmetric), "exact" (same
#   start, end and tag) and "overlap" (same tag, one shared character, one-to-one). A only / B only
#   / both are the exact-match counts.
# - Cohen's kappa and alpha: over every character (or token, `--level token`) of those articles,
#   per tag (tagged T or not), and overall: the per-tag 2x2 tables summed, one kappa from the sum
#   (what `cohens_kappa(tag=None)` computes). Undefined numbers are "—" (null in JSON).
# - The disagreement list: exact matching, so a passage both tagged with different boundaries is
#   listed ("boundary"), as are tag differences ("tag") and passages only one side has.

from __future__ import annotations

import gc
import itertools
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from reader.core.agreement import (
    UNTAGGED,
    BinaryTable,
    Disagreement,
    Level,
    SpanAgreement,
    SpanScores,
    Unit,
    _token_bounds,  # the tokenisation the core uses for level="token", applied once per article here
    agreement_table,
    disagreements,
    krippendorff_alpha,
    span_agreement,
)


_pause = {"count": 0, "enable_after": False}
_pause_lock = threading.Lock()


@contextmanager
def paused_collection() -> Iterator[None]:
    """Python's cyclic garbage collector off while agreement is computed (nested and threaded uses
    count; it comes back on after the last, if it was on before the first). The computation makes
    millions of small objects and no cycles: the collector's passes over them took half the time
    on 200,000 annotations."""
    with _pause_lock:
        if _pause["count"] == 0:
            _pause["enable_after"] = gc.isenabled()
            gc.disable()
        _pause["count"] += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pause["count"] -= 1
            if _pause["count"] == 0 and _pause["enable_after"]:
                gc.enable()


class AgreementError(ValueError):
    """A request that cannot be compared (unknown annotator or tag, too few annotators): one line."""


def _listing(names: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "") if names else "none"


def resolve_annotators(known: Sequence[str], requested: Sequence[str] | None) -> list[str]:
    """The annotators to compare: `requested` (at least two, each one who annotated), or the two
    with most annotations. `known` is `Store.annotators()` (most annotations first)."""
    if not requested:
        if len(known) < 2:
            who = f"only {known[0]} has" if known else "nobody has"
            raise AgreementError(f"agreement needs two annotators, and {who} annotated yet")
        return list(known[:2])
    chosen = list(dict.fromkeys(requested))
    unknown = [name for name in chosen if name not in known]
    if unknown:
        raise AgreementError(f"unknown annotator {unknown[0]!r} (known: {_listing(list(known))})")
    if len(chosen) < 2:
        raise AgreementError(f"agreement needs at least two different annotators, got only {chosen[0]!r}")
    return chosen


def resolve_tags(known: Sequence[str], requested: Sequence[str] | None, nested: bool) -> list[str] | None:
    """The tags to compare (None: every tag used). A requested name must be a tag, or, with
    `nested`, have tags nested in it; nested tags are added after their parent."""
    if not requested:
        return None
    chosen: list[str] = []
    for name in requested:
        inside = sorted(tag for tag in known if tag.startswith(name + "/"))
        if name not in known and not (nested and inside):
            hint = f"; {_listing(inside, 4)} nested in it: add --nested" if inside else ""
            raise AgreementError(f"unknown tag {name!r} (known: {_listing(sorted(known))}{hint})")
        chosen += ([name] if name in known else []) + (inside if nested else [])
    return list(dict.fromkeys(chosen))


def tag_label(tag: str | None) -> str:
    """How a row's tag is shown: "overall" for the pooled row, "(untagged)" for annotations without tags."""
    if tag is None:
        return "overall"
    return "(untagged)" if tag == UNTAGGED else tag


@dataclass(frozen=True, slots=True)
class Row:
    """One tag (or `tag=None`: overall) for one pair; a part is None until it is computed."""

    tag: str | None
    exact: SpanScores | None = None
    overlap: SpanScores | None = None
    table: BinaryTable | None = None
    #: Krippendorff's alpha of the pair (shown when the pair is everyone compared); `has_alpha`
    #: tells "not computed yet" from "computed and undefined" (None).
    alpha: float | None = None
    has_alpha: bool = False

    @property
    def kappa(self) -> float | None:
        return self.table.kappa if self.table is not None else None


@dataclass(frozen=True, slots=True)
class PairResult:
    """Two annotators, A and B, on the articles both annotated."""

    a: str
    b: str
    #: Articles both annotated: the population of every measure of the pair.
    articles: int
    #: Tagged passages (units in scope) of A / of B on articles the other did not annotate: left out.
    left_out_a: int
    left_out_b: int
    rows: tuple[Row, ...]
    #: The pair's disagreements (exact matching), once computed.
    disagreements: list[Disagreement] | None = None


@dataclass(frozen=True, slots=True)
class AgreementReport:
    """Everything `reader agreement` prints and the screen shows, filled in stage by stage."""

    annotators: tuple[str, ...]
    level: Level
    #: The compared tags, in row order (the overall row comes after them).
    tags: tuple[str, ...]
    pairs: tuple[PairResult, ...]
    #: Articles every compared annotator annotated (the population of alpha over all of them).
    articles: int
    #: Krippendorff's alpha over every compared annotator, by tag (None: overall); None until computed.
    alpha: dict[str | None, float | None] | None = None
    #: Which stages are done: "loaded", "exact", "overlap", "kappa", "alpha".
    done: frozenset[str] = field(default_factory=frozenset)

    @property
    def complete(self) -> bool:
        return {"exact", "overlap", "kappa", "alpha"} <= self.done


STAGES = ("loaded", "exact", "overlap", "kappa", "alpha")


class AgreementJob:
    """One comparison: `load` reads the store once; `stages` computes and yields a fuller report
    after each stage; `disagreements` lists a pair's. Only `load` touches the store."""

    def __init__(
        self, annotators: Sequence[str], tags: Sequence[str] | None = None, level: Level = "char"
    ) -> None:
        if level not in ("char", "token"):
            raise AgreementError(f"level must be char or token, got {level!r}")
        self.annotators = tuple(annotators)
        self.requested_tags = None if tags is None else tuple(tags)
        self.level: Level = level
        #: Per annotator: tagged passages in scope (characters), the same in the positions the
        #: kappa/alpha items are (characters, or token indexes), and every article annotated.
        self.units: dict[str, list[Unit]] = {}
        self.positions: dict[str, list[Unit]] = {}
        self.annotated: dict[str, set[object]] = {}
        #: Items per article (characters or tokens), for the articles some pair compares.
        self.sizes: dict[object, int] = {}
        self.pair_names = list(itertools.combinations(self.annotators, 2))
        self.populations: list[set[object]] = []
        self.report: AgreementReport | None = None

    # ---- reading ------------------------------------------------------------------------

    def load(self, store) -> AgreementReport:
        """Read the annotators' annotations and the articles' lengths (or texts, for tokens)."""
        units_by: dict[str, list[Unit]] = {name: [] for name in self.annotators}
        for article, start, end, tag, annotator in store.tagged_spans(self.annotators):
            units_by[annotator].append(Unit(article, start, end, tag, annotator))
        self.annotated = {name: {unit.article for unit in units} for name, units in units_by.items()}
        self.populations = [self.annotated[a] & self.annotated[b] for a, b in self.pair_names]
        compared = set().union(*self.populations)
        if self.requested_tags is None:
            scope = sorted({u.tag for units in units_by.values() for u in units if u.article in compared})
        else:
            scope = list(self.requested_tags)
        in_scope = set(scope)
        self.units = {name: [u for u in units if u.tag in in_scope] for name, units in units_by.items()}
        if self.level == "char":
            self.sizes = store.article_lengths(compared)
            self.positions = self.units
        else:
            self._to_tokens(store.article_texts(compared), compared)
        everyone = set.intersection(*(self.annotated[name] for name in self.annotators))
        pairs = []
        for (a, b), population in zip(self.pair_names, self.populations):
            pairs.append(PairResult(
                a, b, len(population),
                sum(u.article not in population for u in self.units[a]),
                sum(u.article not in population for u in self.units[b]),
                tuple(Row(tag) for tag in [*scope, None]),
            ))
        self.report = AgreementReport(self.annotators, self.level, tuple(scope), tuple(pairs), len(everyone),
                                      done=frozenset({"loaded"}))
        return self.report

    def fingerprint(self) -> int:
        """A hash of everything loaded (passages, article sizes, tags): equal fingerprints, equal reports."""
        assert self.report is not None, "load() first"
        return hash((self.level, self.report.tags, tuple(tuple(self.units[name]) for name in self.annotators),
                     frozenset(self.sizes.items()), tuple(frozenset(self.annotated[name]) for name in self.annotators)))

    def _to_tokens(self, texts: dict[object, str], compared: set[object]) -> None:
        """Token counts per article and every unit as [first token, end token), once, so each
        measure then runs on integers: the same numbers as the core's level="token"."""
        cuts: dict[object, list[int]] = {article: [len(text)] for article, text in texts.items()}
        for units in self.units.values():
            for unit in units:
                if unit.article in compared:
                    cuts[unit.article] += (unit.start, unit.end)
        bounds = {article: _token_bounds(texts[article], positions) for article, positions in cuts.items()}
        self.sizes = {article: bounds[article][len(text)][1] for article, text in texts.items()}
        self.positions = {}
        for name, units in self.units.items():
            moved = []
            for unit in units:
                if unit.article in compared:
                    first, last = bounds[unit.article][unit.start][0], bounds[unit.article][unit.end][1]
                    if first < last:  # a span of whitespace tags no token
                        moved.append(Unit(unit.article, first, last, unit.tag, unit.annotator))
            self.positions[name] = moved

    # ---- computing ----------------------------------------------------------------------

    def stages(self) -> Iterator[AgreementReport]:
        """The report after each stage: span counts and exact F1, overlap F1, kappa, alpha."""
        report = self.report
        assert report is not None, "load() first"
        for stage in STAGES[1:]:
            if stage == "alpha":
                report = self._alpha(report)
            else:
                report = replace(report, pairs=tuple(
                    self._pair_stage(stage, index, pair) for index, pair in enumerate(report.pairs)
                ))
            report = replace(report, done=report.done | {stage})
            self.report = report
            yield report

    def compute(self, store) -> AgreementReport:
        """Load and run every stage: the full report."""
        with paused_collection():
            report = self.load(store)
            for report in self.stages():
                pass
        return report

    def _pair_units(self, index: int, source: dict[str, list[Unit]]) -> tuple[list[Unit], list[Unit]]:
        a, b = self.pair_names[index]
        population = self.populations[index]
        return ([u for u in source[a] if u.article in population], [u for u in source[b] if u.article in population])

    def _pair_stage(self, stage: str, index: int, pair: PairResult) -> PairResult:
        tags = [row.tag for row in pair.rows if row.tag is not None]
        if stage in ("exact", "overlap"):
            a_units, b_units = self._pair_units(index, self.units)
            found: SpanAgreement = span_agreement(a_units, b_units, stage)  # type: ignore[arg-type]
            zero = SpanScores(0, 0, 0)
            rows = [replace(row, **{stage: found.by_tag.get(row.tag, zero) if row.tag is not None else found.overall})
                    for row in pair.rows]
            return replace(pair, rows=tuple(rows))
        a_units, b_units = self._pair_units(index, self.positions)
        sizes = {article: self.sizes[article] for article in self.populations[index]}
        items = sum(sizes.values())
        a_by_tag, b_by_tag = _by_tag(a_units), _by_tag(b_units)
        tables: dict[str, BinaryTable] = {}
        for tag in tags:
            a_tagged, b_tagged = a_by_tag.get(tag, []), b_by_tag.get(tag, [])
            if a_tagged or b_tagged:
                tables[tag] = agreement_table(a_tagged, b_tagged, sizes, tag=tag)
            else:
                tables[tag] = BinaryTable(0, 0, 0, items)
        used = [tables[tag] for tag in tags if tag in a_by_tag or tag in b_by_tag]
        pooled = BinaryTable(*(sum(getattr(t, part) for t in used) for part in ("both", "only_a", "only_b", "neither")))
        rows = [replace(row, table=tables[row.tag] if row.tag is not None else pooled) for row in pair.rows]
        return replace(pair, rows=tuple(rows))

    def _alpha(self, report: AgreementReport) -> AgreementReport:
        everyone = set.intersection(*(self.annotated[name] for name in self.annotators))
        sizes = {article: self.sizes[article] for article in everyone}
        coded = {name: [u for u in self.positions[name] if u.article in everyone] for name in self.annotators}
        by_tag = {name: _by_tag(units) for name, units in coded.items()}
        alpha: dict[str | None, float | None] = {}
        for tag in report.tags:
            alpha[tag] = krippendorff_alpha({name: by_tag[name].get(tag, []) for name in self.annotators}, sizes, tag=tag)
        alpha[None] = krippendorff_alpha(coded, sizes)
        pairs = report.pairs
        if len(self.annotators) == 2:  # the pair is everyone: its rows show alpha too
            pairs = tuple(replace(pair, rows=tuple(replace(row, alpha=alpha[row.tag], has_alpha=True) for row in pair.rows))
                          for pair in pairs)
        return replace(report, alpha=alpha, pairs=pairs)

    def disagreements(self, index: int) -> list[Disagreement]:
        """Where the pair `index` disagrees (exact matching), sorted by article and position."""
        assert self.report is not None, "load() first"
        pair = self.report.pairs[index]
        if pair.disagreements is None:
            a_units, b_units = self._pair_units(index, self.units)
            found = disagreements(a_units, b_units, "exact")
            pairs = list(self.report.pairs)
            pairs[index] = replace(pair, disagreements=found)
            self.report = replace(self.report, pairs=tuple(pairs))
            return found
        return pair.disagreements


def _by_tag(units: list[Unit]) -> dict[str, list[Unit]]:
    grouped: dict[str, list[Unit]] = {}
    for unit in units:
        grouped.setdefault(unit.tag, []).append(unit)
    return grouped


# ---- presenting ---------------------------------------------------------------------------

PENDING = "…"
UNDEFINED = "—"
COLUMNS = ("A only", "B only", "both", "P", "R", "F1 exact", "F1 overlap", "kappa", "alpha")


def number(value: float | None) -> str:
    return UNDEFINED if value is None else f"{value:.3f}"


def row_cells(row: Row, with_alpha: bool) -> list[str]:
    """The shown values of `row`, in the order of COLUMNS ("…": not yet computed, "—": undefined)."""
    exact = row.exact
    cells = [f"{exact.reference - exact.matched:,}", f"{exact.candidate - exact.matched:,}", f"{exact.matched:,}",
             number(exact.precision), number(exact.recall), number(exact.f1)] if exact is not None else [PENDING] * 6
    cells.append(number(row.overlap.f1) if row.overlap is not None else PENDING)
    cells.append(number(row.kappa) if row.table is not None else PENDING)
    cells.append((number(row.alpha) if row.has_alpha else PENDING) if with_alpha else "")
    return cells


def population_line(report: AgreementReport, pair: PairResult) -> str:
    """"over 120 articles both annotated" and what was left out."""
    both = "both" if len(report.annotators) == 2 else f"{pair.a} and {pair.b}"
    line = f"over {pair.articles:,} article{'' if pair.articles == 1 else 's'} {both} annotated"
    left = [f"{count:,} of {name}'s" for name, count in ((pair.a, pair.left_out_a), (pair.b, pair.left_out_b)) if count]
    if left:
        line += f" ({' and '.join(left)} tagged passages on other articles left out)"
    return line


def kind_label(found: Disagreement, a: str, b: str) -> str:
    if found.kind == "only_a":
        return f"only {a}"
    if found.kind == "only_b":
        return f"only {b}"
    return "other boundaries" if found.kind == "boundary" else "other tag"


_SPACES = re.compile(r"\s+")


def quote_of(text: str | None, unit: Unit | None, limit: int | None = None) -> str:
    """The passage `unit` marks in `text`, on one line (cut to `limit` characters with "…")."""
    if unit is None or text is None:
        return ""
    quote = _SPACES.sub(" ", text[unit.start : unit.end]).strip()
    if limit is not None and len(quote) > limit:
        quote = quote[: limit - 1] + "…"
    return quote
