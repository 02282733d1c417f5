"""`reader entities`: the entities reader finds in files, one JSON line per document, with what the
user accepted, retyped or rejected in reader applied.

It reads the database only to learn that feedback, and never creates one.
"""

from __future__ import annotations

import json
import sys

import click

from reader.commands.context import Context, make_recogniser
from reader.commands.output import echo_json, echo_lines, failure


@click.command("entities")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--format", "output_format", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option(
    "--no-feedback", "no_feedback", is_flag=True,
    help="Leave out what you said about entities in reader (accepted, retyped, rejected); by default the "
         "configured database's feedback is applied, as in the reader.",
)
@click.pass_obj
def entities_command(context: Context, paths: tuple[str, ...], output_format: str, no_feedback: bool) -> None:
    """Print the entities found in each file, one JSON line per document, with what you accepted,
    retyped or rejected in reader applied (the configured database's feedback; never creates it)."""
    from reader.core.entities.packed import SpanTable
    from reader.core.entities.user import UserEntities
    from reader.core.ingest import SizeLimit, Skipped, iter_files, read_file
    from reader.store import Store, StoreError

    recogniser = make_recogniser(context.config, lazy=False)
    user = UserEntities(())
    database = context.config.database
    if not no_feedback and database.exists():
        try:
            user = UserEntities(Store.entity_feedback_in(database))
        except StoreError as error:
            raise failure(f"{error} (--no-feedback prints the entities without it)") from None
    failed = False
    limit = SizeLimit(context.config.importing.max_file_mb, f"import.max_file_mb in {context.config.path}")
    for path in iter_files(paths):
        for item in read_file(path, limit):
            if isinstance(item, Skipped):
                echo_lines([f"reader: skipped {item.path}: {item.reason}"], err=True)
                failed = True
                continue
            line: dict[str, object] = {"file": str(path)}
            if item.locator:
                line["locator"] = item.locator
            found = recogniser.recognise(item.text)
            if user:
                found = list(user.apply(item.text, SpanTable.from_spans(found)))
            line["spans"] = [
                {"start": s.start, "end": s.end, "label": s.label, "text": item.text[s.start : s.end]}
                for s in found
            ]
            echo_json(json.dumps(line, ensure_ascii=False))
    if failed:
        sys.exit(1)
