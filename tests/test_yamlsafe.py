import pytest

from reader.core.yamlsafe import YamlError, load_located, plain


def test_values_keep_their_lines():
    root = load_located("a: 1\nb:\n  - x\n  - y: true\n", "f.yaml")
    assert root.value["b"].line == 3
    assert root.value["b"].value[1].value["y"].line == 4
    assert plain(root) == {"a": 1, "b": ["x", {"y": True}]}


def test_alias_bomb_is_refused_before_it_is_expanded():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20)
    )
    with pytest.raises(YamlError, match="anchors and aliases are not allowed") as caught:
        load_located(bomb, "bomb.yaml")
    assert caught.value.line == 2


@pytest.mark.parametrize(
    "text", ["x: !!python/object/apply:os.system [ls]\n", "x: !custom 3\n", "<<: {a: 1}\n"]
)
def test_tags_and_merge_keys_are_refused(text):
    with pytest.raises(YamlError):
        load_located(text, "t.yaml")


def test_empty_document_is_none():
    assert load_located("", "e.yaml") is None
    assert load_located("# only a comment\n", "e.yaml") is None
