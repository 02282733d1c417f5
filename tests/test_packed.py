import pytest

from reader.core.entities import Span
from reader.core.entities.packed import PackedSpansError, SpanTable

SPANS = [
    Span(40, 52, "ORG", "builtin", 0.9),
    Span(0, 6, "GPE", "gazetteer", 1.0),
    Span(10, 21, "PERSON", "heuristic", 0.55),
    Span(25, 30, "PERSON", "user", 1.0),
]


def test_a_table_reads_back_sorted_spans_with_labels_sources_and_confidence():
    table = SpanTable.from_bytes(SpanTable.from_spans(SPANS).to_bytes())
    assert list(table) == sorted(SPANS, key=lambda span: span.start)
    assert table[2] == Span(25, 30, "PERSON", "user", 1.0)
    assert table[-1].label == "ORG"
    assert table[1:3] == [SPANS[2], SPANS[3]]
    assert table.labels_present() == {"GPE", "PERSON", "ORG"}


def test_first_ending_after_finds_the_span_under_or_after_an_offset():
    table = SpanTable.from_spans(SPANS)
    assert table.first_ending_after(0) == 0
    assert table.first_ending_after(6) == 1  # [0, 6) ends at 6: the next span is the one after
    assert table.first_ending_after(22) == 2
    assert table.first_ending_after(60) == len(table)


def test_non_ascii_labels_and_an_empty_table_round_trip():
    spans = [Span(0, 3, "ÉVÉNEMENT", "règle", 0.5)]
    assert list(SpanTable.from_bytes(SpanTable.from_spans(spans).to_bytes())) == spans
    assert len(SpanTable.from_bytes(SpanTable.empty().to_bytes())) == 0


@pytest.mark.parametrize(
    "data",
    [b"", b"[[0, 6]]", SpanTable.from_spans(SPANS).to_bytes()[:-1], SpanTable.from_spans(SPANS).to_bytes() + b"x"],
    ids=["empty", "json", "truncated", "trailing"],
)
def test_bytes_that_are_not_a_table_are_refused(data):
    with pytest.raises(PackedSpansError):
        SpanTable.from_bytes(data)
