"""Tags and the codebook in the database: config.yaml's tags brought in, renames, merges, looks and keys.

SQL only: it never reads config.yaml or a screen; every write is one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable


from reader.core.codebook import Codebook, TagLook
from reader.core.config import TagSpec, tag_key_problem
from reader.core.model import ExportFilter, TagInfo, TagMerge, now_utc, tag_name_problem
from reader.store.common import Repository, tag_family
from reader.store.errors import StaleWriteError


class Tags(Repository):
    """The codebook: tags with their keys, colours and descriptions; renames, merges and looks."""

    def sync(self, specs: Iterable[TagSpec], force: bool = False) -> None:
        """Bring in config.yaml's tags: a tag new to the configuration is created, and a colour,
        description or key is applied where config.yaml changed it since it was last read (so
        what the Tags screen changed stays); with `force`, every configured value is applied. A
        key config.yaml gives one tag is taken from any other that had it. A tag renamed or
        merged away in the database is not created again. Writes only what differs, so a
        read-only command leaves the file alone."""
        specs = list(specs)
        changes, records, _stored = self._sync_plan(specs, force)
        if not (changes or records) or self.read_only:  # a read-only database shows the tags it has
            return
        with self.store.writing("the tags of config.yaml"):
            # Planned again inside the transaction: another process may have synced meanwhile.
            changes, records, stored = self._sync_plan(specs, force)
            for spec in changes:
                values = {"color": spec.color, "description": spec.description, "key": spec.key or None}
                tag_id = stored[spec.name][0] if spec.name in stored else None
                if spec.key:  # config.yaml's key wins over a tag that had it
                    self.db.execute("UPDATE tags SET key = NULL WHERE key = ? AND id IS NOT ?", [spec.key, tag_id])
                if tag_id is None:
                    self.db["tags"].insert({"name": spec.name, **values})
                else:
                    self.db["tags"].update(tag_id, values)
            self.db["codebook_from_config"].upsert_all(
                ({"name": spec.name, "color": spec.color, "description": spec.description, "key": spec.key or None}
                 for spec in records),
                pk="name",
            )

    def _sync_plan(self, specs: list[TagSpec], force: bool) -> tuple[list[TagSpec], list[TagSpec], dict]:
        """What `sync_tags` writes: the tags to create or update, the config values to record,
        and the stored tags (name -> id, colour, description, key)."""
        stored = {row[0]: row[1:] for row in self.db.execute("SELECT name, id, color, description, key FROM tags")}
        read = {row[0]: row[1:] for row in self.db.execute("SELECT name, color, description, key FROM codebook_from_config")}
        changes, records = [], []
        for spec in specs:
            values = (spec.color, spec.description, spec.key or None)
            if read.get(spec.name) != values:
                records.append(spec)
            if spec.name in stored:
                if stored[spec.name][1:] != values and (force or read.get(spec.name) != values):
                    changes.append(spec)
            elif spec.name not in read or force:
                changes.append(spec)
        return changes, records, stored

    def codebook(self) -> Codebook:
        """Every tag's look (colour, description, key) as the database holds it now."""
        return Codebook({
            name: TagLook(color, description, key)
            for name, color, description, key in self.db.execute("SELECT name, color, description, key FROM tags ORDER BY name")
        })

    def summary(self) -> list[TagInfo]:
        """Every tag, by name, with its passage and article counts (from two indexes); in a blind
        study, of the viewer's own work."""
        whose = self.store.study.whose()
        if whose is not None:
            return self._summary_of(whose)
        passages = dict(self.db.execute("SELECT tag_id, count(*) FROM annotation_tags GROUP BY tag_id").fetchall())
        # Articles with the tag on a passage (one index, in order), then those with it only on
        # the whole article: the union of the two without sorting every pair of them.
        articles = dict(self.db.execute(
            "SELECT tag_id, count(DISTINCT article_id) FROM annotation_tags GROUP BY tag_id"
        ).fetchall())
        for tag_id, count in self.db.execute(
            """SELECT t.tag_id, count(DISTINCT t.article_id) FROM article_tags t
               WHERE NOT EXISTS (SELECT 1 FROM annotation_tags x WHERE x.tag_id = t.tag_id AND x.article_id = t.article_id)
               GROUP BY t.tag_id"""
        ):
            articles[tag_id] = articles.get(tag_id, 0) + count
        rows = self.db.execute("SELECT id, name, color, description, key FROM tags ORDER BY name").fetchall()
        return [TagInfo(name, color, description, passages.get(tag_id, 0), articles.get(tag_id, 0), key)
                for tag_id, name, color, description, key in rows]

    def _summary_of(self, annotator: str) -> list[TagInfo]:
        """`summary` of one annotator's passages and article tags."""
        passages = dict(self.db.execute(
            """SELECT x.tag_id, count(*) FROM annotations n JOIN annotation_tags x ON x.annotation_id = n.id
               WHERE n.annotator = ? GROUP BY x.tag_id""", [annotator]).fetchall())
        articles = dict(self.db.execute(
            """SELECT tag_id, count(DISTINCT article_id) FROM (
                   SELECT x.tag_id, n.article_id FROM annotations n JOIN annotation_tags x ON x.annotation_id = n.id
                   WHERE n.annotator = ?
                   UNION SELECT tag_id, article_id FROM article_tags WHERE annotator = ?) GROUP BY tag_id""",
            [annotator, annotator]).fetchall())
        rows = self.db.execute("SELECT id, name, color, description, key FROM tags ORDER BY name").fetchall()
        return [TagInfo(name, color, description, passages.get(tag_id, 0), articles.get(tag_id, 0), key)
                for tag_id, name, color, description, key in rows]

    def _existing(self, name: str, action: str) -> tuple[int, str | None, str | None, str | None]:
        """(id, colour, description, key) of the tag called `name`; a StaleWriteError naming
        `action` when there is none (renamed or merged away, by this window or another)."""
        row = self.db.execute("SELECT id, color, description, key FROM tags WHERE name = ?", [name]).fetchone()
        if row is None:
            raise StaleWriteError(self.path, f"there is no tag {name} any more (renamed or merged meanwhile)", action)
        return row

    def _touch_tagged(self, tag_id: int) -> None:
        """Mark the annotations with this tag as changed now (an export --since holds them)."""
        self.db.execute(
            "UPDATE annotations SET updated = ? WHERE id IN (SELECT annotation_id FROM annotation_tags WHERE tag_id = ?)",
            [now_utc(), tag_id],
        )

    def rename(self, old: str, new: str) -> list[tuple[str, str]]:
        """Rename tag `old` and the tags nested in it ("old/x" becomes "new/x"); every annotation
        keeps its tags under the new names, each tag its key and look. Returns the (old, new)
        names changed, for undo."""
        problem = tag_name_problem(new)
        if problem:
            raise ValueError(f"{new!r}: {problem}")
        action = f"renaming tag {old} to {new}"
        if new == old:
            return []
        if new.startswith(old + "/"):
            raise ValueError(f"{new} would be nested in itself")
        with self.store.writing(action):
            self._existing(old, action)
            names = [old] + [row[0] for row in self.db.execute(
                "SELECT name FROM tags WHERE substr(name, 1, ?) = ? ORDER BY name", [len(old) + 1, old + "/"]
            )]
            renames = [(name, new + name[len(old):]) for name in names]
            taken = [after for _before, after in renames if self.id_of(after) is not None]
            if taken:
                raise ValueError(f"a tag called {taken[0]} exists already: merge {old} into it instead")
            for before, after in renames:
                tag_id = self.id_of(before)
                self.db.execute("UPDATE tags SET name = ? WHERE id = ?", [after, tag_id])
                self._touch_tagged(tag_id)
            names = dict(renames)
            self.store.annotations.retag_orphans(lambda _id, tags: tuple(sorted(names.get(tag, tag) for tag in tags)))
        return renames

    def merge(self, source: str, target: str) -> TagMerge:
        """Move every passage and article tagged `source` to `target` and delete `source`
        (its nested tags stay as they are; `target` keeps its own key). Returns what changed,
        for `unmerge_tags`."""
        if source == target:
            raise ValueError(f"{source} cannot be merged into itself")
        action = f"merging tag {source} into {target}"
        with self.store.writing(action):
            source_id, color, description, key = self._existing(source, action)
            target_id = self._existing(target, action)[0]

            def annotation_ids(where: str) -> tuple[str, ...]:
                return tuple(row[0] for row in self.db.execute(
                    f"SELECT annotation_id FROM annotation_tags s WHERE s.tag_id = ? AND {where} ORDER BY annotation_id",
                    [source_id, target_id],
                ))

            def article_rows(where: str) -> tuple[tuple[int, str, str], ...]:
                return tuple(tuple(row) for row in self.db.execute(
                    f"SELECT article_id, annotator, created FROM article_tags s WHERE s.tag_id = ? AND {where} ORDER BY article_id",
                    [source_id, target_id],
                ))

            has_target = "EXISTS (SELECT 1 FROM annotation_tags t WHERE t.annotation_id = s.annotation_id AND t.tag_id = ?)"
            article_has_target = "EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = s.article_id AND t.tag_id = ?)"
            orphans = {orphan.id: orphan.tags for orphan in self.store.annotations.orphans() if source in orphan.tags}
            merge = TagMerge(
                source, target, color, description,
                moved=annotation_ids("NOT " + has_target) + tuple(i for i, tags in orphans.items() if target not in tags),
                shared=annotation_ids(has_target) + tuple(i for i, tags in orphans.items() if target in tags),
                articles_moved=article_rows("NOT " + article_has_target), articles_shared=article_rows(article_has_target),
                key=key,
            )
            self.store.annotations.retag_orphans(lambda _id, tags: tuple(sorted({target if tag == source else tag for tag in tags})))
            self._touch_tagged(source_id)
            self.db.execute(
                "UPDATE OR IGNORE annotation_tags SET tag_id = ? WHERE tag_id = ?", [target_id, source_id]
            )
            self.db.execute("DELETE FROM annotation_tags WHERE tag_id = ?", [source_id])
            self.db.execute("UPDATE OR IGNORE article_tags SET tag_id = ? WHERE tag_id = ?", [target_id, source_id])
            self.db.execute("DELETE FROM article_tags WHERE tag_id = ?", [source_id])
            self.db.execute("DELETE FROM tags WHERE id = ?", [source_id])
        return merge

    def unmerge(self, merge: TagMerge) -> None:
        """Undo `merge_tags`: `source` back with its colour, description and key, on exactly the
        passages and articles it was on."""
        action = f"undoing the merge of {merge.source} into {merge.target}"
        with self.store.writing(action):
            if self.id_of(merge.source) is not None:
                raise StaleWriteError(self.path, f"a tag called {merge.source} exists again", action)
            target_id = self._existing(merge.target, action)[0]
            key_free = merge.key is not None and self.db.execute(
                "SELECT 1 FROM tags WHERE key = ?", [merge.key]
            ).fetchone() is None
            source_id = self.db["tags"].insert(
                {"name": merge.source, "color": merge.color, "description": merge.description,
                 "key": merge.key if key_free else None}
            ).last_pk
            present = {row[0] for row in self.db.execute(
                "SELECT id FROM annotations WHERE id IN (SELECT annotation_id FROM annotation_tags WHERE tag_id = ?)",
                [target_id],
            )}
            moved, shared = set(merge.moved), set(merge.shared)

            def unmerged(orphan_id: str, tags: tuple[str, ...]) -> tuple[str, ...]:
                if orphan_id in moved and merge.target in tags:
                    return tuple(sorted({merge.source if tag == merge.target else tag for tag in tags}))
                if orphan_id in shared and merge.target in tags:
                    return tuple(sorted({*tags, merge.source}))
                return tags

            self.store.annotations.retag_orphans(unmerged)
            self.db.conn.executemany(
                "INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)",
                [(annotation_id, source_id) for annotation_id in merge.moved + merge.shared if annotation_id in present],
            )
            self.db.conn.executemany(
                "DELETE FROM annotation_tags WHERE annotation_id = ? AND tag_id = ?",
                [(annotation_id, target_id) for annotation_id in merge.moved],
            )
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO article_tags (article_id, tag_id, annotator, created) VALUES (?, ?, ?, ?)",
                [(article_id, source_id, annotator, created)
                 for article_id, annotator, created in merge.articles_moved + merge.articles_shared],
            )
            self.db.conn.executemany(
                "DELETE FROM article_tags WHERE article_id = ? AND tag_id = ?",
                [(article_id, target_id) for article_id, _annotator, _created in merge.articles_moved],
            )
            self._touch_tagged(source_id)

    def set_look(
        self, name: str, *, color: str | None = ..., description: str | None = ..., key: str | None = ...,
        seen: TagLook | None = None,
    ) -> TagLook:
        """Change a tag's colour, description and/or key (None clears one); returns its look as
        it was. With `seen`, refused (StaleWriteError) unless the tag still looks that way."""
        values: dict[str, object] = {}
        if color is not ...:
            values["color"] = color
        if description is not ...:
            values["description"] = description
        if key is not ...:
            values["key"] = key or None
            problem = tag_key_problem(key) if key else None
            if problem:
                raise ValueError(problem)
        action = f"the {' and '.join(values) or 'look'} of tag {name}"
        with self.store.writing(action):
            tag_id, old_color, old_description, old_key = self._existing(name, action)
            before = TagLook(old_color, old_description, old_key)
            if seen is not None and seen != before:
                raise StaleWriteError(self.path, f"tag {name} was changed meanwhile", action)
            if values.get("key"):
                holder = self.db.execute("SELECT name FROM tags WHERE key = ? AND id != ?", [values["key"], tag_id]).fetchone()
                if holder is not None:
                    raise ValueError(f"{values['key']} is the key of {holder[0]}")
            if values:
                self.db["tags"].update(tag_id, values)
        return before

    def id_of(self, name: str) -> int | None:
        found = self.db.execute("SELECT id FROM tags WHERE name = ?", [name]).fetchone()
        return found[0] if found else None

    def ensure(self, name: str) -> int:
        """The id of the tag called `name`, creating it if it is new."""
        existing = self.id_of(name)
        if existing is not None:
            return existing
        problem = tag_name_problem(name)
        if problem:  # the same rule as the Tags screen and imported files: what is stored exports and imports back
            raise ValueError(f"not a tag name: {name!r} ({problem})")
        return self.db["tags"].insert({"name": name, "color": None, "description": None}).last_pk

    def drop_unused(self, names: Iterable[str]) -> None:
        """Delete the tags called `names` that nothing uses and nobody gave a look or key: what an
        undo does with the tags its change created on the fly."""
        names = list(names)
        if not names:
            return
        used_by_orphans = {tag for orphan in self.store.annotations.orphans() for tag in orphan.tags}
        with self.store.writing("taking back the new tags"):
            for name in names:
                if name in used_by_orphans:
                    continue
                self.db.execute(
                    """DELETE FROM tags WHERE name = ? AND color IS NULL AND description IS NULL AND key IS NULL
                       AND NOT EXISTS (SELECT 1 FROM annotation_tags WHERE tag_id = tags.id)
                       AND NOT EXISTS (SELECT 1 FROM article_tags WHERE tag_id = tags.id)""",
                    [name],
                )

    def names(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT name FROM tags ORDER BY name")]

    def family(self, name: str) -> list[str]:
        """The tag `name` and the tags nested in it, by name: what a filter by `name` matches
        ("framing" gives framing/economy even when no tag is called "framing" itself)."""
        sql, params = tag_family(name)
        return [row[0] for row in self.db.execute(f"SELECT name FROM tags WHERE id IN ({sql}) ORDER BY name", params)]

    def filter_names(self) -> list[str]:
        """Every tag a filter can name, by name: each tag and each parent of a nested one
        ("framing" for "framing/economy"), whether or not a tag has the parent's name."""
        names = set(self.names())
        for name in list(names):
            parts = name.split("/")
            names.update("/".join(parts[:depth]) for depth in range(1, len(parts)))
        return sorted(names)

    def entries(self, names: Iterable[str] | None = None) -> list[tuple[str, str | None, str | None, str | None]]:
        """(name, key, colour, description) of every tag (or of those named), by name, used or not."""
        rows = self.db.execute("SELECT name, key, color, description FROM tags ORDER BY name").fetchall()
        if names is None:
            return [tuple(row) for row in rows]
        wanted = set(names)
        return [tuple(row) for row in rows if row[0] in wanted]

    def names_exported(self, only: ExportFilter | None) -> set[str]:
        """The tags an export with `only` uses: on its annotations and on its articles."""
        with_clause, article_where, article_params, note_where, note_params = self.store.exchange.selection(only)
        chosen = f"chosen(id) AS MATERIALIZED (SELECT a.id FROM articles a WHERE {article_where})"
        rows = self.db.execute(
            f"""{with_clause + ", " if with_clause else "WITH "}{chosen}
                SELECT t.name FROM tags t WHERE t.id IN (
                    SELECT nt.tag_id FROM annotation_tags nt JOIN annotations n ON n.id = nt.annotation_id
                    WHERE n.article_id IN (SELECT id FROM chosen) AND {note_where}
                    UNION SELECT at.tag_id FROM article_tags at WHERE at.article_id IN (SELECT id FROM chosen))""",
            [*article_params, *note_params],
        )
        return {row[0] for row in rows}

    def merge_look(self, name: str, color: str | None, description: str | None, key: str | None) -> tuple[str, str | None]:
        """Bring in one codebook entry of a file (inside a write). A tag new here is created with
        its colour, description and key; a tag this database has keeps its own look and takes from
        the file only what it lacks. A key another tag has here is never taken. Returns what
        happened ("added", "completed" or "unchanged") and the tag whose key was not taken (None)."""
        holder = None
        if key is not None:
            found = self.db.execute("SELECT name FROM tags WHERE key = ? AND name != ?", [key, name]).fetchone()
            if found is not None:
                holder, key = found[0], None
        row = self.db.execute("SELECT id, color, description, key FROM tags WHERE name = ?", [name]).fetchone()
        if row is None:
            self.db["tags"].insert({"name": name, "color": color, "description": description, "key": key})
            return "added", holder
        tag_id, have_color, have_description, have_key = row
        if have_key is not None and holder is not None:
            holder = None  # it keeps its own key: nothing was refused it
        values = {
            column: value for column, have, value in (
                ("color", have_color, color), ("description", have_description, description), ("key", have_key, key)
            ) if have is None and value is not None
        }
        if values:
            self.db["tags"].update(tag_id, values)
        return ("completed" if values else "unchanged"), holder
