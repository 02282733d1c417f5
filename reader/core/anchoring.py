"""Text-quote selectors: the quote and its context that let an annotation be found again, and
`reanchor`, which finds an annotation's passage again after the text has changed.

It only reads text; it never changes stored text or offsets.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

#: Characters of context stored on each side of an annotation's quote.
CONTEXT_CHARS = 32


def selector_for(text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> tuple[str, str, str]:
    """`(quote, prefix, suffix)` for the span `[start, end)` of `text`."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span [{start}, {end}) is outside a text of length {len(text)}")
    return text[start:end], text[max(0, start - context) : start], text[end : end + context]


def quote_matches(text: str, start: int, end: int, quote: str) -> bool:
    """Whether `quote` is exactly what the text holds at `[start, end)`."""
    return 0 <= start <= end <= len(text) and text[start:end] == quote


# ---- re-anchoring ------------------------------------------------------------------------------
#
# When an article is scraped again its text may have small edits. `reanchor` finds where a stored
# annotation belongs in the new text, in the manner of Hypothesis's text-quote anchoring: the quote
# is looked up, candidates are scored by how well the quote, the context before it (prefix), the
# context after it (suffix) and the position agree, and the best candidate wins. It is a pure
# function of the new text and the stored selector; it changes nothing.


#: Hypothesis's weights: a candidate's score is
#: (50·quote + 20·prefix + 20·suffix + 2·position) / 92, each part a similarity in 0..1.
QUOTE_WEIGHT = 50
PREFIX_WEIGHT = 20
SUFFIX_WEIGHT = 20
POSITION_WEIGHT = 2
_TOTAL_WEIGHT = QUOTE_WEIGHT + PREFIX_WEIGHT + SUFFIX_WEIGHT + POSITION_WEIGHT

#: A fuzzy match needs at least this quote similarity (Indel/LCS ratio on normalised text:
#: 2·LCS / (len(a) + len(b)); one changed character in a 20-character quote gives 0.95, one in
#: eight gives 0.875, one in four 0.75).
MIN_QUOTE_SIMILARITY = 0.75
#: ... and at least this total score. News prose is repetitive: a deleted sentence usually has a
#: look-alike elsewhere with quote similarity 0.8-0.95 but unrelated context (~0, at most ~0.4),
#: which totals 0.45-0.65. An edited quote keeps its context: 0.86 at quote similarity 0.75 with
#: both sides intact, 0.82 with a word replaced next to it, 0.73 at quote similarity 0.9 with
#: one side's context gone. 0.70 sits between. In benchmarks/reanchor_bench.py (seeds 1-5, 7;
#: ~250 edited quotes each) 0.70 kept all 1,503 right fuzzy matches and 5 for deleted text;
#: 0.75 would lose 2 right ones to drop 2 more wrong ones, 0.80 lose 22.
MIN_FUZZY_SCORE = 0.70
#: A candidate scoring at least this is taken without looking further: an exact occurrence
#: (step 2-3) without the approximate search, an approximate match near the expected position
#: without searching the whole text. (0.90 = a perfect quote with both contexts at >= 0.8.)
SURE_SCORE = 0.90
#: An approximate match displaces an exact occurrence only if it scores this much more (4.6 of
#: the 92 points: say one side's context agreeing 0.23 better). Without a margin, a look-alike
#: sentence with slightly better context (same opening, other numbers) could win over the real,
#: unchanged one whose following paragraph was replaced.
FUZZY_MARGIN = 0.05
#: Quotes shorter than this (normalised, without outer spaces) occur by chance: they are placed
#: (exact, moved or fuzzy) only with context support, i.e. prefix or suffix similarity >= 0.75.
SHORT_QUOTE_CHARS = 8
CONTEXT_SUPPORT = 0.75
#: Context characters count as agreeing only in common runs of at least this many characters:
#: two unrelated 32-character stretches of news prose then score ~0 (median 0, 90th percentile
#: 0.16), while one inserted character scores 0.97 and a replaced word next to the quote ~0.8.
CONTEXT_RUN = 4
#: Below this length a single edit already brings quote similarity under 0.75: no fuzzy search.
MIN_FUZZY_CHARS = 4
#: When a quote occurs more often than this, only the occurrences nearest the expected position
#: and those whose immediate context agrees are scored.
MAX_CANDIDATES = 64
#: Approximate search keeps the best window (rapidfuzz partial_ratio, same length as the quote)
#: only if it scores at least this (0..100); refined spans are then held to MIN_QUOTE_SIMILARITY.
SEARCH_CUTOFF = 70
#: Fuzzy search looks first within ±(WINDOW_FACTOR·len(quote) + WINDOW_CHARS) of the expected position.
WINDOW_FACTOR = 2
WINDOW_CHARS = 500

_WS = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Selector:
    """What is stored for an annotation: where it was, what it said, and the text around it."""

    start: int
    end: int
    quote: str
    prefix: str
    suffix: str

    @classmethod
    def at(cls, text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> Selector:
        """The selector of the span `[start, end)` of `text` (via `selector_for`)."""
        quote, prefix, suffix = selector_for(text, start, end, context)
        return cls(start, end, quote, prefix, suffix)


@dataclass(frozen=True, slots=True)
class Anchored:
    """Where an annotation landed in the new text. `start`/`end` index the new text exactly;
    both are None for an orphan. `score` is 0..1, how sure (0.0 for an orphan)."""

    status: Literal["exact", "moved", "fuzzy", "orphan"]
    start: int | None
    end: int | None
    score: float


ORPHAN = Anchored("orphan", None, None, 0.0)


def reanchor(new_text: str, selector: Selector, old_length: int | None = None) -> Anchored:
    """Find `selector`'s passage in `new_text`.

    Candidates are scored as Hypothesis does: (50·quote + 20·prefix + 20·suffix + 2·position) / 92,
    each a similarity in 0..1, and `score` is the winner's.
    - quote: 1 for the quote itself (exact, or equal after normalising whitespace), else the
      Indel (LCS) ratio of the normalised quote and the normalised candidate.
    - prefix (suffix): the stored prefix (suffix) against as many normalised characters just
      before (after) the candidate, both read from the quote outwards: the share of the stored
      characters found again, in order, in common runs of >= CONTEXT_RUN (4) characters.
      Unrelated prose scores about 0; one edited character costs about 3%. An empty stored
      context (the quote was at an edge of the text) scores 1 at that edge, 0.5 elsewhere.
    - position: 1 − |candidate start − expected| / len(new_text), where expected is the stored
      start, scaled by len(new_text) / old_length when `old_length` is given.
    Ties go to the candidate nearest the expected position.

    Steps, first success wins:
    1. "exact": `new_text[start:end] == quote`.
    2. "moved": the best-scoring exact occurrence of the quote elsewhere (str.find), if its
       context agrees perfectly on both sides. Otherwise occurrences that differ from the quote
       only in whitespace compete with it, and the best of all is taken if it scores at least
       SURE_SCORE (0.90); its status is "moved" if it is the quote exactly, else "fuzzy".
    3. "fuzzy": approximate matches of the normalised quote, and of prefix + quote + suffix
       (which tells look-alike sentences apart), searched first within
       ±(2·len(quote) + 500) characters of the expected position, then, unless that found one
       scoring >= SURE_SCORE, in the whole text. Each match's ends are refined to the span
       nearest in Indel distance to the quote, then snapped: it does not start (end) inside a
       word unless the original did ("2,200", "Co-operation" and "O'Brien" are one word), nor
       carry outer whitespace the quote lacks; spans with an end put where the stored prefix
       ends (suffix begins) nearby are scored too, so a word replaced at an edge of the quote
       stays in it. Accepted when quote similarity >= MIN_QUOTE_SIMILARITY (0.75) and score >=
       MIN_FUZZY_SCORE (0.70). A weak candidate from step 2 stays unless the approximate
       match beats it by FUZZY_MARGIN (0.05). (Hypothesis takes any exact match over every
       approximate one; in repetitive news prose that puts an edited sentence on an unrelated
       exact twin.) Only for quotes of >= MIN_FUZZY_CHARS (4) characters.
    4. otherwise "orphan" (start and end None, score 0).

    Quotes shorter than SHORT_QUOTE_CHARS (8) characters are placed in any step only where the
    prefix or the suffix agrees (similarity >= CONTEXT_SUPPORT, 0.75): a word or two occurs all
    over a text by chance. An empty or all-whitespace quote is an orphan.

    Normalisation is for matching only (CR LF and CR are line breaks, and every run of
    whitespace counts as one space: re-wrapped lines, double spaces and CRLF versus LF all
    match); returned offsets index `new_text` itself.
    """
    return _reanchor(_Doc(new_text), selector, old_length)


def reanchor_all(new_text: str, selectors: Sequence[Selector], old_length: int | None = None) -> list[Anchored]:
    """`reanchor` for each selector, in order, sharing the work on `new_text` (its normalised
    form is built at most once)."""
    doc = _Doc(new_text)
    return [_reanchor(doc, selector, old_length) for selector in selectors]


class _Doc:
    """The new text, and (built on first use) its normalised form with the map back."""

    __slots__ = ("text", "_norm", "_pos")

    def __init__(self, text: str):
        self.text = text
        self._norm: str | None = None
        self._pos: list[int] | None = None

    def _build(self) -> None:
        text = self.text
        parts: list[str] = []
        pos: list[int] = []  # pos[i]: index in text of normalised character i; pos[-1] == len(text)
        last = 0
        for match in _WS.finditer(text):
            a, b = match.span()
            parts.append(text[last:a])
            pos.extend(range(last, a))
            parts.append(" ")
            pos.append(a)
            last = b
        parts.append(text[last:])
        pos.extend(range(last, len(text)))
        pos.append(len(text))
        self._norm = "".join(parts)
        self._pos = pos

    @property
    def norm(self) -> str:
        if self._norm is None:
            self._build()
        return self._norm  # type: ignore[return-value]

    @property
    def pos(self) -> list[int]:
        if self._pos is None:
            self._build()
        return self._pos  # type: ignore[return-value]

    def to_norm(self, index: int) -> int:
        """The normalised index of text index `index` (a whitespace run maps to its one space)."""
        return max(0, bisect_right(self.pos, index) - 1)


@dataclass(slots=True)
class _Query:
    quote: str
    q: str  # normalised quote
    p: str  # normalised prefix
    s: str  # normalised suffix
    raw_prefix: str
    raw_suffix: str
    short: bool
    expected: int


def _reanchor(doc: _Doc, selector: Selector, old_length: int | None) -> Anchored:
    text = doc.text
    quote = selector.quote
    q = _WS.sub(" ", quote)
    stripped = q.strip()
    if not stripped:
        return ORPHAN
    expected = selector.start
    if old_length and old_length > 0:
        # the same share of the new text; a start outside the old text (from a hand-edited file:
        # 10**400 would overflow the division) is at its nearer end
        expected = round(min(max(selector.start, 0), old_length) * len(text) / old_length)
    query = _Query(
        quote, q, _WS.sub(" ", selector.prefix), _WS.sub(" ", selector.suffix), selector.prefix, selector.suffix,
        len(stripped) < SHORT_QUOTE_CHARS, min(max(expected, 0), len(text)),
    )

    # 1. exact
    if quote_matches(text, selector.start, selector.end, quote):
        total, supported = _score(doc, query, selector.start, selector.end, 1.0)
        if supported:
            return Anchored("exact", selector.start, selector.end, total)

    # 2. moved: the exact quote elsewhere
    starts = _occurrences(text, quote, query.expected, query.raw_prefix[-8:], query.raw_suffix[:8])
    best = _best(doc, query, [(a, a + len(quote), 1.0) for a in starts])
    if best is not None and best[3] >= 1.0:  # context agrees on both sides: nothing can beat it
        return Anchored("moved", best[1], best[2], best[0])

    # 2b. the normalised quote (whitespace differences) competes unless that was conclusive
    norm, pos = doc.norm, doc.pos
    nstarts = _occurrences(norm, q, doc.to_norm(query.expected), query.p[-8:], query.s[:8])
    spans = [(pos[s], pos[s + len(q)], 1.0) for s in nstarts]
    found = set(starts)
    best2 = _best(doc, query, [span for span in spans if span[0] not in found])
    if best2 is not None and (best is None or _key(best2, query) > _key(best, query)):
        best = best2
    if best is not None and best[0] >= SURE_SCORE:
        return _anchored(text, quote, best)

    # 3. approximate, competing with a weak candidate from 2: in repetitive prose an edited
    #    sentence often has an exact twin elsewhere whose context does not agree at all
    if len(stripped) >= MIN_FUZZY_CHARS:
        fuzzy = _fuzzy(doc, query, selector.start)
        if fuzzy is not None and (best is None or fuzzy[0] >= best[0] + FUZZY_MARGIN):
            best = fuzzy
    return ORPHAN if best is None else _anchored(text, quote, best)


def _anchored(text: str, quote: str, best) -> Anchored:
    status = "moved" if text[best[1] : best[2]] == quote else "fuzzy"
    return Anchored(status, best[1], best[2], best[0])


def _occurrences(haystack: str, needle: str, expected: int, before: str, after: str) -> list[int]:
    """Start of every (possibly overlapping) occurrence of `needle`; when there are more than
    MAX_CANDIDATES, only the MAX_CANDIDATES/2 nearest to `expected` plus those preceded by
    `before` or followed by `after`."""
    found = []
    i = haystack.find(needle)
    while i >= 0:
        found.append(i)
        i = haystack.find(needle, i + 1)
    if len(found) <= MAX_CANDIDATES:
        return found
    n = len(needle)
    near = set(sorted(found, key=lambda a: abs(a - expected))[: MAX_CANDIDATES // 2])
    return [
        a for a in found
        if a in near or (before and a >= len(before) and haystack.startswith(before, a - len(before)))
        or (after and haystack.startswith(after, a + n))
    ]


def _best(doc: _Doc, query: _Query, spans: list[tuple[int, int, float]]):
    """The best-scoring candidate as (total, start, end, context), or None; candidates
    lacking context support for a short quote are dropped."""
    best = None
    for a, b, quote_similarity in spans:
        total, supported, context = _score(doc, query, a, b, quote_similarity, with_context=True)
        if not supported:
            continue
        candidate = (total, a, b, context)
        if best is None or _key(candidate, query) > _key(best, query):
            best = candidate
    return best


def _key(candidate, query: _Query):
    """Higher is better: the score, then nearness to the expected position."""
    return (round(candidate[0], 9), -abs(candidate[1] - query.expected))


def _score(doc: _Doc, query: _Query, a: int, b: int, quote_similarity: float, with_context: bool = False):
    """(total score, context support[, min(prefix, suffix) similarity]) of candidate [a, b)."""
    text = doc.text
    p, s = query.p, query.s
    if p:
        prefix_similarity = _context_similarity(p, _norm_before(text, a, len(p)))
    else:
        prefix_similarity = 1.0 if a == 0 or _WS.fullmatch(text, 0, a) else 0.5
    if s:
        suffix_similarity = _context_similarity(s, _norm_after(text, b, len(s)))
    else:
        suffix_similarity = 1.0 if b == len(text) or _WS.fullmatch(text, b) else 0.5
    position = 1.0 - min(1.0, abs(a - query.expected) / max(1, len(text)))
    total = (
        QUOTE_WEIGHT * quote_similarity + PREFIX_WEIGHT * prefix_similarity
        + SUFFIX_WEIGHT * suffix_similarity + POSITION_WEIGHT * position
    ) / _TOTAL_WEIGHT
    supported = not query.short or max(prefix_similarity, suffix_similarity) >= CONTEXT_SUPPORT
    if with_context:
        return total, supported, min(prefix_similarity, suffix_similarity)
    return total, supported


def _context_similarity(stored: str, actual: str) -> float:
    """The share of `stored`'s characters that `actual` matches in common runs of at least
    CONTEXT_RUN (4) characters, after aligning the two (longest common subsequence). Both are the
    same number of characters read from the quote outwards, so they are aligned at the quote."""
    if stored == actual:
        return 1.0
    if not actual:
        return 0.0
    least = min(CONTEXT_RUN, len(stored))
    matched = 0
    for op in Indel.opcodes(stored, actual):
        if op.tag == "equal" and op.src_end - op.src_start >= least:
            matched += op.src_end - op.src_start
    return matched / len(stored)


def _norm_before(text: str, a: int, n: int) -> str:
    """The last `n` characters of the normalised text before index `a`."""
    return _WS.sub(" ", text[max(0, a - 3 * n - 16) : a])[-n:]


def _norm_after(text: str, b: int, n: int) -> str:
    """The first `n` characters of the normalised text from index `b`."""
    return _WS.sub(" ", text[b : b + 3 * n + 16])[:n]


def _fuzzy(doc: _Doc, query: _Query, old_start: int):
    """The best accepted approximate match as (total, start, end, context), or None."""
    norm = doc.norm
    q = query.q
    n = len(norm)
    expected = doc.to_norm(query.expected)
    stored = doc.to_norm(min(old_start, len(doc.text)))
    radius = WINDOW_FACTOR * len(q) + WINDOW_CHARS
    lo = max(0, min(expected, stored) - radius)
    hi = min(n, max(expected, stored) + len(q) + radius)
    best = _fuzzy_in(doc, query, lo, hi)
    if (best is None or best[0] < SURE_SCORE) and (lo > 0 or hi < n):
        other = _fuzzy_in(doc, query, 0, n)
        if other is not None and (best is None or _key(other, query) > _key(best, query)):
            best = other
    return best


def _fuzzy_in(doc: _Doc, query: _Query, lo: int, hi: int):
    """The best accepted approximate match within normalised [lo, hi), or None."""
    norm, pos = doc.norm, doc.pos
    q = query.q
    haystack = norm[lo:hi]
    rough: set[tuple[int, int]] = set()
    # the quote alone, and the quote inside its context (which tells look-alike sentences apart)
    for needle, before in ((q, 0), (query.p + q + query.s, len(query.p))):
        found = fuzz.partial_ratio_alignment(needle, haystack, score_cutoff=SEARCH_CUTOFF)
        if found is None or found.score <= 0:
            continue
        start = lo + found.dest_start + max(0, before - found.src_start)
        rough.add((min(start, hi), min(start + len(q), hi)))
    spans: set[tuple[int, int]] = set()
    for start, end in rough:
        spans.update(_refine(norm, q, start, end, query))
    candidates = []
    for a, b in spans:
        similarity = Indel.normalized_similarity(q, norm[a:b])
        if similarity >= MIN_QUOTE_SIMILARITY:
            candidates.append((pos[a], pos[b], similarity))
    best = _best(doc, query, candidates)
    if best is None or best[0] < MIN_FUZZY_SCORE:
        return None
    return best


_JOINERS = frozenset(",.-'\u2019")


def _joined(text: str, i: int) -> bool:
    """Whether text[i - 1] and text[i] are inside one word ("2,200", "Co-operation", "O'Brien"
    count as one word)."""
    if not 0 < i < len(text):
        return False
    a, b = text[i - 1], text[i]
    if a.isalnum() and b.isalnum():
        return True
    if b in _JOINERS and a.isalnum():
        return i + 1 < len(text) and text[i + 1].isalnum()
    if a in _JOINERS and b.isalnum():
        return i >= 2 and text[i - 2].isalnum()
    return False


def _refine(norm: str, q: str, start: int, end: int, query: _Query) -> set[tuple[int, int]]:
    """Spans for a rough match [start, end): its ends moved to the span nearest in Indel distance
    to `q` (ties: the smallest move), snapped to word boundaries where the original was at one,
    and without outer whitespace the quote lacks; plus the same with either end put where the
    stored prefix (suffix) ends (begins) nearby, which keeps a replaced word at an end of the
    quote. The caller scores them all."""
    n = len(norm)
    reach = min(128, len(q) // 4 + 8)
    for _ in range(2):  # a second round only if the first moved an end
        before = (start, end)
        start = min(
            range(max(0, start - reach), min(end, start + reach + 1)),
            key=lambda x: (Indel.distance(q, norm[x:end]), abs(x - start)),
            default=start,
        )
        end = min(
            range(max(start + 1, end - reach), min(n, end + reach) + 1),
            key=lambda y: (Indel.distance(q, norm[start:y]), abs(y - end)),
            default=end,
        )
        if (start, end) == before:
            break
    # snap to word boundaries where the original was at one
    p, s = query.p, query.s
    if not _joined(p[-2:] + q[:2], len(p[-2:])) and start < end and _joined(norm, start):
        left = start
        while _joined(norm, left):
            left -= 1
        right = start
        while right < end and _joined(norm, right):
            right += 1
        start = min((left, right), key=lambda x: (Indel.distance(q, norm[x:end]), x != left))
    if not _joined(q[-2:] + s[:2], len(q[-2:])) and start < end and _joined(norm, end):
        right = end
        while _joined(norm, right):
            right += 1
        left = end
        while left > start and _joined(norm, left):
            left -= 1
        end = min((right, left), key=lambda y: (Indel.distance(q, norm[start:y]), y != right))
    # where the stored context meets the quote
    starts, ends = {start}, {end}
    tail, head = p[-16:], s[:16]
    if tail:
        i = norm.find(tail, max(0, start - reach - len(tail)), min(n, start + reach))
        while i >= 0:
            starts.add(i + len(tail))
            i = norm.find(tail, i + 1, min(n, start + reach))
    elif start <= reach:
        starts.add(0)
    if head:
        i = norm.find(head, max(0, end - reach), min(n, end + reach + len(head)))
        while i >= 0:
            ends.add(i)
            i = norm.find(head, i + 1, min(n, end + reach + len(head)))
    elif n - end <= reach:
        ends.add(n)
    spans = set()
    for a in starts:
        for b in ends:
            if not q[0].isspace():
                while a < b and norm[a] == " ":
                    a += 1
            if not q[-1].isspace():
                while b > a and norm[b - 1] == " ":
                    b -= 1
            if a < b:
                spans.add((a, b))
    return spans
