"""The key registry (reader/core/keys.py) is the one source of every key fact: the classes'
bindings, the keymap's checks, the help, the palette and the keys a tag may not take."""

import importlib
import inspect
import pkgutil
import subprocess
import sys

from textual.keys import _character_to_key

import reader.tui
from reader.core.config import RESERVED_KEYS
from reader.core.keys import (
    APP,
    CHARACTER_NAMES,
    CONTEXTS,
    RESERVED_UNBOUND,
    SCREENS,
    TAG_KEYS_AVOID,
    key_groups,
    keymap_problem,
    remappable_ids,
    screen_contexts,
    split_keys,
)
from reader.tui.keys import bindings_for


def tui_classes() -> list[type]:
    """Every class defined in reader.tui."""
    found = []
    for module_info in pkgutil.walk_packages(reader.tui.__path__, "reader.tui."):
        module = importlib.import_module(module_info.name)
        found += [cls for _, cls in inspect.getmembers(module, inspect.isclass) if cls.__module__ == module.__name__]
    return found


def keyed_classes() -> dict[str, type]:
    """Each registry context, by the class that takes its keys from it."""
    classes = {}
    for cls in tui_classes():
        context = cls.__dict__.get("KEY_CONTEXT")
        if context is not None:
            assert context not in classes, f"{context} is the context of {classes[context]} and {cls}"
            classes[context] = cls
    return classes


def test_every_class_takes_its_bindings_from_the_registry():
    classes = keyed_classes()
    for cls in tui_classes():
        if "BINDINGS" in cls.__dict__:
            assert "KEY_CONTEXT" in cls.__dict__, f"{cls.__name__} binds keys the registry does not know"
    assert set(classes) == set(CONTEXTS), "a context no class uses, or a class with an unknown context"
    for context, cls in classes.items():
        assert cls.BINDINGS == bindings_for(context), cls.__name__


def test_binding_ids_are_unique_within_a_context_and_keys_are_named():
    for context in CONTEXTS.values():
        ids = [action.id for action in context.actions]
        assert len(ids) == len(set(ids)), context.name
        for action in context.actions:
            assert action.id and action.description, (context.name, action)
            assert all(split_keys(action.keys)), (context.name, action)


def test_an_id_means_one_action_wherever_it_is_bound():
    """`app.help` is bound on several screens: a keymap entry moves all of them alike."""
    seen = {}
    for context in CONTEXTS.values():
        for action in context.actions:
            first = seen.setdefault(action.id, action)
            assert (first.keys, first.action) == (action.keys, action.action), action.id


def test_screens_name_contexts_that_exist_and_groups_cover_every_remappable_context():
    for screen in SCREENS.values():
        for name in screen_contexts(screen):
            assert name in CONTEXTS
        assert screen.palette_widget is None or screen.palette_widget in screen.widgets
    grouped = {name for group in key_groups() for name in group}
    assert grouped == {name for name, context in CONTEXTS.items() if context.remappable}
    assert all(group[-1] == APP for group in key_groups())


def test_screens_and_widgets_are_what_the_registry_says():
    from textual.screen import Screen

    classes = keyed_classes()
    for name, screen in SCREENS.items():
        assert issubclass(classes[name], Screen), name
        for widget in screen.widgets:
            assert not issubclass(classes[widget], Screen), widget


def test_reserved_keys_are_the_keys_of_the_article_and_list_screens():
    """What a tag may not take, derived from the classes' bindings as the TUI has them."""
    classes = keyed_classes()
    names = {_character_to_key(char): char for char in map(chr, range(32, 127))}
    bound = set()
    for screen in TAG_KEYS_AVOID:
        for context in screen_contexts(SCREENS[screen]):
            for binding in classes[context].BINDINGS:
                bound.update(names.get(key, key) for key in split_keys(binding.key))
    characters = frozenset(bound) | RESERVED_UNBOUND
    assert RESERVED_KEYS == characters | {name for name, char in names.items() if char in characters} - set(names.values())
    # The article's other widget (the side panel) and the help take no key the screens do not.
    for cls in (classes["side_panel"], classes["help"]):
        assert {names.get(key, key) for b in cls.BINDINGS for key in split_keys(b.key)} <= RESERVED_KEYS


def test_character_names_are_textuals():
    for name, char in CHARACTER_NAMES.items():
        assert _character_to_key(char) == name


def test_keymap_ids_are_those_of_remappable_contexts():
    assert "cursor.word_next" in remappable_ids()
    assert "app.quit_anywhere" in remappable_ids()
    assert "picker.choose" not in remappable_ids()  # dialogs' keys are fixed
    assert "picker.choose" in keymap_problem({"picker.choose": "x"})
    assert keymap_problem({"rows.open": "o"}) is None


def test_the_registry_and_the_config_import_no_textual():
    code = (
        "import sys, reader.core.keys, reader.core.config; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_tag_key_written_as_a_key_name_is_refused_like_its_character():
    """`key: slash` would take `/` (search) from the article screen, as `key: "/"` would."""
    from reader.core.config import tag_key_problem

    for name, char in (("slash", "/"), ("question_mark", "?"), ("left_parenthesis", "(")):
        assert tag_key_problem(name) is not None and tag_key_problem(char) is not None
    assert tag_key_problem("1") is None and tag_key_problem("percent_sign") is None
