"""Export and import speed of the YAML home format (issue 5 goals: export of 100,000 annotations
under 5 s, import of the same under 10 s), and of the other formats' exporters.

    python benchmarks/exchange_bench.py [--db PATH]

PATH is a database with annotations; by default the one `benchmarks/run.py --keep` leaves
(100,000 articles, 100,000 annotations). It is copied first: nothing is changed in it.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.services.export import write_export, write_to  # noqa: E402
from reader.services.import_yaml import import_annotations  # noqa: E402
from reader.store import Store

DEFAULT_DB = ROOT / "benchmarks" / "out" / "ws" / "reader-bench-100000-seed1" / "annotations.db"


def timed(label: str, work) -> object:
    started = time.perf_counter()
    result = work()
    print(f"{label}: {time.perf_counter() - started:.2f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    args = parser.parse_args()
    if not args.db.exists():
        sys.exit(f"{args.db}: no such database (run python benchmarks/run.py --keep first, or give --db)")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        shutil.copy(args.db, work / "source.db")
        store = Store.open(work / "source.db")
        count = store.annotations.count()
        articles = store.db.execute("SELECT count(DISTINCT article_id) FROM annotations").fetchone()[0]
        print(f"{count:,} annotations on {articles:,} articles")
        export = work / "export.yaml"
        timed("export to YAML (texts included)", lambda: write_export(store, export))
        print(f"  {export.stat().st_size / 1e6:.0f} MB")
        for fmt in ("w3c", "doccano", "prodigy", "csv"):
            timed(f"export to {fmt}", lambda fmt=fmt: write_to(store, io.StringIO(), None, fmt))
        summary = timed("import into the same database (all unchanged)", lambda: import_annotations(store, export))
        print(f"  {summary.lines()[0]}")
        store.close()
        shutil.copy(work / "source.db", work / "colleague.db")
        colleague = Store.open(work / "colleague.db")
        with colleague.writing():
            colleague.db.execute("DELETE FROM annotation_tags")
            colleague.db.execute("DELETE FROM annotations")
        summary = timed("import into a database with the articles but no annotations", lambda: import_annotations(colleague, export))
        print(f"  {summary.lines()[0]}")
        colleague.close()
        empty = Store.open(work / "empty.db")
        summary = timed("import into an empty database (articles and their search index too)", lambda: import_annotations(empty, export))
        print(f"  {summary.lines()[0]}")
        again = work / "again.yaml"
        write_export(empty, again)
        body = lambda path: path.read_text(encoding="utf-8").split("\n", 2)[2]  # noqa: E731 (all but the export time)
        print(f"export → import into an empty database → export: identical but for the time: {body(export) == body(again)}")
        empty.close()


if __name__ == "__main__":
    main()
