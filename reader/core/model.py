"""The records every layer shares: articles, annotations, tags, passages, queries and what a change did.

Plain frozen dataclasses and the rules about their values; nothing here reads or writes a database,
a file or a terminal.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Literal


def now_utc() -> str:
    """The timestamp format of the database and the export: ISO 8601, UTC, whole seconds."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """One line of the article list: everything but the text."""

    id: int
    title: str
    source: str | None
    published: str | None
    annotation_count: int
    tags: tuple[str, ...]
    read: bool = False
    #: For a search: the best match in context, hits between U+0002 and U+0003.
    snippet: str | None = None
    #: Marked done by the viewer (`D`, a coding study).
    done: bool = False
    #: The values of the attributes the list shows as columns, in their order (None: none).
    attributes: tuple[str | None, ...] = ()


#: Marks around a search hit inside `ArticleRow.snippet`.
HIT_START, HIT_END = "\x02", "\x03"


@dataclass(frozen=True, slots=True)
class TagInfo:
    """A tag of the codebook with how much it is used."""

    name: str
    color: str | None
    description: str | None
    #: Passages (annotations) with this very tag.
    passages: int
    #: Articles with such a passage or tagged with it as a whole.
    articles: int
    #: The key that applies it (None: none).
    key: str | None = None

    @property
    def parent(self) -> str | None:
        """"framing" for "framing/cooperation"; None for a top-level tag."""
        return self.name.rpartition("/")[0] or None

    @property
    def depth(self) -> int:
        return self.name.count("/")


@dataclass(frozen=True, slots=True)
class PassageQuery:
    """Which tagged passages a retrieval lists: one tag (with the tags nested in it) and filters."""

    tag: str
    nested: bool = True
    source: str | None = None
    #: Articles published on or after / before this ISO date ("2025-01", "2025-03-31").
    since: str | None = None
    until: str | None = None
    annotator: str | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """One tagged passage with where it comes from: a row of a retrieval."""

    annotation: Annotation
    title: str
    published: str | None
    source: str | None


@dataclass(frozen=True, slots=True)
class FeedbackChange:
    """What one verdict on an entity changed: the verdicts it removed and added, each as
    (surface, label, verdict, annotator, created), kept so it can be undone exactly."""

    removed: tuple[tuple, ...]
    added: tuple[tuple, ...]


@dataclass(frozen=True, slots=True)
class TagMerge:
    """What merging tag `source` into `target` changed, kept so it can be undone exactly."""

    source: str
    target: str
    color: str | None
    description: str | None
    #: Annotations (and orphans) that had `source` and not `target` / that had both.
    moved: tuple[str, ...]
    shared: tuple[str, ...]
    #: Whole-article tags (article id, annotator, created) of `source`, likewise.
    articles_moved: tuple[tuple[int, str, str], ...]
    articles_shared: tuple[tuple[int, str, str], ...]
    #: The key `source` had (given back by the undo when no tag has taken it since).
    key: str | None = None


def tag_name_problem(name: str) -> str | None:
    """Why `name` cannot name a tag, or None when it can ("/" nests: "framing/cooperation")."""
    if not name.strip() or name != name.strip():
        return "a tag name is not empty and has no spaces at its ends"
    if not name.isprintable():
        return "a tag name holds no control characters"
    if name.startswith("/") or name.endswith("/") or "//" in name or any(part != part.strip() for part in name.split("/")):
        return "each part of a nested tag name (a/b) is a name of its own"
    return None


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """An article's identity and metadata, without its text."""

    id: int
    uid: str
    sha256: str
    title: str
    source: str | None
    url: str | None
    path: str | None
    locator: str | None
    published: str | None
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Article(ArticleInfo):
    text: str
    #: The record's other fields (a dataset's "category"...), as (name, value) in its order.
    attributes: tuple[tuple[str, str], ...] = ()


#: The fields of an article a user may correct (`ArticleMeta`), as `article_edits` names them;
#: an attribute's is ATTRIBUTE_FIELD + its name.
META_FIELDS = ("title", "date", "source")
ATTRIBUTE_FIELD = "attribute:"


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """What a user may correct about an article (its text aside): the version a correction is
    made against, and what an undo puts back. `edited` names the fields a user corrected
    (META_FIELDS, ATTRIBUTE_FIELD + name): a re-import of the article's file keeps them."""

    title: str
    #: The date as ISO (YYYY-MM-DD, or YYYY-MM / YYYY) and as written.
    published: str | None
    published_written: str | None
    source: str | None
    attributes: tuple[tuple[str, str], ...] = ()
    edited: frozenset[str] = frozenset()

    def changed_fields(self, other: ArticleMeta) -> set[str]:
        """The fields (as `edited` names them) whose values differ between this and `other`."""
        changed = {name for name, mine, theirs in (
            ("title", self.title, other.title),
            ("date", (self.published, self.published_written), (other.published, other.published_written)),
            ("source", self.source, other.source),
        ) if mine != theirs}
        ours, theirs = dict(self.attributes), dict(other.attributes)
        changed |= {ATTRIBUTE_FIELD + name for name in ours.keys() | theirs.keys() if ours.get(name) != theirs.get(name)}
        return changed


def attribute_name_problem(name: str) -> str | None:
    """Why `name` cannot name an article attribute, or None when it can."""
    if not name.strip() or name != name.strip():
        return "an attribute name is not empty and has no spaces at its ends"
    if not name.isprintable():
        return "an attribute name holds no control characters"
    if name in ("title", "text", "date", "source", "url", "author"):
        return f"{name!r} is an article's own field, not an attribute"
    return None


@dataclass(frozen=True, slots=True)
class Annotation:
    id: str
    article_id: int
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    note: str | None
    annotator: str
    created: str
    updated: str
    tags: tuple[str, ...] = field(default=())


#: How a curator settled a passage into the gold layer: A's version, B's, both, an edit of
#: one, or (in bulk) a passage both coders tagged alike.
GoldChoice = Literal["a", "b", "both", "edit", "agreed"]
GOLD_CHOICES: tuple[str, ...] = ("a", "b", "both", "edit", "agreed")


@dataclass(frozen=True, slots=True)
class GoldDecision:
    """Where a gold annotation comes from: who decided, when, how, from which annotations."""

    annotation_id: str
    curator: str
    decided: str
    choice: GoldChoice
    #: The source annotations' ids, A's before B's.
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GoldVersion:
    """A passage as it goes into gold: its span and tags, and the sources it is taken from."""

    article_id: int
    start: int
    end: int
    tags: tuple[str, ...]
    sources: tuple[str, ...]


AddOutcome = Literal["imported", "unchanged", "duplicate", "updated"]


@dataclass(frozen=True, slots=True)
class AddResult:
    outcome: AddOutcome
    article_id: int
    detail: str = ""
    #: For an annotated article whose text changed: how its annotations were re-attached.
    reanchored: dict[str, int] = field(default_factory=dict)


SortKey = Literal["published", "relevance", "title", "source", "annotations", "attribute"]


#: The orders of the list, in the order `o` cycles them ("relevance": a search's best matches
#: first, by FTS5 rank; only while a search is in force; "attribute": by the value of the
#: attribute `ListQuery.sort_attribute`, the list's first attribute column, only while there is one).
SORT_KEYS: tuple[SortKey, ...] = ("published", "relevance", "title", "source", "annotations", "attribute")


ReadFilter = Literal["all", "unread", "read"]
#: "others" (internal: what is not in the viewer's queue) follows the queue in the list.
QueueFilter = Literal["all", "mine", "todo", "others"]


@dataclass(frozen=True, slots=True)
class ListQuery:
    """Which articles the list shows, and in what order."""

    sort: SortKey = "published"
    tag: str | None = None
    source: str | None = None
    read: ReadFilter = "all"
    search: str | None = None
    #: Only articles this person annotated, with only their annotations counted.
    annotator: str | None = None
    #: Only articles whose attribute `name` is `value`, for every (name, value) (`--where`).
    where: tuple[tuple[str, str], ...] = ()
    #: The attribute the "attribute" order sorts by (None: there is no such order).
    sort_attribute: str | None = None
    #: A coder's queue (`reader assign`): "mine" (assigned to the viewer), "todo" (assigned and
    #: not yet done), or "all".
    queue: QueueFilter = "all"

    @property
    def order(self) -> SortKey:
        """The order the list is in: `sort`, but by date when it asks for relevance without a
        search, or for an attribute without one."""
        if (self.sort == "relevance" and not self.search) or (self.sort == "attribute" and not self.sort_attribute):
            return "published"
        return self.sort

    def next_sort(self) -> SortKey:
        """The order after this one, as `o` cycles them (relevance only while searching, an
        attribute only while the list has an attribute column)."""
        cycle = [key for key in SORT_KEYS if (key != "relevance" or self.search)
                 and (key != "attribute" or self.sort_attribute)]
        return cycle[(cycle.index(self.order) + 1) % len(cycle)]

    def describe(self) -> str:
        """A short human description of the filters in force ("" when none)."""
        parts = []
        if self.annotator:
            parts.append(f"annotator {self.annotator}")
        if self.search:
            parts.append(f"search “{self.search}”")
        if self.tag:
            parts.append(f"tag {self.tag}")
        if self.source:
            parts.append(f"source {self.source}")
        parts += [f"{name} {value}" for name, value in self.where]
        if self.read != "all":
            parts.append(self.read)
        if self.queue in ("mine", "todo"):
            parts.append("my queue" if self.queue == "mine" else "my queue, not done")
        return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """Which annotations an export holds (all by default)."""

    #: Annotations with this tag (and articles tagged with it as a whole).
    tag: str | None = None
    source: str | None = None
    #: Annotations created or changed on or after this ISO date or time ("2025-09-01").
    since: str | None = None
    #: One article: its id, its uid, or the start of its uid.
    article: str | None = None
    annotator: str | None = None
    #: The articles the list shows (its search, tag, source and read filters).
    listed: ListQuery | None = None


@dataclass(frozen=True, slots=True)
class ArticleTag:
    """A tag on a whole article: who put it there, and when."""

    name: str
    annotator: str | None
    created: str | None


@dataclass(frozen=True, slots=True)
class ArticleNote:
    """A note on a whole article, not on a passage of it: one per annotator and article."""

    article_id: int
    annotator: str
    note: str
    created: str
    updated: str


@dataclass(frozen=True, slots=True)
class PendingAnnotation:
    """An imported annotation kept aside for an article the database lacks (a row of
    `pending_annotations`; `record` is the JSON it was read as)."""

    article_uid: str
    article_sha256: str | None
    article_title: str | None
    annotation_id: str
    record: str
    source_file: str | None
    created: str | None


@dataclass(frozen=True, slots=True)
class MovingArticle:
    """One article as the YAML export carries it."""

    article: Article
    annotations: list[Annotation]
    tags: list[ArticleTag]
    #: (annotation as it was, when it was orphaned)
    orphans: list[tuple[Annotation, str | None]]
    #: Notes on the whole article, one per annotator.
    notes: list[ArticleNote] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class BackupCheck:
    """What `Store.check_backup` found in a backup."""

    articles: int
    annotations: int
    schema: str | None


def is_later(stamp: str | None, other: str | None) -> bool:
    """Whether time `stamp` is after `other` (ISO 8601; compared as moments when both read as
    such, else as text); no time is before any time."""
    if stamp is None or other is None:
        return stamp is not None and other is None
    try:
        first, second = datetime.fromisoformat(stamp), datetime.fromisoformat(other)
        if (first.tzinfo is None) != (second.tzinfo is None):
            raise ValueError
        return first > second
    except (ValueError, TypeError):
        return stamp > other


def same_content(a: Annotation, b: Annotation) -> bool:
    """Whether two states of an annotation say the same thing: who made it, when, its tags and
    note, whatever its place (a re-import moves it) or the time it was last touched."""
    return (a.id, a.article_id, a.annotator, a.created, a.tags, a.note) == (
        b.id, b.article_id, b.annotator, b.created, b.tags, b.note
    )


# ---- entities across the corpus (the entity index) ---------------------------------------


@dataclass(frozen=True, slots=True)
class Entity:
    """An entity of the index: what it is called, and how often the index holds it (the stored
    counts, before the user's rejections; `entity_totals` counts with them)."""

    id: int
    key: str
    label: str
    name: str
    articles: int
    mentions: int



@dataclass(frozen=True, slots=True)
class EntityArticle:
    """An article that mentions an entity: `mentions` times, the first at `first`."""

    article_id: int
    title: str
    source: str | None
    published: str | None
    mentions: int
    first: int



@dataclass(frozen=True, slots=True)
class Mention:
    """One mention with a few words of context (whitespace collapsed, cut at whole words)."""

    article_id: int
    title: str
    published: str | None
    start: int
    end: int
    before: str
    surface: str
    after: str
    #: The bare surname this alias mention was written as (its entity's key), else None.
    via: str | None
    #: False when the article's text changed after it was indexed: offsets and context are stale.
    current: bool = True



@dataclass(frozen=True, slots=True)
class Together:
    """An entity found with another: in how many sentences and how many articles."""

    entity: Entity
    sentences: int
    articles: int



@dataclass(frozen=True, slots=True)
class CoOccurrence:
    """Entities found with one entity, most frequent first, counted over the newest
    `considered` of the `total` articles that mention it (all of them when they are equal)."""

    rows: list[Together]
    considered: int
    total: int

    @property
    def complete(self) -> bool:
        return self.considered >= self.total



@dataclass(frozen=True, slots=True)
class StudyState:
    """A coding study as every coder of a database sees it: blind or not, who leads it, and
    where that was said ("database": `reader study`, by `changed_by` at `changed`; or "config")."""

    blind: bool
    lead: str | None
    said_by: str
    changed_by: str | None = None
    changed: str | None = None


@dataclass(frozen=True, slots=True)
class CoderProgress:
    """One coder's work in a study: articles assigned and done, annotations per tag."""

    annotator: str
    assigned: int
    done: int
    annotations: int
    tags: tuple[tuple[str, int], ...] = ()

    def as_dict(self) -> dict:
        return {"annotator": self.annotator, "assigned": self.assigned, "done": self.done,
                "annotations": self.annotations, "tags": dict(self.tags)}
