"""`--where name=value`: the option that narrows a command to the articles whose attribute has a value.

Parsing only: it reads the option's text and never touches the database.
"""

from __future__ import annotations

import click

from reader.core.ingest.text import single_line
from reader.core.model import attribute_name_problem
from reader.core.safetext import terminal_line


def _parse(_context: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for text in values:
        name, equals, value = text.partition("=")
        name, value = single_line(name), single_line(value)
        if not equals or not name:
            raise click.BadParameter(f"{terminal_line(text)!r}: expected name=value (such as category=sport)")
        problem = attribute_name_problem(name)
        if problem:
            raise click.BadParameter(f"{terminal_line(text)!r}: {problem}")
        found.append((name, value))
    return tuple(found)


#: The option: repeatable; every one must hold (an article with category=sport and desk=north).
where_option = click.option(
    "--where", "where", multiple=True, metavar="NAME=VALUE", callback=_parse,
    help="Only articles whose attribute NAME (another field of their JSON, JSONL or CSV record) is VALUE; "
         "repeatable (all must hold).",
)
