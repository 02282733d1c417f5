"""What sqlite-utils alone needs to insert a JSONL dump's rows and full-text index them: the yardstick
issue 16 holds `reader import` against ("within 3 times").

It writes only the database it is given (created anew) and prints the time and peak memory.
"""

#     python benchmarks/sqlite_utils_baseline.py /tmp/scale/100k.jsonl /tmp/scale/baseline.db
#
# The rows are those reader stores of a record (title, text, source, url, published, a sha256 of
# the text), inserted with `insert_all` in batches of 1,000 and indexed with `enable_fts`
# (title and text, the tokenizer reader uses) once the rows are in (`--triggers`: as they go in,
# as reader's triggers do), streamed a line at a time.

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import time
from collections.abc import Iterator
from pathlib import Path


def rows(path: Path) -> Iterator[dict[str, object]]:
    with path.open("rb") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            text = record.get("text") or ""
            yield {
                "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                "title": record.get("title") or "",
                "source": record.get("source"),
                "url": record.get("url"),
                "published": record.get("published"),
                "chars": len(text),
                "text": text,
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jsonl", type=Path)
    parser.add_argument("database", type=Path)
    parser.add_argument("--triggers", action="store_true",
                        help="index as rows go in (FTS triggers, as reader does) instead of once after")
    args = parser.parse_args()
    from sqlite_utils import Database

    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.database}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    db = Database(args.database)
    db.execute("PRAGMA journal_mode = WAL")
    db["articles"].create({"id": int, "sha256": str, "title": str, "source": str, "url": str,
                           "published": str, "chars": int, "text": str}, pk="id")
    fts = {"tokenize": "unicode61 remove_diacritics 2"}
    if args.triggers:
        db["articles"].enable_fts(["title", "text"], create_triggers=True, **fts)
    db["articles"].insert_all(rows(args.jsonl), batch_size=1000)
    if not args.triggers:
        db["articles"].enable_fts(["title", "text"], **fts)
    elapsed = time.perf_counter() - started
    count = db["articles"].count
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"sqlite-utils ({'triggers' if args.triggers else 'index after'}): {count:,} rows inserted and indexed in {elapsed:.2f} s "
          f"({count / elapsed:,.0f}/s), peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
