from rich.cells import cell_len

from reader.tui.wrap import WrappedText, display_text


def lines(wrapped: WrappedText) -> list[str]:
    return [wrapped.text[s:e] for s, e in zip(wrapped.starts, wrapped.ends)]


def test_wraps_at_word_boundaries_within_width():
    text = "The quick brown fox jumps over the lazy dog and keeps running far away"
    wrapped = WrappedText.wrap(text, 20)
    assert all(cell_len(line.rstrip()) <= 20 for line in lines(wrapped))
    assert "".join(lines(wrapped)) == text
    assert lines(wrapped)[0] == "The quick brown fox "


def test_newlines_and_blank_lines_are_kept_as_lines():
    text = "Title\n\nBody line."
    assert lines(WrappedText.wrap(text, 40)) == ["Title", "", "Body line."]


def test_overlong_words_and_wide_characters_are_cut_to_fit():
    text = "x" * 25 + " 東京都庁舎東京都庁舎"
    wrapped = WrappedText.wrap(text, 10)
    assert all(cell_len(line.rstrip()) <= 10 for line in lines(wrapped))
    assert "".join(lines(wrapped)) == text


def test_offsets_map_to_lines_and_columns_and_back():
    text = "alpha beta gamma delta epsilon"
    wrapped = WrappedText.wrap(text, 12)
    offset = text.index("gamma")
    line = wrapped.line_of(offset)
    assert lines(wrapped)[line].startswith("gamma")
    assert wrapped.column_of(offset + 2) == 2
    assert wrapped.offset_at(line, 2) == offset + 2
    assert wrapped.offset_at(line, 99) == wrapped.ends[line] - 1


def test_display_text_neutralises_controls_and_keeps_length():
    hostile = "a\x1b[31mred\x07\tb\x85c\n"
    shown = display_text(hostile)
    assert len(shown) == len(hostile)
    assert "\x1b" not in shown and "\x07" not in shown and "\x85" not in shown and "\n" not in shown
    assert shown == "a\ufffd[31mred\ufffd b\ufffdc "


def test_fast_wrap_matches_the_cell_by_cell_wrap():
    import random

    from reader.tui.wrap import _wrap_cells, _wrap_line

    random.seed(7)
    words = ["a", "bb", "Müller", "ministry", "x" * 30, "  ", "—", "[Photo]", "end."]
    for _ in range(500):
        line = " ".join(random.choice(words) for _ in range(random.randint(1, 40)))
        if random.random() < 0.2:
            line = "   " + line + "   "
        for width in (5, 12, 40):
            fast_starts, fast_ends, slow_starts, slow_ends = [], [], [], []
            _wrap_line(line, 0, width, fast_starts, fast_ends)
            _wrap_cells(line, 0, width, slow_starts, slow_ends)
            if len(line) > width:
                assert (fast_starts, fast_ends) == (slow_starts, slow_ends), (line, width)
