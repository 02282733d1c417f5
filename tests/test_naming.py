"""reader's distribution name: not `reader`, which on the package index is an unrelated feed-reader
library with the same import name; every install hint names reader's own distribution."""

import re
import tomllib
from pathlib import Path

from reader import DISTRIBUTION

REPO = Path(__file__).resolve().parent.parent


def test_the_distribution_is_not_named_reader():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == DISTRIBUTION != "reader"
    assert project["scripts"] == {"reader": "reader.cli:main"}  # the command stays `reader`


def test_no_install_hint_names_the_other_reader():
    hint = re.compile(r"pip install [\"']?reader\[")
    files = [REPO / "README.md", REPO / "config.yaml", *(REPO / "reader").rglob("*.py"), *(REPO / "reader").rglob("*.yaml")]
    found = [f"{path.relative_to(REPO)}: {match.group()}" for path in files
             for match in hint.finditer(path.read_text(encoding="utf-8"))]
    assert found == []


def test_readme_says_the_two_readers_cannot_share_an_environment():
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert f"distribution name is `{DISTRIBUTION}`" in readme
    assert "cannot share one environment" in readme
