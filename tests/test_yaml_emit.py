"""The export's own YAML writer: every string reads back exactly, in any YAML reader."""

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.exchange.yaml_emit import mapping, quoted, scalar
from reader.core.exchange.yaml_read import load_own

LOADERS = [yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)]

TRICKY = [
    "", " ", "plain", "yes", "No", "null", "~", "012", "1e3", ".inf", "2025-09-14", "- item", "? key",
    "a: b", "a #b", "trailing ", " leading", "tab\there", "line\nbreak", "\n", "ends\n", "ends\n\n\n",
    "\nstarts", "  indented\nblock", "x\x85y", "x\u2028y", "x\u2029y", "\ufeffbom", "nul\x00x",
    "esc\x1b[31mred", "cr\r\nlf", "emoji 😀 e\u0301", "\u202eRTL", "العربية", "[bold]x[/]", "'single'",
    '"double"', "back\\slash", "\xa0nbsp\xa0", "multi\nline: with colon\n  and indent\n", "@at", "%pct", "`tick`",
    "*star", "&amp", "line\u2028sep\nnext", "para\u2029sep\nnext", "nel\x85\nnext", "x\n \n  \ny", "!bang", "|pipe", ">gt", "<<", "=", "0x1F", "True", "ON",
]


def read(text):
    return [yaml.load(text, Loader=loader) for loader in LOADERS]  # SafeLoader and CSafeLoader only


def test_tricky_strings_read_back_exactly_in_both_pyyaml_readers():
    for value in TRICKY:
        document = mapping([("key", value), ("next", "after")], 0)
        for loaded in read(document):
            assert loaded == {"key": value, "next": "after"}, (value, document)
        assert load_own(document) == {"key": value, "next": "after"}, (value, document)


def test_nested_shapes_read_back():
    items = [
        ("format", "reader-annotations/2"),
        ("tags", []),
        ("names", ["a", "b: c", "line\nbreak"]),
        ("items", [[("id", "x"), ("start", 0), ("note", None), ("text", "one\ntwo\n")], [("id", "y"), ("ok", True)]]),
    ]
    expected = {
        "format": "reader-annotations/2",
        "tags": [],
        "names": ["a", "b: c", "line\nbreak"],
        "items": [{"id": "x", "start": 0, "note": None, "text": "one\ntwo\n"}, {"id": "y", "ok": True}],
    }
    document = mapping([("articles", [items])], 0)
    for loaded in read(document):
        assert loaded == {"articles": [expected]}


def test_a_multi_line_text_is_a_readable_literal_block():
    assert scalar("first line\nsecond line", 2) == "|2-\n    first line\n    second line\n"
    assert quoted("a\u2028b") == '"a\\Lb"'


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
    | st.lists(st.sampled_from(["\n", " ", "\t", "a", "\u2028", "\x85", "\r", "#", ":", "-", "é", "😀"]), max_size=30).map("".join)
)
def test_any_string_reads_back_exactly(value):
    document = mapping([("articles", [[("id", "x"), ("text", value), ("tags", [value])]])], 0)
    for loaded in read(document):
        assert loaded == {"articles": [{"id": "x", "text": value, "tags": [value]}]}
    assert load_own(document) == {"articles": [{"id": "x", "text": value, "tags": [value]}]}
