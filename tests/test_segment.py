from reader.core.segment import Segments, paragraph_spans, sentence_spans, word_spans


def texts(text, spans):
    return [text[start:end] for start, end in spans]


def test_sentences_respect_abbreviations_initials_and_quotes():
    text = "Mr. Okafor met Dr. J. Smith in the U.S. on Sept. 15. “It went well,” he said! Was it? Yes…"
    assert texts(text, sentence_spans(text)) == [
        "Mr. Okafor met Dr. J. Smith in the U.S. on Sept. 15.",
        "“It went well,” he said!",
        "Was it?",
        "Yes…",
    ]


def test_line_breaks_end_sentences_so_headlines_and_datelines_stand_alone():
    text = "Home | World | Business\nPort strike spreads\n\nROTTERDAM — Dockers walked out. Talks failed."
    assert texts(text, sentence_spans(text)) == [
        "Home | World | Business",
        "Port strike spreads",
        "ROTTERDAM — Dockers walked out.",
        "Talks failed.",
    ]


def test_one_line_article_still_splits_into_sentences():
    text = "The fund approved the loan. Markets rose sharply. The peso gained 2%. Analysts were cautious."
    assert len(sentence_spans(text)) == 4
    assert paragraph_spans(text) == [(0, len(text))]


def test_paragraphs_are_separated_by_blank_lines():
    text = "First para line one.\nline two.\n\n  \nSecond para.\n\n\nThird."
    assert texts(text, paragraph_spans(text)) == ["First para line one.\nline two.", "Second para.", "Third."]


def test_words_include_non_ascii_and_hyphenated_names():
    text = "José Müller-Ortíz met Łukasz [Photo] O’Brien."
    assert texts(text, word_spans(text)) == ["José", "Müller-Ortíz", "met", "Łukasz", "[", "Photo", "]", "O’Brien", "."]


def test_lookups_by_offset():
    text = "One two. Three four.\n\nFive six."
    segments = Segments.of(text)
    assert Segments.containing(segments.sentences, 10) == (9, 20)
    assert Segments.containing(segments.sentences, 8) == (9, 20)  # in the gap: the next one
    assert Segments.next_start(segments.sentences, 0) == 9
    assert Segments.previous_start(segments.sentences, 9) == 0
    assert Segments.next_start(segments.paragraphs, 3) == 22
    assert Segments.next_start(segments.paragraphs, 25) is None
    assert Segments.previous_start(segments.words, 0) is None


def test_empty_text_has_no_segments():
    segments = Segments.of("")
    assert segments.sentences == [] and segments.paragraphs == [] and segments.words == []
    assert Segments.containing(segments.sentences, 0) is None


def test_sentence_at_is_strict_about_blank_lines_but_forgives_trailing_spaces():
    text = "One two.  Three.\n\nFour."
    segments = Segments.of(text)
    assert segments.sentence_at(3) == (0, 8)
    assert segments.sentence_at(8) == (0, 8)  # the spaces after "two."
    assert segments.sentence_at(10) == (10, 16)
    assert segments.sentence_at(16) == (10, 16)  # the line break right after it
    assert segments.sentence_at(17) is None  # the blank line
    assert segments.sentence_at(18) == (18, 23)
    assert Segments.of("  x.").sentence_at(0) is None
