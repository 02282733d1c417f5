"""Tag colours in terminals with fewer colours: the default tags stay apart in 256 and 16 colours,
on every built-in theme, and a configured colour that falls onto another tag's is found."""

from __future__ import annotations

from itertools import combinations

import pytest
from rich.color import Color as RichColor
from rich.color import ColorSystem
from textual.color import Color
from textual.theme import BUILTIN_THEMES

from reader.core.codebook import FALLBACK_COLORS, TAG_COLORS, indistinct_tags, shown_as, tag_background
from pathlib import Path

from reader.core.config import default_config_text, parse_config

THEMES = sorted(BUILTIN_THEMES)


def rgb(color: str) -> tuple[int, int, int]:
    return Color.parse(color).rgb


def surface(theme: str) -> tuple[int, int, int]:
    return rgb(BUILTIN_THEMES[theme].to_color_system().generate()["surface"])


def default_tag_colors() -> dict[str, tuple[int, int, int]]:
    config = parse_config(default_config_text(), Path("config.yaml"))
    return {tag.name: rgb(tag.color) for tag in config.tags}


def test_the_sample_config_uses_the_default_tag_colours():
    assert sorted(default_tag_colors().values()) == sorted(rgb(color) for color in TAG_COLORS)


@pytest.mark.parametrize("colors", [TAG_COLORS, FALLBACK_COLORS], ids=["tags", "fallback"])
@pytest.mark.parametrize("system", [ColorSystem.EIGHT_BIT, ColorSystem.STANDARD], ids=["256", "16"])
def test_every_pair_of_default_colours_differs_after_downgrade(colors, system):
    for first, second in combinations(colors, 2):
        assert RichColor.parse(first).downgrade(system).number != RichColor.parse(second).downgrade(system).number, (first, second)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("colors", [TAG_COLORS, FALLBACK_COLORS], ids=["tags", "fallback"])
def test_default_tags_passages_look_different_in_256_and_16_colours(theme, colors):
    """The backgrounds the article view draws, as the terminal shows them: no two the same."""
    page = surface(theme)
    for system in ("256", "16"):
        shown = [shown_as(tag_background(rgb(color), page, 1, system), system) for color in colors]
        assert len(set(shown)) == len(shown), (theme, system, shown)
    assert indistinct_tags({f"tag{index}": rgb(color) for index, color in enumerate(colors)}, page) == []


def test_the_old_default_colours_now_look_different_in_256_colours():
    """#e5c07b and #e06c75, the old economic and conflict, were one background in tmux."""
    page = surface("textual-dark")
    old = (tag_background(rgb("#e5c07b"), page, 1, "256"), tag_background(rgb("#e06c75"), page, 1, "256"))
    assert shown_as(old[0], "256") != shown_as(old[1], "256")


def test_colours_that_fall_together_are_reported():
    page = surface("textual-dark")
    found = indistinct_tags({"economic": rgb("#e5c07b"), "money": rgb("#d7af5f"), "quote": rgb("#5fd7d7"),
                             "blue": rgb("#61afef")}, page)
    assert ("economic", "money", "256") in found  # the same in 256 colours (and in 16: listed once)
    assert ("blue", "economic", "16") in found  # apart in 256, the same grey in 16
    assert all("quote" not in pair for pair in found)
    assert indistinct_tags({"a": rgb("#e5c07b"), "b": rgb("#e5c07b")}, page) == []  # the same colour on purpose


def test_shown_as_agrees_with_rich():
    for color in ("#e5c07b", "#123456", "#ff5f5f"):
        for system, name in ((ColorSystem.EIGHT_BIT, "256"), (ColorSystem.STANDARD, "16")):
            assert shown_as(rgb(color), name) == RichColor.parse(color).downgrade(system).number
    assert shown_as((1, 2, 3), "truecolor") == (1, 2, 3)
