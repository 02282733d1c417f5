"""Strict YAML reading for hand-written and imported files: values with their line numbers.

It never constructs Python objects from tags, never follows anchors/aliases, never guesses types.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlError(ValueError):
    """A one-line, user-facing error: `file:line: where: what is wrong`."""

    def __init__(self, path: Path | str, line: int | None, where: str, problem: str):
        self.path, self.line, self.where, self.problem = str(path), line, where, problem
        location = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{location}: {where + ': ' if where else ''}{problem}")


@dataclass(frozen=True, slots=True)
class Located:
    """A plain Python value (dict, list, str, int, float, bool, None) and where it was written.

    Mappings hold `Located` values keyed by plain strings; sequences hold `Located` items.
    """

    value: Any
    line: int


def _scalar(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    return loader.construct_object(node, deep=True)


def load_located(text: str, path: Path | str) -> Located | None:
    """Parse one YAML document into `Located` values, refusing aliases and unknown tags."""
    try:
        loader = SafeLoader(text)
        try:
            root = loader.get_single_node()
            if root is None:
                return None
            return _walk(loader, root, path, set(), "", text)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise YamlError(path, line, "", f"not valid YAML ({error.problem or error.context})") from None
    except yaml.YAMLError as error:
        raise YamlError(path, None, "", f"not valid YAML ({error})") from None


_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
}


def _first_alias_line(text: str) -> int | None:
    for event in yaml.parse(text, Loader=SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark.line + 1
    return None


def _walk(
    loader: yaml.SafeLoader, node: yaml.Node, path: Path | str, seen: set[int], where: str, text: str
) -> Located:
    line = node.start_mark.line + 1
    if id(node) in seen:
        raise YamlError(path, _first_alias_line(text) or line, where, "anchors and aliases are not allowed")
    seen.add(id(node))
    if node.tag not in _PLAIN_TAGS:
        raise YamlError(path, line, where, f"the tag {node.tag} is not allowed")
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Located] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(path, key_line, where, "mapping keys must be plain strings")
            key = _scalar(loader, key_node)
            if key_node.tag == "tag:yaml.org,2002:merge" or key == "<<":
                raise YamlError(path, key_line, where, "merge keys (<<) are not allowed")
            key = str(key)
            child_where = f"{where}.{key}" if where else key
            if key in mapping:
                raise YamlError(path, key_line, child_where, "this key is given twice")
            mapping[key] = _walk(loader, value_node, path, seen, child_where, text)
        return Located(mapping, line)
    if isinstance(node, yaml.SequenceNode):
        return Located(
            [_walk(loader, item, path, seen, f"{where}[{index}]", text) for index, item in enumerate(node.value)],
            line,
        )
    return Located(_scalar(loader, node), line)


def plain(located: Located | None) -> Any:
    """The Python value without line numbers."""
    if located is None:
        return None
    value = located.value
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value
