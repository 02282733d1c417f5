"""`reader remove`: take articles out of the database, chosen by id, search, source or the path they
were imported from; their annotations kept as orphans, or deleted when asked for explicitly.

It shows what it would remove and asks first (unless --yes); it prints only through the output guard.
"""

from __future__ import annotations

import json
import os

import click

from reader.commands.context import Context
from reader.commands.output import echo_json, echo_lines, failure


@click.command("remove")
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--search", metavar="WORDS", help="The articles a search finds (as / in the list: titles, texts and notes).")
@click.option("--source", metavar="NAME", help="The articles of this source.")
@click.option("--path", "paths", metavar="PREFIX", multiple=True,
              help="The articles imported from this file, or from any file in this folder (repeatable; <stdin> for standard input).")
@click.option("--delete-annotations", is_flag=True,
              help="Delete their annotations and orphans too (asked again; each deletion leaves a tombstone for merges). "
                   "Default: they are kept as orphans, put back when the article is imported again.")
@click.option("--dry-run", is_flag=True, help="Say what would be removed, and remove nothing.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Print what was (or would be) removed as one JSON object.")
@click.pass_obj
def remove_command(
    context: Context, ids: tuple[str, ...], search: str | None, source: str | None, paths: tuple[str, ...],
    delete_annotations: bool, dry_run: bool, yes: bool, as_json: bool,
) -> None:
    """Remove articles: by ID (an id or uid, as the list and export show), by --search, --source
    or --path. Several choices: the articles all of them name. Their annotations are kept as
    orphans unless --delete-annotations."""
    from reader.core.model import ListQuery
    from reader.services.removal import done_line, preview_lines

    if not (ids or search or source or paths):
        raise click.UsageError("say which articles: their ids, --search WORDS, --source NAME or --path PREFIX")
    if search is not None and not search.strip():
        raise click.BadParameter("an empty search names no article", param_hint="--search")
    query = ListQuery(search=search, source=source) if (search or source) else None
    prefixes = tuple(dict.fromkeys(variant for path in paths for variant in _spellings(path)))
    store = context.open_store()
    try:
        try:
            chosen = store.removal.chosen(keys=ids, query=query, path_prefixes=prefixes)
        except KeyError as error:
            raise click.BadParameter(str(error.args[0]), param_hint="ID") from None
        preview = store.removal.preview(chosen)
        facts = {"database": str(context.config.database), "articles": preview.articles, "ids": list(chosen),
                 "annotations": preview.annotations, "orphans": preview.orphans,
                 "annotations_deleted": delete_annotations, "dry_run": dry_run}
        if not chosen:
            if as_json:
                echo_json(json.dumps({**facts, "removed": 0}, ensure_ascii=False))
            else:
                echo_lines(["No article matches: nothing removed."])
            return
        out = (lambda lines: echo_lines(lines, err=True)) if as_json else echo_lines
        out(("Would remove " if dry_run or not yes else "Removing ") + line if number == 0 else line
            for number, line in enumerate(preview_lines(preview, delete_annotations)))
        if dry_run:
            if as_json:
                echo_json(json.dumps({**facts, "removed": 0}, ensure_ascii=False))
            return
        if not yes:
            _confirm(preview.articles, preview.annotations + preview.orphans, delete_annotations)
        counts = store.removal.remove(chosen, delete_annotations=delete_annotations, seen=preview)
        if as_json:
            echo_json(json.dumps({**facts, "removed": counts.articles, "titles": counts.titles}, ensure_ascii=False))
        else:
            echo_lines([done_line(counts)])
    finally:
        store.close()


def _spellings(path: str) -> list[str]:
    """The ways an import may have stored the path the user gives: as given, absolute, and
    relative to this folder (an import stores paths as it was given them)."""
    if path == "<stdin>":
        return [path]
    absolute = os.path.abspath(os.path.expanduser(path))
    relative = os.path.relpath(absolute)
    return [path, absolute] + ([relative] if not relative.startswith("..") else [])


def _confirm(articles: int, annotations: int, delete_annotations: bool) -> None:
    """Ask before removing; deleting annotations needs a second, explicit answer (the word)."""
    noun = "article" if articles == 1 else "articles"
    if not click.confirm(f"Remove {articles:,} {noun}?", default=False, err=True):
        raise failure("nothing removed")
    if delete_annotations and annotations:
        typed = click.prompt(
            f"Their {annotations:,} annotation{'' if annotations == 1 else 's'} will be deleted, not kept as orphans. "
            "Type delete to confirm", default="", show_default=False, err=True,
        )
        if typed.strip().lower() != "delete":
            raise failure("nothing removed (deleting annotations needs the word delete)")
