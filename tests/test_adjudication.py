"""Adjudication into the gold layer: A's version, B's, both, agreed passages in bulk; every write
against the coders' annotations as the curator saw them, undoable; each coder against gold."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.services import adjudication
from reader.services.adjudication import AdjudicationError
from reader.services.history import History
from reader.store import StaleWriteError
from tests.conftest import user_rows
from tests.test_cli_agreement import annotate


def gold_rows(store) -> list[tuple]:
    return [(a.article_id, a.start, a.end, a.tags) for a in store.annotations.of_annotators(["gold"])]


def found_at(store, article: int, kind: str):
    return next(found for found in adjudication.walk(store, "alice", "bob") if found.article == article and found.kind == kind)


def test_the_walk_lists_the_pairs_disagreements_in_reading_order(store):
    annotate(store)
    assert [(f.article, f.kind, f.start, f.end) for f in adjudication.walk(store, "alice", "bob")] == [
        (2, "boundary", 21, 40), (2, "only_b", 41, 54), (3, "tag", 17, 29),
    ]


@pytest.mark.parametrize("choice, expected", [
    ("a", [(3, 17, 20, ("conflict",))]),
    ("b", [(3, 17, 29, ("cooperation",))]),
    ("both", [(3, 17, 20, ("conflict",)), (3, 17, 29, ("cooperation",))]),
])
def test_adopting_a_version_writes_gold_with_who_when_and_whence(store, choice, expected):
    annotate(store)
    history = History(store)
    sides = adjudication.sides_of(store, found_at(store, 3, "tag"))
    before = user_rows(store)
    change = adjudication.adopt(history, sides, choice, "gold", "carol")
    assert gold_rows(store) == expected
    decisions = store.gold.decisions()
    assert len(decisions) == len(expected)
    for annotation, decision in change.golds:
        assert decision == decisions[annotation.id]
        assert decision.curator == "carol" and decision.choice == choice and decision.decided == annotation.created
        wanted = {"a": [sides.a.id], "b": [sides.b.id], "both": [sides.a.id, sides.b.id]}[choice]
        assert list(decision.sources) == wanted
    # the coders' own annotations are untouched
    assert [r for r in user_rows(store)["annotations"] if r[8] != "gold"] == before["annotations"]
    history.undo()
    assert gold_rows(store) == [] and store.gold.decisions() == {}
    assert user_rows(store) == before
    history.redo()
    assert gold_rows(store) == expected and len(store.gold.decisions()) == len(expected)


def test_a_coder_changing_their_annotation_meanwhile_refuses_the_adoption(store):
    annotate(store)
    history = History(store)
    sides = adjudication.sides_of(store, found_at(store, 3, "tag"))
    store.annotations.tag(sides.b.id, "conflict")  # bob retags while the curator looks
    before = user_rows(store)
    with pytest.raises(StaleWriteError, match="bob's annotation changed since it was shown"):
        adjudication.adopt(history, sides, "a", "gold", "carol")
    assert user_rows(store) == before and gold_rows(store) == []


def test_a_side_with_nothing_and_a_version_already_in_gold_are_said_not_written(store):
    annotate(store)
    history = History(store)
    sides = adjudication.sides_of(store, found_at(store, 2, "only_b"))
    with pytest.raises(AdjudicationError, match="A has nothing here"):
        adjudication.adopt(history, sides, "a", "gold", "carol")
    adjudication.adopt(history, sides, "b", "gold", "carol")
    with pytest.raises(AdjudicationError, match="gold already holds that version"):
        adjudication.adopt(history, adjudication.sides_of(store, sides.found), "b", "gold", "carol")
    assert gold_rows(store) == [(2, 41, 54, ("conflict",))]


def test_accepting_every_agreement_takes_what_both_tagged_alike_once(store):
    annotate(store)
    history = History(store)
    agreed = adjudication.agreed_versions(store, "alice", "bob", "gold")
    assert [(v.article_id, v.start, v.end, v.tags) for v, _ in agreed] == [(2, 0, 19, ("conflict",))]
    changes = list(adjudication.accept_agreements(history, agreed, "gold", "carol"))
    assert len(changes) == 1 and gold_rows(store) == [(2, 0, 19, ("conflict",))]
    [decision] = store.gold.decisions().values()
    assert decision.choice == "agreed" and len(decision.sources) == 2
    assert adjudication.agreed_versions(store, "alice", "bob", "gold") == []  # once
    history.undo()
    assert gold_rows(store) == []


def against_gold(config, *args: str):
    return CliRunner().invoke(main, ["--config", str(config.path), "agreement", "--against", "gold", *args],
                              catch_exceptions=False)


def test_each_coder_against_gold_on_a_hand_computed_case(store, config, monkeypatch):
    """gold: article 2 [0,19) conflict, [21,28) cooperation, [41,54) conflict; article 3 [17,29) cooperation.
    alice (vs gold): conflict [0,19) matched, [0,22) in article 1 is outside (gold did not annotate it),
    [17,20) conflict unmatched; cooperation [21,40) unmatched (overlaps [21,28)).
      conflict: gold 2, alice 2, matched 1 -> P 0.5, R 0.5; cooperation: gold 2, alice 1, matched 0.
    bob equals gold everywhere: P = R = F1 = 1, kappa 1."""
    monkeypatch.delenv("READER_CONFIG", raising=False)
    annotate(store)
    history = History(store)
    for article, kind, choice in [(2, "boundary", "b"), (2, "only_b", "b"), (3, "tag", "b")]:
        adjudication.adopt(history, adjudication.sides_of(store, found_at(store, article, kind)), choice, "gold", "carol")
    list(adjudication.accept_agreements(history, adjudication.agreed_versions(store, "alice", "bob", "gold"), "gold", "carol"))
    result = against_gold(config, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["against"] == "gold"
    pairs = {pair["b"]: pair for pair in data["pairs"]}
    assert set(pairs) == {"alice", "bob"} and all(pair["a"] == "gold" for pair in pairs.values())
    alice = {row["tag"]: row for row in pairs["alice"]["by_tag"]}
    assert (alice["conflict"]["precision"], alice["conflict"]["recall"], alice["conflict"]["f1_exact"]) == (0.5, 0.5, 0.5)
    assert (alice["cooperation"]["precision"], alice["cooperation"]["recall"]) == (0.0, 0.0)
    assert alice["cooperation"]["f1_overlap"] == pytest.approx(2 / 3)
    overall = pairs["bob"]["overall"]
    assert (overall["precision"], overall["recall"], overall["f1_exact"], overall["kappa"]) == (1.0, 1.0, 1.0, 1.0)
    table = against_gold(config)
    assert "alice against gold" in table.stdout and "bob against gold" in table.stdout


def test_against_a_gold_nobody_wrote_is_one_clear_line(store, config, monkeypatch):
    monkeypatch.delenv("READER_CONFIG", raising=False)
    annotate(store)
    result = against_gold(config)
    assert result.exit_code != 0
    assert "nobody has annotated as 'gold' yet" in result.output and "Traceback" not in result.output


def test_gold_exports_like_any_annotator_with_its_decisions_and_reimports_byte_identically(store, tmp_path, monkeypatch):
    from reader.core.model import ExportFilter
    from reader.services.export import write_yaml
    from reader.services.import_yaml import import_annotations
    from reader.store import Store

    annotate(store)
    history = History(store)
    adjudication.adopt(history, adjudication.sides_of(store, found_at(store, 3, "tag")), "both", "gold", "carol")
    list(adjudication.accept_agreements(history, adjudication.agreed_versions(store, "alice", "bob", "gold"), "gold", "carol"))
    only = ExportFilter(annotator="gold")
    first = tmp_path / "gold.yaml"
    with first.open("w", encoding="utf-8") as stream:
        assert write_yaml(store, stream, exported="2026-01-01T00:00:00+00:00", only=only) == 3
    text = first.read_text(encoding="utf-8")
    assert "annotator: alice" not in text and "annotator: bob" not in text
    assert "\ngold:\n" in text and "curator: carol" in text and "choice: agreed" in text and "choice: both" in text
    elsewhere = Store.open(tmp_path / "elsewhere.db")
    try:
        import_annotations(elsewhere, first)
        assert elsewhere.gold.decisions() == store.gold.decisions()
        again = tmp_path / "again.yaml"
        with again.open("w", encoding="utf-8") as stream:
            write_yaml(elsewhere, stream, exported="2026-01-01T00:00:00+00:00", only=only)
        assert again.read_bytes() == first.read_bytes()
    finally:
        elsewhere.close()


def test_a_damaged_gold_decision_is_one_line_naming_the_file(store, tmp_path):
    from reader.core.yamlsafe import YamlError
    from reader.services.export import write_export
    from reader.services.import_yaml import import_annotations
    from reader.store import Store

    annotate(store)
    adjudication.adopt(History(store), adjudication.sides_of(store, found_at(store, 3, "tag")), "a", "gold", "carol")
    path = tmp_path / "export.yaml"
    write_export(store, path)
    path.write_text(path.read_text(encoding="utf-8").replace("choice: a", "choice: maybe"), encoding="utf-8")
    elsewhere = Store.open(tmp_path / "elsewhere.db")
    try:
        with pytest.raises(YamlError) as raised:
            import_annotations(elsewhere, path)
        message = str(raised.value)
        assert str(path) in message and "gold[0].choice" in message and "\n" not in message
    finally:
        elsewhere.close()


@pytest.mark.parametrize("written, problem", [
    ("study:\n  gold: alice\n", "study.gold: the gold layer cannot have your own annotator name 'alice'"),
    ("study:\n  gold: 12\n", "study.gold: expected a string"),
    ("study:\n  golden: x\n", "study.golden: unknown key"),
])
def test_study_gold_is_checked_in_config(tmp_path, written, problem):
    from reader.core.config import ConfigError, parse_config

    text = "annotator: alice\n" + written
    with pytest.raises(ConfigError) as raised:
        parse_config(text, tmp_path / "config.yaml")
    assert problem in str(raised.value) and "config.yaml:" in str(raised.value)


def test_study_gold_names_the_layer(tmp_path):
    from reader.core.config import parse_config

    assert parse_config("annotator: alice\n", tmp_path / "c.yaml").gold == "gold"
    assert parse_config("annotator: alice\nstudy:\n  gold: consensus\n", tmp_path / "c.yaml").gold == "consensus"


@pytest.mark.parametrize("args, problem", [
    (["alice", "gold"], "'gold' is the gold layer itself"),
    (["alice", "zed"], "no annotations by 'zed'"),
    (["alice", "alice"], "two different coders"),
])
def test_reader_adjudicate_refuses_what_it_cannot_open_in_one_line(store, config, monkeypatch, args, problem):
    monkeypatch.delenv("READER_CONFIG", raising=False)
    annotate(store)
    adjudication.adopt(History(store), adjudication.sides_of(store, found_at(store, 3, "tag")), "a", "gold", "carol")
    result = CliRunner().invoke(main, ["--config", str(config.path), "adjudicate", *args], catch_exceptions=False)
    assert result.exit_code != 0 and problem in result.output and "Traceback" not in result.output


def test_the_default_pair_is_two_coders_not_gold(store, config, monkeypatch):
    """gold, with more annotations than bob, is compared only when asked for."""
    monkeypatch.delenv("READER_CONFIG", raising=False)
    annotate(store)
    for article, start, end in [(1, 0, 5), (1, 6, 10), (2, 0, 5), (2, 6, 10), (3, 0, 5)]:
        store.annotations.add(article, start, end, ["conflict"], "gold")
    assert set(store.annotations.annotators()[:2]) == {"alice", "gold"}
    run = lambda *args: CliRunner().invoke(main, ["--config", str(config.path), "agreement", "--format", "json", *args],  # noqa: E731
                                           catch_exceptions=False)
    assert json.loads(run().stdout)["annotators"] == ["alice", "bob"]
    assert json.loads(run("--annotators", "alice", "gold").stdout)["annotators"] == ["alice", "gold"]
