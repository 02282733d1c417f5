"""Hostile config.yaml files: wrong types, YAML 1.1 traps, bombs, tags, binary, odd keys and values.

Each gives one printable line naming the file and (where there is one) the line; none raises
anything else, and none executes or creates anything. Complements tests/test_config.py.
"""

from __future__ import annotations

import codecs
import os
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.core.config import DEFAULT_MAX_FILE_MB, Config, ConfigError, default_config_text, load_config, parse_config

UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def error_for(tmp_path: Path, content: str | bytes) -> str:
    path = tmp_path / "config.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:") or message.startswith(f"{path} "), message
    assert not UNPRINTABLE.search(message), repr(message)
    return message


def tag(key: str) -> str:
    return f"tags:\n  - name: a\n    key: {key}\n"


# --- the import section -------------------------------------------------------------------


def test_import_max_file_mb_default_and_value(tmp_path):
    assert load_config(_write(tmp_path, default_config_text())).importing.max_file_mb == DEFAULT_MAX_FILE_MB == 50
    assert parse_config("annotator: a\n", tmp_path / "c.yaml").importing.max_file_mb == 50
    assert parse_config("import:\n  max_file_mb: 7\n", tmp_path / "c.yaml").importing.max_file_mb == 7
    assert parse_config("import:\n", tmp_path / "c.yaml").importing.max_file_mb == 50


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- one line naming file, line and key ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # wrong types
        ("import: 50\n", ":1: import: expected a mapping, got a number"),
        ("import:\n  max_file_mb: '50'\n", ":2: import.max_file_mb: expected a whole number, got a string '50'"),
        ("import:\n  max_file_mb: 2.5\n", ":2: import.max_file_mb: expected a whole number, got a number 2.5"),
        ("import:\n  max_file_mb: true\n", ":2: import.max_file_mb: expected a whole number, got a boolean True"),
        ("import:\n  max_file_mb: 0\n", ":2: import.max_file_mb: must be between 1 and 1000000, got 0"),
        ("import:\n  max_file_mb: -5\n", ":2: import.max_file_mb: must be between 1 and 1000000, got -5"),
        ("tags: conflict\n", ":1: tags: expected a list of tags, got a string"),
        ("entities: [PERSON]\n", ":1: entities: expected a mapping, got a list"),
        ("keymap: [w]\n", ":1: keymap: expected a mapping of binding ids to keys, got a list"),
        ("theme: 12\n", ":1: theme: expected a string, got a number 12 (put it in quotes)"),
        ("database: [a.db]\n", ":1: database: expected a string, got a list"),
        ("entities:\n  gazetteer:\n    PERSON: Ana Lima\n", ":3: entities.gazetteer.PERSON: expected a list, got a string"),
        ("entities:\n  show: 'no'\n", ":2: entities.show: expected true or false, got a string 'no'"),
        ("tags:\n  - name: 1\n", ":2: tags[0].name: expected a string, got a number 1 (put it in quotes)"),
        ("tags:\n  - name: a\n    description: [x]\n", ":3: tags[0].description: expected a string, got a list"),
        ("tags:\n  - just a string\n", ":2: tags[0]: expected a mapping, got a string"),
        ("reading_width: 88.0\n", ":1: reading_width: expected a whole number, got a number 88.0"),
        ("reading_width: .inf\n", ":1: reading_width: expected a whole number, got a number inf"),
        # YAML 1.1 traps
        ("theme: on\n", ":1: theme: expected a string, got a boolean True (put it in quotes)"),
        ("annotator: off\n", ":1: annotator: expected a string, got a boolean False (put it in quotes)"),
        ("annotator: 012\n", ":1: annotator: expected a string, got a number 10 (YAML reads 012 as 10; put it in quotes)"),
        ("annotator: 1.5e+3\n", ":1: annotator: expected a string, got a number 1500.0 (put it in quotes)"),
        ("annotator: 2024-01-01\n", ":1: annotator: expected a string, got a date datetime.date(2024, 1, 1) (put it in quotes)"),
        ("reading_width: 012\n", ":1: reading_width: write a plain whole number: YAML reads 012 as 10"),
        ("reading_width: 0100\n", ":1: reading_width: write a plain whole number: YAML reads 0100 as 64"),
        ("reading_width: 1:30\n", ":1: reading_width: write a plain whole number: YAML reads 1:30 as 90"),
        ("reading_width: 0x58\n", ":1: reading_width: write a plain whole number: YAML reads 0x58 as 88"),
        ("reading_width: 1_000\n", ":1: reading_width: write a plain whole number: YAML reads 1_000 as 1000"),
        ("reading_width: 1e3\n", ":1: reading_width: expected a whole number, got a string '1e3'"),
        ("import:\n  max_file_mb: 1e3\n", ":2: import.max_file_mb: expected a whole number, got a string '1e3'"),
        ("import:\n  max_file_mb: 010\n", ":2: import.max_file_mb: write a plain whole number: YAML reads 010 as 8"),
        (tag("no"), ":3: tags[0].key: expected a string, got a boolean False (put it in quotes)"),
        (tag("0x31"), ":3: tags[0].key: expected a string, got a number 49 (YAML reads 0x31 as 49; put it in quotes)"),
        # unknown and duplicate keys, nested
        ("import:\n  max_size: 3\n", ":2: import.max_size: unknown key (known keys: csv_delimiter, day_first, fields, max_file_mb)"),
        ("import:\n  day_first: \"no\"\n", ":2: import.day_first"),
        ("entities:\n  colour: {}\n", ":2: entities.colour: unknown key"),
        ("tags:\n  - name: a\n    colour: red\n", ":3: tags[0].colour: unknown key"),
        ("1: x\n", ":1: 1: unknown key"),
        ("entities:\n  show: true\n  show: false\n", ":3: entities.show: this key is given twice"),
        ("import:\n  max_file_mb: 5\n  max_file_mb: 6\n", ":3: import.max_file_mb: this key is given twice"),
        ("tags:\n  - name: a\n    name: b\n", ":3: tags[0].name: this key is given twice"),
        # tag keys that collide or cannot be typed
        (tag("ctrl+p"), ":3: tags[0].key: key 'ctrl+p' is taken by reader's own keys"),
        (tag("escape"), ":3: tags[0].key: key 'escape' is taken by reader's own keys"),
        (tag("G"), ":3: tags[0].key: key 'G' is taken by reader's own keys"),
        (tag("'?'"), ":3: tags[0].key: key '?' is taken by reader's own keys"),
        (tag('"\\u200b"'), ":3: tags[0].key: not a key: '\\u200b' (use a character you can see"),
        (tag('"\\t"'), ":3: tags[0].key: must not be empty"),
        (tag('"\\x1b"'), ":3: tags[0].key: contains the control character \\x1b"),
        (tag("'a b'"), ":3: tags[0].key: not a key: 'a b'"),
        ("tags:\n  - {name: a, key: '7'}\n  - {name: b, key: 7}\n", ":3: tags[1].key: key '7' is already used by tag 'a'"),
        # strings that would drive the terminal or break a path
        ('annotator: "\\e[31mred"\n', ":1: annotator: contains the control character \\x1b"),
        ('tags:\n  - name: "bell\\a"\n', ":2: tags[0].name: contains the control character \\x07"),
        ('tags:\n  - name: a\n    description: "\\x9b2J"\n', ":3: tags[0].description: contains the control character \\x9b"),
        ('database: "a\\0b.db"\n', ":1: database: contains the control character \\x00"),
        ("database: ~nosuchuser-reader-test/db\n", ":1: database: not a usable path: '~nosuchuser-reader-test/db'"),
        ('"evil\\e]0;title\\a": 1\n', ":1: evil\\x1b]0;title\\x07: unknown key"),
        ('"two\\nlines": 1\n', ":1: two"),
        # not a mapping, several documents, invalid YAML
        ("42\n", ":1: expected a mapping, got a number"),
        ("just some text\n", ":1: expected a mapping, got a string"),
        ("a: 1\n---\nb: 2\n", ":2: not valid YAML"),
        ("\t\tannotator: x\n", ":1: not valid YAML"),
        ("annotator: 'unclosed\n", ":2: not valid YAML"),
        # tags that would build Python objects, other tags, merge keys
        ("annotator: !!python/object/apply:os.system ['touch PWNED']\n", ":1: annotator: the tag"),
        ("annotator: !!python/name:os.system\n", ":1: annotator: the tag"),
        ("annotator: !!binary aGVsbG8=\n", ":1: annotator: the tag tag:yaml.org,2002:binary is not allowed"),
        ("annotator: !!set {a}\n", ":1: annotator: the tag tag:yaml.org,2002:set is not allowed"),
        ("annotator: !local x\n", ":1: annotator: the tag !local is not allowed"),
    ],
)
def test_hostile_config_is_one_line_naming_file_line_and_key(tmp_path, text, expected):
    message = error_for(tmp_path, text)
    assert expected in message, message


def test_a_merge_key_is_refused(tmp_path):
    message = error_for(tmp_path, "base: &b {theme: nord}\n<<: *b\n")
    assert ":2:" in message and "merge" in message


def test_python_tags_never_run_anything(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for text in (
        "annotator: !!python/object/apply:os.system ['touch PWNED']\n",
        "annotator: !!python/object/new:os.system ['touch PWNED']\n",
        "tags:\n  - name: !!python/object/apply:subprocess.call [['touch', 'PWNED']]\n",
        "? !!python/object/apply:os.system ['touch PWNED']\n: x\n",
    ):
        assert "is not allowed" in error_for(tmp_path, text) or "keys must be plain" in error_for(tmp_path, text)
    assert not (tmp_path / "PWNED").exists()


def test_an_alias_bomb_is_refused_at_once(tmp_path):
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]" for n in range(9)]
    started = time.perf_counter()
    message = error_for(tmp_path, "\n".join(lines) + "\n")
    assert time.perf_counter() - started < 2
    assert ":2: b[0]: anchors and aliases are not allowed" in message


def test_deep_nesting_is_refused_naming_its_line(tmp_path):
    """Refused, as one line naming the file and the line where the nesting is (whatever words
    the YAML library of the day uses for it)."""
    message = error_for(tmp_path, "annotator: x\ndatabase: " + "[" * 20_000 + "]" * 20_000 + "\n")
    assert ":2: not valid YAML (" in message
    assert "\n" not in message and len(message) < 300


def test_a_value_yaml_cannot_build_names_its_line(tmp_path):
    assert ":3:" in error_for(tmp_path, "annotator: a\n\ntheme: 2025-02-30\n")
    message = error_for(tmp_path, "annotator: a\nreading_width: " + "9" * 5000 + "\n")
    assert ":2:" in message and len(message) < 400


def test_a_path_through_a_symlink_loop_is_an_error_not_a_crash(tmp_path):
    os.symlink("loop", tmp_path / "loop")
    assert ":1: database: not a usable path: 'loop/annotations.db'" in error_for(tmp_path, "database: loop/annotations.db\n")


# --- files that are not YAML text ---------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ":1: not valid UTF-8 (byte 0x89 at offset 0)"),
        (b"annotator: alice\ntheme: nord\ndatabase: caf\xe9.db\n", ":3: not valid UTF-8 (byte 0xe9 at offset 42)"),
        (codecs.BOM_UTF16_LE + "annotator: alice\n".encode("utf-16-le"), ":1: not valid UTF-8 (byte 0xff at offset 0); save it as UTF-8"),
        (b"annotator: alice\n\x7fELF\x02\x01\x01\x00\x00", ":2: not valid YAML (the character U+007F is not allowed"),
        (b"annotator: a\x00lice\n", ":1: not valid YAML (the character U+0000 is not allowed in a YAML file)"),
        (b"annotator: alice\n\ntheme: \x1b[31m\n", ":3: not valid YAML (the character U+001B"),
    ],
)
def test_binary_or_mis_encoded_config_names_file_and_line(tmp_path, content, expected):
    assert expected in error_for(tmp_path, content)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "~\n", "\ufeffannotator: bob\n"])
def test_empty_config_gives_defaults(tmp_path, text):
    config = load_config(_write(tmp_path, text))
    assert config.reading_width == 88 and config.importing.max_file_mb == 50


def test_a_folder_named_config_yaml_is_an_error(tmp_path):
    (tmp_path / "config.yaml").mkdir()
    with pytest.raises(ConfigError, match="config.yaml: Is a directory"):
        load_config(tmp_path / "config.yaml")


# --- properties ---------------------------------------------------------------------------

_TOP_KEYS = ["annotator", "database", "export_file", "load_samples", "theme", "reading_width", "unknown", "<<", "1"]
_SECTION_KEYS = {
    "import": ["max_file_mb", "max_size", "day_first", "fields", "csv_delimiter"],
    "entities": ["show", "backend", "spacy_pipeline", "colors", "gazetteer", "colour"],
    "keymap": ["cursor.word_next", "tag.apply", "\"\\e\""],
}
_TAG_KEYS = ["name", "key", "color", "description", "colour"]
_VALUES = ["no", "on", "yes", "012", "0x1f", "1:30", "1e3", "1_0", "~", "null", "2025-02-30", "2024-01-01", ".nan",
           "-.inf", "'1'", '"\\e[31m"', '"\\x00"', '"\\x85"', "&a x", "*a", "!!python/object/apply:os.system [x]",
           "!!binary aGk=", "[a, b]", "{a: 1}", "{PERSON: red}", "{PERSON: [Ana]}", "{}", "[]", "-1", "88", "50",
           "red", "'#fff'", "ctrl+p", "'  '", "|\n  block", "9" * 30, '"x\\ny"', "!!str 5", "!!int x", "!!float y",
           "!!bool maybe", "!!null z", "[[[", "}", "~nosuchuser-reader-test/x", "a/../../b", "spacy", "'7'", "7", "j"]
_VALUE = st.sampled_from(_VALUES + [""])
_ENTRY = st.one_of(
    st.tuples(st.sampled_from(_TOP_KEYS), _VALUE).map(lambda pair: f"{pair[0]}: {pair[1]}"),
    st.sampled_from(sorted(_SECTION_KEYS)).flatmap(
        lambda section: st.lists(
            st.tuples(st.sampled_from(_SECTION_KEYS[section]), _VALUE), max_size=4, unique_by=lambda pair: pair[0]
        ).map(
            lambda pairs: "\n".join([f"{section}:"] + [f"  {key}: {value}" for key, value in pairs])
        )
    ),
    st.lists(
        st.lists(st.tuples(st.sampled_from(_TAG_KEYS), _VALUE), min_size=1, max_size=4, unique_by=lambda pair: pair[0]),
        max_size=3,
    ).map(
        lambda tags: "\n".join(
            ["tags:"] + [f"  {'-' if index == 0 else ' '} {key}: {value}" for fields in tags for index, (key, value) in enumerate(fields)]
        )
    ),
)
#: Documents shaped like a config (sections, lists of tags) holding the values above.
_CONFIG_SHAPED = st.lists(_ENTRY, max_size=8, unique_by=lambda entry: entry.split(":")[0]).map(
    lambda entries: "\n".join(entries) + "\n"
)


def _check(text: str, tmp: Path) -> None:
    try:
        result = parse_config(text, tmp / "config.yaml")
    except ConfigError as error:
        message = str(error)
        assert message.startswith(str(tmp / "config.yaml")), message
        assert not UNPRINTABLE.search(message), repr(message)
    else:
        assert isinstance(result, Config)


_TMP = Path("/nonexistent-reader-dir")  # parse_config never needs the folder to exist


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_gives_a_config_or_a_config_error(text):
    _check(text, _TMP)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_CONFIG_SHAPED)
def test_any_config_shaped_text_gives_a_config_or_a_config_error(text):
    _check(text, _TMP)
