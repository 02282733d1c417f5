"""Tests for reader.core.ingest: normalisation, file discovery and every supported format."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from reader.core.ingest import (
    SUPPORTED_SUFFIXES,
    Document,
    IngestError,
    Skipped,
    decode,
    iter_files,
    normalise_text,
    read_file,
)
from tests.conftest import write_file as write


def only_document(path: Path) -> Document:
    results = list(read_file(path))
    assert len(results) == 1
    assert isinstance(results[0], Document), results[0]
    return results[0]


def only_skipped(path: Path) -> Skipped:
    results = list(read_file(path))
    assert len(results) == 1
    assert isinstance(results[0], Skipped), results[0]
    return results[0]


# --- normalise_text -----------------------------------------------------------------------


def test_normalise_strips_leading_bom() -> None:
    assert normalise_text("\ufeffHello") == "Hello"


def test_normalise_keeps_a_bom_inside_the_text() -> None:
    assert normalise_text("a\ufeffb") == "a\ufeffb"


def test_normalise_turns_crlf_and_lone_cr_into_lf() -> None:
    assert normalise_text("one\r\ntwo\rthree\nfour") == "one\ntwo\nthree\nfour"


def test_normalise_removes_c0_controls_but_keeps_tab_and_newline() -> None:
    assert normalise_text("a\x00b\x07c\x08d\x0be\x0cf\tg\nh\x1fi\x7fj") == "abcdef\tg\nhij"


def test_normalise_removes_c1_controls_including_next_line() -> None:
    assert normalise_text("a\x80b\x85c\x9bd\x9fe") == "abcde"


def test_normalise_removes_whole_csi_sequences() -> None:
    assert normalise_text("\x1b[1;31mred\x1b[0m and \x1b[2Jcleared") == "red and cleared"


def test_normalise_removes_osc_sequences_with_either_terminator() -> None:
    text = "before\x1b]0;evil title\x07middle\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\after"
    assert normalise_text(text) == "beforemiddlelinkafter"


def test_normalise_removes_a_lone_escape_but_keeps_what_follows() -> None:
    result = normalise_text("a\x1b(Bb \x1b")
    assert "\x1b" not in result
    assert result == "a(Bb"


def test_normalise_removes_lone_surrogates() -> None:
    assert normalise_text("a\ud800b") == "ab"


def test_normalise_strips_leading_blank_lines_and_trailing_whitespace_only() -> None:
    assert normalise_text("\n \n\n  indented first line\n\nlast  \t\n\n") == "  indented first line\n\nlast"


def test_normalise_keeps_whitespace_inside_lines_and_non_ascii() -> None:
    text = "“Curly”  quotes\tZoë, Łukasz — مرحبا بالعالم\u2028next\u00a0nbsp 😀"
    assert normalise_text(text) == text


def test_normalise_empty_and_whitespace_only_give_empty() -> None:
    assert normalise_text("") == ""
    assert normalise_text("\ufeff \r\n\t\x1b[0m\n") == ""


@pytest.mark.parametrize(
    "raw",
    [
        "\n\ufeff\n\ufeff text",
        "\ufeff\ufeff\n  x \n",
        "a\r\r\nb\x1b\x1b[31mc\x1b]0;t",
        "  \ufeff",
        "x\n \u3000\n",
    ],
)
def test_normalise_is_idempotent_on_tricky_inputs(raw: str) -> None:
    once = normalise_text(raw)
    assert normalise_text(once) == once


def test_normalise_is_idempotent_on_random_inputs() -> None:
    alphabet = ["a", "é", " ", "\t", "\n", "\r", "\ufeff", "\x1b", "[", "]", "0", ";", "m", "\x07",
                "\\", "\x85", "\x9b", "\u2028", "\u3000", "\x00", "\x7f"]
    rng = random.Random(1234)
    for _ in range(2000):
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        once = normalise_text(raw)
        assert normalise_text(once) == once, repr(raw)
        assert "\x1b" not in once and "\r" not in once


# --- decode -------------------------------------------------------------------------------


def test_decode_strips_the_byte_order_mark() -> None:
    assert decode("\ufeffZoë".encode("utf-8"), "a.txt") == "Zoë"


def test_decode_reports_the_bad_byte_and_its_offset() -> None:
    with pytest.raises(IngestError) as caught:
        decode(b"caf\xe9 au lait", "menu.txt")
    assert str(caught.value) == "menu.txt: not valid UTF-8 (byte 0xe9 at offset 3)"


def test_invalid_utf8_file_is_one_skipped_naming_the_offset(tmp_path: Path) -> None:
    path = write(tmp_path / "latin1.txt", b"\xef\xbb\xbf" + b"x" * 120 + b"\xe9t\xe9")
    skipped = only_skipped(path)
    assert skipped.path == str(path)
    assert skipped.reason == "not valid UTF-8 (byte 0xe9 at offset 123)"


# --- iter_files ---------------------------------------------------------------------------


def test_iter_files_recurses_sorted_and_skips_hidden_and_unsupported(tmp_path: Path) -> None:
    for name in ["b.txt", "a.md", "sub/z.json", "sub/deeper/c.jsonl", "sub/a.HTML", "notes.pdf",
                 ".hidden.txt", ".git/config.txt", "sub/.cache/x.txt", "page.htm"]:
        write(tmp_path / name, "x")
    found = [path.relative_to(tmp_path).as_posix() for path in iter_files([tmp_path])]
    assert found == ["a.md", "b.txt", "page.htm", "sub/a.HTML", "sub/deeper/c.jsonl", "sub/z.json"]


def test_iter_files_yields_files_given_directly_whatever_their_suffix(tmp_path: Path) -> None:
    pdf = write(tmp_path / ".report.pdf", "x")
    folder_file = write(tmp_path / "folder" / "a.txt", "x")
    assert list(iter_files([str(pdf), tmp_path / "folder"])) == [pdf, folder_file]


def test_iter_files_rejects_a_missing_path_before_yielding_anything(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "x")
    missing = tmp_path / "typo"
    with pytest.raises(FileNotFoundError, match="typo"):
        iter_files([tmp_path / "a.txt", missing])


def test_supported_suffixes_are_the_documented_ones() -> None:
    assert SUPPORTED_SUFFIXES == (".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".csv", ".tsv")


# --- read_file: dispatch and errors -------------------------------------------------------


def test_unsupported_suffix_is_skipped(tmp_path: Path) -> None:
    skipped = only_skipped(write(tmp_path / "paper.pdf", "%PDF"))
    assert skipped.reason == "unsupported file type .pdf"


def test_suffix_dispatch_ignores_case(tmp_path: Path) -> None:
    document = only_document(write(tmp_path / "LOUD.TXT", "Quiet title\nbody"))
    assert document.title == "Quiet title"


def test_unreadable_path_is_skipped_with_the_os_message(tmp_path: Path) -> None:
    folder = tmp_path / "looks_like.txt"
    folder.mkdir()
    skipped = only_skipped(folder)
    assert skipped.reason == "Is a directory"


def test_empty_text_is_skipped(tmp_path: Path) -> None:
    skipped = only_skipped(write(tmp_path / "blank.txt", "\ufeff \r\n\x1b[0m\n"))
    assert skipped.reason == "empty text"


# --- txt and md ---------------------------------------------------------------------------


def test_txt_keeps_the_text_and_skips_navigation_for_the_title(tmp_path: Path) -> None:
    raw = (
        "Skip to content\r\nHome | World | Sport\r\n\r\n"
        "  Floods hit   the valley\r\n\r\nRain fell.\t“Again”, said Zoë.\r\n"
    )
    path = write(tmp_path / "floods.txt", raw)
    document = only_document(path)
    assert document.title == "Floods hit the valley"
    assert document.text == (
        "Skip to content\nHome | World | Sport\n\n"
        "  Floods hit   the valley\n\nRain fell.\t“Again”, said Zoë."
    )
    assert (document.source, document.url, document.published, document.locator) == (None, None, None, "")
    assert document.path == str(path)


def test_txt_long_first_line_is_cut_at_a_word_boundary(tmp_path: Path) -> None:
    words = " ".join(f"word{number}" for number in range(100))
    document = only_document(write(tmp_path / "long.txt", words))
    assert len(document.title) <= 200
    assert document.title.endswith("…")
    assert words.startswith(document.title[:-1])
    assert document.title[:-1].split(" ")[-1] in words.split(" ")


def test_txt_without_a_usable_line_falls_back_to_the_stem(tmp_path: Path) -> None:
    document = only_document(write(tmp_path / "menu-only.txt", "Advertisement\nA | B | C"))
    assert document.title == "menu-only"


def test_md_title_is_the_first_atx_heading(tmp_path: Path) -> None:
    raw = "Intro line\n\n```sh\n# not a heading\n```\n\n## Łukasz wins the *final* ##\n\n# Later heading\n"
    document = only_document(write(tmp_path / "story.md", raw))
    assert document.title == "Łukasz wins the *final*"
    assert document.text == raw.rstrip()


def test_md_without_heading_uses_the_txt_rule(tmp_path: Path) -> None:
    document = only_document(write(tmp_path / "plain.md", "Sign in\n#hashtag is not a heading\n"))
    assert document.title == "#hashtag is not a heading"


# --- html ---------------------------------------------------------------------------------

PAGE = """<!doctype html>
<html><head>
  <title>Fallback title</title>
  <meta property="og:title" content="  Storm   closes   port ">
  <meta property="og:site_name" content="Harbour News">
  <meta property="og:url" content="https://example.org/og">
  <link rel="canonical" href="https://example.org/storm">
  <meta property="article:published_time" content=" 2024-03-01T10:00:00Z ">
  <style>p { color: red }</style>
  <script>var secret = "SCRIPT_TEXT";</script>
</head>
<body>
  <nav><a href="/">Home</a> | <a href="/world">NAV_TEXT</a></nav>
  <p>BODY_ONLY_TEXT</p>
  <article>
    <h2>The   storm</h2>
    <p>First paragraph
       spans lines with [Photo] and [bold] kept.</p>
    <script>alert("INLINE_SCRIPT")</script>
    <p>Second<br>line after break.</p>
    <figure><figcaption>Caption &amp; credit</figcaption></figure>
    <pre>
  keep   this
    indentation</pre>
    <footer>FOOTER_TEXT</footer>
  </article>
  <aside>ASIDE_TEXT</aside>
  <footer>PAGE_FOOTER</footer>
</body></html>
"""


def test_html_uses_the_article_and_drops_boilerplate(tmp_path: Path) -> None:
    document = only_document(write(tmp_path / "storm.html", PAGE))
    for absent in ["SCRIPT_TEXT", "INLINE_SCRIPT", "color: red", "NAV_TEXT", "FOOTER_TEXT", "ASIDE_TEXT",
                   "PAGE_FOOTER", "BODY_ONLY_TEXT", "Fallback title"]:
        assert absent not in document.text
    assert document.text == (
        "The storm\n\n"
        "First paragraph spans lines with [Photo] and [bold] kept.\n\n"
        "Second\nline after break.\n\n"
        "Caption & credit\n\n"
        "  keep   this\n    indentation"
    )


def test_html_reads_og_and_canonical_metadata(tmp_path: Path) -> None:
    document = only_document(write(tmp_path / "storm.htm", PAGE))
    assert document.title == "Storm closes port"
    assert document.source == "Harbour News"
    assert document.url == "https://example.org/storm"
    assert document.published == "2024-03-01"  # ISO, for the sort and the charts
    assert document.published_written == "2024-03-01T10:00:00Z"
    assert document.locator == ""


def test_html_metadata_fallbacks(tmp_path: Path) -> None:
    page = """<html><head><meta property="og:url" content="https://example.org/og"></head>
    <body><h1>Main   <em>headline</em></h1><p>Text <time datetime="2023-01-02">Jan 2</time>.</p></body></html>"""
    document = only_document(write(tmp_path / "page.html", page))
    assert document.title == "Main headline"
    assert document.url == "https://example.org/og"
    assert document.published == "2023-01-02"
    assert document.source is None


def test_html_title_element_used_when_no_og_title(tmp_path: Path) -> None:
    page = "<html><head><title>\n  Page\n  title </title></head><body><h1>H1</h1><p>x</p></body></html>"
    assert only_document(write(tmp_path / "t.html", page)).title == "Page title"


def test_html_prefers_main_over_body(tmp_path: Path) -> None:
    page = "<body><div>Outside main</div><main><p>Inside main</p></main></body>"
    assert only_document(write(tmp_path / "m.html", page)).text == "Inside main"


def test_html_falls_back_to_the_whole_body(tmp_path: Path) -> None:
    page = "<body><div>One</div><div>Two <b>bold</b></div><header>HEADER</header></body>"
    document = only_document(write(tmp_path / "b.html", page))
    assert document.text == "One\n\nTwo bold"
    assert document.title == "One"  # no title in the metadata: the first headline-like line


def test_html_survives_malformed_markup(tmp_path: Path) -> None:
    page = "</div><p>Unclosed <b>bold<p>Next para</div></span><nav>menu</nav><li>item<li>another"
    document = only_document(write(tmp_path / "broken.html", page))
    assert document.text == "Unclosed bold\n\nNext para\n\nitem\n\nanother"


def test_html_stray_end_tag_does_not_close_the_article(tmp_path: Path) -> None:
    page = "<body><p>Teaser</p><article><div><p>One</p></div></div></section><p>Two</p></article></body>"
    assert only_document(write(tmp_path / "stray.html", page)).text == "One\n\nTwo"


def test_html_svg_title_is_not_the_page_title(tmp_path: Path) -> None:
    page = "<body><svg><title>Share icon</title></svg><h1>Real headline</h1><p>x</p></body>"
    document = only_document(write(tmp_path / "svg.html", page))
    assert document.title == "Real headline"
    assert "Share icon" not in document.text


def test_html_unclosed_ignored_element_is_closed_by_its_parent(tmp_path: Path) -> None:
    page = "<body><div><nav>Menu</div><p>Story text</p></body>"
    assert only_document(write(tmp_path / "n.html", page)).text == "Story text"


def test_html_table_cells_are_spaced_and_rows_are_paragraphs(tmp_path: Path) -> None:
    rows = "<tr><td>Name</td><td>Age</td></tr><tr><td>Zoë</td><td>31</td></tr>"
    page = f"<article><table>{rows}</table></article>"
    assert only_document(write(tmp_path / "t.html", page)).text == "Name Age\n\nZoë 31"


def test_html_escape_sequences_are_removed_from_text(tmp_path: Path) -> None:
    page = "<p>Danger \x1b[31mred\x1b[0m text\x1b]0;title\x07</p>"
    assert only_document(write(tmp_path / "esc.html", page)).text == "Danger red text"


# --- json ---------------------------------------------------------------------------------


def test_json_object(tmp_path: Path) -> None:
    record = {"text": "\ufeffLine one\r\nمرحبا", "title": "  A\ntitle ", "source": "Wire",
              "url": "https://example.org/a", "published": 2024}
    path = write(tmp_path / "one.json", json.dumps(record))
    document = only_document(path)
    assert document == Document(
        text="Line one\nمرحبا", title="A title", source="Wire", url="https://example.org/a",
        path=str(path), published="2024", locator="", published_written="2024",
    )


def test_json_list_gives_items_and_skips_bad_ones(tmp_path: Path) -> None:
    records = [
        {"text": "first"},
        {"title": "no text"},
        {"text": "third", "title": 7},
        "nope",
        {"text": "  \n"},
    ]
    path = write(tmp_path / "many.json", json.dumps(records))
    results = list(read_file(path))
    assert results[0] == Document(text="first", title="first", source=None, url=None, path=str(path),
                                  published=None, locator="item 1")
    assert results[1:] == [
        Skipped(str(path), 'item 2: missing "text"'),
        Skipped(str(path), 'item 3: "title" is not a string'),
        Skipped(str(path), "item 4: not a JSON object"),
        Skipped(str(path), "item 5: empty text"),
    ]


def test_json_non_string_text_is_skipped(tmp_path: Path) -> None:
    skipped = only_skipped(write(tmp_path / "n.json", '{"text": 42}'))
    assert skipped.reason == '"text" is not a string'


def test_invalid_json_is_skipped(tmp_path: Path) -> None:
    skipped = only_skipped(write(tmp_path / "bad.json", '{"text": '))
    assert skipped.reason.startswith("not valid JSON")


def test_json_scalar_is_skipped(tmp_path: Path) -> None:
    skipped = only_skipped(write(tmp_path / "s.json", '"just text"'))
    assert skipped.reason == "expected a JSON object or a list of objects"


# --- jsonl --------------------------------------------------------------------------------


def test_jsonl_bad_line_is_skipped_and_the_others_imported(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "one", "title": "First"}),
        "",
        "{not json",
        json.dumps({"text": "four\u2028still four", "published": " 2024-05-01 "}, ensure_ascii=False),
        json.dumps(["not", "an", "object"]),
        json.dumps({"title": "no text"}),
    ]
    path = write(tmp_path / "feed.jsonl", "\r\n".join(lines) + "\r\n")
    results = list(read_file(path))
    documents = [result for result in results if isinstance(result, Document)]
    skipped = [result for result in results if isinstance(result, Skipped)]
    assert [(d.locator, d.title, d.text, d.published) for d in documents] == [
        ("line 1", "First", "one", None),
        ("line 4", "four still four", "four\u2028still four", "2024-05-01"),
    ]
    assert all(d.path == str(path) for d in documents)
    assert [s.reason.split(":")[0] for s in skipped] == ["line 3", "line 5", "line 6"]
    assert skipped[0].reason.startswith("line 3: not valid JSON")
    assert skipped[1].reason == "line 5: not a JSON object"
    assert skipped[2].reason == 'line 6: missing "text"'


def test_html_title_loses_the_site_name_suffix(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(
        '<html><head><title>Tram fares rise | City Post</title><meta property="og:site_name" content="City Post">'
        "</head><body><p>Fares rise.</p></body></html>",
        encoding="utf-8",
    )
    [document] = list(read_file(page))
    assert document.title == "Tram fares rise" and document.source == "City Post"


def test_bad_jsonl_line_reason_names_one_line_only(tmp_path):
    feed = tmp_path / "f.jsonl"
    feed.write_text('{"text": "ok"}\n{"text": oops}\n', encoding="utf-8")
    skipped = [item for item in read_file(feed) if isinstance(item, Skipped)]
    assert len(skipped) == 1
    assert skipped[0].reason.startswith("line 2: not valid JSON") and "line 1" not in skipped[0].reason
