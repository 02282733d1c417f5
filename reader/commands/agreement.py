"""`reader agreement`: how far annotators agree, per tag and overall, and where they disagree.

It only reads the database and never changes an annotation; what is compared and how is
reader.services.agreement's. It prints only through reader/commands/output.py's guard.
"""

from __future__ import annotations

import io

import click

from reader.commands.context import Context
from reader.commands.output import echo, echo_json, failure, write_data
from reader.core.agreement import Disagreement, Level, Unit
from reader.services.agreement import (
    AgreementError,
    AgreementJob,
    AgreementReport,
    COLUMNS,
    PairResult,
    Row,
    _SPACES,
    kind_label,
    number,
    paused_collection,
    population_line,
    quote_of,
    resolve_annotators,
    resolve_tags,
    row_cells,
    tag_label,
)
from reader.core.safetext import SpreadsheetCsvWriter, terminal_line


class _VariadicAnnotators(click.Command):
    """`--annotators A B C` as well as `--annotators A --annotators B`: the names after the
    option, up to the next option, each become one value."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        spread: list[str] = []
        index = 0
        while index < len(args):
            arg = args[index]
            index += 1
            if arg == "--":
                spread += args[index - 1 :]
                break
            if arg != "--annotators":
                spread.append(arg)
                continue
            taken = 0
            while index < len(args) and not args[index].startswith("-"):
                spread += ["--annotators", args[index]]
                index += 1
                taken += 1
            if not taken:
                spread.append(arg)  # no name follows: click says the option needs one
        return super().parse_args(ctx, spread)


@click.command("agreement", cls=_VariadicAnnotators)
@click.option("--annotators", "names", multiple=True, metavar="A B [C ...]",
              help="Whom to compare, at least two (default: the two with most annotations).")
@click.option("--tag", "tags", multiple=True, metavar="TAG",
              help="Only this tag (repeatable; exact names). Default: every tag used.")
@click.option("--nested", is_flag=True, help="With --tag: also the tags nested in it (framing/economy for framing).")
@click.option("--level", type=click.Choice(["char", "token"]), default="char", show_default=True,
              help="Items of kappa and alpha: characters, or whitespace-separated tokens.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--disagreements", "listing", is_flag=True,
              help="Also list the passages where they disagree (with csv: the list instead of the numbers).")
@click.pass_obj
def agreement_command(
    context: Context, names: tuple[str, ...], tags: tuple[str, ...], nested: bool, level: Level, fmt: str, listing: bool,
) -> None:
    """How far annotators agree, per tag and overall: span precision, recall and F1 (exact and
    overlap match), Cohen's kappa, Krippendorff's alpha; with --disagreements, where they differ.

    Each pair is compared on the articles both annotated; alpha over three or more annotators on
    the articles all of them annotated. Undefined numbers print as — (null in JSON).
    """
    store = context.open_store()
    try:
        refused = store.study.refusal("Agreement")
        if refused:
            raise failure(refused)
        try:
            annotators = resolve_annotators(store.annotations.annotators(), names)
            scope = resolve_tags(store.tags.names(), tags, nested)
        except AgreementError as error:
            raise failure(str(error)) from None
        if nested and not tags:
            raise failure("--nested goes with --tag: which tag's nested tags?")
        job = AgreementJob(annotators, scope, level)
        report = job.compute(store)
        with paused_collection():
            listed = [job.disagreements(index) for index in range(len(report.pairs))] if listing else None
        articles = _ArticleTexts(store) if listing else None
        if fmt == "json":
            echo_json(report_json(job.report, listed, articles))
        elif fmt == "csv":
            buffer = io.StringIO()
            rows = disagreement_csv(report, listed, articles) if listed is not None else report_csv(report)
            SpreadsheetCsvWriter(buffer).writerows(rows)  # names and quotes: never a formula
            write_data(buffer.getvalue())
        else:
            echo(report_table(report), nl=False)
            if listed is not None:
                for pair, found in zip(report.pairs, listed):
                    echo("\n" + disagreement_table(pair, found, articles), nl=False)
    finally:
        store.close()


class _ArticleTexts:
    """Titles and texts of articles, read one at a time and kept for the next few lookups
    (disagreements come sorted by article)."""

    def __init__(self, store) -> None:
        self.store = store
        self._last: tuple[object, str, str] | None = None

    def get(self, article: object) -> tuple[str, str]:
        if self._last is None or self._last[0] != article:
            found = self.store.articles.get(article)
            self._last = (article, found.title, found.text)
        return self._last[1], self._last[2]


def report_table(report: AgreementReport) -> str:
    """The numbers as aligned text: a block per pair (one row per tag, then overall), and for
    three or more annotators a block of alpha over all of them."""
    two = len(report.annotators) == 2
    lines: list[str] = []
    for pair in report.pairs:
        lines.append(f"{terminal_line(pair.a)} (A) vs {terminal_line(pair.b)} (B) · {report.level} level · {population_line(report, pair)}")
        header = ["tag", *(COLUMNS if two else COLUMNS[:-1])]
        body = [[terminal_line(tag_label(row.tag)), *row_cells(row, two)[: len(header) - 1]] for row in pair.rows]
        lines += _aligned([header, *body])
        lines.append("")
    if not two:
        lines.append(f"Krippendorff's alpha over {', '.join(map(terminal_line, report.annotators))} · {report.level} level · "
                     f"over {report.articles:,} article{'' if report.articles == 1 else 's'} all of them annotated")
        alpha = report.alpha or {}
        lines += _aligned([["tag", "alpha"], *[[terminal_line(tag_label(tag)), number(alpha.get(tag))] for tag in [*report.tags, None]]])
        lines.append("")
    return "\n".join(lines)


def _aligned(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)).rstrip()
            for row in rows]


def _row_json(row: Row, with_alpha: bool) -> dict[str, object]:
    exact, table = row.exact, row.table
    assert exact is not None and row.overlap is not None and table is not None
    data: dict[str, object] = {
        "a_only": exact.reference - exact.matched, "b_only": exact.candidate - exact.matched, "both": exact.matched,
        "precision": exact.precision, "recall": exact.recall, "f1_exact": exact.f1, "f1_overlap": row.overlap.f1,
        "kappa": table.kappa,
        "table": {"both": table.both, "only_a": table.only_a, "only_b": table.only_b, "neither": table.neither},
    }
    if with_alpha:
        data["alpha"] = row.alpha
    return data


def report_json(report: AgreementReport, listed: list[list[Disagreement]] | None = None,
                articles: _ArticleTexts | None = None) -> str:
    """The report as JSON: per pair its rows (by tag, overall) and, when listed, its disagreements;
    alpha over every compared annotator apart. A row of a two-annotator report carries alpha too."""
    two = len(report.annotators) == 2
    pairs = []
    for index, pair in enumerate(report.pairs):
        entry: dict[str, object] = {
            "a": pair.a, "b": pair.b, "articles": pair.articles,
            "left_out": {"a": pair.left_out_a, "b": pair.left_out_b},
            "by_tag": [{"tag": row.tag, **_row_json(row, two)} for row in pair.rows if row.tag is not None],
            "overall": _row_json(pair.rows[-1], two),
        }
        if listed is not None and articles is not None:
            entry["disagreements"] = [_disagreement_json(found, articles) for found in listed[index]]
        pairs.append(entry)
    alpha = report.alpha or {}
    data = {
        "annotators": list(report.annotators), "level": report.level, "tags": list(report.tags),
        "articles": report.articles, "pairs": pairs,
        "alpha": {"by_tag": [{"tag": tag, "alpha": alpha.get(tag)} for tag in report.tags], "overall": alpha.get(None)},
    }
    from reader.core.exchange.formats import to_json

    return to_json(data, indent=2)


def _side_json(unit: Unit | None, text: str) -> dict[str, object] | None:
    if unit is None:
        return None
    return {"tag": unit.tag, "start": unit.start, "end": unit.end, "quote": text[unit.start : unit.end]}


def _disagreement_json(found: Disagreement, articles: _ArticleTexts) -> dict[str, object]:
    title, text = articles.get(found.article)
    return {"article": found.article, "title": title, "start": found.start, "end": found.end, "kind": found.kind,
            "a": _side_json(found.a, text), "b": _side_json(found.b, text)}


CSV_COLUMNS = ("a", "b", "scope", "tag", "articles", "a_only", "b_only", "both", "precision", "recall",
               "f1_exact", "f1_overlap", "kappa", "alpha")


def _csv_number(value: float | None) -> float | str:
    return "" if value is None else value  # a number: written in full (repr), never taken for a formula


def report_csv(report: AgreementReport) -> list[list[object]]:
    """CSV rows: a row per pair and tag (scope "tag") and per pair overall (scope "overall");
    with three or more annotators, rows with empty a and b hold alpha over all of them."""
    two = len(report.annotators) == 2
    rows: list[list[object]] = [list(CSV_COLUMNS)]
    for pair in report.pairs:
        for row in pair.rows:
            exact, table = row.exact, row.table
            assert exact is not None and row.overlap is not None and table is not None
            rows.append([
                pair.a, pair.b, "tag" if row.tag is not None else "overall", row.tag or "", pair.articles,
                exact.reference - exact.matched, exact.candidate - exact.matched, exact.matched,
                _csv_number(exact.precision), _csv_number(exact.recall), _csv_number(exact.f1),
                _csv_number(row.overlap.f1), _csv_number(table.kappa), _csv_number(row.alpha) if two else "",
            ])
    if not two:
        alpha = report.alpha or {}
        for tag in [*report.tags, None]:
            rows.append(["", "", "tag" if tag is not None else "overall", tag or "", report.articles,
                         "", "", "", "", "", "", "", "", _csv_number(alpha.get(tag))])
    return rows


DISAGREEMENT_CSV_COLUMNS = ("a", "b", "article", "title", "start", "end", "kind", "a_tag", "a_start", "a_end",
                            "a_quote", "b_tag", "b_start", "b_end", "b_quote")


def disagreement_csv(report: AgreementReport, listed: list[list[Disagreement]],
                     articles: _ArticleTexts | None) -> list[list[object]]:
    assert articles is not None
    rows: list[list[object]] = [list(DISAGREEMENT_CSV_COLUMNS)]
    for pair, found_list in zip(report.pairs, listed):
        for found in found_list:
            title, text = articles.get(found.article)
            sides: list[object] = []
            for unit in (found.a, found.b):
                sides += ["", "", "", ""] if unit is None else [unit.tag, unit.start, unit.end, text[unit.start : unit.end]]
            rows.append([pair.a, pair.b, found.article, title, found.start, found.end, found.kind, *sides])
    return rows


def disagreement_table(pair: PairResult, found_list: list[Disagreement], articles: _ArticleTexts | None) -> str:
    """One line per disagreement: article, title, start-end, kind, each side's tag and quote."""
    assert articles is not None
    a, b = terminal_line(pair.a), terminal_line(pair.b)
    lines = [f"Disagreements of {a} (A) and {b} (B), exact match: {len(found_list):,}"]
    rows = [["article", "title", "start-end", "kind", a, b]]
    for found in found_list:
        title, text = articles.get(found.article)
        sides = [f"{terminal_line(tag_label(unit.tag))} “{terminal_line(quote_of(text, unit, 40))}”" if unit else "·"
                 for unit in (found.a, found.b)]
        cut = terminal_line(_SPACES.sub(" ", title))
        rows.append([str(found.article), cut if len(cut) <= 32 else cut[:31] + "…", f"{found.start}-{found.end}",
                     kind_label(found, "A", "B"), *sides])
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines += ["  ".join([*(row[i].ljust(widths[i]) for i in range(4)), *row[4:]]).rstrip() for row in rows]
    return "\n".join(lines) + "\n"
