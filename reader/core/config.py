"""config.yaml -> a frozen `Config`: where it is found, its defaults, and its validation.

Every error names the file, the line and the key; loading a config never touches the database.
"""

from __future__ import annotations

import getpass
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from reader.core.entities import LABELS
from reader.core.keys import reserved_keys
from reader.core.yamlsafe import Located, SafeLoader as _SafeLoader, YamlError, load_located

CONFIG_ENV = "READER_CONFIG"
CONFIG_NAME = "config.yaml"
#: Names the database directly, over config.yaml's `database` (and under `--db`).
DATABASE_ENV = "READER_DB"
DATABASE_NAME = "annotations.db"

#: Keys a tag may not take: every key of the article and list screens, and a few kept free
#: (derived from the key registry, reader/core/keys.py, where every key reader binds lives).
RESERVED_KEYS = reserved_keys()

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


def is_color(value: str) -> bool:
    """Whether `value` is a colour reader accepts: #rgb, #rrggbb or one of COLOR_NAMES."""
    return bool(_HEX_COLOR.fullmatch(value)) or value.lower() in COLOR_NAMES

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


#: `reader import` skips files larger than this many megabytes (MiB) unless the config says otherwise.
DEFAULT_MAX_FILE_MB = 50


@dataclass(frozen=True, slots=True)
class ImportSettings:
    #: `reader import` skips files larger than this many megabytes (MiB) without reading them.
    max_file_mb: int = DEFAULT_MAX_FILE_MB
    #: How a date such as 02/03/2019 is read: day first (2 March), else month first (3 February).
    day_first: bool = True
    #: `import.fields`: for title, text, date, source, url and author, the field names of JSON,
    #: JSONL and CSV records to look for first (before the defaults, see ingest/records.py).
    fields: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: `import.csv_delimiter`: the delimiter of CSV files; None: sniffed from each file's header.
    csv_delimiter: str | None = None


@dataclass(frozen=True, slots=True)
class StudySettings:
    """`study:`: a coding study's blind mode and its lead (issue 17). The database's own word
    (`reader study open|close`, kept for every coder of a shared database) overrides `blind`."""

    #: Each coder sees only their own annotations, tags, notes and counts (but the lead).
    blind: bool = False
    #: The study lead: sees everyone's work, and alone runs agreement and the side-by-side view.
    lead: str | None = None


@dataclass(frozen=True, slots=True)
class Config:
    """The validated configuration; paths are absolute."""

    path: Path
    annotator: str
    #: The database this configuration names (or its default); `choose_database` weighs it
    #: against `--db` and $READER_DB.
    database: Path
    export_file: Path
    load_samples: bool
    theme: str
    reading_width: int
    tags: tuple[TagSpec, ...]
    entities: EntitySettings
    #: Binding id -> the keys that replace its defaults ("ctrl+n,n"), checked by the TUI.
    keymap: dict[str, str] = field(default_factory=dict)
    importing: ImportSettings = field(default_factory=ImportSettings)
    #: `list.columns`: attributes (a dataset's other fields) the article list shows as columns.
    list_columns: tuple[str, ...] = ()
    study: StudySettings = field(default_factory=StudySettings)
    #: `study.gold`: the annotator name adjudicated annotations are written under (the gold layer).
    gold: str = "gold"
    #: The line each top-level key is written on, for errors found after loading.
    key_lines: dict[str, int] = field(default_factory=dict, compare=False)
    #: Where readers before 0.2 kept `database` (the user config folder, for the user's own
    #: config.yaml), when that is not where it is now: a database there is moved once.
    former_database: Path | None = None

    def error(self, key: str, problem: str) -> ConfigError:
        """A ConfigError about top-level `key`, found by a caller after loading."""
        return ConfigError(self.path, self.key_lines.get(key), key, problem)

    def tag_for_key(self, key: str) -> TagSpec | None:
        return next((tag for tag in self.tags if tag.key == key), None)


class ConfigError(YamlError):
    """A configuration problem, reported as `file:line: key: problem`, always on one line and
    without control characters (a key or value from the file is shown with escapes)."""

    def __init__(self, path: Path | str, line: int | None, where: str, problem: str):
        super().__init__(_one_line(str(path)), line, _one_line(where), _one_line(problem))


_LINE_BREAKS = re.compile(r"\s*[\n\r\x85\u2028\u2029]\s*")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _one_line(text: str) -> str:
    """`text` with line breaks made spaces and other control characters shown as escapes."""
    text = _LINE_BREAKS.sub(" ", text)
    return _CONTROL.sub(lambda match: ascii(match.group())[1:-1], text)


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
    path = user_config_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(default_config_text(), encoding="utf-8")
    return path.resolve()


def user_config_file() -> Path:
    """config.yaml in the user's config folder (~/.config/reader/config.yaml on Linux)."""
    import platformdirs

    return platformdirs.user_config_path("reader") / CONFIG_NAME


def user_data_folder() -> Path:
    """Where the user config's database lives: the user data folder (~/.local/share/reader on
    Linux), never the config folder, which is for settings (and may be synced or shared)."""
    import platformdirs

    return platformdirs.user_data_path("reader")


def is_user_config(path: Path) -> bool:
    """Whether `path` is the config.yaml of the user's config folder."""
    try:
        return Path(path).resolve() == user_config_file().resolve()
    except (OSError, RuntimeError):
        return False


def choose_database(config: Config, option: str | Path | None = None,
                    environ: dict[str, str] | None = None) -> tuple[Path, str]:
    """The database a command uses, and what chose it: `--db` (`option`), else $READER_DB, else
    the configuration's `database` (or its default). A relative path given on the command line
    or in the environment is relative to the current folder. ConfigError naming where the path
    came from when it names a folder."""
    environ = os.environ if environ is None else environ
    for given, origin in ((option, "--db"), (environ.get(DATABASE_ENV), f"${DATABASE_ENV}")):
        if given is None or given == "":
            continue
        path = Path(given).expanduser()
        if path.is_dir():
            raise ConfigError(path, None, "", f"is a folder (given with {origin}); name a database file")
        return path.absolute(), origin
    return config.database, str(config.path)


def load_config(path: Path) -> Config:
    """Read and validate the config file at `path`."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(path, None, "", error.strerror or str(error)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        bad = data[error.start]
        raise ConfigError(path, line, "", f"not valid UTF-8 (byte 0x{bad:02x} at offset {error.start}); save it as UTF-8") from None
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> Config:
    """Validate config text; `path` locates relative paths and names the file in errors."""
    unreadable = _NOT_YAML_TEXT.search(text)
    if unreadable:
        line = text.count("\n", 0, unreadable.start()) + 1
        character = f"U+{ord(unreadable.group()):04X}"
        raise ConfigError(path, line, "", f"not valid YAML (the character {character} is not allowed in a YAML file)")
    try:
        root = load_located(text, path)
    except YamlError as error:
        raise ConfigError(error.path, error.line, error.where, error.problem) from None
    except RecursionError:
        raise ConfigError(path, _deep_line(text), "", "not valid YAML (nested too deeply)") from None
    except (ValueError, OverflowError, yaml.YAMLError) as error:
        # A value YAML's own constructors refuse: a date such as 2025-02-30, a 5,000-digit number.
        line, written = _unbuildable_scalar(text) or (None, "")
        shown = f"{_shown(written, 40)}: " if written else ""
        problem = _shown(str(error), 100)[1:-1]
        raise ConfigError(path, line, "", f"not a valid value ({shown}{problem}); put it in quotes if it is text") from None
    return _ConfigReader(path, text).read(root)


def _deep_line(text: str, depth: int = 100) -> int | None:
    """The line where collections in `text` first nest `depth` deep (read from flat events)."""
    level = 0
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            level += 1
            if level >= depth:
                return event.start_mark.line + 1
        elif isinstance(event, yaml.CollectionEndEvent):
            level -= 1
    return None


def _plain_scalars(text: str) -> Iterator[tuple[int, str, str]]:
    """(line, text as written, resolved tag) of every unquoted, untagged scalar in `text`."""
    resolver = yaml.resolver.Resolver()
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, yaml.ScalarEvent) and event.implicit[0] and not event.style:
            tag = resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
            yield event.start_mark.line + 1, event.value, tag


def _unbuildable_scalar(text: str) -> tuple[int, str] | None:
    """The line and text of the first plain scalar YAML cannot turn into a value, if any."""
    constructor = yaml.constructor.SafeConstructor()
    try:
        for line, written, tag in _plain_scalars(text):
            try:
                constructor.construct_object(yaml.ScalarNode(tag, written), deep=True)
            except (ValueError, OverflowError, yaml.YAMLError):
                return line, written
    except (yaml.YAMLError, RecursionError):
        pass
    return None


#: Integers YAML 1.1 reads from other than plain decimal digits: 012 (octal 10), 0x1f, 0b11,
#: 1_000, 1:30 (sexagesimal 90). Refused where a number is expected, since they rarely mean that.
_PLAIN_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_INT_TAG = "tag:yaml.org,2002:int"


def _odd_integers(text: str) -> dict[tuple[int, int], str]:
    """(line, value) -> how the integer was written, for integers not written as plain digits."""
    constructor = yaml.constructor.SafeConstructor()
    odd: dict[tuple[int, int], str] = {}
    try:
        for line, written, tag in _plain_scalars(text):
            if tag == _INT_TAG and not _PLAIN_DECIMAL.fullmatch(written):
                odd[line, constructor.construct_yaml_int(yaml.ScalarNode(tag, written))] = written
    except (yaml.YAMLError, RecursionError, ValueError):
        pass
    return odd


#: What YAML does not allow in a file (its reader stops there without a line number): C0 and C1
#: control characters other than tab, line breaks and U+0085, lone surrogates, U+FFFE and U+FFFF.
_NOT_YAML_TEXT = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class _ConfigReader:
    """Turns located YAML values into a Config, one checked key at a time."""

    KEYS = {
        "annotator", "database", "export_file", "load_samples", "theme", "reading_width", "entities", "tags", "keymap",
        "import", "list", "study",
    }
    STUDY_KEYS = {"blind", "lead", "gold"}
    ENTITY_KEYS = {"show", "colors", "gazetteer", "backend", "spacy_pipeline"}
    TAG_KEYS = {"name", "key", "color", "description"}
    IMPORT_KEYS = {"max_file_mb", "day_first", "fields", "csv_delimiter"}
    LIST_KEYS = {"columns"}

    def __init__(self, path: Path, text: str = ""):
        self.path = path
        self.odd_integers = _odd_integers(text) if text else {}

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
            hint = " (put it in quotes)" if isinstance(node.value, (bool, int, float, date)) else ""
            written = self.odd_integers.get((node.line, node.value)) if isinstance(node.value, int) else None
            if written:
                hint = f" (YAML reads {written} as {node.value}; put it in quotes)"
            raise self.fail(node, where, f"expected a string, got {_kind(node.value)} {_shown(node.value)}{hint}")
        if not node.value.strip() and not empty_ok:
            raise self.fail(node, where, "must not be empty")
        control = _FORBIDDEN_IN_STRINGS.search(node.value)
        if control:
            raise self.fail(node, where, f"contains the control character {ascii(control.group())[1:-1]}")
        return node.value

    def boolean(self, node: Located | None, where: str, default: bool) -> bool:
        if node is None or node.value is None:
            return default
        if not isinstance(node.value, bool):
            raise self.fail(node, where, f"expected true or false, got {_kind(node.value)} {_shown(node.value)}")
        return node.value

    def integer(self, node: Located | None, where: str, default: int, low: int, high: int) -> int:
        if node is None or node.value is None:
            return default
        if isinstance(node.value, bool) or not isinstance(node.value, int):
            raise self.fail(node, where, f"expected a whole number, got {_kind(node.value)} {_shown(node.value)}")
        written = self.odd_integers.get((node.line, node.value))
        if written:
            raise self.fail(node, where, f"write a plain whole number: YAML reads {written} as {node.value}")
        if not low <= node.value <= high:
            raise self.fail(node, where, f"must be between {low} and {high}, got {node.value}")
        return node.value

    def color(self, node: Located | None, where: str, default: str) -> str:
        value = self.string(node, where, default)
        if not is_color(value):
            raise self.fail(node, where, f"not a colour: {value!r} (use #rrggbb or a name such as red)")
        return value

    def path_value(self, node: Located | None, where: str, default: str, base: Path | None = None) -> Path:
        """The path written at `node` (or `default`), relative to `base` (the config file's folder)."""
        written = self.string(node, where, default)
        try:
            value = Path(written).expanduser()
            return value if value.is_absolute() else ((base or self.path.parent) / value).resolve()
        except (OSError, RuntimeError, ValueError) as error:  # ~nobody/x, a symbolic link loop
            raise self.fail(node, where, f"not a usable path: {written!r} ({error})") from None

    def read(self, root: Located | None) -> Config:
        top = self.mapping(root, "", self.KEYS)
        tags = self.tags(top.get("tags"))
        database, former = self.database(top.get("database"))
        return Config(
            path=self.path.resolve(),
            annotator=self.string(top.get("annotator"), "annotator", _login_name()),
            database=database,
            former_database=former,
            export_file=self.path_value(top.get("export_file"), "export_file", "annotations.yaml"),
            load_samples=self.boolean(top.get("load_samples"), "load_samples", True),
            theme=self.string(top.get("theme"), "theme", "textual-dark"),
            reading_width=self.integer(top.get("reading_width"), "reading_width", 88, 20, 1000),
            tags=tags,
            entities=self.entities(top.get("entities")),
            keymap=self.keymap(top.get("keymap"), tags),
            importing=self.importing(top.get("import")),
            list_columns=self.list_columns(top.get("list")),
            study=self.study(top.get("study")),
            gold=self.gold(top.get("study"), top.get("annotator")),
            key_lines={key: node.line for key, node in top.items()},
        )

    def gold(self, node: Located | None, annotator: Located | None) -> str:
        """`study.gold`: the gold layer's annotator name, never the user's own (a curator's
        own annotations and the gold they decide must stay apart)."""
        section = self.mapping(node, "study", self.STUDY_KEYS)
        name = self.string(section.get("gold"), "study.gold", "gold")
        if name != name.strip() or not name.isprintable():
            raise self.fail(section.get("gold"), "study.gold", "an annotator name has no spaces at its ends and no control characters")
        if annotator is not None and annotator.value == name:
            raise self.fail(section.get("gold") or annotator, "study.gold",
                            f"the gold layer cannot have your own annotator name {name!r}: name one of them otherwise")
        return name

    def database(self, node: Located | None) -> tuple[Path, Path | None]:
        """`database`, relative to the config file's folder; but in the user's own config.yaml,
        relative to the user data folder, where reader keeps that database (older readers kept it
        beside the file: that place is returned too, for the move)."""
        if not is_user_config(self.path):
            return self.path_value(node, "database", DATABASE_NAME), None
        database = self.path_value(node, "database", DATABASE_NAME, base=user_data_folder())
        former = self.path_value(node, "database", DATABASE_NAME)
        return database, (former if former != database else None)

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

    def list_columns(self, node: Located | None) -> tuple[str, ...]:
        from reader.core.model import attribute_name_problem

        section = self.mapping(node, "list", self.LIST_KEYS)
        child = section.get("columns")
        if child is None or child.value is None:
            return ()
        names = self.string_list(child, "list.columns")
        for name in names:
            problem = attribute_name_problem(name)
            if problem:
                raise self.fail(child, "list.columns", f"{name!r}: {problem}")
        return tuple(dict.fromkeys(names))

    def study(self, node: Located | None) -> StudySettings:
        section = self.mapping(node, "study", self.STUDY_KEYS)
        lead = section.get("lead")
        return StudySettings(
            blind=self.boolean(section.get("blind"), "study.blind", False),
            lead=self.string(lead, "study.lead", "") or None,
        )

    def importing(self, node: Located | None) -> ImportSettings:
        section = self.mapping(node, "import", self.IMPORT_KEYS)
        return ImportSettings(
            max_file_mb=self.integer(section.get("max_file_mb"), "import.max_file_mb", DEFAULT_MAX_FILE_MB, 1, 1_000_000),
            day_first=self.boolean(section.get("day_first"), "import.day_first", True),
            fields=self.import_fields(section.get("fields")),
            csv_delimiter=self.csv_delimiter(section.get("csv_delimiter")),
        )

    def import_fields(self, node: Located | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
        from reader.core.ingest.records import ROLES

        section = self.mapping(node, "import.fields", set(ROLES))
        fields: list[tuple[str, tuple[str, ...]]] = []
        for role in ROLES:
            child = section.get(role)
            if child is None or child.value is None:
                continue
            where = f"import.fields.{role}"
            names = [self.string(child, where, "")] if isinstance(child.value, str) else self.string_list(child, where)
            fields.append((role, tuple(names)))
        return tuple(fields)

    def csv_delimiter(self, node: Located | None) -> str | None:
        if node is None or node.value is None:
            return None
        value = self.string(node, "import.csv_delimiter", ",", empty_ok=True)
        value = {"tab": "\t", "\\t": "\t"}.get(value, value)
        if len(value) != 1 or value in "\"\r\n":
            raise self.fail(node, "import.csv_delimiter", f"expected one character (or tab), got {_shown(value)}")
        return value

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
        problem = tag_key_problem(key)
        if problem is not None:
            raise self.fail(node, where, problem)
        return key


def tag_key_problem(key: str) -> str | None:
    """Why `key` cannot be a tag's key (None: it can): what config.yaml and the Tags screen check."""
    if not key.isprintable() or key.isspace() or any(unicodedata.category(char) in ("Zs", "Cf") for char in key):
        return f"not a key: {key!r} (use a character you can see, or a name such as f5)"
    if key in RESERVED_KEYS:
        return f"key {key!r} is taken by reader's own keys; choose another (digits are free)"
    if len(key) != 1 and not _KEY_NAME.fullmatch(key):
        return f"not a key: {key!r} (use one character, or a name such as f5)"
    return None


#: Control characters (other than tab and newline) and lone surrogates: no string value may hold
#: one, since each ends up on the terminal, in a path or in the database.
_FORBIDDEN_IN_STRINGS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _shown(value: Any, limit: int = 60) -> str:
    """`value` as shown in an error: its repr, cut to `limit` characters."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 2] + "…" + shown[-1]


def _kind(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
        type(None): "nothing",
        date: "a date",
        datetime: "a date and time",
    }.get(type(value), type(value).__name__)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "anonymous"
