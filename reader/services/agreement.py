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

import bisect
import gc
import itertools
import re
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from reader.store import agreement as cache
from reader.core.agreement import (
    UNTAGGED,
    BinaryTable,
    Disagreement,
    Level,
    SpanScores,
    Unit,
    _disagreement_order,
    _token_bounds,  # the tokenisation the core uses for level="token", applied once per article here
    alpha_from_counts,
    coder_counts,
    disagreements,
    pair_counts,
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


def coders_first(known: Sequence[str], gold: str) -> list[str]:
    """`known` for picking the default pair: the coders without the gold layer, while there are
    two of them (gold is compared when asked for, or with --against)."""
    coders = [name for name in known if name != gold]
    return coders if len(coders) >= 2 else list(known)


def resolve_against(known: Sequence[str], requested: Sequence[str] | None, against: str) -> list[str]:
    """The coders to compare with `against` (the gold layer): `requested`, or everyone else who
    annotated. AgreementError when nobody annotated as `against` yet, or nobody else did."""
    if against not in known:
        raise AgreementError(f"nobody has annotated as {against!r} yet: adjudicate first (reader adjudicate A B)")
    coders = [name for name in (requested or known) if name != against]
    unknown = [name for name in coders if name not in known]
    if unknown:
        raise AgreementError(f"no annotations by {unknown[0]!r}; annotators: {_listing(known)}")
    if not coders:
        raise AgreementError(f"only {against!r} has annotated: nobody to compare with it")
    return coders


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
    #: The pair's disagreements (exact matching), once computed by `AgreementJob.disagreements`.
    disagreements: list[Disagreement] | None = None
    #: Where the pair disagrees, by article, to list a page at a time (every tag compared only).
    listing: DisagreementIndex | None = None


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
    #: Which stages are done: "loaded" (who annotated what), "counted" (every number), "listed"
    #: (the pairs' `listing`), "left_out" (their left_out_a and left_out_b).
    done: frozenset[str] = field(default_factory=frozenset)
    #: While counting: (articles counted, articles to count); the others' sums were kept.
    progress: tuple[int, int] | None = None
    #: Each coder against this one (the gold layer, A in every pair), not every pair.
    against: str | None = None

    @property
    def complete(self) -> bool:
        return "counted" in self.done


STAGES = ("loaded", "counted", "listed", "left_out")

#: Articles counted at a time (the report's progress moves after each).
CHUNK = 5_000


class AgreementJob:
    """One comparison: `load` reads who annotated what and which articles' sums are kept in the
    database (reader.store.agreement); `stages` counts the other articles, a chunk at a time,
    yields the report as it goes and full at the end, then keeps the new sums; `disagreements`
    lists a pair's. Nothing here changes an annotation."""

    def __init__(
        self, annotators: Sequence[str], tags: Sequence[str] | None = None, level: Level = "char",
        against: str | None = None,
    ) -> None:
        """`against`: compare each of `annotators` with this one (the gold layer) as A, the
        reference, and no one else (no alpha over everyone): P is then the coder's precision
        against gold, R their recall."""
        if level not in ("char", "token"):
            raise AgreementError(f"level must be char or token, got {level!r}")
        self.against = against
        if against is not None:
            self.annotators = (against, *(name for name in annotators if name != against))
            self.pair_names = [(against, name) for name in self.annotators[1:]]
        else:
            self.annotators = tuple(annotators)
            self.pair_names = list(itertools.combinations(self.annotators, 2))
        self.requested_tags = None if tags is None else tuple(tags)
        self.level: Level = level
        self.store = None
        #: The last change number when `load` read: sums kept afterwards are checked against it.
        self.read_at = 0
        #: Every article each annotator annotated; each pair's articles; everyone's.
        self.annotated: dict[str, set[int]] = {}
        self.populations: list[set[int]] = []
        self.everyone: set[int] = set()
        self.pair_scopes: list[cache.Scope] = []
        self.alpha_scope: cache.Scope | None = None
        #: Tag id -> name (0: no tag).
        self.names: dict[int, str] = {}
        self.report: AgreementReport | None = None

    # ---- reading ------------------------------------------------------------------------

    def load(self, store) -> AgreementReport:
        """Who annotated which articles, and which sums are kept: all from one read of the database."""
        self.store = store
        db = store.db
        with cache.snapshot(db):
            self.read_at = cache.last_change(db)
            self.annotated = {name: cache.annotated_articles(db, name) for name in self.annotators}
            self.names = cache.tag_names(db)
            self.populations = [self.annotated[a] & self.annotated[b] for a, b in self.pair_names]
            self.everyone = set.intersection(*(self.annotated[name] for name in self.annotators))
            self.pair_scopes = [
                cache.read_scope(db, cache.scope_key("pair", self.level, pair), "pair", population)
                for pair, population in zip(self.pair_names, self.populations)
            ]
            self.alpha_scope = (
                cache.read_scope(db, cache.scope_key("all", self.level, self.annotators), "all", self.everyone)
                if len(self.annotators) > 2 and self.against is None else None
            )
        tags = tuple(self.requested_tags or ())
        pairs = tuple(PairResult(a, b, len(population), 0, 0, tuple(Row(tag) for tag in [*tags, None]))
                      for (a, b), population in zip(self.pair_names, self.populations))
        self.report = AgreementReport(self.annotators, self.level, tags, pairs, len(self.everyone),
                                      done=frozenset({"loaded"}), progress=(0, len(self._to_count())),
                                      against=self.against)
        return self.report

    def _scopes(self) -> list[tuple[cache.Scope, set[int]]]:
        scopes = list(zip(self.pair_scopes, self.populations))
        if self.alpha_scope is not None:
            scopes.append((self.alpha_scope, self.everyone))
        return scopes

    def _to_count(self) -> list[int]:
        """Articles some scope has no right sums for, in id order."""
        missing: set[int] = set()
        for scope, _population in self._scopes():
            missing |= scope.missing
        return sorted(missing)

    # ---- computing ----------------------------------------------------------------------

    def stages(self) -> Iterator[AgreementReport]:
        """The report after each chunk of articles counted (`progress`), then with every number,
        with where each pair disagrees, and with what each pair left out; then the new sums are
        kept in the database (when it can be written)."""
        report = self.report
        assert report is not None and self.store is not None, "load() first"
        to_count = self._to_count()
        for first in range(0, len(to_count), CHUNK):
            self._count(to_count[first : first + CHUNK])
            report = replace(report, progress=(min(first + CHUNK, len(to_count)), len(to_count)))
            self.report = report
            yield report
        report = self._sum_up(report)
        self.report = report
        yield report
        report = self._listed(report)
        self.report = report
        yield report
        report = self._left_out(report)
        self.report = report
        yield report
        if to_count and not self.store.read_only:
            cache.save(self.store.db, [scope for scope, _population in self._scopes()], self.read_at)

    def compute(self, store) -> AgreementReport:
        """Load and run every stage: the full report."""
        with paused_collection():
            report = self.load(store)
            for report in self.stages():
                pass
        return report

    def _tag_name(self, tag_id: int) -> str:
        if tag_id not in self.names:  # a tag made after load()
            self.names = cache.tag_names(self.store.db)
        return self.names.get(tag_id, f"#{tag_id}")

    def _count(self, articles: list[int]) -> None:
        """Every scope's sums for those of `articles` it lacks."""
        wanted = set(articles)
        units_by: dict[str, list[Unit]] = {name: [] for name in self.annotators}
        for article, start, end, tag_id, annotator in cache.tagged_spans(self.store.db, self.annotators, articles):
            units_by[annotator].append(Unit(article, start, end, self._tag_name(tag_id), annotator))
        texts = self.store.articles.texts(wanted) if self.level == "token" else None
        lengths = self.store.articles.lengths(wanted) if texts is None else {key: len(text) for key, text in texts.items()}
        for units in units_by.values():
            for unit in units:
                if unit.end > lengths.get(unit.article, 0):
                    raise ValueError(f"a passage [{unit.start}, {unit.end}) runs past the end of article {unit.article}")
        sizes, positions = (lengths, units_by) if texts is None else _to_tokens(texts, units_by)
        ids = {name: tag_id for tag_id, name in self.names.items()}
        for scope, population in self._scopes():
            chunk = wanted & scope.missing
            if not chunk:
                continue
            listed: Counter[int] = Counter()
            involving: Counter[tuple[int, str]] = Counter()
            if scope.kind == "pair":
                a, b = scope.key.split(":", 2)[2].split("\x1f")  # stored in name order
                a_units = [u for u in units_by[a] if u.article in chunk]
                b_units = [u for u in units_by[b] if u.article in chunk]
                if texts is None:  # characters: the units are the positions
                    counted = pair_counts(a_units, b_units)
                else:
                    counted = pair_counts(a_units, b_units, [u for u in positions[a] if u.article in chunk],
                                          [u for u in positions[b] if u.article in chunk])
                for found in disagreements(a_units, b_units, "exact"):
                    listed[found.article] += 1
                    for tag in {unit.tag for unit in (found.a, found.b) if unit is not None}:
                        involving[found.article, tag] += 1
                extra = lambda article, tag: (involving[article, tag],)  # noqa: E731
            else:
                counted = coder_counts([[u for u in positions[name] if u.article in chunk] for name in self.annotators])
                extra = lambda article, tag: ()  # noqa: E731
            fresh: dict[int, dict[int, tuple[int, ...]]] = {article: {} for article in chunk}
            for (article, tag), sums in counted.items():
                fresh[article][ids[tag]] = (*sums, *extra(article, tag))
            for article, by_tag in fresh.items():
                scope.fresh[article] = (sizes[article], by_tag, listed[article])

    def _sums(self, scope: cache.Scope) -> tuple[int, dict[int, list[int]]]:
        """(positions, sums by tag id) over the scope's population: kept plus fresh."""
        sums = cache.kept_sums(self.store.db, scope)
        items = scope.items
        for article_items, by_tag, _listed in scope.fresh.values():
            items += article_items
            for tag_id, counted in by_tag.items():
                total = sums.setdefault(tag_id, [0] * len(counted))
                for place, value in enumerate(counted):
                    total[place] += value
        return items, sums

    def _sum_up(self, report: AgreementReport) -> AgreementReport:
        """Every number, from the sums."""
        pair_sums = []
        used: set[int] = set()
        for (a, b), scope in zip(self.pair_names, self.pair_scopes):
            items, sums = self._sums(scope)
            if (a, b) != tuple(sorted((a, b))):  # kept in name order: B is A
                sums = {tag: [s[1], s[0], s[2], s[3], s[4], s[6], s[5], s[7]] for tag, s in sums.items()}
            pair_sums.append((items, sums))
            used |= {tag for tag, s in sums.items() if s[0] or s[1]}
        if self.requested_tags is None:
            tags = tuple(sorted(self.names.get(tag, f"#{tag}") for tag in used))
        else:
            tags = self.requested_tags
        ids = {name: tag_id for tag_id, name in self.names.items()}
        pairs = []
        for pair, (items, sums) in zip(report.pairs, pair_sums):
            rows = []
            zero = [0] * len(cache.PAIR_COLUMNS)
            in_scope = [sums.get(ids.get(tag, -1), zero) for tag in tags]
            pooled = [sum(column) for column in zip(zero, *in_scope)]
            tables = [BinaryTable(s[4], s[5], s[6], items - s[4] - s[5] - s[6]) for s in in_scope]
            used_tables = [table for table, s in zip(tables, in_scope) if s[4] or s[5] or s[6]]
            pooled_table = BinaryTable(*(sum(getattr(t, part) for t in used_tables)
                                         for part in ("both", "only_a", "only_b", "neither")))
            for tag, s, table in [*zip(tags, in_scope, tables), (None, pooled, pooled_table)]:
                alpha = alpha_from_counts(2, items * (1 if tag is not None else len(used_tables)),
                                          2 * s[4] + s[5] + s[6], s[5] + s[6])
                rows.append(Row(tag, SpanScores(s[0], s[1], s[2]), SpanScores(s[0], s[1], s[3]), table,
                                alpha, len(self.annotators) == 2 or self.against is not None))
            pairs.append(replace(pair, rows=tuple(rows)))
        alpha = None
        if self.alpha_scope is not None:
            items, sums = self._sums(self.alpha_scope)
            m = len(self.annotators)
            in_scope = [sums.get(ids.get(tag, -1), [0, 0]) for tag in tags]
            alpha = {tag: alpha_from_counts(m, items, s[0], s[1]) for tag, s in zip(tags, in_scope)}
            used_count = sum(1 for s in in_scope if s[0])
            alpha[None] = alpha_from_counts(m, items * used_count, sum(s[0] for s in in_scope), sum(s[1] for s in in_scope))
        elif len(self.annotators) == 2 or self.against is not None:
            alpha = {row.tag: row.alpha for row in pairs[0].rows} if pairs else {}
        return replace(report, tags=tags, pairs=tuple(pairs), alpha=alpha, progress=None,
                       done=report.done | {"counted"})

    def _listing(self, pair: PairResult, tags: Sequence[str]) -> DisagreementIndex | None:
        """Where the pair disagrees, by article: kept counts plus fresh ones (every tag compared only)."""
        if self.requested_tags is not None:
            return None
        scope = self.pair_scopes[self.pair_names.index((pair.a, pair.b))]
        overall, by_tag = cache.kept_disagreements(self.store.db, scope)
        for article, (_items, sums_by_tag, listed) in scope.fresh.items():
            if listed:
                overall[article] = listed
            for tag_id, sums in sums_by_tag.items():
                if sums[-1]:
                    by_tag.setdefault(tag_id, {})[article] = sums[-1]
        ids = {name: tag_id for tag_id, name in self.names.items()}
        counts = {tag: by_tag.get(ids.get(tag, -1), {}) for tag in tags}
        counts[None] = overall
        return DisagreementIndex.of(pair.a, pair.b, counts)

    def _listed(self, report: AgreementReport) -> AgreementReport:
        """Where each pair disagrees, by article (`listing`)."""
        pairs = tuple(replace(pair, listing=self._listing(pair, report.tags)) for pair in report.pairs)
        return replace(report, pairs=pairs, done=report.done | {"listed"})

    def _left_out(self, report: AgreementReport) -> AgreementReport:
        """Tagged passages (in the report's tags) of each of a pair on articles the other did not annotate."""
        ids = {name: tag_id for tag_id, name in self.names.items()}
        wanted = [ids[tag] for tag in report.tags if tag in ids]
        pairs = []
        for (a, b), pair, population in zip(self.pair_names, report.pairs, self.populations):
            counts = []
            for name, other in ((a, b), (b, a)):
                elsewhere = self.annotated[name] - population
                counts.append(cache.passages_elsewhere(self.store.db, name, other, elsewhere, wanted)
                              if wanted and elsewhere else 0)
            pairs.append(replace(pair, left_out_a=counts[0], left_out_b=counts[1]))
        return replace(report, pairs=tuple(pairs), done=report.done | {"left_out"})

    def disagreements(self, index: int) -> list[Disagreement]:
        """Where the pair `index` disagrees (exact matching), sorted by article and position."""
        assert self.report is not None and self.store is not None, "load() first"
        pair = self.report.pairs[index]
        if pair.disagreements is not None:
            return pair.disagreements
        a, b = self.pair_names[index]
        population = self.populations[index]
        in_scope = set(self.report.tags)
        units_by: dict[str, list[Unit]] = {a: [], b: []}
        for article, start, end, tag_id, annotator in cache.tagged_spans(self.store.db, (a, b)):
            if article in population:
                tag = self._tag_name(tag_id)
                if tag in in_scope:
                    units_by[annotator].append(Unit(article, start, end, tag, annotator))
        found = pair_disagreements(a, b, units_by[a], units_by[b])
        pairs = list(self.report.pairs)
        pairs[index] = replace(pair, disagreements=found)
        self.report = replace(self.report, pairs=tuple(pairs))
        return found


def pair_disagreements(a: str, b: str, a_units: list[Unit], b_units: list[Unit]) -> list[Disagreement]:
    """Where A and B disagree (exact matching), found with the two in name order and then told
    from A's side: the same passages are paired whichever of the two is A."""
    if a <= b:
        return disagreements(a_units, b_units, "exact")
    found = disagreements(b_units, a_units, "exact")
    flipped = [Disagreement(d.article, d.start, d.end, _FLIPPED.get(d.kind, d.kind), d.b, d.a) for d in found]  # type: ignore[arg-type]
    flipped.sort(key=_disagreement_order)
    return flipped


_FLIPPED: dict[str, str] = {"only_a": "only_b", "only_b": "only_a"}


@dataclass(frozen=True, slots=True)
class DisagreementIndex:
    """How many disagreements a pair has in each article (overall, and involving each tag), in
    article order: a page of the list is computed from the passages of its articles only."""

    a: str
    b: str
    #: By tag (None: every tag): (articles, running totals), both in article order.
    counts: dict[str | None, tuple[list[int], list[int]]]

    @classmethod
    def of(cls, a: str, b: str, counts: dict[str | None, dict[int, int]]) -> DisagreementIndex:
        shaped = {}
        for tag, by_article in counts.items():
            articles = sorted(by_article)
            shaped[tag] = (articles, list(itertools.accumulate(by_article[article] for article in articles)))
        return cls(a, b, shaped)

    def count(self, tag: str | None) -> int:
        ends = self.counts.get(tag, ([], []))[1]
        return ends[-1] if ends else 0

    def page(self, store, tag: str | None, offset: int, limit: int) -> list[Disagreement]:
        """Disagreements `offset` to `offset + limit` of the list for `tag` (None: every tag),
        from the articles' passages as they are now."""
        articles, ends = self.counts.get(tag, ([], []))
        first = bisect.bisect_right(ends, offset)
        last = min(bisect.bisect_left(ends, offset + limit), len(articles) - 1)
        if first >= len(articles):
            return []
        wanted = articles[first : last + 1]
        names = cache.tag_names(store.db)
        units_by: dict[str, list[Unit]] = {self.a: [], self.b: []}
        for article, start, end, tag_id, annotator in cache.tagged_spans(store.db, (self.a, self.b), wanted):
            units_by[annotator].append(Unit(article, start, end, names.get(tag_id, f"#{tag_id}"), annotator))
        by_article: dict[int, list[Disagreement]] = {}
        for found in pair_disagreements(self.a, self.b, units_by[self.a], units_by[self.b]):
            if tag is None or (found.a is not None and found.a.tag == tag) or (found.b is not None and found.b.tag == tag):
                by_article.setdefault(found.article, []).append(found)  # type: ignore[arg-type]
        listed: list[Disagreement] = []
        for index, article in zip(range(first, last + 1), wanted):
            counted = ends[index] - (ends[index - 1] if index else 0)
            listed += by_article.get(article, [])[:counted]  # as counted: the passages may have changed since
        skip = offset - (ends[first - 1] if first else 0)
        return listed[skip : skip + limit]


def _to_tokens(texts: dict[int, str], units_by: dict[str, list[Unit]]) -> tuple[dict[int, int], dict[str, list[Unit]]]:
    """Token counts per article and every unit as [first token, end token), so each measure then
    runs on integers: the same numbers as the core's level="token"."""
    cuts: dict[int, list[int]] = {article: [len(text)] for article, text in texts.items()}
    for units in units_by.values():
        for unit in units:
            cuts[unit.article] += (unit.start, unit.end)
    bounds = {article: _token_bounds(texts[article], positions) for article, positions in cuts.items()}
    sizes = {article: bounds[article][len(text)][1] for article, text in texts.items()}
    moved: dict[str, list[Unit]] = {}
    for name, units in units_by.items():
        moved[name] = []
        for unit in units:
            first, last = bounds[unit.article][unit.start][0], bounds[unit.article][unit.end][1]
            if first < last:  # a span of whitespace tags no token
                moved[name].append(Unit(unit.article, first, last, unit.tag, unit.annotator))
    return sizes, moved


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
