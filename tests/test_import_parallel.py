"""Imports read by worker processes give the database reading in one process gives (same rows,
same ids, same notes in the same order), and `reader import` shows its progress on a terminal only."""

from __future__ import annotations

import json
import random
import sqlite3
import sys

import pytest
from click.testing import CliRunner

import reader.services.reading as reading
from reader.cli import main
from reader.commands.corpus import Progress
from reader.core.ingest import SizeLimit, iter_files, read_file
from reader.services.corpus import ImportSummary, import_files
from reader.store import Store

PLACES = ["Tartu", "Cork", "Mombasa", "Valparaíso", "Łódź", "Nagoya"]
EVENTS = ["ferry strike", "council vote", "harbour fire", "school reopening", "bridge repair", "tram fare rise"]


def story(rng: random.Random, number: int) -> str:
    place, event = rng.choice(PLACES), rng.choice(EVENTS)
    lines = [f"{place} {event} draws crowds", "", f"{place.upper()}, March {rng.randint(1, 28)} (Harbour Wire) — "
             f"The {event} in {place} drew a crowd of {rng.randint(20, 900)} on day {number}, officials said."]
    if rng.random() < 0.3:
        lines += ["", "Prices rose after the vote on 2 May 2021, a café owner said: “We will see.”"]
    if rng.random() < 0.1:
        lines += ["", "Itâ€™s the third time this year, said Zoë Ã©quipe."]  # mojibake, repaired
    return "\n".join(lines)


def write_corpus(folder, seed: int) -> None:
    """A mixed import: JSONL dumps with bad lines, blank lines, repeats and attributes; a JSONL
    file without records; text and HTML files; a CSV file; files that cannot be imported."""
    rng = random.Random(seed)
    folder.mkdir()
    for dump in range(2):
        lines = []
        for number in range(rng.randint(40, 90)):
            roll = rng.random()
            if roll < 0.05:
                lines.append("{not json")
            elif roll < 0.08:
                lines.append("")
            elif roll < 0.10:
                lines.append(json.dumps(["a", "list"]))
            elif roll < 0.12:
                lines.append(json.dumps({"title": "No text here"}))
            elif roll < 0.16 and lines:
                lines.append(rng.choice([line for line in lines if line.startswith('{"') and "text" in line] or ["{}"]))
            else:
                record = {"text": story(rng, number), "desk": rng.choice(["metro", "sport", "business"])}
                if rng.random() < 0.5:
                    record["published"] = f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
                if rng.random() < 0.5:
                    record["title"] = f"Report {number} from {rng.choice(PLACES)}"
                lines.append(json.dumps(record, ensure_ascii=rng.random() < 0.5))
        (folder / f"dump-{dump}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "blank.jsonl").write_text("\n\n", encoding="utf-8")
    texts = folder / "texts"
    texts.mkdir()
    for number in range(rng.randint(5, 12)):
        (texts / f"{number:02d}.txt").write_text(story(rng, 1000 + number), encoding="utf-8")
    (texts / "page.html").write_text(
        "<html><head><title>Ferry strike ends</title></head><body><article><h1>Ferry strike ends</h1>"
        + "".join(f"<p>{story(rng, 2000 + n)}</p>" for n in range(3)) + "</article></body></html>", encoding="utf-8")
    (texts / "binary.txt").write_bytes(b"\x00\x01\x02" * 50)
    (texts / "empty.md").write_text("", encoding="utf-8")
    (folder / "table.csv").write_text(
        "title,text,desk\n" + "".join(f'Row {n},"{story(rng, 3000 + n)}",metro\n' for n in range(6)) + "Broken,row\n",
        encoding="utf-8")


def database_rows(path) -> dict[str, list[tuple]]:
    """Everything an import writes, but the time it was done."""
    conn = sqlite3.connect(path)
    try:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(articles)") if row[1] != "imported"]
        return {
            "articles": conn.execute(f"SELECT {', '.join(columns)} FROM articles ORDER BY id").fetchall(),
            "attributes": conn.execute("SELECT * FROM article_attributes ORDER BY article_id, name").fetchall(),
            "search": conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'crowd' ORDER BY rowid").fetchall(),
            "index": conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')").rowcount,
            "triggers": conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall(),
        }
    finally:
        conn.close()


def imported(tmp_path, name: str, folder, workers: int | None, again: bool = False) -> tuple[dict, list[ImportSummary]]:
    store = Store.open(tmp_path / f"{name}.db")
    summaries = []
    try:
        for _ in range(2 if again else 1):
            files = list(iter_files([folder]))
            summaries.append(import_files(store, files, limit=SizeLimit(1), workers=workers))
    finally:
        store.close()
    return database_rows(tmp_path / f"{name}.db"), summaries


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_workers_give_the_database_one_process_gives(tmp_path, monkeypatch, seed):
    monkeypatch.setattr(reading, "CHUNK_BYTES", 3000)  # many chunks of each dump
    monkeypatch.setattr(reading, "FILES_PER_TASK", 3)
    monkeypatch.setattr("reader.services.corpus.BATCH_SIZE", 60)  # many transactions, indexed row by row or together
    folder = tmp_path / "corpus"
    write_corpus(folder, seed)
    serial, serial_summaries = imported(tmp_path, "serial", folder, workers=0, again=True)
    parallel, parallel_summaries = imported(tmp_path, "parallel", folder, workers=2, again=True)
    assert parallel == serial
    assert parallel_summaries == serial_summaries
    first, second = serial_summaries
    assert first.imported == len(serial["articles"]) > 60 and second.unchanged == first.imported
    reasons = [item.reason for item in first.skipped]
    assert any("not valid JSON" in reason for reason in reasons)
    assert any("not a JSON object" in reason for reason in reasons)
    assert any('missing "text"' in reason for reason in reasons)
    assert any(reason.startswith("binary file") for reason in reasons)
    assert any(item.path.endswith("blank.jsonl") and item.reason == "empty text" for item in first.skipped)
    assert any("fields where the header has" in reason for reason in reasons)  # the CSV's broken row
    assert first.repaired


def test_workers_give_the_articles_one_at_a_time_gives(tmp_path):
    """The batched writes store what `Articles.add`, one document at a time, stores."""
    folder = tmp_path / "corpus"
    write_corpus(folder, 4)
    parallel, _ = imported(tmp_path, "parallel", folder, workers=2)
    store = Store.open(tmp_path / "one.db")
    try:
        for path in iter_files([folder]):
            for item in read_file(path.absolute(), SizeLimit(1)):
                if not hasattr(item, "reason"):
                    store.articles.add(item)
    finally:
        store.close()
    assert database_rows(tmp_path / "one.db") == parallel


def test_a_dump_imported_again_after_changes_updates_in_place(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "CHUNK_BYTES", 500)
    folder = tmp_path / "corpus"
    folder.mkdir()
    dump = folder / "dump.jsonl"
    records = [{"text": f"Tram fares rise in Tartu, part {n}.\n\nThe council voted {n} to 2.", "desk": "metro"} for n in range(30)]
    dump.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    rows = {}
    for workers in (0, 2):
        store = Store.open(tmp_path / f"{workers}.db")
        try:
            import_files(store, [dump], workers=workers)
            records[5]["text"] += " A recount follows."
            records[7]["desk"] = "politics"
            dump.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
            summary = import_files(store, [dump], workers=workers)
            assert (summary.imported, summary.updated, summary.unchanged) == (0, 1, 29)
        finally:
            store.close()
            records[5]["text"] = records[5]["text"].removesuffix(" A recount follows.")
            records[7]["desk"] = "metro"
            dump.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
        rows[workers] = database_rows(tmp_path / f"{workers}.db")
    assert rows[0] == rows[2]


def test_small_imports_are_read_in_this_process_large_ones_by_a_worker_per_core(monkeypatch):
    monkeypatch.setattr(reading, "usable_cores", lambda: 2)
    monkeypatch.setattr(reading, "machine_load", lambda: 0.5)
    assert reading.workers_for(reading.PARALLEL_FROM_BYTES - 1, None) == 0
    assert reading.workers_for(reading.PARALLEL_FROM_BYTES, None) == 2
    assert reading.workers_for(10, 2) == 2 and reading.workers_for(10**12, 0) == 0
    monkeypatch.setattr(reading, "machine_load", lambda: 1.5)  # no core idle: workers would only cost
    assert reading.workers_for(10**12, None) == 0
    assert reading.workers_for(10, 2) == 2  # (unless asked for)
    monkeypatch.setattr(reading, "machine_load", lambda: 0.0)
    monkeypatch.setattr(reading, "usable_cores", lambda: 1)
    assert reading.workers_for(10**12, None) == 0


# ---- progress ------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_says_articles_share_rate_and_time_left_at_most_once_a_second(capsys):
    clock = Clock()
    progress = Progress(clock=clock)
    progress(0, 0, 400_000_000)
    clock.now += 0.5
    progress(1000, 10_000_000, 400_000_000)  # too soon: not shown
    clock.now += 3.5
    progress(12_000, 100_000_000, 400_000_000)
    progress.clear()
    shown = capsys.readouterr().err.split("\r")
    assert shown[1].rstrip() == "0 articles · 0% of 400 MB"
    assert shown[2].rstrip() == "12,000 articles · 25% of 400 MB · 3,000/s · about 12 s left"
    assert shown[-1] == "" and set(shown[-2]) == {" "}  # the line is cleared for the summary
    assert len(shown) == 5  # (before the first: nothing)


def run_import(tmp_path, *arguments: str, terminal: bool) -> str:
    """What `reader import` writes to standard error: a pseudo-terminal's, or a pipe's."""
    import os
    import pty
    import subprocess

    folder = tmp_path / "corpus"
    folder.mkdir(exist_ok=True)
    for number in range(3):
        (folder / f"{number}.txt").write_text(f"Ferry strike day {number}\n\nThe ferries stopped again.", encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {tmp_path / 'a.db'}\nload_samples: false\n", encoding="utf-8")
    command = [sys.executable, "-m", "reader", "--config", str(config), "import", *arguments, str(folder)]
    if not terminal:
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stderr
    controller, terminal_end = pty.openpty()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=terminal_end)
    os.close(terminal_end)
    written = bytearray()
    while True:
        try:
            data = os.read(controller, 4096)
        except OSError:  # the other end closed
            break
        if not data:
            break
        written += data
    assert process.wait(timeout=120) == 0
    os.close(controller)
    return written.decode("utf-8", "replace")


def test_progress_is_shown_on_a_terminal_only_and_never_with_json(tmp_path):
    on_terminal = run_import(tmp_path, terminal=True)
    assert "3 articles · 100% of 1 KB" in on_terminal and "\r" in on_terminal
    assert "articles ·" not in run_import(tmp_path, terminal=False)
    assert "articles ·" not in run_import(tmp_path, "--json", terminal=True)


def crash(task, limit, options):
    """A worker that dies (as one killed for memory would)."""
    import os

    os._exit(1)


def test_a_worker_that_dies_ends_the_import_in_one_line_keeping_what_was_written(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "_run", crash)
    folder = tmp_path / "corpus"
    write_corpus(folder, 5)
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {tmp_path / 'a.db'}\nload_samples: false\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "import", "--workers", "2", str(folder)])
    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert "a process reading the files ended unexpectedly" in line and "--workers 0" in line
    assert "Traceback" not in result.output
