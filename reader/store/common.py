"""What every repository of the store shares: its base class and the way rows become records.

Helpers only: no query of its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlite_utils import Database

from reader.core.model import Annotation

if TYPE_CHECKING:
    from pathlib import Path

    from reader.store.database import Store


class Repository:
    """One noun of the database (articles, annotations, tags...): its reads and writes, through the
    store's connection and transactions."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def db(self) -> Database:
        return self.store.db

    @property
    def path(self) -> Path | None:
        return self.store.path

    @property
    def read_only(self) -> bool:
        return self.store.read_only


def quoted(text: str, limit: int = 40) -> str:
    """`text` on one line in quotation marks, cut to about `limit` characters."""
    flat = " ".join(text.split())
    return f"“{flat if len(flat) <= limit else flat[: limit - 1] + '…'}”"


def said(action: str | Callable[[], str]) -> str:
    return action() if callable(action) else action


ANNOTATION_COLUMNS = (
    "id", "article_id", "start", "end", "quote", "prefix", "suffix", "note", "annotator", "created", "updated",
)
ANNOTATION_COLUMN_LIST = ", ".join(f'"{name}"' for name in ANNOTATION_COLUMNS)


#: The columns of an ArticleInfo, with its tags joined by U+001F (for split_names).
ARTICLE_INFO_COLUMNS = """
    a.id, a.uid, a.sha256, a.title, a.source, a.url, a.path, a.locator, a.published,
    (SELECT group_concat(name, char(31)) FROM (
        SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id
        WHERE at.article_id = a.id ORDER BY t.name))
"""


def tag_family(name: str, nested: bool = True) -> tuple[str, list[object]]:
    """SQL selecting the ids of the tag `name` and (with `nested`) of the tags nested in it, with
    its parameters: what a tag means in every filter, export and count. "framing" is framing,
    framing/economy, framing/economy/jobs, never framingX; read off the unique index of names
    ("/" sorts just before "0", so the nested names lie between "framing/" and "framing0")."""
    if not nested:
        return "SELECT id FROM tags WHERE name = ?", [name]
    return "SELECT id FROM tags WHERE name = ? OR (name > ? AND name < ?)", [name, name + "/", name + "0"]


def orphan_from(record: str) -> Annotation:
    data = json.loads(record)
    data["tags"] = tuple(data.get("tags", ()))
    return Annotation(**data)


def split_names(joined: str | None) -> tuple[str, ...]:
    return tuple(joined.split("\x1f")) if joined else ()
