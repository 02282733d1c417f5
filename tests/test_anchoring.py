import pytest

from reader.core.anchoring import CONTEXT_CHARS, quote_matches, selector_for

TEXT = "x" * 40 + "Ana Lima said “yes”." + "y" * 40


def test_selector_has_quote_and_32_characters_each_side():
    start = TEXT.index("Ana")
    end = TEXT.index("”.") + 2
    quote, prefix, suffix = selector_for(TEXT, start, end)
    assert quote == "Ana Lima said “yes”."
    assert prefix == "x" * CONTEXT_CHARS and suffix == "y" * CONTEXT_CHARS


def test_context_is_shorter_at_the_edges():
    assert selector_for("abcdef", 0, 2) == ("ab", "", "cdef")
    assert selector_for("abcdef", 4, 6) == ("ef", "abcd", "")


def test_out_of_range_span_is_refused():
    with pytest.raises(ValueError):
        selector_for("abc", 2, 5)


def test_quote_matches_only_the_exact_text():
    assert quote_matches(TEXT, 40, 43, "Ana")
    assert not quote_matches(TEXT, 41, 44, "Ana")
    assert not quote_matches(TEXT, 200, 203, "Ana")
