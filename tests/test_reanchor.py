"""Re-anchoring annotations on a re-scraped text (reader.core.anchoring.reanchor)."""

from reader.core.anchoring import Anchored, Selector, reanchor, reanchor_all

P1 = ("HARBOURTON, May 4 (Coastline) \u2014 The port authority in Harbourton voted on Thursday to delay "
      "the dredging of the northern channel until the autumn, citing the cost of fuel.")
P2 = ("The harbour master, Ines Okafor, told reporters the channel was silting up faster than "
      "expected. \u201cWe cannot wait for another winter,\u201d she said.")
P3 = ("Fishermen who moor in the northern basin said the delay would cost them a season. "
      "Several boats already scrape the bottom at low tide, according to the fishermen's guild.")
P4 = ("The authority said it would publish a revised budget in June. A spokesman for the city "
      "council said the mayor would meet the guild next week.")
P5 = ("Shipping lines have asked for a temporary pilot service while the work is postponed. "
      "The authority said it would study the request.")
OLD = "\n\n".join([P1, P2, P3, P4, P5]) + "\n"


def sel(text: str, passage: str, occurrence: int = 0) -> Selector:
    """The selector of the `occurrence`-th occurrence of `passage` in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(passage, start + 1)
    return Selector.at(text, start, start + len(passage))


def placed(new: str, result: Anchored) -> str:
    assert result.start is not None and result.end is not None
    return new[result.start : result.end]


def test_unchanged_text_is_exact_with_full_score():
    quote = "the channel was silting up faster than expected."
    selector = sel(OLD, quote)
    result = reanchor(OLD, selector, len(OLD))
    assert result == Anchored("exact", selector.start, selector.end, 1.0)


def test_insertion_before_the_quote_moves_it_by_the_inserted_length():
    quote = "Several boats already scrape the bottom at low tide"
    selector = sel(OLD, quote)
    inserted = "Updated at 14:05 with comment from the guild.\n\n"
    new = inserted + OLD
    result = reanchor(new, selector, len(OLD))
    assert result.status == "moved"
    assert (result.start, result.end) == (selector.start + len(inserted), selector.end + len(inserted))
    assert result.score > 0.99


def test_a_quote_occurring_twice_goes_where_prefix_and_suffix_agree():
    # "The authority said it would" opens P4 and is the second sentence of P5; annotate P5's
    quote = "The authority said it would"
    selector = sel(OLD, quote, occurrence=1)
    assert selector.start == OLD.index(P5) + P5.index(quote)
    # a paragraph inserted above P4 shifts both, so that P4's copy is now the nearer one to the
    # stored offset; the context still picks P5's
    inserted = ("The guild's chair, Tomas Berg, said members had written to the authority twice since "
                "March without a reply, and would vote on a protest next week.\n\n")
    new = OLD.replace(P4, inserted + P4)
    first = new.index(quote)
    second = new.index(quote, first + 1)
    assert abs(first - selector.start) < abs(second - selector.start)
    result = reanchor(new, selector, len(OLD))
    assert result.status == "moved" and (result.start, result.end) == (second, second + len(quote))
    assert result.score > 0.99
    # and the P4 one stays with P4
    selector = sel(OLD, quote, occurrence=0)
    result = reanchor(new, selector, len(OLD))
    assert result.status == "moved" and (result.start, result.end) == (first, first + len(quote))


def test_an_edit_inside_the_quote_is_a_fuzzy_match_on_the_edited_passage():
    quote = "delay the dredging of the northern channel until the autumn"
    selector = sel(OLD, quote)
    new = OLD.replace("northern channel until the autumn", "north channel until late autumn")
    result = reanchor(new, selector, len(OLD))
    assert result.status == "fuzzy"
    start = new.index("delay the dredging")
    edited = "delay the dredging of the north channel until late autumn"
    assert (result.start, result.end) == (start, start + len(edited))
    assert 0.85 < result.score < 1.0


def test_a_typo_fix_in_the_first_word_does_not_start_the_span_mid_word():
    quote = "Fishermen who moor in the northern basin"
    old = OLD.replace("Fishermen who moor", "Fishrmen who moor")
    selector = sel(old, "Fishrmen who moor in the northern basin")
    result = reanchor(OLD, selector, len(old))
    assert result.status == "fuzzy"
    assert placed(OLD, result) == quote
    assert result.start == OLD.index(quote)


def test_a_changed_last_word_is_covered_whole():
    selector = sel(OLD, "told reporters the channel was silting")
    new = OLD.replace("silting up", "silted up")
    result = reanchor(new, selector, len(OLD))
    assert result.status == "fuzzy"
    assert placed(new, result) == "told reporters the channel was silted"
    assert result.start == new.index("told reporters")


def test_a_replaced_word_at_the_edge_stays_in_the_span_when_the_context_says_so():
    selector = sel(OLD, "harbour master, Ines Okafor, told reporters")
    new = OLD.replace("The harbour master", "The port master")
    result = reanchor(new, selector, len(OLD))
    assert result.status == "fuzzy"
    assert placed(new, result) == "port master, Ines Okafor, told reporters"
    assert result.start == new.index("port master")


def test_a_number_is_one_word_when_snapping():
    old = "Police said about 1,500 dockers gathered outside the port offices on Friday morning."
    selector = sel(old, "1,500 dockers gathered outside the port offices")
    new = old.replace("1,500", "2,500")
    result = reanchor(new, selector, len(old))
    assert result.status == "fuzzy"
    assert (result.start, result.end) == (new.index("2,500"), new.index(" on Friday"))


def test_an_edited_sentence_is_not_put_on_its_unchanged_twin():
    twin = "The authority said it would study the request."
    old = OLD.replace("The authority said it would publish a revised budget in June.", twin)
    assert old.count(twin) == 2
    selector = sel(old, twin, occurrence=0)  # the copy in P4
    new = old.replace(twin, "The authority said it would study teh request.", 1)
    result = reanchor(new, selector, len(old))
    assert result.status == "fuzzy"
    assert result.start == new.index("The authority said it would study teh request.")
    assert placed(new, result) == "The authority said it would study teh request."
    # the unchanged twin in P5 is exact; its context does not fit P4's annotation
    assert new.index(twin) > result.start


def test_a_quote_still_at_its_offset_is_exact_even_if_a_word_grew_after_it():
    # the rule for "exact" is only that the quote is still there
    selector = sel(OLD, "citing the cost of fuel")
    new = OLD.replace("the cost of fuel", "the cost of fuels")
    result = reanchor(new, selector, len(OLD))
    assert (result.status, result.start, result.end) == ("exact", selector.start, selector.end)
    assert 0.9 < result.score < 1.0  # the suffix no longer agrees from its first character


def test_a_duplicated_paragraph_keeps_the_annotation_on_the_right_copy():
    # by context: the quote opens P3, so its prefix is the end of P2
    quote = "Fishermen who moor in the northern basin"
    selector = sel(OLD, quote)
    new = OLD.replace(P4, P4 + "\n\n" + P3)  # P3 repeated after P4 (a scraper glitch)
    assert new.count(quote) == 2
    result = reanchor(new, selector, len(OLD))
    assert result.status == "exact" and result.start == OLD.index(quote)
    new = OLD.replace(P1, P1 + "\n\n" + P3)  # P3 repeated after P1: the original copy is the second
    first = new.index(quote)
    second = new.index(quote, first + 1)
    result = reanchor(new, selector, len(OLD))
    assert new[second - 30 : second] == OLD[selector.start - 30 : selector.start]
    assert result.status == "moved" and (result.start, result.end) == (second, second + len(quote))
    # by position: a quote in the middle of the paragraph has the same context in both copies;
    # here the copy is put at the very top, so the original (second) copy is the nearer one
    quote = "said the delay would cost them a season"
    selector = sel(OLD, quote)
    new = P3 + "\n\n" + OLD
    first = new.index(quote)
    second = new.index(quote, first + 1)
    assert new[first - 32 : first] == new[second - 32 : second]
    assert abs(second - selector.start) < abs(first - selector.start)
    result = reanchor(new, selector)
    assert result.status == "moved" and (result.start, result.end) == (second, second + len(quote))


def test_annotations_in_a_deleted_paragraph_are_orphans():
    new = OLD.replace(P3 + "\n\n", "")
    selectors = [
        sel(OLD, "Several boats already scrape the bottom at low tide, according to the fishermen's guild."),
        sel(OLD, "said the delay would cost them a season"),
        sel(OLD, "Fishermen who moor"),
    ]
    assert reanchor_all(new, selectors, len(OLD)) == [Anchored("orphan", None, None, 0.0)] * 3


def test_a_look_alike_sentence_elsewhere_does_not_take_a_deleted_annotation():
    # P4's first sentence is deleted; P5's "The authority said it would study the request." is
    # close in wording but not in context: orphan, not fuzzy
    sentence = "The authority said it would publish a revised budget in June."
    selector = sel(OLD, sentence)
    new = OLD.replace(sentence + " ", "")
    result = reanchor(new, selector, len(OLD))
    assert result == Anchored("orphan", None, None, 0.0)


def test_line_rewrapping_and_double_spaces_map_back_to_exact_offsets():
    quote = "The harbour master, Ines Okafor, told reporters the channel was silting up"
    selector = sel(OLD, quote)
    wrapped = ("The harbour master, Ines\nOkafor, told reporters the channel was  silting\nup faster than "
               "expected. \u201cWe cannot wait for another winter,\u201d she said.")
    new = OLD.replace(P2, wrapped)
    result = reanchor(new, selector, len(OLD))
    assert result.status == "fuzzy"
    assert result.score == 1.0
    start = new.index("The harbour master")
    end = new.index("silting\nup") + len("silting\nup")
    assert (result.start, result.end) == (start, end)
    assert placed(new, result) == "The harbour master, Ines\nOkafor, told reporters the channel was  silting\nup"


def test_crlf_versus_lf_both_ways():
    quote = "expected. \u201cWe cannot wait for another winter,\u201d she said.\n\nFishermen who moor"
    selector = sel(OLD, quote)
    crlf = OLD.replace("\n", "\r\n")
    result = reanchor(crlf, selector, len(OLD))
    assert result.status == "fuzzy" and result.score > 0.999
    start = crlf.index("expected. \u201cWe")
    assert placed(crlf, result) == quote.replace("\n", "\r\n")
    assert result.start == start
    # and back: a selector stored on CRLF text, re-anchored on LF text
    selector = sel(crlf, quote.replace("\n", "\r\n"))
    result = reanchor(OLD, selector, len(crlf))
    assert result.status == "fuzzy" and placed(OLD, result) == quote
    assert result.start == OLD.index(quote)
    # a quote without line breaks is found exactly, and moved by the extra CRs before it
    quote = "cost them a season"
    selector = sel(OLD, quote)
    result = reanchor(crlf, selector, len(OLD))
    assert result.status == "moved" and result.start == crlf.index(quote) and result.end == result.start + len(quote)


def test_quotes_at_the_very_start_and_the_very_end():
    first = "HARBOURTON, May 4"
    last = "The authority said it would study the request.\n"
    selectors = [sel(OLD, first), Selector.at(OLD, len(OLD) - len(last), len(OLD))]
    assert selectors[0].prefix == "" and selectors[1].suffix == ""
    assert [r.status for r in reanchor_all(OLD, selectors)] == ["exact", "exact"]
    new = "Updated.\n\n" + OLD.replace("cost of fuel", "price of fuel") + "Reporting by Tomas Berg.\n"
    start, middle = reanchor_all(new, selectors, len(OLD))
    assert start.status == "moved" and placed(new, start) == first and start.start == 10
    assert middle.status == "moved" and middle.start == new.index(last) and placed(new, middle) == last
    # edited at the edges: still anchored, and the span stops at the text's ends
    new = OLD.replace("HARBOURTON, May 4", "HARBORTON, May 4").replace("study the request.", "study the requests.")
    start, end = reanchor_all(new, selectors, len(OLD))
    assert start.status == "fuzzy" and (start.start, start.end) == (0, len("HARBORTON, May 4"))
    assert end.status == "fuzzy" and new[end.start : end.end] == "The authority said it would study the requests.\n"
    assert end.end == len(new)


def test_very_short_quotes_are_placed_only_with_context():
    # a two-character quote "in" that occurs all over the text
    start = OLD.index("in Harbourton")
    selector = Selector.at(OLD, start, start + 2)
    assert selector.quote == "in"
    assert reanchor(OLD, selector).status == "exact"
    new = "Updated.\n\n" + OLD
    result = reanchor(new, selector, len(OLD))
    assert result.status == "moved" and result.start == start + 10 and result.end == start + 12
    # the sentence around it is rewritten: "in" still occurs many times, but nowhere with its context
    new = OLD.replace("The port authority in Harbourton voted on Thursday", "On Thursday the port authority voted")
    assert new.count("in") > 5
    assert reanchor(new, selector, len(OLD)) == Anchored("orphan", None, None, 0.0)
    # a one-character quote whose character changed: never a fuzzy match
    start = OLD.index("4 (Coastline)")
    selector = Selector.at(OLD, start, start + 1)
    new = OLD.replace("May 4 (Coastline)", "May 5 (Coastline)")
    assert reanchor(new, selector, len(OLD)) == Anchored("orphan", None, None, 0.0)
    # a one-character quote whose context survives: exact, and moved with an insertion before it
    new = "Updated.\n\n" + OLD
    result = reanchor(new, selector, len(OLD))
    assert result.status == "moved" and (result.start, result.end) == (start + 10, start + 11)


def test_empty_and_blank_quotes_are_orphans():
    assert reanchor(OLD, Selector.at(OLD, 5, 5)).status == "orphan"
    start = OLD.index("\n\n")
    assert reanchor(OLD, Selector.at(OLD, start, start + 2)).status == "orphan"


def test_old_length_scales_the_expected_position():
    # two identical copies of a paragraph with identical context; the stored offset is in the
    # first half of the old text, which after a long insertion at the top is nearer the first copy
    # unless it is scaled by the new length
    para = "Boats queued at the lock gates for most of the morning."
    old = "Alpha report.\n\n" + para + "\n\nAlpha report.\n\n" + "Filler sentence. " * 20 + "\n"
    selector = sel(old, "queued at the lock gates")
    new = ("Alpha report.\n\n" + para + "\n\nAlpha report.\n\n" + para + "\n\nAlpha report.\n\n"
           + "Filler sentence. " * 20 + "\n")
    # the first copy is still exactly at the stored offset
    assert reanchor(new, selector, len(old)).status == "exact"
    shifted = "Note.\n\n" + new
    first = shifted.index("queued")
    second = shifted.index("queued", first + 1)
    result = reanchor(shifted, selector)  # expected = stored offset: the first copy is nearer
    assert result.status == "moved" and result.start == first
    result = reanchor(shifted, selector, old_length=len(old) // 3)  # as if the text had tripled
    assert result.status == "moved" and result.start == second


def test_reanchor_all_equals_reanchor_one_by_one():
    passages = ["Ines Okafor", "northern channel until the autumn", "a season", "revised budget in June",
                "pilot service", "HARBOURTON"]
    selectors = [sel(OLD, p) for p in passages]
    new = ("Breaking.\n\n" + OLD.replace("revised budget", "revised  budget").replace("a season", "the season")
           .replace(P5, "").replace("northern channel", "north channel"))
    results = reanchor_all(new, selectors, len(OLD))
    assert results == [reanchor(new, s, len(OLD)) for s in selectors]
    assert [r.status for r in results] == ["moved", "fuzzy", "fuzzy", "fuzzy", "orphan", "moved"]
    # "a season" -> "the season": the wholly replaced first word is dropped, not guessed at
    assert placed(new, results[2]) == "season"
    assert placed(new, results[1]) == "north channel until the autumn"
    assert placed(new, results[3]) == "revised  budget in June"
