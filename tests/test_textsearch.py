from reader.core.textsearch import fold, search_hits, search_terms


def test_fold_keeps_length_and_drops_case_and_accents():
    text = "José MÜLLER-Ortíz İstanbul Øresund ﬁ"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded.startswith("jose muller-ortiz i")


def test_hits_are_whole_words_in_order_without_overlap():
    text = "Müller met Mullerova. MULLER said: müller!"
    hits = search_hits(text, "muller")
    assert [text[s:e] for s, e in hits] == ["Müller", "MULLER", "müller"]


def test_several_words_and_punctuation_in_the_query():
    text = "The port strike spread to Antwerp; strikers marched."
    assert [text[s:e] for s, e in search_hits(text, 'strike AND "port"')] == ["port", "strike"]
    assert search_terms("  ") == [] and search_hits(text, "!!") == []
