"""Merging a REFI-QDA project (`.qdpx`, from reader or from NVivo, MAXQDA, ATLAS.ti, QualCoder)
into the database: `reader import-annotations study.qdpx --format qdpx`.

The project is read whole and checked first (`formats.qdpx.read_qdpx`: a zip within the limits,
no path leaving it, a well-formed project.qde whose references all resolve, selections inside
their texts); any problem is one line naming the file, and nothing is written. It is then merged
exactly as reader's own YAML is (`import_yaml.import_annotations`): a source whose article is
here (by reader's id, by URL, by its text) gets its selections at their offsets when the text is
the same, placed by their quote when it differs (re-anchored, or kept as orphans when not found);
a source the database lacks is added as an article with its annotations, tags and notes, and
codes new here are added with their colour and description. Never writes outside the database.
"""

from __future__ import annotations

import io
from pathlib import Path

from reader.core.exchange.formats.qdpx import QdpxError, QdpxLimits, read_qdpx
from reader.core.exchange.incoming import one_line
from reader.core.exchange.yaml_emit import mapping
from reader.core.exchange.yaml_format import listing_yaml
from reader.core.ingest import IngestError, SizeLimit, normalise_text, read_regular_file
from reader.core.model import now_utc, sha256_text
from reader.core.yamlsafe import YamlError
from reader.services.import_yaml import FILE_LIMIT, ImportSummary, import_annotations
from reader.services.steps import STEP_SECONDS
from reader.store import Store


def import_qdpx(
    store: Store, path: Path, annotator: str, dry_run: bool = False, *,
    limit: SizeLimit | None = FILE_LIMIT, article_limit: SizeLimit | None = SizeLimit(50),
    seconds: float = STEP_SECONDS,
) -> ImportSummary:
    """Merge the project at `path` into `store` (see the module's docs); `annotator` is for what
    the project names no user for; each source's text may be at most `article_limit`. Raises
    YamlError (one line naming the file) and writes nothing when the project has any problem."""
    path = Path(path)
    try:
        data = read_regular_file(path, limit)
    except IngestError as error:
        raise YamlError(path, None, "", error.reason) from None
    limits = QdpxLimits(
        member_bytes=article_limit.max_bytes if article_limit else QdpxLimits.member_bytes,
        total_bytes=limit.max_bytes if limit else QdpxLimits.total_bytes,
    )
    try:
        project = read_qdpx(io.BytesIO(data), one_line(annotator), now_utc(), limits)
    except QdpxError as error:
        raise YamlError(path, None, error.where, error.problem) from None
    document = project.document
    taken = {record["id"] for record in document["articles"]}
    for record in document["articles"]:
        # the article this database has for the source, if any: its own id, else by URL or text
        row = store.articles.foreign_match(record["id"], record.get("url"), sha256_text(normalise_text(record["text"])))
        if row is not None and row[1] != record["id"] and row[1] not in taken:
            taken.add(row[1])
            record["id"] = row[1]
    try:
        summary = import_annotations(store, path, dry_run, limit=None, seconds=seconds,
                                     data=_as_yaml(document).encode("utf-8"))
    except YamlError as error:  # (its lines are those of the document made from the project)
        raise YamlError(path, None, error.where, error.problem) from None
    summary.skipped_files.extend((one_line(what), why) for what, why in project.left_out)
    return summary


def _as_yaml(document: dict) -> str:
    parts = [
        mapping([("format", document["format"]), ("exported", document["exported"])], 0),
        listing_yaml("codebook", document["codebook"]),
        listing_yaml("entities", []),
        listing_yaml("articles", document["articles"]),
        listing_yaml("pending", []),
    ]
    return "".join(parts)
