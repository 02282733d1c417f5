import pytest

from reader.core.textsearch import fold, fts_query, search_hits


def test_fold_keeps_length_and_drops_case_and_accents():
    text = "José MÜLLER-Ortíz İstanbul Øresund ﬁ"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded.startswith("jose muller-ortiz i")


def test_hits_are_whole_words_in_order_without_overlap():
    text = "Müller met Mullerova. MULLER said: müller!"
    hits = search_hits(text, "muller")
    assert [text[s:e] for s, e in hits] == ["Müller", "MULLER", "müller"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("talks geneva", '("talks" AND "geneva")'),
        ('"close to done"', '("close to done")'),
        ("talk*", '("talk"*)'),
        ("talks OR fines", '("talks") OR ("fines")'),
        ("talks -geneva", '("talks" NOT "geneva")'),
        ("talks NOT Geneva", '("talks" NOT "geneva")'),
        ("Müller-Ortíz", '("muller ortiz")'),
        ('"', None),
        ('""', None),
        ("* - ( ...", None),
        ("-geneva", None),
        ('a"b', '("a b")'),
    ],
)
def test_typed_queries_become_safe_fts(typed, expected):
    assert fts_query(typed) == expected


def test_hits_follow_phrases_prefixes_and_exclusions():
    text = "They were close to done. To be sure, talks and talking went on; Geneva waited."
    assert [text[s:e] for s, e in search_hits(text, '"close to done"')] == ["close to done"]
    assert [text[s:e] for s, e in search_hits(text, "talk* -geneva")] == ["talks", "talking"]
    assert search_hits(text, '"') == []


def test_snippet_marks_hits_in_context():
    from reader.core.textsearch import snippet_of

    text = "x" * 100 + " The Port strike spread; port workers joined. " + "y" * 100
    snippet = snippet_of(text, "port", context=30)
    assert snippet == "…" + "x" * 25 + " The \x02Port\x03 strike spread; \x02port\x03 workers j…"
    assert snippet.startswith("…") and snippet.endswith("…")
    assert snippet.count("\x02") == 2 and "\x02Port\x03" in snippet
    assert snippet_of(text, "absent") is None
