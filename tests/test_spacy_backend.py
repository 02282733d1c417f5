"""The spaCy backend, on blank pipelines with an entity ruler: no trained model is ever downloaded."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from reader.core.entities import LABELS, engine_key
from reader.core.entities import spacy_backend
from reader.core.entities.spacy_backend import EntityBackendError, SpacyRecogniser, chunks

PATTERNS = [
    {"label": "PERSON", "pattern": [{"ORTH": "Meng"}, {"ORTH": "Jianzhu"}, {"ORTH": "'s", "OP": "?"}]},
    {"label": "GPE", "pattern": "the united states"},  # a phrase, matched on LOWER: "the"/"The" too
    {"label": "GPE", "pattern": "china"},
    {"label": "ORG", "pattern": [{"LOWER": "acme"}, {"ORTH": "\u2019s"}]},  # the possessive is in the match
    {"label": "NORP", "pattern": "chinese"},
    {"label": "DATE", "pattern": "tuesday"},
    {"label": "CARDINAL", "pattern": "three"},
    {"label": "PERCENT", "pattern": [{"LIKE_NUM": True}, {"LOWER": "percent"}]},
    {"label": "ANIMAL", "pattern": "panda"},
]

TEXT = (
    "The United States and China held talks on Tuesday. Meng Jianzhu's aides met three "
    "Acme\u2019s officials; 40 percent of the Chinese delegation saw a panda."
)

#: What TEXT should give: (surface, label), in order.
EXPECTED = [
    ("United States", "GPE"),
    ("China", "GPE"),
    ("Tuesday", "DATE"),
    ("Meng Jianzhu", "PERSON"),
    ("Acme", "ORG"),
    ("Chinese", "NORP"),
]


def build_pipeline(patterns: list[dict] = PATTERNS) -> Language:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(patterns)
    return nlp


@pytest.fixture(scope="module")
def recogniser() -> SpacyRecogniser:
    return SpacyRecogniser(build_pipeline())


def surfaces(text: str, spans) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.label) for s in spans]


def test_labels_are_mapped_and_others_dropped(recogniser: SpacyRecogniser) -> None:
    spans = recogniser.recognise(TEXT)
    assert surfaces(TEXT, spans) == EXPECTED
    assert {s.label for s in spans} <= set(LABELS)  # CARDINAL, PERCENT and ANIMAL are gone
    assert all(s.source == "model" and s.confidence == 0.6 for s in spans)


def test_span_convention_strips_the_and_possessives(recogniser: SpacyRecogniser) -> None:
    text = "Officials from the United States met Meng Jianzhu's staff at Acme\u2019s plant."
    nlp_ents = [e.text for e in recogniser.nlp(text).ents]
    assert nlp_ents == ["the United States", "Meng Jianzhu's", "Acme\u2019s"]  # what spaCy itself finds
    spans = recogniser.recognise(text)
    assert surfaces(text, spans) == [("United States", "GPE"), ("Meng Jianzhu", "PERSON"), ("Acme", "ORG")]
    assert [(s.start, s.end) for s in spans] == [(19, 32), (37, 49), (61, 65)]


def test_spans_that_become_empty_are_dropped() -> None:
    nlp = build_pipeline([{"label": "ORG", "pattern": [{"LOWER": "the"}, {"ORTH": "'s"}]}, *PATTERNS])
    text = "Blame the 's, said China."
    assert [e.text for e in nlp(text).ents] == ["the 's", "China"]
    assert surfaces(text, SpacyRecogniser(nlp).recognise(text)) == [("China", "GPE")]


def test_chunks_cut_at_paragraph_breaks_then_sentence_ends() -> None:
    paragraphs = "First paragraph here.\n\nSecond one, a bit longer.\n\nThird."
    pieces = list(chunks(paragraphs, 30))
    assert [chunk for _, chunk in pieces] == ["First paragraph here.\n\n", "Second one, a bit longer.\n\n", "Third."]
    one_line = "One sentence here. Another sentence! A third one? And the last one."
    pieces = list(chunks(one_line, 40))
    assert [chunk for _, chunk in pieces] == ["One sentence here. Another sentence! ", "A third one? And the last one."]
    no_breaks = "x" * 25
    assert [chunk for _, chunk in chunks(no_breaks, 10)] == ["x" * 10, "x" * 10, "x" * 5]
    for text, limit in ((paragraphs, 30), (one_line, 40), (no_breaks, 10), (TEXT, 7)):
        pieces = list(chunks(text, limit))
        assert "".join(chunk for _, chunk in pieces) == text
        assert all(text[offset : offset + len(chunk)] == chunk and len(chunk) <= limit for offset, chunk in pieces)


@pytest.mark.parametrize("separator", ["\n\n", " "], ids=["paragraphs", "one-line"])
def test_long_texts_are_chunked_with_correct_offsets(
    recogniser: SpacyRecogniser, monkeypatch: pytest.MonkeyPatch, separator: str
) -> None:
    text = separator.join([TEXT] * 12)
    whole = recogniser.recognise(text)
    monkeypatch.setattr(spacy_backend, "CHUNK_SIZE", len(TEXT) + 10)
    assert len(list(chunks(text, spacy_backend.CHUNK_SIZE))) >= 6
    chunked = recogniser.recognise(text)
    assert chunked == whole
    assert surfaces(text, chunked) == EXPECTED * 12
    assert chunked[-1].start > len(text) - len(TEXT)  # found in the last chunk, offset into the whole text


def test_chunks_never_exceed_max_length() -> None:
    nlp = build_pipeline()
    nlp.max_length = 200  # spaCy raises E088 for anything longer
    text = "\n\n".join([TEXT] * 5)
    with pytest.raises(ValueError, match="E088"):
        nlp(text)
    assert surfaces(text, SpacyRecogniser(nlp).recognise(text)) == EXPECTED * 5


def test_recognise_many_matches_recognise(recogniser: SpacyRecogniser) -> None:
    texts = [TEXT, "", "Nothing to see.", "China"]
    assert recogniser.recognise_many(texts) == [recogniser.recognise(text) for text in texts]


def test_version_is_stable_and_follows_the_pipeline() -> None:
    first, second = SpacyRecogniser(build_pipeline()), SpacyRecogniser(build_pipeline())
    assert first.name == "spacy"
    assert first.version == second.version
    assert first.version.startswith(f"{spacy.__version__}/en_pipeline-0.0.0+")
    assert engine_key(first, {}) == engine_key(second, {})
    changed = SpacyRecogniser(build_pipeline([*PATTERNS, {"label": "ORG", "pattern": "acme"}]))
    assert changed.version != first.version


def test_missing_pipeline_names_it() -> None:
    with pytest.raises(EntityBackendError) as caught:
        SpacyRecogniser("xx_not_installed_pipeline")
    message = str(caught.value)
    assert "'xx_not_installed_pipeline' is not installed" in message
    assert "python -m spacy download xx_not_installed_pipeline" in message
    assert "entities.backend: builtin" in message
    assert "\n" not in message


def test_only_installed_packages_are_loaded_by_name(tmp_path: Path) -> None:
    for name in ("blank:en", str(tmp_path)):
        with pytest.raises(EntityBackendError, match="is not installed"):
            SpacyRecogniser(name)


def test_missing_spacy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)  # "import spacy" now fails
    with pytest.raises(EntityBackendError, match=r'needs spaCy: pip install "newsreader-tui\[spacy\]"'):
        SpacyRecogniser("en_core_web_sm")


def test_installed_package_loads_without_components_ner_does_not_need(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A minimal pipeline package as `spacy package` lays it out, "installed" on sys.path.
    nlp = spacy.blank("en", meta={"name": "reader_test", "version": "1.2.3"})
    nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    nlp.add_pipe("tok2vec")
    nlp.add_pipe("tagger").add_label("NN")
    nlp.initialize()  # clears the ruler's patterns, so add them afterwards
    nlp.get_pipe("entity_ruler").add_patterns(PATTERNS)
    package = tmp_path / "en_reader_test"
    package.mkdir()
    nlp.to_disk(package / "en_reader_test-1.2.3")
    (package / "meta.json").write_text(json.dumps(nlp.meta), encoding="utf-8")
    (package / "__init__.py").write_text(
        "from spacy.util import load_model_from_init_py\n\n\n"
        "def load(**overrides):\n    return load_model_from_init_py(__file__, **overrides)\n",
        encoding="utf-8",
    )
    (tmp_path / "en_reader_test-1.2.3.dist-info").mkdir()
    (tmp_path / "en_reader_test-1.2.3.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: en_reader_test\nVersion: 1.2.3\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "en_reader_test", raising=False)

    recogniser = SpacyRecogniser("en_reader_test")
    # The tagger is never loaded, and the tok2vec goes because nothing left listens to it.
    assert recogniser.nlp.component_names == ["entity_ruler"]
    assert recogniser.version == f"{spacy.__version__}/en_reader_test-1.2.3"
    assert surfaces(TEXT, recogniser.recognise(TEXT)) == EXPECTED


def test_the_spacy_backend_fills_only_what_the_rules_leave(monkeypatch):
    import spacy

    from reader.core.entities import ComposedRecogniser, build_recogniser
    from reader.core.entities import spacy_backend

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "ORG", "pattern": "Kenya"},  # wrong, and the rules' GPE wins
        {"label": "PERSON", "pattern": "Wanjiru Kamau"},  # nothing the rules know
    ])
    real = spacy_backend.SpacyRecogniser
    monkeypatch.setattr(spacy_backend, "SpacyRecogniser", lambda name: real(nlp))
    recogniser = build_recogniser(None, "spacy", "anything")
    assert isinstance(recogniser, ComposedRecogniser) and recogniser.name == "builtin+spacy"
    text = "Kenya praised Wanjiru Kamau."
    found = {(text[s.start : s.end], s.label, s.source) for s in recogniser.recognise(text)}
    assert ("Kenya", "GPE", "builtin") in found
    assert ("Wanjiru Kamau", "PERSON", "model") in found
    assert not any(label == "ORG" for _, label, _ in found)


def test_a_missing_pipeline_is_a_one_line_error_naming_the_config(tmp_path):
    from click.testing import CliRunner

    from reader.cli import main

    config = tmp_path / "config.yaml"
    config.write_text(f"database: {tmp_path / 'a.db'}\nentities:\n  backend: spacy\n  spacy_pipeline: xx_no_such_pipeline\n")
    story = tmp_path / "story.txt"
    story.write_text("Kenya praised the deal.\n")
    result = CliRunner().invoke(main, ["--config", str(config), "entities", str(story)])
    assert result.exit_code == 1
    assert str(config) in result.output and "xx_no_such_pipeline" in result.output
    assert len(result.output.strip().splitlines()) == 1
