"""config.yaml -> a frozen `Config`: where it is found, its defaults, and its validation.

Every error names the file, the line and the key; loading a config never touches the database.
"""

from __future__ import annotations

import getpass
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from reader.core.entities import LABELS
from reader.core.yamlsafe import Located, YamlError, load_located

CONFIG_ENV = "READER_CONFIG"
CONFIG_NAME = "config.yaml"

#: Keys the article and list screens use for navigation and commands. A tag key may not be
#: one of these (the TUI's bindings are checked against this set by a test).
RESERVED_KEYS = frozenset(
    {
        "h", "j", "k", "l", "w", "b", "e", "g", "G", "n", "N", "p", "q", "s", "t", "T",
        "m", "x", "u", "v", "V", "(", ")", "{", "}", "[", "]", "?", "/", ":", " ",
        "o", "f", "S", "r", "c", "i", "E", "J", "K", "U", "a", "A", "X", "O", "W",
        "escape", "enter", "space", "tab", "up", "down", "left", "right", "home", "end",
        "pageup", "pagedown", "ctrl+p", "ctrl+r", "ctrl+c", "ctrl+q", "ctrl+s",
        "shift+left", "shift+right", "shift+up", "shift+down", "shift+home", "shift+end",
    }
)

#: Colour names accepted besides `#rgb` / `#rrggbb` hex values.
COLOR_NAMES = frozenset(
    {
        "red", "green", "blue", "yellow", "magenta", "cyan", "white", "black", "orange",
        "purple", "pink", "brown", "grey", "gray", "teal", "olive", "navy", "maroon", "lime",
        "aqua", "gold", "salmon", "violet", "indigo", "coral", "crimson", "turquoise",
    }
)
_KEY_NAME = re.compile(r"((ctrl|alt|shift|super)\+)*[a-z0-9_]+")
_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")

DEFAULT_ENTITY_COLORS: dict[str, str] = {
    "PERSON": "#5fafff",
    "ORG": "#d7875f",
    "GPE": "#87d787",
    "LOC": "#5fd7af",
    "NORP": "#d7afff",
    "FAC": "#afaf5f",
    "DATE": "#ffd75f",
    "MONEY": "#87afaf",
    "EVENT": "#ff87af",
}


@dataclass(frozen=True, slots=True)
class TagSpec:
    """A tag the user can apply with one key."""

    name: str
    key: str
    color: str
    description: str


@dataclass(frozen=True, slots=True)
class EntitySettings:
    show: bool
    colors: dict[str, str]
    gazetteer: dict[str, tuple[str, ...]]
    #: "builtin" (rules and gazetteers), or "spacy" (the built-in rules first, then a spaCy
    #: pipeline for what they leave).
    backend: str = "builtin"
    spacy_pipeline: str = "en_core_web_sm"


@dataclass(frozen=True, slots=True)
class Config:
    """The validated configuration; paths are absolute."""

    path: Path
    annotator: str
    database: Path
    export_file: Path
    load_samples: bool
    theme: str
    reading_width: int
    tags: tuple[TagSpec, ...]
    entities: EntitySettings
    #: Binding id -> the keys that replace its defaults ("ctrl+n,n"), checked by the TUI.
    keymap: dict[str, str] = field(default_factory=dict)
    #: The line each top-level key is written on, for errors found after loading.
    key_lines: dict[str, int] = field(default_factory=dict, compare=False)

    def error(self, key: str, problem: str) -> ConfigError:
        """A ConfigError about top-level `key`, found by a caller after loading."""
        return ConfigError(self.path, self.key_lines.get(key), key, problem)

    def tag_for_key(self, key: str) -> TagSpec | None:
        return next((tag for tag in self.tags if tag.key == key), None)


class ConfigError(YamlError):
    """A configuration problem, reported as `file:line: key: problem`."""


def default_config_text() -> str:
    """The documented default configuration shipped with the package."""
    return resources.files("reader").joinpath("default_config.yaml").read_text(encoding="utf-8")


def find_config_path(explicit: str | Path | None = None, cwd: Path | None = None) -> Path:
    """Where the configuration lives: --config, $READER_CONFIG, ./config.yaml, the user config dir.

    The user-directory file is created from the documented default when it does not exist.
    """
    if explicit is not None:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(path, None, "", "no such config file (given with --config)")
        return path.resolve()
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        path = Path(from_env).expanduser()
        if not path.is_file():
            raise ConfigError(path, None, "", f"no such config file (given by ${CONFIG_ENV})")
        return path.resolve()
    local = (cwd or Path.cwd()) / CONFIG_NAME
    if local.is_file():
        return local.resolve()
    return ensure_user_config()


def ensure_user_config() -> Path:
    """The config file in the user's config dir, written from the default on first use."""
    import platformdirs

    path = platformdirs.user_config_path("reader") / CONFIG_NAME
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(default_config_text(), encoding="utf-8")
    return path.resolve()


def load_config(path: Path) -> Config:
    """Read and validate the config file at `path`."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(path, None, "", f"not valid UTF-8 ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise ConfigError(path, None, "", error.strerror or str(error)) from None
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> Config:
    """Validate config text; `path` locates relative paths and names the file in errors."""
    try:
        root = load_located(text, path)
    except YamlError as error:
        raise ConfigError(error.path, error.line, error.where, error.problem) from None
    return _ConfigReader(path).read(root)


class _ConfigReader:
    """Turns located YAML values into a Config, one checked key at a time."""

    KEYS = {
        "annotator", "database", "export_file", "load_samples", "theme", "reading_width", "entities", "tags", "keymap",
    }
    ENTITY_KEYS = {"show", "colors", "gazetteer", "backend", "spacy_pipeline"}
    TAG_KEYS = {"name", "key", "color", "description"}

    def __init__(self, path: Path):
        self.path = path

    def fail(self, node: Located | None, where: str, problem: str) -> ConfigError:
        return ConfigError(self.path, node.line if node else None, where, problem)

    def mapping(self, node: Located | None, where: str, allowed: set[str]) -> dict[str, Located]:
        if node is None or node.value is None:
            return {}
        if not isinstance(node.value, dict):
            raise self.fail(node, where, f"expected a mapping, got {_kind(node.value)}")
        for key, child in node.value.items():
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(child, f"{where}.{key}" if where else key, f"unknown key (known keys: {known})")
        return node.value

    def string(self, node: Located | None, where: str, default: str, *, empty_ok: bool = False) -> str:
        if node is None or node.value is None:
            return default
        if not isinstance(node.value, str):
            hint = " (put it in quotes)" if isinstance(node.value, (bool, int, float)) else ""
            raise self.fail(node, where, f"expected a string, got {_kind(node.value)} {node.value!r}{hint}")
        if not node.value.strip() and not empty_ok:
            raise self.fail(node, where, "must not be empty")
        return node.value

    def boolean(self, node: Located | None, where: str, default: bool) -> bool:
        if node is None or node.value is None:
            return default
        if not isinstance(node.value, bool):
            raise self.fail(node, where, f"expected true or false, got {_kind(node.value)} {node.value!r}")
        return node.value

    def integer(self, node: Located | None, where: str, default: int, low: int, high: int) -> int:
        if node is None or node.value is None:
            return default
        if isinstance(node.value, bool) or not isinstance(node.value, int):
            raise self.fail(node, where, f"expected a whole number, got {_kind(node.value)} {node.value!r}")
        if not low <= node.value <= high:
            raise self.fail(node, where, f"must be between {low} and {high}, got {node.value}")
        return node.value

    def color(self, node: Located | None, where: str, default: str) -> str:
        value = self.string(node, where, default)
        if not (_HEX_COLOR.fullmatch(value) or value.lower() in COLOR_NAMES):
            raise self.fail(node, where, f"not a colour: {value!r} (use #rrggbb or a name such as red)")
        return value

    def path_value(self, node: Located | None, where: str, default: str) -> Path:
        value = Path(self.string(node, where, default)).expanduser()
        return value if value.is_absolute() else (self.path.parent / value).resolve()

    def read(self, root: Located | None) -> Config:
        top = self.mapping(root, "", self.KEYS)
        tags = self.tags(top.get("tags"))
        return Config(
            path=self.path.resolve(),
            annotator=self.string(top.get("annotator"), "annotator", _login_name()),
            database=self.path_value(top.get("database"), "database", "annotations.db"),
            export_file=self.path_value(top.get("export_file"), "export_file", "annotations.yaml"),
            load_samples=self.boolean(top.get("load_samples"), "load_samples", True),
            theme=self.string(top.get("theme"), "theme", "textual-dark"),
            reading_width=self.integer(top.get("reading_width"), "reading_width", 88, 20, 1000),
            tags=tags,
            entities=self.entities(top.get("entities")),
            keymap=self.keymap(top.get("keymap"), tags),
            key_lines={key: node.line for key, node in top.items()},
        )

    def entities(self, node: Located | None) -> EntitySettings:
        section = self.mapping(node, "entities", self.ENTITY_KEYS)
        colors = dict(DEFAULT_ENTITY_COLORS)
        for label, child in self.mapping(section.get("colors"), "entities.colors", set(LABELS)).items():
            colors[label] = self.color(child, f"entities.colors.{label}", colors[label])
        gazetteer: dict[str, tuple[str, ...]] = {}
        for label, child in self.mapping(section.get("gazetteer"), "entities.gazetteer", set(LABELS)).items():
            gazetteer[label] = tuple(self.string_list(child, f"entities.gazetteer.{label}"))
        backend = self.string(section.get("backend"), "entities.backend", "builtin")
        if backend not in ("builtin", "spacy"):
            raise self.fail(section["backend"], "entities.backend", f"expected builtin or spacy, got {backend!r}")
        return EntitySettings(
            show=self.boolean(section.get("show"), "entities.show", True),
            colors=colors,
            gazetteer=gazetteer,
            backend=backend,
            spacy_pipeline=self.string(section.get("spacy_pipeline"), "entities.spacy_pipeline", "en_core_web_sm"),
        )

    def string_list(self, node: Located, where: str) -> list[str]:
        if node.value is None:
            return []
        if not isinstance(node.value, list):
            raise self.fail(node, where, f"expected a list, got {_kind(node.value)}")
        return [self.string(item, f"{where}[{index}]", "") for index, item in enumerate(node.value)]

    def tags(self, node: Located | None) -> tuple[TagSpec, ...]:
        if node is None or node.value is None:
            return ()
        if not isinstance(node.value, list):
            raise self.fail(node, "tags", f"expected a list of tags, got {_kind(node.value)}")
        tags: list[TagSpec] = []
        for index, item in enumerate(node.value):
            where = f"tags[{index}]"
            fields = self.mapping(item, where, self.TAG_KEYS)
            if "name" not in fields:
                raise self.fail(item, where, "a tag needs a name")
            name = self.string(fields["name"], f"{where}.name", "").strip()
            key = self.tag_key(fields.get("key"), f"{where}.key")
            if any(tag.name == name for tag in tags):
                raise self.fail(fields["name"], f"{where}.name", f"the tag {name!r} is defined twice")
            clash = next((tag for tag in tags if key and tag.key == key), None)
            if clash:
                raise self.fail(fields["key"], f"{where}.key", f"key {key!r} is already used by tag {clash.name!r}")
            tags.append(
                TagSpec(
                    name=name,
                    key=key,
                    color=self.color(fields.get("color"), f"{where}.color", "yellow"),
                    description=self.string(fields.get("description"), f"{where}.description", "", empty_ok=True),
                )
            )
        return tuple(tags)

    def keymap(self, node: Located | None, tags: tuple[TagSpec, ...]) -> dict[str, str]:
        if node is None or node.value is None:
            return {}
        if not isinstance(node.value, dict):
            raise self.fail(node, "keymap", f"expected a mapping of binding ids to keys, got {_kind(node.value)}")
        keymap: dict[str, str] = {}
        tag_keys = {tag.key: tag.name for tag in tags if tag.key}
        for binding_id, child in node.value.items():
            where = f"keymap.{binding_id}"
            keys = self.string(child, where, "")
            for key in (part.strip() for part in keys.split(",")):
                if not key or not (len(key) == 1 or _KEY_NAME.fullmatch(key)):
                    raise self.fail(child, where, f"not a key: {key!r} (use one character, or a name such as ctrl+n)")
                if key in tag_keys:
                    raise self.fail(child, where, f"key {key!r} is the key of tag {tag_keys[key]!r}")
            keymap[binding_id] = keys
        return keymap

    def tag_key(self, node: Located | None, where: str) -> str:
        if node is None or node.value is None:
            return ""
        value = node.value
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9:
            value = str(value)  # `key: 1` is what people write; it can only mean the digit
        key = self.string(Located(value, node.line), where, "")
        if key in RESERVED_KEYS:
            raise self.fail(node, where, f"key {key!r} is taken by reader's own keys; choose another (digits are free)")
        if len(key) != 1 and not _KEY_NAME.fullmatch(key):
            raise self.fail(node, where, f"not a key: {key!r} (use one character, or a name such as f5)")
        return key


def _kind(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
        type(None): "nothing",
    }.get(type(value), type(value).__name__)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "anonymous"
