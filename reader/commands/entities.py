"""`reader entities`: the entities reader finds in files (or standard input, `-`), one JSON line per
document, with what the user accepted, retyped or rejected in reader applied.

It reads the database only to learn that feedback, and never creates one.
"""

from __future__ import annotations

import json
import sys

import click

from reader.commands.context import Context, make_recogniser
from reader.commands.output import echo_json, echo_lines, failure
from reader.commands.stdin import STDIN_NAME, dashes, read_stdin, stdin_documents, stdin_option


@click.command("entities")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True))
@click.option("--format", "output_format", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option(
    "--no-feedback", "no_feedback", is_flag=True,
    help="Leave out what you said about entities in reader (accepted, retyped, rejected); by default the "
         "configured database's feedback is applied, as in the reader.",
)
@stdin_option
@click.option(
    "--json", "as_json", is_flag=True,
    help="End with a summary on standard error, as one JSON object: documents, skipped inputs, the database "
         "whose feedback was applied.",
)
@click.pass_obj
def entities_command(context: Context, paths: tuple[str, ...], output_format: str, no_feedback: bool,
                     stdin_format: str, as_json: bool) -> None:
    """Print the entities found in each file, one JSON line per document, with what you accepted,
    retyped or rejected in reader applied (the configured database's feedback; never creates it).
    A span that names an entity by another name carries `as`: "Lima" as "Ana Lima", "U.S." as
    "United States".
    `-` reads standard input (see --stdin-format)."""
    from reader.core.entities.packed import SpanTable
    from reader.core.entities.user import UserEntities
    from reader.core.ingest import SizeLimit, Skipped, iter_files, read_file
    from reader.store import Store, StoreError

    recogniser = make_recogniser(context.config, lazy=False)
    user = UserEntities(())
    database = context.config.database
    feedback_from = None
    if not no_feedback and database.exists():
        try:
            user = UserEntities(Store.entity_feedback_in(database))
        except StoreError as error:
            raise failure(f"{error} (--no-feedback prints the entities without it)") from None
        feedback_from = str(database)
    limit = SizeLimit(context.config.importing.max_file_mb, f"import.max_file_mb in {context.config.path}")
    from_stdin = dashes(paths)
    try:
        files = list(iter_files(path for path in paths if path != "-"))
    except FileNotFoundError as error:
        raise failure(str(error)) from None
    sources = [(STDIN_NAME, stdin_documents(read_stdin(limit), stdin_format))] if from_stdin else []
    sources = [*((str(path), read_file(path, limit)) for path in files), *sources]
    documents = 0
    skipped: list[dict[str, str]] = []
    for name, items in sources:
        for item in items:
            if isinstance(item, Skipped):
                skipped.append({"path": item.path, "reason": item.reason})
                if not as_json:
                    echo_lines([f"reader: skipped {item.path}: {item.reason}"], err=True)
                continue
            documents += 1
            line: dict[str, object] = {"file": name}
            if item.locator:
                line["locator"] = item.locator
            found = recogniser.recognise(item.text)
            if user:
                found = list(user.apply(item.text, SpanTable.from_spans(found)))
            line["spans"] = _with_identities(item.text, [
                {"start": s.start, "end": s.end, "label": s.label, "text": item.text[s.start : s.end]}
                for s in found
            ])
            echo_json(json.dumps(line, ensure_ascii=False))
    if as_json:
        summary = {"database": feedback_from, "documents": documents, "skipped": skipped}
        echo_json(json.dumps(summary, ensure_ascii=False), err=True)
    if skipped:
        sys.exit(1)



def _with_identities(text: str, spans: list[dict]) -> list[dict]:
    """Each span with `"as"`, the name of the entity it counts as, where that is another name:
    a surname alone for the full name in the document, an acronym for the name it follows in
    brackets, "U.S." for the United States (as in reader's entity view)."""
    from reader.core.entities.naming import display_name, entity_key, identities, identity

    keyed = [(span, entity_key(span["text"], span["label"])) for span in spans]
    keyed = [(span, key) for span, key in keyed if key]
    named = identities(text, [(span["start"], span["end"], key, span["label"]) for span, key in keyed])
    names: dict[tuple[str, str], str] = {}
    for (span, _key), (key, via) in zip(keyed, named):
        if via is None:
            names.setdefault((key, span["label"]), display_name(span["text"], span["label"]))
    for (span, _key), (key, via) in zip(keyed, named):
        if via is not None:
            known = identity(via, span["label"])
            span["as"] = names.get((key, span["label"])) or (known[1] if known else key)
    return spans
