"""Agreement measures checked against cases worked out by hand (arithmetic in the comments), a textbook
kappa and a textbook alpha, edge cases, and property tests against naive per-character versions."""

from __future__ import annotations

import re
import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.agreement import (
    UNTAGGED,
    BinaryTable,
    Unit,
    _overlap_matching,
    agreement_table,
    cohens_kappa,
    disagreements,
    group_by_annotator,
    krippendorff_alpha,
    span_agreement,
    units_from_annotations,
)
from reader.core.model import Annotation


def units(annotator, *spans, article=1):
    """units("A", (0, 4, "X"), ...) -> Units of one annotator on one article."""
    return [Unit(article, start, end, tag, annotator) for start, end, tag in spans]


# --------------------------------------------------------------------------------------------------
# Cohen's kappa, by hand


def test_kappa_on_ten_characters_with_overlapping_spans():
    # Text of 10 characters. A tags [0,4) = {0,1,2,3}; B tags [2,6) = {2,3,4,5}.
    #   both    = {2,3}        = 2      only_a = {0,1} = 2
    #   only_b  = {4,5}        = 2      neither = {6,7,8,9} = 4
    # p_o = (2 + 4) / 10 = 0.6
    # p_A(yes) = 4/10 = 0.4, p_B(yes) = 4/10 = 0.4
    # p_e = 0.4 * 0.4 + 0.6 * 0.6 = 0.16 + 0.36 = 0.52
    # kappa = (0.6 - 0.52) / (1 - 0.52) = 0.08 / 0.48 = 1/6
    a, b = units("A", (0, 4, "X")), units("B", (2, 6, "X"))
    table = agreement_table(a, b, {1: 10}, tag="X")
    assert table == BinaryTable(both=2, only_a=2, only_b=2, neither=4)
    assert table.observed == pytest.approx(0.6)
    assert table.expected == pytest.approx(0.52)
    assert cohens_kappa(a, b, {1: 10}, tag="X") == pytest.approx(1 / 6)
    # With one tag in play, tag=None gives the same items.
    assert cohens_kappa(a, b, {1: 10}) == pytest.approx(1 / 6)


def test_kappa_textbook_example():
    # Wikipedia, "Cohen's kappa", grant proposals: 50 items, both yes 20, A yes B no 5,
    # A no B yes 10, both no 15. p_o = 35/50 = 0.7; p_A(yes) = 25/50 = 0.5, p_B(yes) = 30/50 = 0.6;
    # p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    assert BinaryTable(20, 5, 10, 15).kappa == pytest.approx(0.4)
    # The same table laid out on a 50-character article:
    #   A tags [0,25) (20 shared + 5 alone); B tags [0,20) and [25,35) (10 alone); [35,50) nobody.
    a = units("A", (0, 25, "yes"))
    b = units("B", (0, 20, "yes"), (25, 35, "yes"))
    assert agreement_table(a, b, {1: 50}, tag="yes") == BinaryTable(20, 5, 10, 15)
    assert cohens_kappa(a, b, {1: 50}, tag="yes") == pytest.approx(0.4)


def test_kappa_over_all_tags_pools_char_tag_pairs():
    # 10 characters, two tags => 20 binary (character, tag) items.
    # X: A [0,4), B [2,6)  -> both 2, only_a 2, only_b 2, neither 4 (as above)
    # Y: A [6,8), B [6,8)  -> both 2, only_a 0, only_b 0, neither 8
    # pooled: both 4, only_a 2, only_b 2, neither 12
    # p_o = 16/20 = 0.8; p_A(yes) = 6/20 = 0.3 = p_B(yes); p_e = 0.09 + 0.49 = 0.58
    # kappa = (0.8 - 0.58) / 0.42 = 0.22 / 0.42 = 11/21
    a = units("A", (0, 4, "X"), (6, 8, "Y"))
    b = units("B", (2, 6, "X"), (6, 8, "Y"))
    assert agreement_table(a, b, {1: 10}) == BinaryTable(4, 2, 2, 12)
    assert cohens_kappa(a, b, {1: 10}) == pytest.approx(11 / 21)
    assert cohens_kappa(a, b, {1: 10}, tag="Y") == pytest.approx(1.0)


def test_every_article_in_texts_is_part_of_the_population():
    # Same spans as the first test, plus a 5-character article nobody tagged: 5 more "neither".
    # table 2, 2, 2, 9; N = 15; p_o = 11/15; p_A(yes) = p_B(yes) = 4/15
    # p_e = (16 + 121) / 225 = 137/225; kappa = (165 - 137) / (225 - 137) = 28/88 = 7/22
    a, b = units("A", (0, 4, "X")), units("B", (2, 6, "X"))
    assert cohens_kappa(a, b, {1: 10, 2: 5}, tag="X") == pytest.approx(7 / 22)


def test_an_annotators_own_overlapping_spans_are_merged_for_characters():
    # A tags [0,4) and [2,6) with X: characters {0..5}, 6 of them, not 8. B tags [0,6).
    a = units("A", (0, 4, "X"), (2, 6, "X"))
    b = units("B", (0, 6, "X"))
    assert agreement_table(a, b, {1: 10}) == BinaryTable(6, 0, 0, 4)
    assert cohens_kappa(a, b, {1: 10}) == 1.0


def test_token_level_kappa():
    text = "The cat sat on the mat"
    # tokens: The [0,3) cat [4,7) sat [8,11) on [12,14) the [15,18) mat [19,22): 6 tokens
    # A tags [0,7) "The cat" -> tokens The, cat
    # B tags [5,11) "at sat" -> tokens cat (via "at"), sat; and [3,4), a lone space -> no token
    # both = {cat} 1, only_a = {The} 1, only_b = {sat} 1, neither = {on, the, mat} 3
    # p_o = 4/6 = 2/3; p_A(yes) = p_B(yes) = 2/6 = 1/3; p_e = 1/9 + 4/9 = 5/9
    # kappa = (2/3 - 5/9) / (1 - 5/9) = (1/9) / (4/9) = 1/4
    a = units("A", (0, 7, "X"))
    b = units("B", (5, 11, "X"), (3, 4, "X"))
    assert agreement_table(a, b, {1: text}, level="token") == BinaryTable(1, 1, 1, 3)
    assert cohens_kappa(a, b, {1: text}, level="token") == pytest.approx(0.25)
    # At character level the same spans give: A {0..6}, B {3,5..10}; both {3,5,6} = 3, only_a 4, only_b 4,
    # neither 22 - 11 = 11. The text works in place of its length.
    assert agreement_table(a, b, {1: text}) == BinaryTable(3, 4, 4, 11)
    assert agreement_table(a, b, {1: text}) == agreement_table(a, b, {1: len(text)})


def test_systematic_disagreement_gives_negative_kappa():
    # A tags [0,5), B tags [5,10): both 0, only_a 5, only_b 5, neither 0.
    # p_o = 0; p_e = 0.5*0.5 + 0.5*0.5 = 0.5; kappa = (0 - 0.5) / 0.5 = -1
    a, b = units("A", (0, 5, "X")), units("B", (5, 10, "X"))
    assert cohens_kappa(a, b, {1: 10}) == pytest.approx(-1.0)


def test_perfect_agreement_is_one():
    a, b = units("A", (2, 5, "X"), (7, 9, "Y")), units("B", (2, 5, "X"), (7, 9, "Y"))
    assert cohens_kappa(a, b, {1: 10}) == 1.0
    assert cohens_kappa(a, b, {1: "a b c d e "}, level="token") == 1.0
    assert krippendorff_alpha({"A": a, "B": b}, {1: 10}) == 1.0
    result = span_agreement(a, b)
    assert (result.overall.precision, result.overall.recall, result.overall.f1) == (1.0, 1.0, 1.0)
    assert disagreements(a, b) == []


def test_one_annotator_empty():
    # A tags [0,4) of 10, B nothing: both 0, only_a 4, only_b 0, neither 6.
    # p_o = 0.6; p_e = 0.4*0 + 0.6*1 = 0.6; kappa = 0 / 0.4 = 0
    a = units("A", (0, 4, "X"))
    assert agreement_table(a, [], {1: 10}) == BinaryTable(0, 4, 0, 6)
    assert cohens_kappa(a, [], {1: 10}) == 0.0
    # alpha: n = 20 values, n_1 = 4, n_0 = 16, 4 items split 1/1 -> o_01 = 4
    # alpha = 1 - 19 * 4 / (16 * 4) = 1 - 76/64 = -0.1875
    assert krippendorff_alpha({"A": a, "B": []}, {1: 10}) == pytest.approx(-0.1875)
    # span scores: B has no spans -> precision undefined; recall 0/1; F1 = 0 / (1 + 0) = 0
    scores = span_agreement(a, []).overall
    assert (scores.precision, scores.recall, scores.f1) == (None, 0.0, 0.0)
    [only] = disagreements(a, [])
    assert (only.kind, only.sides, only.start, only.end) == ("only_a", "a", 0, 4)


def test_undefined_results_are_none_not_errors():
    # Nobody tagged anything: with tag=None there are no tags, so no items; with tag="X" every item is
    # "not tagged" for both, p_e = 1 and kappa is 0/0. Both are None.
    assert cohens_kappa([], [], {1: 10}) is None
    assert cohens_kappa([], [], {1: 10}, tag="X") is None
    assert cohens_kappa([], [], {}) is None
    assert cohens_kappa([], [], {1: "some words"}, level="token") is None
    assert agreement_table([], [], {}).observed is None
    assert agreement_table([], [], {}).expected is None
    assert krippendorff_alpha({"A": [], "B": [], "C": []}, {1: 10}) is None
    assert krippendorff_alpha({"A": [], "B": []}, {}) is None
    # Both tagged every character: p_e = 1 again.
    everything = units("A", (0, 10, "X"))
    assert cohens_kappa(everything, everything, {1: 10}) is None
    assert krippendorff_alpha({"A": everything, "B": everything}, {1: 10}) is None
    # Span scores with no spans at all.
    empty = span_agreement([], [])
    assert empty.by_tag == {}
    assert (empty.overall.precision, empty.overall.recall, empty.overall.f1) == (None, None, None)
    assert empty.macro_f1 is None
    assert span_agreement([], [], tag="X").by_tag["X"].f1 is None
    assert disagreements([], []) == []


def test_bad_input_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="start < end"):
        Unit(1, 5, 5, "X")
    with pytest.raises(ValueError, match="start < end"):
        Unit(1, -1, 3, "X")
    with pytest.raises(ValueError, match="past the end"):
        cohens_kappa(units("A", (0, 11, "X")), [], {1: 10})
    with pytest.raises(ValueError, match="not in texts"):
        cohens_kappa(units("A", (0, 4, "X"), article=2), [], {1: 10})
    with pytest.raises(TypeError, match="texts"):
        cohens_kappa([], [], {1: 10}, level="token")
    with pytest.raises(ValueError, match="level"):
        cohens_kappa([], [], {1: 10}, level="word")
    with pytest.raises(ValueError, match="at least two"):
        krippendorff_alpha({"A": []}, {1: 10})
    with pytest.raises(ValueError, match="match"):
        span_agreement([], [], match="fuzzy")
    with pytest.raises(ValueError, match="match"):
        disagreements([], [], match="fuzzy")


# --------------------------------------------------------------------------------------------------
# Krippendorff's alpha, by hand


def test_alpha_textbook_binary_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", binary data, 2 observers, 10 units:
    #   A: 0 1 0 0 0 0 0 0 1 0
    #   B: 1 1 1 0 0 1 0 0 0 0
    # n = 20 values, n_1 = 2 + 4 = 6, n_0 = 14; units split 0/1: 1st, 3rd, 6th, 9th -> o_01 = 4
    # alpha = 1 - (n - 1) * o_01 / (n_0 * n_1) = 1 - 19 * 4 / (14 * 6) = 1 - 76/84 = 8/84 = 0.095
    a = units("A", (1, 2, "X"), (8, 9, "X"))
    b = units("B", (0, 3, "X"), (5, 6, "X"))
    alpha = krippendorff_alpha({"A": a, "B": b}, {1: 10})
    assert alpha == pytest.approx(8 / 84)
    assert round(alpha, 3) == 0.095  # the value printed in the paper


def test_alpha_three_coders_on_a_twelve_character_continuum():
    # C1 tags [0,6), C2 tags [2,8), C3 tags [4,10); 12 characters.
    #   chars 0,1: 1 coder    2,3: 2 coders    4,5: 3 coders    6,7: 2 coders    8,9: 1 coder   10,11: 0
    # m = 3. Per character, m_u0 * m_u1: 1 coder -> 2*1 = 2; 2 coders -> 1*2 = 2; 3 or 0 coders -> 0.
    # sum = 2*2 + 2*2 + 0 + 2*2 + 2*2 = 16; o_01 = 16 / (m - 1) = 8
    # n = 3 * 12 = 36, n_1 = 6 + 6 + 6 = 18, n_0 = 18
    # alpha = 1 - 35 * 8 / (18 * 18) = 1 - 280/324 = 44/324 = 11/81
    coders = {
        "C1": units("C1", (0, 6, "X")),
        "C2": units("C2", (2, 8, "X")),
        "C3": units("C3", (4, 10, "X")),
    }
    assert krippendorff_alpha(coders, {1: 12}, tag="X") == pytest.approx(11 / 81)
    # The order of coders does not matter; a tag nobody used has no "tagged" values: undefined.
    assert krippendorff_alpha(dict(reversed(coders.items())), {1: 12}, tag="X") == pytest.approx(11 / 81)
    assert krippendorff_alpha(coders, {1: 12}, tag="Y") is None


def test_alpha_and_kappa_for_two_coders():
    # Relation: alpha = 1 - D_o / D_e with D_o = 2*o_01 / n and D_e = 2*n_0*n_1 / (n*(n-1)), i.e. the
    # expected disagreement comes from the pooled values of both coders (like Scott's pi), where kappa
    # uses each coder's own marginals. So 1 - alpha = (2N-1)/(2N) * (1 - pi), and pi = kappa when both
    # coders tagged the same number of characters.
    #
    # Equal marginals, A [0,4), B [2,6) on 10 chars: kappa = 1/6 (first test); pooled p(yes) = 8/20 = 0.4
    # gives the same p_e = 0.52, so pi = 1/6.
    # alpha: n = 20, n_1 = 8, n_0 = 12, o_01 = 4 (chars 0,1,4,5) -> 1 - 19*4/96 = 20/96 = 5/24
    # and 1 - 19/20 * (1 - 1/6) = 1 - 95/120 = 5/24. Close to kappa (0.2083 vs 0.1667).
    a, b = units("A", (0, 4, "X")), units("B", (2, 6, "X"))
    assert krippendorff_alpha({"A": a, "B": b}, {1: 10}) == pytest.approx(5 / 24)
    kappa = cohens_kappa(a, b, {1: 10})
    assert 1 - krippendorff_alpha({"A": a, "B": b}, {1: 10}) == pytest.approx(19 / 20 * (1 - kappa))
    # Unequal marginals, A [0,4), B [2,8): both 2, only_a 2, only_b 4, neither 2.
    #   kappa: p_o = 0.4, p_e = 0.4*0.6 + 0.6*0.4 = 0.48 -> (0.4 - 0.48) / 0.52 = -2/13
    #   pi: pooled p(yes) = 10/20 = 0.5, p_e = 0.5 -> (0.4 - 0.5) / 0.5 = -0.2
    #   alpha: D_o = 2*6/20 = 0.6, D_e = 2*10*10/(20*19) = 10/19 -> 1 - 0.6*19/10 = -0.14
    #          = 1 - 19/20 * (1 + 0.2) = -0.14
    b = units("B", (2, 8, "X"))
    assert cohens_kappa(a, b, {1: 10}) == pytest.approx(-2 / 13)
    assert krippendorff_alpha({"A": a, "B": b}, {1: 10}) == pytest.approx(-0.14)
    # Systematic disagreement, A [0,5), B [5,10): n_1 = n_0 = 10, o_01 = 10 -> 1 - 19*10/100 = -0.9
    a, b = units("A", (0, 5, "X")), units("B", (5, 10, "X"))
    assert krippendorff_alpha({"A": a, "B": b}, {1: 10}) == pytest.approx(-0.9)


def test_alpha_token_level_three_coders():
    text = "one two three four"
    # tokens: one [0,3) two [4,7) three [8,13) four [14,18): 4 tokens
    # C1 "one two" -> tokens 0,1; C2 "ne tw" [1,6) -> tokens 0,1; C3 "four" -> token 3
    # token 0: 2 coders, token 1: 2 coders, token 2: 0, token 3: 1 coder; m_u0*m_u1 = 2, 2, 0, 2 -> 6
    # o_01 = 6/2 = 3; n = 12, n_1 = 2 + 2 + 1 = 5, n_0 = 7
    # alpha = 1 - 11 * 3 / (7 * 5) = 1 - 33/35 = 2/35
    coders = {
        "C1": units("C1", (0, 7, "X")),
        "C2": units("C2", (1, 6, "X")),
        "C3": units("C3", (14, 18, "X")),
    }
    assert krippendorff_alpha(coders, {1: text}, level="token") == pytest.approx(2 / 35)


# --------------------------------------------------------------------------------------------------
# Span agreement and disagreements, by hand


def test_span_agreement_exact_and_overlap():
    # A: X [0,4), X [10,20), Y [30,40)         B: X [0,4), X [10,18), X [30,40)
    # exact:   X: A 2, B 3, matched 1 ([0,4)) -> P 1/3, R 1/2, F1 = 2*1/(2+3) = 0.4
    #          Y: A 1, B 0, matched 0         -> P None, R 0, F1 0
    #          overall (counts summed): A 3, B 3, matched 1 -> P = R = F1 = 1/3; macro F1 = (0.4 + 0)/2
    # overlap: X: [0,4)~[0,4), [10,20)~[10,18) -> matched 2 -> P 2/3, R 1, F1 = 4/5
    #          B's X [30,40) lies on A's Y [30,40): different tag, no match.
    #          overall: A 3, B 3, matched 2 -> 2/3
    a = units("A", (0, 4, "X"), (10, 20, "X"), (30, 40, "Y"))
    b = units("B", (0, 4, "X"), (10, 18, "X"), (30, 40, "X"))
    exact = span_agreement(a, b, "exact")
    x = exact.by_tag["X"]
    assert (x.reference, x.candidate, x.matched) == (2, 3, 1)
    assert (x.precision, x.recall, x.f1) == (pytest.approx(1 / 3), 0.5, pytest.approx(0.4))
    y = exact.by_tag["Y"]
    assert (y.precision, y.recall, y.f1) == (None, 0.0, 0.0)
    assert exact.overall.f1 == pytest.approx(1 / 3)
    assert exact.macro_f1 == pytest.approx(0.2)
    overlap = span_agreement(a, b, "overlap")
    assert overlap.by_tag["X"].f1 == pytest.approx(0.8)
    assert (overlap.overall.precision, overlap.overall.recall) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    # F1 is symmetric; precision and recall swap.
    swapped = span_agreement(b, a, "overlap").overall
    assert swapped.f1 == overlap.overall.f1
    assert (swapped.precision, swapped.recall) == (overlap.overall.recall, overlap.overall.precision)
    # One tag only.
    assert list(span_agreement(a, b, "overlap", tag="X").by_tag) == ["X"]
    assert span_agreement(a, b, "overlap", tag="X").overall.f1 == pytest.approx(0.8)


def test_one_long_span_matches_only_one_short_span():
    # A: [0,100). B: [0,10), [20,30), [40,50), all inside it. One-to-one: 1 pair.
    # P = 1/3, R = 1/1, F1 = 2*1/(1+3) = 0.5
    a = units("A", (0, 100, "X"))
    b = units("B", (0, 10, "X"), (20, 30, "X"), (40, 50, "X"))
    scores = span_agreement(a, b, "overlap").overall
    assert (scores.matched, scores.precision, scores.recall, scores.f1) == (1, pytest.approx(1 / 3), 1.0, 0.5)


def test_overlap_matching_is_maximum_not_first_come():
    # A1 [0,10), A2 [8,12); B1 [0,10), B2 [2,3).
    # Pairing A1 with its identical twin B1 leaves A2 (overlaps only B1) and B2 (overlaps only A1) alone:
    # 1 pair. The maximum is 2: A1~B2, A2~B1.
    assert sorted(_overlap_matching([(0, 10), (8, 12)], [(0, 10), (2, 3)])) == [(0, 1), (1, 0)]
    a = units("A", (0, 10, "X"), (8, 12, "X"))
    b = units("B", (0, 10, "X"), (2, 3, "X"))
    assert span_agreement(a, b, "overlap").overall.matched == 2


def test_spans_pair_only_within_one_article_and_duplicates_count_once():
    a = units("A", (0, 4, "X"), (0, 4, "X"), article=1)  # the same span tagged twice: one span
    b = units("B", (0, 4, "X"), article=2)
    scores = span_agreement(a, b, "overlap").overall
    assert (scores.reference, scores.candidate, scores.matched) == (1, 1, 0)


def test_disagreements_list_each_passage_once_in_reading_order():
    # Article 1:  A: X [0,4), X [10,20), Y [30,40), X [50,55)
    #             B: X [0,4), X [12,20), Z [32,38), X [60,65)
    # Article 2:  B: Y [5,9)
    # exact:   [0,4) agreed; X [10,20) vs X [12,20) -> boundary [10,20); Y vs Z overlap -> tag [30,40);
    #          [50,55) only A; [60,65) only B; article 2 [5,9) only B.
    a = units("A", (0, 4, "X"), (10, 20, "X"), (30, 40, "Y"), (50, 55, "X"))
    b = units("B", (0, 4, "X"), (12, 20, "X"), (32, 38, "Z"), (60, 65, "X")) + units("B", (5, 9, "Y"), article=2)
    found = disagreements(a, b, "exact")
    assert [(d.article, d.start, d.end, d.kind, d.sides) for d in found] == [
        (1, 10, 20, "boundary", "both"),
        (1, 30, 40, "tag", "both"),
        (1, 50, 55, "only_a", "a"),
        (1, 60, 65, "only_b", "b"),
        (2, 5, 9, "only_b", "b"),
    ]
    tag_pair = found[1]
    assert (tag_pair.a.tag, tag_pair.b.tag, tag_pair.a.annotator, tag_pair.b.annotator) == ("Y", "Z", "A", "B")
    # overlap: the boundary pair counts as agreement and is not listed.
    assert [d.kind for d in disagreements(a, b, "overlap")] == ["tag", "only_a", "only_b", "only_b"]
    # one tag: Y only -> A's Y [30,40) alone (B's Z is not looked at), B's Y in article 2 alone.
    assert [(d.article, d.kind) for d in disagreements(a, b, tag="Y")] == [(1, "only_a"), (2, "only_b")]


def test_disagreements_sort_integer_ids_numerically_then_other_keys():
    a = units("A", (0, 1, "X"), article=10) + units("A", (0, 1, "X"), article=9)
    b = units("B", (0, 1, "X"), article="notes.txt")
    assert [d.article for d in disagreements(a, b)] == [9, 10, "notes.txt"]


# --------------------------------------------------------------------------------------------------
# From the store's annotations


def test_units_from_annotations_one_per_tag():
    def annotation(article_id, start, end, annotator, tags):
        return Annotation("id", article_id, start, end, "q", "", "", None, annotator, "t", "t", tags)

    found = units_from_annotations(
        [annotation(1, 0, 4, "alice", ("conflict", "cooperation")), annotation(2, 3, 9, "bob", ())]
    )
    assert found == [
        Unit(1, 0, 4, "conflict", "alice"),
        Unit(1, 0, 4, "cooperation", "alice"),
        Unit(2, 3, 9, UNTAGGED, "bob"),
    ]
    assert {name: len(group) for name, group in group_by_annotator(found).items()} == {"alice": 2, "bob": 1}


# --------------------------------------------------------------------------------------------------
# Properties: the interval arithmetic agrees with naive per-character versions


def naive_labels(coder_units, length, tag):
    labels = [0] * length
    for unit in coder_units:
        if unit.tag == tag:
            for position in range(unit.start, unit.end):
                labels[position] = 1
    return labels


def naive_alpha(coders, length, tags):
    """Nominal alpha from the full coincidence matrix, item by item (Krippendorff's definition)."""
    m = len(coders)
    coincidence = {(c, k): Fraction(0) for c in (0, 1) for k in (0, 1)}
    for tag in tags:
        columns = [naive_labels(coder, length, tag) for coder in coders]
        for position in range(length):
            values = [column[position] for column in columns]
            for i in range(m):
                for j in range(m):
                    if i != j:
                        coincidence[values[i], values[j]] += Fraction(1, m - 1)
    n_c = {c: coincidence[c, 0] + coincidence[c, 1] for c in (0, 1)}
    n = n_c[0] + n_c[1]
    expected = 2 * n_c[0] * n_c[1]
    if expected == 0:
        return None
    return float(1 - (n - 1) * (coincidence[0, 1] + coincidence[1, 0]) / expected)


LENGTH = 30
TAGS = ("X", "Y")


@st.composite
def random_units(draw, annotator):
    spans = draw(
        st.lists(
            st.tuples(st.integers(0, LENGTH - 1), st.integers(1, 8), st.sampled_from(TAGS)), max_size=6
        )
    )
    return [Unit(1, start, min(LENGTH, start + size), tag, annotator) for start, size, tag in spans]


@settings(max_examples=200, deadline=None)
@given(random_units("A"), random_units("B"))
def test_kappa_table_equals_counting_characters(a, b):
    for tag in TAGS:
        column_a, column_b = naive_labels(a, LENGTH, tag), naive_labels(b, LENGTH, tag)
        pairs = list(zip(column_a, column_b))
        expected = BinaryTable(pairs.count((1, 1)), pairs.count((1, 0)), pairs.count((0, 1)), pairs.count((0, 0)))
        assert agreement_table(a, b, {1: LENGTH}, tag=tag) == expected


@settings(max_examples=200, deadline=None)
@given(random_units("A"), random_units("B"), random_units("C"))
def test_alpha_equals_the_coincidence_matrix_definition(a, b, c):
    used = sorted({unit.tag for unit in a + b + c})
    assert krippendorff_alpha({"A": a, "B": b, "C": c}, {1: LENGTH}) == pytest.approx(
        naive_alpha([a, b, c], LENGTH, used)
    )
    for tag in TAGS:
        assert krippendorff_alpha({"A": a, "B": b}, {1: LENGTH}, tag=tag) == pytest.approx(
            naive_alpha([a, b], LENGTH, [tag])
        )


@settings(max_examples=100, deadline=None)
@given(random_units("A"), random_units("B"), st.text(alphabet="ab \n\u00a0\u2003\x1c", min_size=LENGTH, max_size=LENGTH))
def test_token_table_equals_counting_tokens(a, b, text):
    tokens = [match.span() for match in re.finditer(r"\S+", text)]
    for tag in TAGS:
        column_a, column_b = naive_labels(a, LENGTH, tag), naive_labels(b, LENGTH, tag)
        pairs = [(max(column_a[s:e]), max(column_b[s:e])) for s, e in tokens]
        expected = BinaryTable(pairs.count((1, 1)), pairs.count((1, 0)), pairs.count((0, 1)), pairs.count((0, 0)))
        assert agreement_table(a, b, {1: text}, tag=tag, level="token") == expected


def maximum_matching_size(a_spans, b_spans):
    """Kuhn's augmenting paths: the reference maximum matching for the overlap graph."""
    partner_of_b: dict[int, int] = {}

    def augment(i, seen):
        for j, (start, end) in enumerate(b_spans):
            if a_spans[i][0] < end and start < a_spans[i][1] and j not in seen:
                seen.add(j)
                if j not in partner_of_b or augment(partner_of_b[j], seen):
                    partner_of_b[j] = i
                    return True
        return False

    return sum(augment(i, set()) for i in range(len(a_spans)))


spans_strategy = st.lists(
    st.tuples(st.integers(0, 20), st.integers(1, 6)).map(lambda s: (s[0], s[0] + s[1])), max_size=7
)


@settings(max_examples=300, deadline=None)
@given(spans_strategy, spans_strategy)
def test_overlap_matching_is_a_maximum_one_to_one_matching(a_spans, b_spans):
    pairs = _overlap_matching(a_spans, b_spans)
    assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})
    for i, j in pairs:
        assert a_spans[i][0] < b_spans[j][1] and b_spans[j][0] < a_spans[i][1]
    assert len(pairs) == maximum_matching_size(a_spans, b_spans)


@settings(max_examples=200, deadline=None)
@given(random_units("A"), random_units("B"), st.sampled_from(["exact", "overlap"]))
def test_every_unmatched_span_is_in_exactly_one_disagreement(a, b, match):
    scores = span_agreement(a, b, match).overall
    found = disagreements(a, b, match)
    a_side = [d.a for d in found if d.a is not None]
    b_side = [d.b for d in found if d.b is not None]
    assert len(a_side) == len(set(a_side)) == scores.reference - scores.matched
    assert len(b_side) == len(set(b_side)) == scores.candidate - scores.matched
    assert found == sorted(found, key=lambda d: (d.start, d.end, d.kind))


@settings(max_examples=100, deadline=None)
@given(random_units("A"), random_units("B"), st.randoms(use_true_random=False))
def test_disagreements_do_not_depend_on_input_order(a, b, rng):
    shuffled_a, shuffled_b = a[:], b[:]
    rng.shuffle(shuffled_a)
    rng.shuffle(shuffled_b)
    for match in ("exact", "overlap"):
        assert disagreements(shuffled_a, shuffled_b, match) == disagreements(a, b, match)


def test_module_stays_pure():
    # No Textual, no database: importing it pulls in neither.
    code = "import sys, reader.core.agreement; print(sorted({'textual', 'sqlite_utils', 'sqlite3'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
