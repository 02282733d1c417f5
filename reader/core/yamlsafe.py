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
        where, problem = one_line(where), one_line(problem)
        super().__init__(f"{location}: {where + ': ' if where else ''}{problem}")


def one_line(text: str) -> str:
    """`text` with line breaks, control characters and lone surrogates escaped (a key or value
    quoted in a message could hold any of them): the message stays one printable line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


@dataclass(frozen=True, slots=True)
class Located:
    """A plain Python value (dict, list, str, int, float, bool, None) and where it was written.

    Mappings hold `Located` values keyed by plain strings; sequences hold `Located` items.
    """

    value: Any
    line: int


def _scalar(loader: yaml.SafeLoader, node: yaml.ScalarNode, path: Path | str, where: str) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except _CONSTRUCTION_ERRORS:  # "!!int abc", "2025-02-30", an int of 5,000 digits
        raise _not_valid(node.tag, node.value, path, node.start_mark.line + 1, where) from None


#: What PyYAML's constructors raise on a scalar they cannot make into their tag's type.
_CONSTRUCTION_ERRORS = (ValueError, KeyError, AttributeError, TypeError, OverflowError)


def _not_valid(tag: str, value: Any, path: Path | str, line: int, where: str) -> YamlError:
    kind = tag.rsplit(":", 1)[-1]
    return YamlError(path, line, where, f"not a valid {kind}: {str(value)[:40]!r}")


def load_located(text: str, path: Path | str) -> Located | None:
    """Parse one YAML document into `Located` values, refusing aliases and unknown tags."""
    try:
        _refuse_deep_nesting(text, path)
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
    except UnicodeEncodeError as error:  # a lone surrogate in the text given (never in a file read as UTF-8)
        raise _invalid_character(path, error) from None


#: How deep mappings and sequences may nest: PyYAML's C composer recurses once per level
#: (100,000 "[" crash the interpreter in `load_located`), and libyaml's scanner slows down with
#: the depth (the same take `load_lined` 20 s). reader's own files nest 6 deep.
MAX_NESTING = 64


def _refuse_deep_nesting(text: str, path: Path | str) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_NESTING:
                raise YamlError(path, event.start_mark.line + 1, "", "not valid YAML (nested too deeply)")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


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
            key = _scalar(loader, key_node, path, where)
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
    return Located(_scalar(loader, node, path, where), line)


def _invalid_character(path: Path | str, error: UnicodeEncodeError) -> YamlError:
    return YamlError(path, None, "", f"holds an invalid character (U+{ord(error.object[error.start]):04X})")


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


# ---- fast reading of large files (the annotation import) ------------------------------------


class LinedMap(dict):
    """A mapping read by `load_lined`, with the line of each key (`lines`) and its own `line`."""

    __slots__ = ("line", "lines")


class LinedList(list):
    """A sequence read by `load_lined`, with the line of each item (`lines`) and its own `line`."""

    __slots__ = ("line", "lines")


_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"


def load_lined(text: str, path: Path | str) -> Any:
    """One YAML document as plain Python values (LinedMap, LinedList, str, int, float, bool,
    None, with line numbers on the containers), read from the parser's events: as strict as
    `load_located` (no anchors, aliases, tags other than YAML's own, merge keys or duplicate
    keys) and about four times faster on large files, since no node tree is built."""
    stack: list[Any] = []  # open containers; for a mapping, [map, pending key or None, key line]
    root: list[Any] = []

    def place(value: Any, line: int, where_event: yaml.Event) -> None:
        if not stack:
            root.append(value)
            return
        top = stack[-1]
        container = top[0]
        if isinstance(container, LinedList):
            container.append(value)
            container.lines.append(line)
        elif top[1] is None:  # a key
            if not isinstance(value, str):
                raise YamlError(path, line, _where(stack), "mapping keys must be plain strings")
            if value == "<<":
                raise YamlError(path, line, _where(stack), "merge keys (<<) are not allowed")
            if value in container:
                raise YamlError(path, line, _where(stack, value), "this key is given twice")
            top[1], top[2] = value, line
        else:
            container[top[1]] = value
            container.lines[top[1]] = top[2]
            top[1] = None

    try:
        for event in yaml.parse(text, Loader=SafeLoader):
            kind = type(event)
            if kind is yaml.ScalarEvent:
                line = event.start_mark.line + 1
                _refuse_anchor_and_tag(event, path, line, stack)
                place(_scalar_value(event, path, line, stack), line, event)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                line = event.start_mark.line + 1
                _refuse_anchor_and_tag(event, path, line, stack)
                if stack and not isinstance(stack[-1][0], LinedList) and stack[-1][1] is None:
                    raise YamlError(path, line, _where(stack), "mapping keys must be plain strings")
                if len(stack) >= MAX_NESTING:
                    raise YamlError(path, line, "", "not valid YAML (nested too deeply)")
                container = LinedMap() if kind is yaml.MappingStartEvent else LinedList()
                container.line = line
                container.lines = {} if kind is yaml.MappingStartEvent else []
                stack.append([container, None, 0])
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                container = stack.pop()[0]
                place(container, container.line, event)
            elif kind is yaml.AliasEvent:
                raise YamlError(path, event.start_mark.line + 1, _where(stack), "anchors and aliases are not allowed")
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise YamlError(path, mark.line + 1 if mark else None, "", f"not valid YAML ({error.problem or error.context})") from None
    except yaml.YAMLError as error:
        raise YamlError(path, None, "", f"not valid YAML ({error})") from None
    except UnicodeEncodeError as error:  # a lone surrogate in the text given (never in a file read as UTF-8)
        raise _invalid_character(path, error) from None
    if len(root) > 1:
        raise YamlError(path, None, "", "more than one YAML document in the file")
    return root[0] if root else None


def _refuse_anchor_and_tag(event: Any, path: Path | str, line: int, stack: list[Any]) -> None:
    if event.anchor is not None:
        raise YamlError(path, line, _where(stack), "anchors and aliases are not allowed")
    if event.tag is not None and event.tag not in _PLAIN_TAGS and event.tag != "!":
        raise YamlError(path, line, _where(stack), f"the tag {event.tag} is not allowed")


#: The tags a scalar is built with; YAML 1.1 also resolves "<<" (merge) and "=" (value), and a
#: scalar may be tagged !!map or !!seq: none of those makes a value.
_SCALAR_TAGS = _PLAIN_TAGS - {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


def _scalar_value(event: yaml.ScalarEvent, path: Path | str, line: int, stack: list[Any]) -> Any:
    if event.tag == _STR or (event.tag in (None, "!") and not event.implicit[0]):
        return event.value  # quoted or block: a string
    if event.tag in (None, "!"):
        tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
    else:
        tag = event.tag
    if tag == _STR:
        return event.value
    if tag == "tag:yaml.org,2002:merge":
        raise YamlError(path, line, _where(stack), "merge keys (<<) are not allowed")
    if tag not in _SCALAR_TAGS:
        raise YamlError(path, line, _where(stack), f"the tag {tag} is not allowed here")
    try:
        return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, event.value))
    except _CONSTRUCTION_ERRORS:  # "!!int abc", "2025-02-30", an int of 5,000 digits
        raise _not_valid(tag, event.value, path, line, _where(stack)) from None


def _where(stack: list[Any], key: str | None = None) -> str:
    """Where in the document the innermost open container is: "articles[3].annotations[0]"."""
    parts: list[str] = []
    for index, (container, pending, _line) in enumerate(stack):
        if isinstance(container, LinedList):
            parts.append(f"[{len(container)}]")
        elif pending is not None:
            parts.append(("." if parts else "") + pending)
    if key is not None:
        parts.append(("." if parts else "") + key)
    return "".join(parts)
