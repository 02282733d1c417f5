"""Real corpora in (issue 16): HTML main text and metadata (trafilatura, stdlib fallback), titles
past navigation, datelines and bylines, dates as written and ISO, mojibake repair, legacy encodings.

Every text here is original and invented for these tests.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.core.config import load_config
from reader.core.exchange.incoming import normalised_with_offsets
from reader.core.ingest import Document, ReadOptions, Skipped, read_file
from reader.core.ingest.dates import iso_date
from reader.core.ingest.news import is_navigation, read_news
from reader.services.corpus import import_paths
from reader.store import Store
from tests.conftest import write_file as write

STORY = [
    "Ferry crews on the northern route walked out on Tuesday morning over a change to their rotas, leaving "
    "about two thousand passengers to find other ways across the estuary.",
    "The operator said it had offered to delay the new rotas by a month while talks continued, but the crews' "
    "union said the offer came too late and did not deal with the length of the night shifts.",
    "Buses will run a replacement service around the estuary every half hour, adding about forty minutes to "
    "the journey, until the ferries sail again.",
]

PAGE = f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>Ferry crews walk out over rotas | Estuary Courier</title>
<meta property="og:title" content="Ferry crews walk out over rotas">
<meta property="og:site_name" content="Estuary Courier">
<meta name="author" content="Jo Marren">
<meta property="article:published_time" content="2025-04-08T09:30:00+01:00">
<link rel="canonical" href="https://courier.example/news/ferry-walkout">
</head><body>
<div id="cookies"><p>We use cookies to give you the best experience and to show relevant advertising on our site.</p><button>Accept all</button></div>
<header><nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a></nav></header>
<div class="ticker">Latest • Bridge tolls frozen • Harbour festival dates set • Pier reopens</div>
<article><h1>Ferry crews walk out over rotas</h1><p class="byline">By Jo Marren</p>
<p>{STORY[0]}</p>
<aside class="related"><h4>Related</h4><ul><li><a href="/a">Ferry timetable cut for winter months</a></li><li><a href="/b">Union balloted crews in March</a></li></ul></aside>
<p>{STORY[1]}</p>
<p>{STORY[2]}</p>
<section class="comments"><h3>Comments (2)</h3><p>RIVERSIDE_COMMENT: Typical, the one week I need the ferry every day of the week.</p><p>Good luck to the crews, the night shifts are far too long already.</p></section>
</article>
<div class="most-read"><h3>Most read</h3><ol><li>MOST_READ_LINK: Seal pup found in car park</li><li>Market traders protest at rents</li></ol></div>
<footer><p>PAGE_FOOTER © 2025 Estuary Courier. All rights reserved.</p></footer>
</body></html>"""


def documents(path: Path, options: ReadOptions = ReadOptions()) -> list[Document]:
    found = list(read_file(path, options=options))
    assert all(isinstance(item, Document) for item in found), found
    return found  # type: ignore[return-value]


# --- html -----------------------------------------------------------------------------------


def test_html_main_text_leaves_the_boilerplate_out_and_reads_the_metadata(tmp_path):
    [page] = documents(write(tmp_path / "ferry.html", PAGE))
    assert page.extractor == "trafilatura"
    for paragraph in STORY:
        assert paragraph in page.text
    for boilerplate in ("cookies", "Bridge tolls", "Related", "Ferry timetable cut", "RIVERSIDE_COMMENT",
                        "MOST_READ_LINK", "PAGE_FOOTER", "Home"):
        assert boilerplate not in page.text
    assert page.text.startswith("By Jo Marren\n\n" + STORY[0]) or page.text.startswith(STORY[0])
    assert (page.title, page.source, page.author) == ("Ferry crews walk out over rotas", "Estuary Courier", "Jo Marren")
    assert page.url == "https://courier.example/news/ferry-walkout"
    assert (page.published, page.published_written) == ("2025-04-08", "2025-04-08T09:30:00+01:00")
    assert page.language == "en-GB"


def test_a_page_too_short_for_trafilatura_takes_the_stdlib_path(tmp_path):
    [page] = documents(write(tmp_path / "brief.html", "<html lang='fr'><body><nav>Menu</nav><main><p>Brief note.</p></main></body></html>"))
    assert (page.text, page.extractor, page.language) == ("Brief note.", "stdlib", "fr")


def test_the_extractor_imports_in_this_environment():
    # trafilatura 2.x with lxml >= 5.2 fails at import without lxml_html_clean (jusText needs it)
    subprocess.run([sys.executable, "-c", "import trafilatura, justext, ftfy, charset_normalizer"], check=True)


# --- titles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Home / World / Asia",
        "News > Local > Transport",
        "You are here: News",
        "Latest • Bridge tolls frozen • Pier reopens",
        "Home | News | Sport",
        "Photo: Crews at the ferry terminal on Tuesday",
        "Crews gather at the slipway (Photo: Estuary Courier)",
        "Skip to main content",
        "Advertisement",
    ],
)
def test_navigation_lines_are_never_titles(line):
    assert is_navigation(line)


def test_the_headline_is_found_past_navigation_captions_and_datelines(tmp_path):
    text = "\n".join([
        "Skip to main content",
        "Home / World / Asia",
        "Latest • Bridge tolls frozen • Harbour festival dates set",
        "Photo: Crews at the ferry terminal on Tuesday",
        "Ferry crews walk out over rotas",
        "By Jo Marren | Estuary Courier | Updated: 2025-04-08 09:30",
        "",
        STORY[0],
    ])
    [document] = documents(write(tmp_path / "ferry.txt", text))
    assert document.title == "Ferry crews walk out over rotas"
    assert (document.author, document.source) == ("Jo Marren", "Estuary Courier")
    assert (document.published, document.published_written) == ("2025-04-08", "2025-04-08 09:30")


def test_a_record_without_title_or_headline_line_is_titled_by_its_opening_words(tmp_path):
    run_on = ("Ferry crews walk out over rotas Ferry crews on the northern route walked out on Tuesday "
              "morning over a change to their rotas and the length of their night shifts")
    path = write(tmp_path / "feed.jsonl", json.dumps({"text": run_on}) + "\n" + json.dumps({"text": "Crews strike. More soon."}) + "\n")
    first, second = documents(path)
    assert first.title == "Ferry crews walk out over rotas Ferry crews on the northern route walked out…"
    assert len(first.title) <= 80 and run_on.startswith(first.title[:-1])
    assert second.title == "Crews strike."
    assert "#" not in first.title + second.title


# --- datelines, bylines and dates -----------------------------------------------------------


def test_a_wire_dateline_gives_the_date_and_the_agency(tmp_path):
    text = ("Port fees frozen for a year\n\nKESTON, March 2 (Wirefeed) - The harbour board froze its fees on "
            "Thursday. The last rise, on 14 January 2019, was the largest in a decade.")
    [document] = documents(write(tmp_path / "fees.txt", text))
    assert document.title == "Port fees frozen for a year"
    assert (document.source, document.published_written, document.published) == ("Wirefeed", "March 2", "2019-03-02")


def test_a_dateline_without_a_year_takes_it_from_the_file_path_when_the_text_has_none(tmp_path):
    text = "KESTON, March 2 (Wirefeed) -- The harbour board froze its fees on Thursday."
    [dated] = documents(write(tmp_path / "2021" / "fees.txt", text))
    assert (dated.published_written, dated.published, dated.source) == ("March 2", "2021-03-02", "Wirefeed")
    [undated] = documents(write(tmp_path / "fees.txt", text))
    assert (undated.published_written, undated.published) == ("March 2", None)  # no year guessed


def test_an_agency_and_date_line_gives_both(tmp_path):
    [document] = documents(write(tmp_path / "a.txt", "Wirefeed, March 2, 2019\nHarbour fees frozen\n\nThe board froze fees."))
    assert (document.title, document.source, document.published) == ("Harbour fees frozen", "Wirefeed", "2019-03-02")


def test_the_file_s_own_fields_win_over_what_the_text_says(tmp_path):
    record = {"text": "KESTON, March 2 (Wirefeed) - Fees frozen.", "source": "Courier", "published": "2020-05-06"}
    [document] = documents(write(tmp_path / "r.json", json.dumps(record)))
    assert (document.source, document.published, document.published_written) == ("Courier", "2020-05-06", "2020-05-06")


def test_a_record_s_authors_are_kept(tmp_path):
    path = write(tmp_path / "r.jsonl", json.dumps({"text": "Fees frozen.", "author": ["Jo Marren", "Ann Lee"]}) + "\n")
    assert [d.author for d in documents(path)] == ["Jo Marren, Ann Lee"]


def test_day_and_month_order_is_configurable_where_ambiguous(tmp_path):
    path = write(tmp_path / "r.jsonl", json.dumps({"text": "Fees frozen.", "published": "02/03/2019"}) + "\n"
                 + json.dumps({"text": "Fees raised.", "published": "25/12/2019"}) + "\n")
    assert [d.published for d in documents(path)] == ["2019-03-02", "2019-12-25"]
    assert [d.published for d in documents(path, ReadOptions(day_first=False))] == ["2019-02-03", "2019-12-25"]
    assert all(d.published_written in ("02/03/2019", "25/12/2019") for d in documents(path))


def test_config_reads_import_day_first(tmp_path):
    config = write(tmp_path / "config.yaml", "annotator: alice\nimport:\n  day_first: false\n")
    assert load_config(config).importing.day_first is False
    assert load_config(write(tmp_path / "c2.yaml", "annotator: alice\n")).importing.day_first is True


@pytest.mark.parametrize(
    ("written", "iso"),
    [("2019-03-02T08:15:00Z", "2019-03-02"), ("Tuesday, 2 March 2019", "2019-03-02"), ("Mar. 2, 2019", "2019-03-02"),
     ("2019-03", "2019-03"), ("2019", "2019"), ("March 2019", "2019-03"), ("soon", None), ("31/02/2019", None)],
)
def test_dates_as_written_become_iso(written, iso):
    assert iso_date(written) == iso


def test_opening_lines_without_anything_to_say_leave_everything_unknown():
    facts = read_news("The board froze its fees on Thursday after a long meeting.")
    assert (facts.published, facts.source, facts.author) == (None, None, None)
    sentence = read_news("By the end of the year, fees will rise.\n\nMore text.")
    assert (sentence.author, sentence.title) == (None, "By the end of the year, fees will rise.")  # not a byline


# --- mojibake and encodings -----------------------------------------------------------------


def test_mojibake_is_repaired_at_import_and_counted(tmp_path):
    records = [
        {"text": "Fees rose to Â£5m. Itâ€™s the board's third rise.", "title": "CafÃ© owners angry"},
        {"text": "Fees rose to £5m, the board said.", "title": "Clean"},
    ]
    path = write(tmp_path / "feed.jsonl", "\n".join(json.dumps(record) for record in records) + "\n")
    repaired, clean = documents(path)
    assert (repaired.text, repaired.title, repaired.repaired) == ("Fees rose to £5m. It’s the board's third rise.", "Café owners angry", True)
    assert clean.repaired is False
    store = Store.open(tmp_path / "a.db")
    try:
        summary = import_paths(store, [path])
    finally:
        store.close()
    assert summary.repaired == 1
    assert 'mojibake repaired (such as "Â£" or "&#163;" for "£") in 1 article' in summary.lines()


def test_entities_a_scraper_left_in_plain_text_are_decoded_but_not_in_html(tmp_path):
    [record] = documents(write(tmp_path / "r.json", json.dumps({"text": "Fees rose to &#163;5m &amp; more."})))
    assert (record.text, record.repaired) == ("Fees rose to £5m & more.", True)
    page = PAGE.replace(STORY[2], "The fee, written &amp;#163;5m in the notice, was queried.")
    [html] = documents(write(tmp_path / "p.html", page))
    assert "written &#163;5m in the notice" in html.text and not html.repaired


def test_annotation_files_keep_their_offsets_mojibake_is_not_their_normalisation():
    # ftfy replaces several characters by one: the exchange path's offsets could not follow it,
    # so only article import repairs (and re-anchoring by quote handles the difference)
    normalised = normalised_with_offsets("Fees rose to Â£5m.")
    assert normalised is not None and normalised.text == "Fees rose to Â£5m." and not normalised.changed


def test_import_reports_a_legacy_encoding_and_refuses_a_guess(tmp_path):
    folder = tmp_path / "corpus"
    write(folder / "latin.txt", "Fees frozen\n\nThe café owners paid £5m, the board said.".encode("cp1252"))
    write(folder / "odd.txt", b"Fees\n\n\x81\x8d\x90\x9d")
    (tmp_path / "config.yaml").write_text("annotator: alice\nload_samples: false\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "config.yaml"), "import", str(folder)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "1 imported, 0 updated, 0 unchanged, 1 skipped"
    assert f"  read as cp1252 (not UTF-8): {folder / 'latin.txt'}" in lines
    assert any(line.startswith(f"  skipped {folder / 'odd.txt'}: not valid UTF-8") and "could not be told" in line for line in lines)


# --- the store ------------------------------------------------------------------------------


def test_the_store_keeps_the_date_as_written_author_language_and_extractor(tmp_path):
    page = write(tmp_path / "ferry.html", PAGE)
    store = Store.open(tmp_path / "a.db")
    try:
        summary = import_paths(store, [page])
        assert summary.extractors == {"trafilatura": 1}
        assert "HTML main text found by trafilatura in 1" in summary.lines()
    finally:
        store.close()
    row = sqlite3.connect(tmp_path / "a.db").execute(
        "SELECT published, published_written, author, language, extractor, source FROM articles"
    ).fetchone()
    assert row == ("2025-04-08", "2025-04-08T09:30:00+01:00", "Jo Marren", "en-GB", "trafilatura", "Estuary Courier")


def test_a_changed_file_updates_the_new_columns_too(tmp_path):
    path = write(tmp_path / "a.txt", "Fees frozen\nBy Jo Marren\n\nThe board froze fees.")
    store = Store.open(tmp_path / "a.db")
    try:
        import_paths(store, [path])
        write(path, "Fees frozen\nBy Ann Lee | Courier | Updated: 2025-04-09\n\nThe board froze fees again.")
        assert import_paths(store, [path]).updated == 1
    finally:
        store.close()
    row = sqlite3.connect(tmp_path / "a.db").execute("SELECT author, source, published FROM articles").fetchone()
    assert row == ("Ann Lee", "Courier", "2025-04-09")


def test_skipped_items_stay_skipped(tmp_path):
    [skipped] = list(read_file(write(tmp_path / "blank.json", json.dumps({"text": "  "}))))
    assert isinstance(skipped, Skipped) and skipped.reason == "empty text"
