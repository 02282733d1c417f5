"""Removing articles, as `reader remove` and the TUI offer it: what a choice of articles would take,
said in words, and the removal itself.

It says what it will do before it does it; it never deletes an annotation unless told to.
"""

from __future__ import annotations

from reader.core.ingest.text import single_line
from reader.store.removal import RemovalCounts, RemovalPreview


def says(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def what_goes(preview: RemovalPreview, delete_annotations: bool) -> str:
    """One line: how many articles, and what becomes of their annotations."""
    held = preview.annotations + preview.orphans
    line = f"{says(preview.articles, 'article')}"
    if not held:
        return line + " (no annotations)"
    fate = "deleted for good (each leaves a tombstone for merges)" if delete_annotations else (
        "kept as orphans (O lists them; importing the articles again puts them back)")
    parts = [says(preview.annotations, "annotation")]
    if preview.orphans:
        parts.append(says(preview.orphans, "orphan"))
    return f"{line}, with {' and '.join(parts)} {fate}"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def preview_lines(preview: RemovalPreview, delete_annotations: bool) -> list[str]:
    """What removing would take: a count line, the first titles, what else goes with them."""
    lines = [what_goes(preview, delete_annotations)]
    lines += [f"  {article_id}  {_cut(single_line(title), 64)}" for article_id, title in preview.first]
    if preview.articles > len(preview.first):
        lines.append(f"  ... and {preview.articles - len(preview.first):,} more")
    extra = []
    if preview.article_tags:
        extra.append(says(preview.article_tags, "tag") + " on whole articles")
    if preview.article_notes:
        extra.append(says(preview.article_notes, "note") + " on whole articles")
    if extra:
        lines.append("Also removed: " + ", ".join(extra) + ".")
    return lines


def done_line(counts: RemovalCounts) -> str:
    """What a removal did, in one line (the CLI's last line, the TUI's status)."""
    held = counts.annotations + counts.orphans
    line = f"Removed {says(counts.articles, 'article')}"
    if not held:
        return line + "."
    if counts.deleted:
        return f"{line} and deleted {says(held, 'annotation')}."
    return f"{line}; {says(held, 'annotation')} kept as orphans (O lists them; importing the articles again puts them back)."
