from pathlib import Path

import pytest

from reader.core.config import (
    ConfigError,
    default_config_text,
    find_config_path,
    load_config,
    parse_config,
)

REPO = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    return str(caught.value)


def test_repository_config_is_the_shipped_default():
    assert (REPO / "config.yaml").read_text(encoding="utf-8") == default_config_text()


def test_default_config_loads_with_documented_values(tmp_path):
    config = load_config(write(tmp_path, default_config_text()))
    assert config.database == tmp_path / "annotations.db"
    assert config.export_file == tmp_path / "annotations.yaml"
    assert config.reading_width == 88
    assert [tag.key for tag in config.tags] == ["1", "2", "3", "4", "5", "6"]
    assert config.tag_for_key("2").name == "cooperation"
    assert config.annotator  # empty in the file: the login name


def test_tags_and_annotator_alone_are_a_complete_config(tmp_path):
    config = load_config(
        write(tmp_path, "annotator: alice\ntags:\n  - name: frame\n    key: z\n    color: '#ff0000'\n")
    )
    assert config.annotator == "alice"
    assert config.tags[0].name == "frame" and config.tags[0].description == ""
    assert config.load_samples is True and config.theme == "textual-dark"
    assert config.entities.colors["PERSON"].startswith("#")


def test_every_default_config_key_is_commented():
    lines = default_config_text().splitlines()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.startswith("- ") or line.startswith("    "):
            continue
        if line.startswith("  ") and not line.startswith("   "):
            continue  # nested keys are described by their section's comment
        assert lines[index - 1].strip().startswith("#") or lines[index - 1].strip() == "", line
        assert any(previous.strip().startswith("#") for previous in lines[max(0, index - 6) : index]), line


def test_paths_are_relative_to_the_config_file(tmp_path):
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "config.yaml"
    path.write_text("database: data/my.db\nexport_file: /tmp/out.yaml\n", encoding="utf-8")
    config = load_config(path)
    assert config.database == tmp_path / "sub" / "data" / "my.db"
    assert config.export_file == Path("/tmp/out.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("colour: red\n", "config.yaml:1: colour: unknown key"),
        ("reading_width: wide\n", "config.yaml:1: reading_width: expected a whole number"),
        ("load_samples: 'yes'\n", "config.yaml:1: load_samples: expected true or false"),
        ("annotator: no\n", "config.yaml:1: annotator: expected a string, got a boolean False"),
        ("tags:\n  - name: a\n    key: x\n", "config.yaml:3: tags[0].key: key 'x' is taken by reader's own keys"),
        (
            "tags:\n  - name: a\n    key: '1'\n  - name: b\n    key: 1\n",
            "config.yaml:5: tags[1].key: key '1' is already used by tag 'a'",
        ),
        ("tags:\n  - name: a\n  - name: a\n", "config.yaml:3: tags[1].name: the tag 'a' is defined twice"),
        ("tags:\n  - key: '1'\n", "config.yaml:2: tags[0]: a tag needs a name"),
        ("tags:\n  - name: a\n    color: blurple\n", "config.yaml:3: tags[0].color: not a colour"),
        ("entities:\n  colors:\n    PEOPLE: red\n", "config.yaml:3: entities.colors.PEOPLE: unknown key"),
        ("tags: [\n", "config.yaml:2: not valid YAML"),
        ("annotator: &a bob\ndatabase: *a\n", "config.yaml:2: database: anchors and aliases are not allowed"),
        ("annotator: !!python/object:os.system ls\n", "is not allowed"),
        ("annotator: a\nannotator: b\n", "config.yaml:2: annotator: this key is given twice"),
        ("- just\n- a list\n", "config.yaml:1: expected a mapping"),
        ("keymap:\n  cursor.word_next: 'ctrl+'\n", "config.yaml:2: keymap.cursor.word_next: not a key"),
        (
            "tags:\n  - name: a\n    key: '1'\nkeymap:\n  cursor.word_next: 'W,1'\n",
            "config.yaml:5: keymap.cursor.word_next: key '1' is the key of tag 'a'",
        ),
    ],
)
def test_bad_config_is_one_line_naming_file_line_and_key(tmp_path, text, expected):
    message = error_for(tmp_path, text)
    assert "\n" not in message
    assert expected in message
    assert message.startswith(str(tmp_path))


def test_empty_config_file_gives_all_defaults(tmp_path):
    config = parse_config("", tmp_path / "config.yaml")
    assert config.tags == () and config.reading_width == 88


def test_config_search_order(tmp_path, monkeypatch):
    explicit = write(tmp_path, "annotator: explicit\n")
    env_file = tmp_path / "env.yaml"
    env_file.write_text("annotator: env\n")
    cwd = tmp_path / "work"
    cwd.mkdir()
    (cwd / "config.yaml").write_text("annotator: cwd\n")
    user_dir = tmp_path / "user"
    monkeypatch.setattr("platformdirs.user_config_path", lambda name: user_dir / name)

    monkeypatch.setenv("READER_CONFIG", str(env_file))
    assert find_config_path(explicit, cwd=cwd) == explicit
    assert find_config_path(None, cwd=cwd) == env_file
    monkeypatch.delenv("READER_CONFIG")
    assert find_config_path(None, cwd=cwd) == cwd / "config.yaml"
    created = find_config_path(None, cwd=tmp_path / "elsewhere")
    assert created == user_dir / "reader" / "config.yaml"
    assert created.read_text(encoding="utf-8") == default_config_text()


def test_missing_explicit_config_is_an_error(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="no such config file"):
        find_config_path(tmp_path / "nope.yaml")
    monkeypatch.setenv("READER_CONFIG", str(tmp_path / "gone.yaml"))
    with pytest.raises(ConfigError, match="READER_CONFIG"):
        find_config_path(None, cwd=tmp_path)
