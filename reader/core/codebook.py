"""The codebook written back into config.yaml: the `tags:` block is replaced, the rest of the file
(comments, other keys, their order) is kept byte for byte.

It never writes a file that does not load as a config again, and never writes half a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reader.core.config import Config, ConfigError, parse_config
from reader.core.exchange.yaml_emit import mapping
from reader.core.safefile import write_text

_TAGS_KEY = re.compile(r"^tags[ \t]*:[^\n]*$", re.MULTILINE)
_TOP_LEVEL = re.compile(r"^[^\s#-]", re.MULTILINE)


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


def write_codebook(config: Config, entries: list[CodebookEntry]) -> Path:
    """Replace the tags in the config file `config` was read from with `entries`; returns the
    file's path. Raises ConfigError (and writes nothing) if the result would not load."""
    path = config.path
    if path is None:
        raise ConfigError(Path("config.yaml"), None, "tags", "this configuration was not read from a file")
    text = path.read_text(encoding="utf-8")
    updated = with_tags_block(text, tags_block(entries))
    parse_config(updated, path)  # the same checks as at launch: keys, colours, duplicates
    write_text(path, updated)
    return path
