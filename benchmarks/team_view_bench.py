"""How long the canned queries of `reader datasette` take on a team's database, through
Datasette itself (its client, as a browser's request would run them).

    python benchmarks/team_view_bench.py [--articles 5000] [--annotations 100000] [--coders 3]

Builds a made-up reader database in a temporary folder: `--articles` short templated articles,
`--annotations` tagged passages spread over `--coders` coders, who double-code a fifth of the
articles (so there are disagreements to list), then times each canned query (first run and the
best of three) and each faceted table page. Datasette stops a query after `sql_time_limit_ms`
(reader datasette sets 20,000 ms; Datasette's own default is 1,000).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reader.commands.team_view import metadata_for  # noqa: E402
from reader.core.ingest import Document  # noqa: E402
from reader.store import Store  # noqa: E402

WORDS = "council port harbour strike ministers talks budget court ruling river bridge ferry market vote".split()


def build(path: Path, articles: int, annotations: int, coders: int, seed: int = 7) -> None:
    random.seed(seed)
    store = Store.open(path)
    tags = ["conflict", "cooperation", "framing/economy", "framing/security", "actor"]
    store.db.conn.execute("BEGIN")
    texts = []
    for n in range(articles):
        body = " ".join(random.choice(WORDS) for _ in range(160))
        text = f"Story {n}\n\n{body}."
        texts.append(text)
        store.articles.add(Document(text=text, title=f"Story {n}", source=random.choice(["Wirefeed", "Town Post", "Islander"]),
                                    url=None, path=f"s{n}.txt", published=f"2026-{n % 12 + 1:02}-01", locator=""))
    store.db.conn.execute("COMMIT")
    store.tags.sync([])
    for tag in tags:
        store.db.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)", [tag])
    tag_ids = dict(store.db.execute("SELECT name, id FROM tags").fetchall())
    ids = [row[0] for row in store.db.execute("SELECT id FROM articles ORDER BY id").fetchall()]
    double = set(random.sample(ids, max(1, len(ids) // 5)))
    rows, links = [], []
    for _ in range(annotations):
        article = random.choice(ids)
        coder = f"coder{random.randrange(coders)}" if article in double else f"coder{article % coders}"
        text = texts[article - 1]
        start = random.randrange(0, len(text) - 40)
        end = start + random.randrange(5, 40)
        key = str(uuid.uuid4())
        rows.append((key, article, start, end, text[start:end], "", "", None, coder, "2026-12-01T00:00:00+00:00",
                     "2026-12-01T00:00:00+00:00"))
        links.append((key, tag_ids[random.choice(tags)]))
    connection = store.db.conn
    with connection:
        connection.executemany('INSERT INTO annotations (id, article_id, start, "end", quote, prefix, suffix, note, '
                               "annotator, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
        connection.executemany("INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)", links)
    store.close()


async def measure(path: Path) -> None:
    from datasette.app import Datasette

    metadata = metadata_for(path)
    datasette = Datasette([str(path)], metadata=metadata, settings={"sql_time_limit_ms": 20000})
    await datasette.invoke_startup()
    name = path.stem
    pages = {query: f"/{name}/{query}.json?_shape=array" + ("&tag=framing" if query == "passages_by_tag" else "")
             for query in metadata["databases"][name]["queries"]}
    pages |= {f"table {table}": f"/{name}/{table}.json" for table in ("annotations", "annotation_tags", "articles")}
    for label, page in pages.items():
        times = []
        for _ in range(3):
            started = time.perf_counter()
            response = await datasette.client.get(page)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (page, response.text[:300])
        rows = response.json()
        count = len(rows) if isinstance(rows, list) else rows.get("filtered_table_rows_count")
        print(f"{label:30} first {times[0] * 1000:8.0f} ms   best {min(times) * 1000:8.0f} ms   rows {count}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--annotations", type=int, default=100_000)
    parser.add_argument("--coders", type=int, default=3)
    parser.add_argument("--reuse", type=Path, default=None, help="a database built before by this script (kept at this path)")
    arguments = parser.parse_args()
    if arguments.reuse is not None and arguments.reuse.exists():
        asyncio.run(measure(arguments.reuse))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = arguments.reuse or Path(folder) / "team.db"
        started = time.perf_counter()
        build(path, arguments.articles, arguments.annotations, arguments.coders)
        print(f"built {arguments.articles} articles, {arguments.annotations} annotations by {arguments.coders} coders "
              f"in {time.perf_counter() - started:.1f} s")
        asyncio.run(measure(path))


if __name__ == "__main__":
    main()
