"""A coding study from the command line: `reader study open|close|status` (blind coding, kept in
the database for every coder) and `reader assign` (split articles among coders).

Each opens the store, calls it and reports in a few lines through the output guard; it computes
no split itself (reader/core/assignment.py does).
"""

from __future__ import annotations

import json

import click

from reader.commands.context import Context
from reader.commands.output import echo_json, echo_lines, failure
from reader.core.assignment import AssignmentError, parse_coders, parse_share, settle, split
from reader.core.model import ListQuery, StudyState


def _said(state: StudyState) -> list[str]:
    lines = [f"Study: {'blind (each coder sees only their own work)' if state.blind else 'open (everyone sees everyone’s work)'}",
             f"Lead: {state.lead or 'none named (study.lead in config.yaml, or reader study close)'}"]
    if state.said_by == "database":
        lines.append(f"Set in the database by {state.changed_by} at {state.changed}")
    else:
        lines.append("Set by config.yaml (study.blind); reader study close|open keeps it in the database for every coder")
    return lines


@click.group("study")
def study_group() -> None:
    """Blind coding: `close` hides each coder's work from the others (the lead sees all),
    `open` lifts it, `status` says which; kept in the database, so every coder of a shared
    database sees the same."""


@study_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.pass_obj
def study_status(context: Context, as_json: bool) -> None:
    """Whether the study is blind, and who leads it."""
    store = context.open_store()
    try:
        state = store.study.state()
        mine = store.assignments.progress(context.config.annotator)
    finally:
        store.close()
    if as_json:
        echo_json(json.dumps({"blind": state.blind, "lead": state.lead, "said_by": state.said_by,
                              "changed_by": state.changed_by, "changed": state.changed,
                              "annotator": context.config.annotator, "done": mine[0], "assigned": mine[1]},
                             ensure_ascii=False))
        return
    echo_lines([*_said(state), f"You ({context.config.annotator}): {mine[0]} of {mine[1]} assigned articles done"])


def _set_blind(context: Context, blind: bool, lead: str | None) -> None:
    me = context.config.annotator
    store = context.open_store()
    try:
        current = store.study.state()
        if current.lead is not None and current.lead != me:
            raise failure(f"only the study lead ({current.lead}) opens or closes the study; you are {me} "
                          f"(annotator in {context.config.path})")
        state = store.study.set_blind(blind, me, lead)
    finally:
        store.close()
    echo_lines(_said(state))


@study_group.command("close")
@click.option("--lead", metavar="NAME", help="Who leads the study (default: the lead named already, else you).")
@click.pass_obj
def study_close(context: Context, lead: str | None) -> None:
    """Blind coding: each coder sees only their own annotations, tags, notes and counts;
    agreement and the side-by-side view stay with the lead."""
    _set_blind(context, True, lead)


@study_group.command("open")
@click.pass_obj
def study_open(context: Context) -> None:
    """Lift blind coding: everyone sees everyone's work (the lead only)."""
    _set_blind(context, False, None)


@click.command("assign")
@click.option("--coders", required=True, metavar="A,B,C", help="The coders, comma-separated.")
@click.option("--overlap", default="0", show_default=True, metavar="SHARE",
              help="The share coded by every coder, for agreement: 10% or 0.1.")
@click.option("--seed", type=int, default=None, help="The random sample's seed: the same seed, the same split.")
@click.option("--in-order", is_flag=True, help="In article order (contiguous blocks) instead of a random sample.")
@click.option("--source", help="Only articles from this source.")
@click.option("--search", help="Only articles whose title, text or notes match these words.")
@click.option("--tag", help="Only articles with this tag (or one nested in it).")
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.pass_obj
def assign_command(
    context: Context, coders: str, overlap: str, seed: int | None, in_order: bool, source: str | None,
    search: str | None, tag: str | None, dry_run: bool, as_json: bool,
) -> None:
    """Split the corpus (or the articles the options select) among coders: an overlap share
    coded by everyone, the rest one coder each, by a seeded random sample or in order. Running
    it again with the same options changes nothing; an article a coder has started keeps them."""
    try:
        names = parse_coders(coders)
        share = parse_share(overlap)
    except AssignmentError as error:
        raise click.BadParameter(str(error).split(": ", 1)[-1], param_hint=str(error).split(":", 1)[0]) from None
    if not in_order and seed is None:
        raise click.UsageError("a random sample needs --seed N (so that running it again gives the same split), "
                               "or --in-order")
    store = context.open_store()
    try:
        ids = store.listing.ids(ListQuery(source=source, search=search, tag=tag))
        if not ids:
            raise failure("no article matches: nothing to assign")
        plan = split(ids, names, share, seed=seed, in_order=in_order)
        plan, kept = settle(plan, store.assignments.current(ids), store.assignments.started(ids))
        change = store.assignments.plan_change(plan, kept) if dry_run else store.assignments.replace(plan, kept)
    finally:
        store.close()
    shared = sum(1 for _coders, is_overlap in plan.values() if is_overlap)
    per_coder = {name: sum(1 for coders_of, _o in plan.values() if name in coders_of) for name in names}
    if as_json:
        echo_json(json.dumps({"articles": len(ids), "overlap": shared, "per_coder": per_coder,
                              "added": len(change.added), "removed": len(change.removed),
                              "unchanged": change.unchanged, "kept_started": [list(pair) for pair in change.kept_started],
                              "dry_run": dry_run}, ensure_ascii=False))
        return
    lines = [f"{len(ids)} articles: {shared} coded by all {len(names)} coders ({share:.0%}), the rest one coder each"
             + (" (in order)" if in_order else f" (random sample, seed {seed})"),
             *(f"  {name}: {count} articles" for name, count in per_coder.items())]
    if change.changed:
        verb = "would change" if dry_run else "changed"
        lines.append(f"Assignments {verb}: {len(change.added)} added, {len(change.removed)} removed, "
                     f"{change.unchanged} unchanged")
    else:
        lines.append(f"Nothing changed: these {change.unchanged} assignments were already made")
    if change.kept_started:
        lines.append(f"{len(change.kept_started)} kept with the coder who had started the article")
    echo_lines(lines)
