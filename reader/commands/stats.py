"""`reader stats`: the figures of the Charts screen (corpus totals, tags per source and per month, tag co-occurrence, entity mentions per month) as aligned tables, JSON or CSV.

It only reads, through reader/store/figures.py (the same functions as the screen, so the same numbers); it never writes a figure of its own making, and prints only through reader/commands/output.py: no raw control or bidi character of user text on a terminal, no formula in a CSV cell.
"""

from __future__ import annotations

import io
import json
import re

import click

from reader.commands.context import Context
from reader.commands.output import echo, echo_heading, echo_json, failure, write_data
from reader.commands.where import where_option
from reader.store import figures as insight
from reader.core.safetext import SpreadsheetCsvWriter, terminal_line

SECTIONS = ("source", "month", "attribute", "cooccurrence", "entities", "annotator")
TITLES = {
    "source": "Tags per source",
    "attribute": "Tags per attribute value",
    "month": "Tags per month",
    "cooccurrence": "Tag co-occurrence",
    "entities": "Entity mentions per month",
    "annotator": "Progress per coder",
}


@click.command("stats")
@click.option(
    "--by", type=click.Choice(SECTIONS), default=None,
    help="One table: tags per source, per month or per value of an attribute (--attribute), tag "
         "co-occurrence, entities per month, or each coder's progress (assigned, done, annotations per tag) "
         "(default: totals, then tags per source and per month).",
)
@click.option("--attribute", metavar="NAME", help="For --by attribute: the attribute whose values are the rows (category...).")
@where_option
@click.option(
    "--count", "unit", type=click.Choice(["passages", "articles"]), default="passages", show_default=True,
    help="Count tagged passages or articles (co-occurrence: on the same passage or the same article; "
         "entities: mentions or articles).",
)
@click.option("--tag", help="Only this tag and the tags nested in it.")
@click.option("--annotator", metavar="NAME", help="Only this annotator's passages and article tags.")
@click.option(
    "--entity", "entity_names", multiple=True, metavar="NAME",
    help="An entity for --by entities (repeatable), as `Ana Lima` or `Lima (GPE)`; default: the most "
         "mentioned person, organisation and place.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
    help="csv prints one table: give --by.",
)
@click.option("--json", "as_json_flag", is_flag=True, help="The same as --format json.")
@click.pass_obj
def stats_command(
    context: Context, by: str | None, attribute: str | None, where: tuple[tuple[str, str], ...], unit: str,
    tag: str | None, annotator: str | None, entity_names: tuple[str, ...], fmt: str, as_json_flag: bool,
) -> None:
    """Print the numbers behind the charts: totals, tags per source and per month, and (with --by)
    per value of an attribute, tag co-occurrence, entity mentions per month, or each coder's
    progress (`--by annotator`; in a blind study a coder sees their own row only). With --where,
    only the articles it selects are counted (and the totals of the whole corpus are left out)."""
    if as_json_flag:
        fmt = "json"
    if where and by in ("cooccurrence", "entities", "annotator"):
        raise click.UsageError("--where goes with the tables per source, month or attribute")
    if by == "annotator":
        return progress_report(context, annotator, fmt)
    if fmt == "csv" and by is None:
        raise click.UsageError("csv prints one table: choose it with --by source, month, attribute, cooccurrence or entities")
    if entity_names and by != "entities":
        raise click.UsageError("--entity goes with --by entities")
    if (by == "attribute") != (attribute is not None):
        raise click.UsageError("--by attribute goes with --attribute NAME (the attribute whose values are the rows)")
    store = context.open_store()
    insight.prepare_reading(store)
    try:
        if tag is not None and not store.tags.family(tag):
            raise click.BadParameter(f"no tag called {terminal_line(tag)}", param_hint="--tag")
        tags = insight.tag_names(store, tag) if tag else None
        sections: list[tuple[str, object]] = []
        if attribute is not None and not store.articles.attribute_values(attribute, limit=1):
            raise click.BadParameter(f"no article has an attribute called {terminal_line(attribute)}", param_hint="--attribute")
        if by is None and not where:
            sections.append(("totals", insight.corpus_totals(store, annotator)))
        for section in (by,) if by else ("source", "month"):
            sections.append((section, figure(store, section, unit, annotator, tags, entity_names, attribute, where)))
    finally:
        store.close()
    if fmt == "json":
        echo_json(as_json({name: value.as_dict() for name, value in sections}))
    elif fmt == "csv":
        write_data(as_csv(sections[0][1]))
    else:
        for index, (name, value) in enumerate(sections):
            if index:
                echo()
            heading, rest, body = as_text(name, value, unit)
            echo_heading(heading, rest)
            echo(body)


def figure(store, section: str, unit: str, annotator: str | None, tags, entity_names, attribute: str | None = None,
           where: tuple[tuple[str, str], ...] = ()) -> insight.Matrix:
    if section in ("source", "month", "attribute"):
        return insight.tag_counts(store, section, unit, annotator=annotator, tags=tags, attribute=attribute, where=where)
    if section == "cooccurrence":
        return insight.tag_co_occurrence(store, "passage" if unit == "passages" else "article", annotator=annotator, tags=tags)
    if not insight.entity_index_ready(store):
        raise failure(
            "the entity index is empty: reader fills it as it recognises the articles' entities (open reader and let it run)"
        )
    entities = [find_entity(store, name) for name in entity_names] or default_entities(store)
    return insight.entity_months(store, entities, "mentions" if unit == "passages" else "articles")


def find_entity(store, typed: str):
    """The entity `typed` names ("Ana Lima", or "Lima (GPE)" for one type): the one whose key
    it is, else the one in most articles with such words."""
    from reader.core.entities import LABELS
    from reader.core.entities.naming import entity_key
    from reader.store.entity_index import entities_matching

    name, label = typed.strip(), None
    found = re.fullmatch(r"(.+?)\s*\((\w+)\)", name)
    if found and found.group(2).upper() in LABELS:
        name, label = found.group(1), found.group(2).upper()
    candidates = entities_matching(store, name, label=label, limit=50)
    for entity in candidates:
        if entity.key == entity_key(name, entity.label):
            return entity
    if not candidates:
        raise click.BadParameter(f"no entity called {terminal_line(typed)} in the entity index", param_hint="--entity")
    return candidates[0]


def default_entities(store) -> list:
    from reader.store.entity_index import entities_matching

    return [entity for label in ("PERSON", "ORG", "GPE") for entity in entities_matching(store, "", label=label, limit=1)]


def progress_report(context: Context, annotator: str | None, fmt: str) -> None:
    """`reader stats --by annotator`: per coder, articles assigned and done, annotations, and
    passages per tag."""
    store = context.open_store()
    try:
        rows = store.assignments.by_annotator(annotator)
        tags = store.tags.names()
    finally:
        store.close()
    if fmt == "json":
        echo_json(as_json({"annotator": [row.as_dict() for row in rows]}))
        return
    used = [tag for tag in tags if any(dict(row.tags).get(tag) for row in rows)]
    header = ["annotator", "assigned", "done", "annotations", *used]
    table = [[row.annotator, str(row.assigned), str(row.done), str(row.annotations),
              *(str(dict(row.tags).get(tag, 0)) for tag in used)] for row in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = SpreadsheetCsvWriter(buffer)
        writer.writerow(header)
        writer.writerows([line[0], *map(int, line[1:])] for line in table)
        write_data(buffer.getvalue())
        return
    header = [terminal_line(cell) for cell in header]
    table = [[terminal_line(line[0]), *line[1:]] for line in table]
    widths = [max(len(line[index]) for line in [header, *table]) for index in range(len(header))]
    lines = ["  ".join([line[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(line[1:], widths[1:])]).rstrip()
             for line in [header, *table]]
    echo_heading(TITLES["annotator"], " (articles assigned and done, annotations, passages per tag)")
    echo("\n".join([lines[0], "  ".join("-" * width for width in widths), *lines[1:]]) if rows else "  no coder has been assigned or annotated yet")


# ---- output ----------------------------------------------------------------------------------


def as_json(data: dict) -> str:
    """JSON, readable (non-ASCII kept); printed through the guard, which escapes what a terminal
    would act on inside its strings."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def table_rows(matrix: insight.Matrix) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a Matrix as text: row label, a cell per column, the row total; then
    the column totals."""
    header = [matrix.row_kind, *matrix.columns, matrix.total_label]
    rows = [
        [matrix.row_label(row), *(str(count) for count in counts), str(total)]
        for row, counts, total in zip(matrix.rows, matrix.counts, matrix.row_totals)
    ]
    totals_label = {"source": "all sources", "month": "all months", "tag": "with the tag"}.get(
        matrix.row_kind, f"all {matrix.row_kind} values")
    rows.append([totals_label, *(str(count) for count in matrix.column_totals), str(matrix.total)])
    return header, rows


def as_csv(matrix: insight.Matrix) -> str:
    """The table as CSV: names exactly as stored (the terminal guard is `write_data`'s), but none
    a spreadsheet would run as a formula."""
    header, rows = table_rows(matrix)
    buffer = io.StringIO()
    writer = SpreadsheetCsvWriter(buffer)
    writer.writerow(header)
    writer.writerows([row[0], *map(int, row[1:])] for row in rows)
    return buffer.getvalue()


def as_text(name: str, value, unit: str) -> tuple[str, str, str]:
    """A section as text: its heading (printed bold), the rest of the heading line, and the table."""
    if isinstance(value, insight.Totals):
        return totals_text(value)
    matrix: insight.Matrix = value
    header, rows = table_rows(matrix)
    header = [terminal_line(cell) for cell in header]
    rows = [[terminal_line(row[0]), *(f"{int(cell):,}" for cell in row[1:])] for row in rows]
    widths = [max(len(line[index]) for line in [header, *rows]) for index in range(len(header))]
    lines = []
    for line in [header, *rows]:
        cells = [line[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(line[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    rule = "  ".join("-" * width for width in widths)
    what = {
        "source": f"{matrix.unit} tagged, per source",
        "month": f"{matrix.unit} tagged, per month",
        "attribute": f"{matrix.unit} tagged, per {matrix.row_kind}",
        "cooccurrence": f"tags on the same {'passage' if unit == 'passages' else 'article'}; the diagonal counts the tag alone",
        "entities": f"{matrix.unit} per month, from the entity index",
    }[name]
    title = f"Tags per {matrix.row_kind}" if name == "attribute" else TITLES[name]
    return title, f" ({what})", "\n".join([lines[0], rule, *lines[1:-1], rule, lines[-1]])


def totals_text(totals: insight.Totals) -> tuple[str, str, str]:
    who = f" (annotator {terminal_line(totals.annotator)})" if totals.annotator else ""
    dates = (
        f"{terminal_line(totals.first_published or '')} to {terminal_line(totals.last_published or '')}"
        if totals.first_published else "none"
    )
    rows = [
        ("articles", f"{totals.articles:,}"),
        ("annotated articles", f"{totals.annotated_articles:,}"),
        ("annotations", f"{totals.annotations:,}"),
        ("tags", f"{totals.tags:,} ({totals.tags_used:,} in use)"),
        ("annotators", f"{totals.annotators:,}"),
        ("sources", f"{totals.sources:,}"),
        ("published", f"{dates} ({totals.undated_articles:,} undated)"),
    ]
    width = max(len(name) for name, _ in rows)
    return "Corpus", who, "\n".join(f"  {name.ljust(width)}  {value}" for name, value in rows)
