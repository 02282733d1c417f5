"""`reader agreement`: the numbers against cases computed by hand, the one-line errors, the JSON and CSV shapes."""

import csv
import io
import json
from fractions import Fraction

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.services.agreement import AgreementJob, paused_collection
from reader.core.agreement import cohens_kappa, krippendorff_alpha, units_from_annotations

# The conftest articles: 1 "Talks resume in Geneva" (long), 2 and 3 below.
PORT = "Port strike spreads\n\nDockers walked out. Talks failed."  # 54 characters, 8 tokens
ZEITUNG = "Älteste Zeitung\n\nZoë Nakamura wrote it."  # 39 characters, 6 tokens


def annotate(store, carol: bool = False):
    """alice and bob both annotated articles 2 and 3; alice alone article 1 (left out of the pair).

    article 2  [0,19) "Port strike spreads"   alice conflict      bob conflict        exact match
               [21,40) "Dockers walked out."  alice cooperation
               [21,28) "Dockers"                                  bob cooperation     boundary (overlap match)
               [41,54) "Talks failed."                            bob conflict        only bob
    article 3  [17,20) "Zoë"                  alice conflict
               [17,29) "Zoë Nakamura"                             bob cooperation     tag
    article 1  [0,22)                         alice conflict                          left out
    carol (optional): article 2 [0,19) conflict.
    """
    assert store.articles.get(2).text == PORT and len(PORT) == 54
    assert store.articles.get(3).text == ZEITUNG and len(ZEITUNG) == 39
    for article, start, end, tag, who in [
        (2, 0, 19, "conflict", "alice"), (2, 21, 40, "cooperation", "alice"), (3, 17, 20, "conflict", "alice"),
        (1, 0, 22, "conflict", "alice"),
        (2, 0, 19, "conflict", "bob"), (2, 21, 28, "cooperation", "bob"), (3, 17, 29, "cooperation", "bob"),
        (2, 41, 54, "conflict", "bob"),
    ]:
        store.annotations.add(article, start, end, [tag], who)
    if carol:
        store.annotations.add(2, 0, 19, ["conflict"], "carol")


@pytest.fixture
def run(config, monkeypatch):
    monkeypatch.delenv("READER_CONFIG", raising=False)

    def run(*args: str):
        return CliRunner().invoke(main, ["--config", str(config.path), "agreement", *args], catch_exceptions=False)

    return run


def as_json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def rows_by_tag(pair: dict) -> dict:
    return {row["tag"]: row for row in pair["by_tag"]} | {None: pair["overall"]}


# ---- the numbers, by hand ---------------------------------------------------------------------
#
# Population: articles 2 and 3 (both annotated): 54 + 39 = 93 characters. alice's passage on
# article 1 is left out.
#
# Span counts (B = bob scored against A = alice):
#   conflict     A {2:[0,19), 3:[17,20)}   B {2:[0,19), 2:[41,54)}   exact 1   overlap 1
#                P = 1/2  R = 1/2  F1 = 2*1/(2+2) = 1/2;  F1 overlap = 1/2
#   cooperation  A {2:[21,40)}             B {2:[21,28), 3:[17,29)}  exact 0   overlap 1 ([21,40)~[21,28))
#                P = 0/2 = 0  R = 0/1 = 0  F1 = 0;  F1 overlap = 2*1/(1+2) = 2/3
#   overall      A 3, B 4, exact 1: P = 1/4  R = 1/3  F1 = 2/7;  overlap 2: F1 = 4/7
#
# Kappa over characters, n = 93 (kappa = (n*agree - chance) / (n^2 - chance),
# chance = a_yes*b_yes + (n-a_yes)*(n-b_yes)):
#   conflict     both 19, only A 3 (Zoë), only B 13 (Talks failed.), neither 58
#                a_yes 22, b_yes 32: chance = 704 + 71*61 = 5035; kappa = (93*77 - 5035) / (8649 - 5035) = 2126/3614
#   cooperation  both 7, only A 12, only B 12 (Zoë Nakamura), neither 62
#                chance = 19*19 + 74*74 = 5837; kappa = (93*69 - 5837) / (8649 - 5837) = 580/2812
#   overall      the tables summed: both 26, only A 15, only B 25, neither 120, n = 186
#                chance = 41*51 + 145*135 = 21666; kappa = (186*146 - 21666) / (186^2 - 21666) = 5490/12930
# Alpha, two annotators: m = 2, n = 2N values, ones = a_yes + b_yes, D = only A + only B,
# alpha = 1 - (n - 1) * D / (zeros * ones):
#   conflict     n = 186, ones 54, zeros 132, D 16: 1 - 185*16/(132*54) = 521/891
#   cooperation  ones 38, zeros 148, D 24: 1 - 185*24/(148*38) = 148/703
#   overall      N = 93*2 tags, n = 372, ones 92, zeros 280, D 40: 1 - 371*40/(280*92) = 39/92

KAPPA = {"conflict": Fraction(2126, 3614), "cooperation": Fraction(580, 2812), None: Fraction(5490, 12930)}
ALPHA = {"conflict": Fraction(521, 891), "cooperation": Fraction(148, 703), None: Fraction(39, 92)}


def test_two_annotators_numbers_match_the_hand_computed_ones(store, run):
    annotate(store)
    data = as_json(run("--format", "json"))
    assert data["annotators"] == ["alice", "bob"] and data["level"] == "char"
    assert data["tags"] == ["conflict", "cooperation"] and data["articles"] == 2
    [pair] = data["pairs"]
    assert (pair["a"], pair["b"], pair["articles"], pair["left_out"]) == ("alice", "bob", 2, {"a": 1, "b": 0})
    rows = rows_by_tag(pair)
    expected_counts = {"conflict": (1, 1, 1), "cooperation": (1, 2, 0), None: (2, 3, 1)}
    expected_spans = {  # precision, recall, F1 exact, F1 overlap
        "conflict": (0.5, 0.5, 0.5, 0.5), "cooperation": (0.0, 0.0, 0.0, 2 / 3), None: (1 / 4, 1 / 3, 2 / 7, 4 / 7),
    }
    for tag, row in rows.items():
        assert (row["a_only"], row["b_only"], row["both"]) == expected_counts[tag]
        assert [row[key] for key in ("precision", "recall", "f1_exact", "f1_overlap")] == pytest.approx(expected_spans[tag])
        assert row["kappa"] == pytest.approx(float(KAPPA[tag]))
        assert row["alpha"] == pytest.approx(float(ALPHA[tag]))
    assert rows["conflict"]["table"] == {"both": 19, "only_a": 3, "only_b": 13, "neither": 58}
    assert rows[None]["table"] == {"both": 26, "only_a": 15, "only_b": 25, "neither": 120}
    assert data["alpha"]["overall"] == pytest.approx(float(ALPHA[None]))
    assert [entry["tag"] for entry in data["alpha"]["by_tag"]] == ["conflict", "cooperation"]


def test_token_level_counts_whitespace_separated_tokens(store, run):
    # Tokens: article 2 Port strike spreads | Dockers walked out. | Talks failed. (8);
    # article 3 Älteste Zeitung | Zoë Nakamura wrote it. (6): N = 14.
    # conflict:    A {Port strike spreads, Zoë} = 4, B {Port strike spreads, Talks failed.} = 5
    #              both 3, only A 1, only B 2, neither 8: chance = 4*5 + 10*9 = 110,
    #              kappa = (14*11 - 110) / (196 - 110) = 44/86
    # cooperation: A {Dockers walked out.} = 3, B {Dockers, Zoë Nakamura} = 3
    #              both 1, only A 2, only B 2, neither 9: chance = 9 + 121 = 130, kappa = (140 - 130)/(196 - 130) = 10/66
    annotate(store)
    rows = rows_by_tag(as_json(run("--format", "json", "--level", "token"))["pairs"][0])
    assert rows["conflict"]["table"] == {"both": 3, "only_a": 1, "only_b": 2, "neither": 8}
    assert rows["conflict"]["kappa"] == pytest.approx(44 / 86)
    assert rows["cooperation"]["kappa"] == pytest.approx(10 / 66)
    assert rows["conflict"]["f1_exact"] == 0.5  # span measures do not depend on the level


def test_pooled_kappa_and_token_level_equal_the_core_functions(store):
    """The report sums per-tag tables and moves spans to token indexes once: the same numbers
    as calling the core on everything."""
    annotate(store)
    units = units_from_annotations(store.annotations.of_annotators(["alice", "bob"]))
    a = [u for u in units if u.annotator == "alice" and u.article in (2, 3)]
    b = [u for u in units if u.annotator == "bob"]
    texts = {2: PORT, 3: ZEITUNG}
    for level in ("char", "token"):
        report = AgreementJob(["alice", "bob"], None, level).compute(store)
        rows = {row.tag: row for row in report.pairs[0].rows}
        for tag in ("conflict", "cooperation", None):
            assert rows[tag].kappa == pytest.approx(cohens_kappa(a, b, texts, tag=tag, level=level))
            assert report.alpha[tag] == pytest.approx(krippendorff_alpha({"alice": a, "bob": b}, texts, tag=tag, level=level))


def test_three_annotators_give_every_pair_and_alpha_over_all(store, run):
    # alpha over the articles all three annotated: article 2 only (54 characters), m = 3, n = 162.
    #   conflict:    [0,19) all three: no disagreement; [41,54) bob alone: 13 items with m0*m1 = 2 -> 26
    #                ones = 3*19 + 13 = 70, zeros = 92: 1 - 161*26 / (2*92*70) = 0.675
    #   cooperation: [21,28) alice+bob (2 each, 7 items) 14, [28,40) alice alone (2 each, 12 items) 24: 38
    #                ones = 19 + 7 = 26, zeros = 136: 1 - 161*38 / (2*136*26) = 954/7072
    #   overall:     n = 3*108 = 324, ones 96, zeros 228, pairs 64: 1 - 323*64 / (2*228*96) = 19/36
    annotate(store, carol=True)
    data = as_json(run("--format", "json", "--annotators", "alice", "bob", "carol"))
    assert [(p["a"], p["b"], p["articles"]) for p in data["pairs"]] == [
        ("alice", "bob", 2), ("alice", "carol", 1), ("bob", "carol", 1),
    ]
    assert data["articles"] == 1
    alpha = {entry["tag"]: entry["alpha"] for entry in data["alpha"]["by_tag"]}
    assert alpha == pytest.approx({"conflict": 0.675, "cooperation": 954 / 7072})
    assert data["alpha"]["overall"] == pytest.approx(19 / 36)
    assert "alpha" not in data["pairs"][0]["overall"]  # pairs of three: alpha is over everyone only
    # alice vs carol on article 2: conflict matched; alice's cooperation alone: carol has no
    # cooperation, so precision is undefined (null) and recall 0.
    carol = rows_by_tag(data["pairs"][1])
    assert (carol["conflict"]["f1_exact"], carol["cooperation"]["precision"], carol["cooperation"]["recall"]) == (1.0, None, 0.0)


def test_the_table_prints_one_row_per_tag_and_overall_with_dashes_for_undefined(store, run):
    annotate(store, carol=True)
    result = run("--annotators", "alice", "carol")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("alice (A) vs carol (B) · char level · over 1 article both annotated")
    assert "2 of alice's tagged passages on other articles left out" in lines[0]
    assert lines[1].split() == ["tag", "A", "only", "B", "only", "both", "P", "R", "F1", "exact", "F1", "overlap",
                                "kappa", "alpha"]
    cooperation = lines[3].split()
    assert cooperation[:4] == ["cooperation", "1", "0", "0"] and cooperation[4] == "—"  # P: carol has none
    assert lines[4].split()[0] == "overall"


def test_annotators_default_to_the_two_with_most_annotations(store, run):
    annotate(store, carol=True)
    data = as_json(run("--format", "json"))
    assert data["annotators"] == ["alice", "bob"]  # 4 each, carol 1
    spread = as_json(run("--format", "json", "--annotators", "bob", "--annotators", "carol"))
    assert spread["annotators"] == ["bob", "carol"]


def test_tag_limits_the_rows_and_nested_adds_the_tags_inside(store, run):
    annotate(store)
    store.annotations.add(2, 0, 4, ["framing/economy"], "alice")
    store.annotations.add(2, 0, 4, ["framing/economy"], "bob")
    data = as_json(run("--format", "json", "--tag", "cooperation"))
    assert data["tags"] == ["cooperation"]
    overall = data["pairs"][0]["overall"]
    assert (overall["a_only"], overall["b_only"], overall["both"]) == (1, 2, 0)
    assert overall["kappa"] == pytest.approx(580 / 2812)  # overall is cooperation alone
    nested = as_json(run("--format", "json", "--tag", "framing", "--nested"))
    assert nested["tags"] == ["framing/economy"]
    assert nested["pairs"][0]["overall"]["f1_exact"] == 1.0


def test_errors_are_one_line(store, run):
    annotate(store)
    for args, message in [
        (("--annotators", "alice", "zed"), "Error: unknown annotator 'zed' (known: alice, bob)"),
        (("--annotators", "alice"), "Error: agreement needs at least two different annotators, got only 'alice'"),
        (("--tag", "nope"), "Error: unknown tag 'nope' (known: conflict, cooperation)"),
        (("--nested",), "Error: --nested goes with --tag: which tag's nested tags?"),
    ]:
        result = run(*args)
        assert result.exit_code == 1
        assert result.output.strip() == message


def test_an_implied_parent_tag_needs_nested(store, run):
    annotate(store)
    store.annotations.add(2, 0, 4, ["framing/economy"], "alice")
    result = run("--tag", "framing")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: unknown tag 'framing' (known: conflict, cooperation, framing/economy; framing/economy nested in it: add --nested)"
    ]


def test_one_annotator_is_not_enough(store, run):
    store.annotations.add(2, 0, 19, ["conflict"], "alice")
    result = run()
    assert result.exit_code == 1
    assert result.output.strip() == "Error: agreement needs two annotators, and only alice has annotated yet"


def test_disagreements_list_each_passage_with_both_sides(store, run):
    annotate(store)
    result = run("--disagreements")
    assert result.exit_code == 0
    text = result.stdout
    listing = text[text.index("Disagreements of alice (A) and bob (B), exact match: 3"):].splitlines()
    assert listing[1].split()[:3] == ["article", "title", "start-end"]
    assert "2" == listing[2].split()[0] and "21-40" in listing[2] and "other boundaries" in listing[2]
    assert "cooperation “Dockers walked out.”" in listing[2] and "cooperation “Dockers”" in listing[2]
    assert "41-54" in listing[3] and "only B" in listing[3] and "conflict “Talks failed.”" in listing[3]
    assert "Älteste Zeitung" in listing[4] and "17-29" in listing[4] and "other tag" in listing[4]
    assert "conflict “Zoë”" in listing[4] and "cooperation “Zoë Nakamura”" in listing[4]

    data = as_json(run("--disagreements", "--format", "json"))
    found = data["pairs"][0]["disagreements"]
    assert [(d["article"], d["start"], d["end"], d["kind"]) for d in found] == [
        (2, 21, 40, "boundary"), (2, 41, 54, "only_b"), (3, 17, 29, "tag"),
    ]
    assert found[1]["a"] is None
    assert found[1]["b"] == {"tag": "conflict", "start": 41, "end": 54, "quote": "Talks failed."}
    assert found[2]["title"] == "Älteste Zeitung"


def test_csv_holds_the_numbers_or_with_disagreements_the_list(store, run):
    annotate(store)
    result = run("--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(row["scope"], row["tag"]) for row in rows] == [("tag", "conflict"), ("tag", "cooperation"), ("overall", "")]
    assert float(rows[2]["kappa"]) == pytest.approx(5490 / 12930)
    assert rows[1]["precision"] == "0.0" and rows[0]["a"] == "alice"
    listing = list(csv.DictReader(io.StringIO(run("--format", "csv", "--disagreements").stdout)))
    assert [(row["kind"], row["a_quote"], row["b_quote"]) for row in listing] == [
        ("boundary", "Dockers walked out.", "Dockers"), ("only_b", "", "Talks failed."), ("tag", "Zoë", "Zoë Nakamura"),
    ]


def test_undefined_numbers_are_null_in_json(store, run):
    store.annotations.add(2, 0, 19, ["conflict"], "alice")
    store.annotations.add(2, 0, 19, ["conflict"], "bob")
    store.annotations.add(3, 0, 5, ["cooperation"], "bob")  # article 3: bob alone, left out
    data = as_json(run("--format", "json", "--tag", "cooperation", "--annotators", "alice", "bob"))
    row = data["pairs"][0]["overall"]
    # Nobody tagged cooperation on article 2: no spans (P, R, F1 undefined) and every character
    # "not tagged" by both (p_e = 1: kappa undefined; alpha: all values equal, undefined).
    assert (row["precision"], row["recall"], row["f1_exact"], row["kappa"], row["alpha"]) == (None, None, None, None, None)
    assert data["pairs"][0]["left_out"] == {"a": 0, "b": 1}
    table = run("--tag", "cooperation", "--annotators", "alice", "bob").stdout.splitlines()
    assert table[2].split() == ["cooperation", "0", "0", "0", *["—"] * 6]  # P R F1 F1 kappa alpha


def test_terminal_control_characters_in_names_and_quotes_never_reach_the_terminal(store, run):
    store.annotations.add(2, 0, 19, ["conflict"], "al\x1b[2Jice")
    store.annotations.add(2, 0, 19, ["conflict"], "bob")
    store.annotations.add(2, 21, 28, ["conflict"], "bob")
    for args in ((), ("--disagreements",), ("--format", "json", "--disagreements")):
        output = run(*args).stdout
        assert "\x1b" not in output
    # CSV is data: a file gets the name exactly (tests/test_cli_output_guard.py: a terminal never does)
    rows = list(csv.DictReader(io.StringIO(run("--format", "csv").stdout)))
    assert {row["b"] for row in rows} == {"al\x1b[2Jice"}


def test_the_garbage_collector_comes_back_on():
    import gc

    assert gc.isenabled()
    with paused_collection():
        with paused_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_command_module_imports_neither_textual_nor_the_exporters():
    """`reader` imports it on every start (to register the command): it stays light."""
    import subprocess
    import sys

    code = ("import sys, reader.cli, reader.commands.agreement; "
            "print(sorted({'textual', 'reader.core.exchange.formats', 'reader.store.database'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
