"""What the `reader` commands print: every line of text, every error and every piece of data
on standard output goes through reader.core.safetext's guard, here.

It never prints a character a terminal would act on (escape sequences, bidi overrides) as it is,
and never changes data that goes to a file or a pipe.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

import click

from reader.core.safetext import data_stream, terminal_json, terminal_line, terminal_text


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print `text`, one line or several made by reader (a table), each line guarded."""
    click.echo(terminal_text(text), err=err, nl=nl)


def echo_lines(lines: Iterable[str], *, err: bool = False) -> None:
    """Print each of `lines` as one line: a line break inside one is shown as `\\n`."""
    for line in lines:
        click.echo(terminal_line(line), err=err)


def echo_heading(text: str, rest: str = "") -> None:
    """Print a heading: `text` in bold (on a terminal), then `rest`, both guarded."""
    click.echo(click.style(terminal_line(text), bold=True) + terminal_line(rest))


def echo_json(json_text: str, *, err: bool = False) -> None:
    """Print JSON made by `json.dumps(..., ensure_ascii=False)`: still valid, still the same
    data, with no character a terminal acts on (escaped as `\\uXXXX`)."""
    click.echo(terminal_json(json_text), err=err)


def echo_summary(summary, as_json: bool, **facts: object) -> None:
    """Print a command's summary (a dataclass with `lines()`): its lines, or with `as_json` one
    JSON object of `facts` (the database...) and its fields, each guarded."""
    if not as_json:
        echo_lines(summary.lines())
        return
    import json
    from dataclasses import asdict

    fields = {name: value for name, value in asdict(summary).items() if not name.startswith("_")}
    echo_json(json.dumps({**facts, **fields}, ensure_ascii=False, default=str))


def write_data(text: str) -> None:
    """Write data (CSV) to standard output: exact to a file or a pipe, guarded on a terminal.
    Not through click.echo, which would strip what looks like colour codes from the data."""
    out = data_stream(sys.stdout)
    out.write(text)
    out.flush()


def failure(message: str) -> click.ClickException:
    """The one-line error `reader` ends with ("Error: ..."), guarded."""
    return click.ClickException(terminal_line(message))


def guard_error(error: click.ClickException) -> click.ClickException:
    """`error` (click's own or ours) with its message guarded as one line, whatever raised it."""
    error.message = terminal_line(error.message)
    return error
