"""The codebook: every tag's look (colour, description, key) as the database holds it, and the
same written back into config.yaml (the `tags:` block replaced, the rest kept byte for byte).

It never writes a file that does not load as a config again, and never writes half a file.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.color import Color as TerminalColor
from rich.color import ColorSystem

from reader.core.config import Config, ConfigError, parse_config
from reader.core.exchange.yaml_emit import mapping
from reader.core.safefile import write_text

_TAGS_KEY = re.compile(r"^tags[ \t]*:[^\n]*$", re.MULTILINE)
_TOP_LEVEL = re.compile(r"^[^\s#-]", re.MULTILINE)


#: The sample configuration's tag colours: red, green, yellow, magenta, blue, cyan, each a colour
#: of the 256-colour palette whose tint stays apart from the others' in a terminal of 256 colours
#: on every built-in theme, and which falls on a colour of its own in a terminal of 16.
TAG_COLORS = ("#ff5f5f", "#87d75f", "#ffd75f", "#d787ff", "#5f87ff", "#5fd7d7")
#: Colours for tags that have none (created on the fly): picked by name, so always the same.
FALLBACK_COLORS = TAG_COLORS + ("#d7af87", "#afd7ff")

RGB = tuple[int, int, int]
#: How much of the page's colour a passage's background mixes into its tag's colour (one
#: passage, passages on top of each other), by the colours the terminal has. A terminal of 256
#: colours rounds every colour to its palette, so tints there keep more of the tag's colour
#: (rounded, the 55% tints of different tags fall on the same dark grey); a terminal of 16 shows
#: the tag's colour itself.
TINTS = {"truecolor": (0.55, 0.35), "256": (0.3, 0.2), "16": (0.0, 0.0)}
_SYSTEMS = {"256": ColorSystem.EIGHT_BIT, "16": ColorSystem.STANDARD}


def fallback_color(name: str) -> str:
    return FALLBACK_COLORS[zlib.crc32(name.encode("utf-8")) % len(FALLBACK_COLORS)]


def terminal_colors(system: str | None) -> str:
    """The key of TINTS for a Rich colour system name ("truecolor", "256", "standard", "windows")."""
    return {"truecolor": "truecolor", "256": "256"}.get(system or "truecolor", "16")


def tag_background(color: RGB, page: RGB, layers: int, colors: str = "truecolor") -> RGB:
    """The background of text under `layers` passages whose innermost tag has `color`, on a page
    of colour `page`, in a terminal with `colors` (a key of TINTS)."""
    share = TINTS[colors][0 if layers <= 1 else 1]
    return tuple(int(own + (other - own) * share) for own, other in zip(color, page))  # type: ignore[return-value]


def shown_as(color: RGB, colors: str) -> int | RGB:
    """The colour a terminal with `colors` (a key of TINTS) shows for `color`: its palette
    number, as Rich picks it, or the colour itself in truecolour."""
    system = _SYSTEMS.get(colors)
    if system is None:
        return color
    return TerminalColor.from_rgb(*color).downgrade(system).number or 0


def indistinct_tags(colors: Mapping[str, RGB], page: RGB) -> list[tuple[str, str, str]]:
    """Pairs of tags whose passages look the same on a page of colour `page` in a terminal of
    256 or of 16 colours: (tag, tag, "256" or "16"), each pair once ("256" if they meet there
    already). Tags of the same colour are left out (one meant to look like the other)."""
    found: list[tuple[str, str, str]] = []
    names = sorted(colors)
    seen: set[tuple[str, str]] = set()
    for system in ("256", "16"):
        shown: dict[int | RGB, list[str]] = {}
        for name in names:
            shown.setdefault(shown_as(tag_background(colors[name], page, 1, system), system), []).append(name)
        for group in shown.values():
            for index, first in enumerate(group):
                for second in group[index + 1 :]:
                    if colors[first] != colors[second] and (first, second) not in seen:
                        seen.add((first, second))
                        found.append((first, second, system))
    return found


@dataclass(frozen=True, slots=True)
class TagLook:
    """How a tag shows and is applied: its colour, description and key (None: it has none)."""

    color: str | None
    description: str | None
    key: str | None


class Codebook:
    """The tags as the database held them when read: name -> look. Equal codebooks compare equal,
    so a screen can tell whether the tags it shows changed."""

    def __init__(self, looks: Mapping[str, TagLook]) -> None:
        self.looks = dict(looks)
        self._by_key = {look.key: name for name, look in self.looks.items() if look.key}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Codebook) and other.looks == self.looks

    __hash__ = None  # type: ignore[assignment]

    def tag_for_key(self, key: str) -> str | None:
        """The name of the tag `key` applies, if any."""
        return self._by_key.get(key)

    def key_of(self, name: str) -> str | None:
        look = self.looks.get(name)
        return look.key if look else None

    def color(self, name: str) -> str:
        """The tag's colour, or a colour of its own picked from its name."""
        look = self.looks.get(name)
        return (look.color if look else None) or fallback_color(name)

    def keyed(self) -> list[tuple[str, TagLook]]:
        """The tags that have a key, in the order of their keys (digits first)."""
        return sorted(((name, look) for name, look in self.looks.items() if look.key),
                      key=lambda item: (len(item[1].key or ""), item[1].key or ""))


@dataclass(frozen=True, slots=True)
class CodebookEntry:
    """One tag as config.yaml lists it."""

    name: str
    key: str
    color: str | None
    description: str | None


def tags_block(entries: Iterable[CodebookEntry]) -> str:
    """The `tags:` key and its list, as YAML at the top level of config.yaml."""
    lines = []
    for entry in entries:
        fields: list[tuple[str, object]] = [("name", entry.name)]
        if entry.key:
            fields.append(("key", entry.key))
        if entry.color:
            fields.append(("color", entry.color))
        if entry.description:
            fields.append(("description", entry.description))
        lines.append(mapping(fields, 4, first_prefix="  - "))
    return "tags:\n" + "".join(lines) if lines else "tags: []\n"


def with_tags_block(config_text: str, block: str) -> str:
    """`config_text` with its top-level `tags:` block replaced by `block` (added at the end if
    it has none). Comment lines just before the next top-level key stay with that key."""
    found = _TAGS_KEY.search(config_text)
    if found is None:
        separator = "" if not config_text or config_text.endswith("\n\n") else ("\n" if config_text.endswith("\n") else "\n\n")
        return config_text + separator + block
    following = _TOP_LEVEL.search(config_text, found.end() + 1)
    end = following.start() if following else len(config_text)
    if following:  # give back the comments and blank lines that introduce the next key
        lines = config_text[found.end() + 1 : end].split("\n")
        kept = 0
        for line in reversed(lines[:-1]):
            if line.strip() and not line.lstrip().startswith("#"):
                break
            kept += 1
        if kept:
            tail = "\n".join(lines[len(lines) - 1 - kept : -1]) + "\n"
            end -= len(tail)
            block = block + ("" if tail.startswith("\n") else "\n")
    return config_text[: found.start()] + block + config_text[end:]


def in_file_order(entries: Iterable[CodebookEntry], listed: Iterable[str]) -> list[CodebookEntry]:
    """`entries` with the tags the file lists (`listed`, its names in its order) first, in that
    order, and the others after them in the order given: a written codebook keeps the user's
    order (and so the order of the key legend) and adds new tags at the end."""
    position = {name: index for index, name in enumerate(dict.fromkeys(listed))}
    entries = list(entries)
    return sorted(entries, key=lambda entry: position.get(entry.name, len(position)))  # stable: new ones keep their order


def write_codebook(config: Config, entries: list[CodebookEntry]) -> Path:
    """Replace the tags in the config file `config` was read from with `entries`, in the order
    the file lists its tags (new tags at the end); returns the file's path. Raises ConfigError
    (and writes nothing) if the result would not load."""
    path = config.path
    if path is None:
        raise ConfigError(Path("config.yaml"), None, "tags", "this configuration was not read from a file")
    text = path.read_text(encoding="utf-8")
    try:  # the file as it is now (edited since launch?), else as it was read
        listed = [tag.name for tag in parse_config(text, path).tags]
    except ConfigError:
        listed = [tag.name for tag in config.tags]
    updated = with_tags_block(text, tags_block(in_file_order(entries, listed)))
    parse_config(updated, path)  # the same checks as at launch: keys, colours, duplicates
    write_text(path, updated)
    return path
