"""What reader remembers between sessions that is no one's data: the theme last chosen from the
command palette, in a small JSON file in the user's state directory.

It never stores annotations or settings config.yaml holds, and a file it cannot read is ignored.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


def default_state_path() -> Path:
    """Where the command passes the state file: the user's state directory for reader
    (`~/.local/state/reader/state.json` on Linux)."""
    import platformdirs

    return platformdirs.user_state_path("reader") / "state.json"


@dataclass(frozen=True, slots=True)
class RememberedTheme:
    #: The theme chosen from the palette.
    theme: str
    #: config.yaml's theme when it was chosen: a config that names another one since wins.
    config_theme: str


def read_theme(path: Path) -> tuple[RememberedTheme | None, str | None]:
    """The remembered theme, or None; and why the file could not be used (None: it could, or
    there is none)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, None
    except (OSError, UnicodeDecodeError) as error:
        return None, f"{path}: cannot be read ({getattr(error, 'strerror', None) or error}); the theme is config.yaml's"
    try:
        data = json.loads(raw)
    except ValueError:
        return None, f"{path}: not JSON; the theme is config.yaml's"
    theme = data.get("theme") if isinstance(data, dict) else None
    config_theme = data.get("config_theme") if isinstance(data, dict) else None
    if not isinstance(theme, str) or not isinstance(config_theme, str):
        return None, f"{path}: no theme in it; the theme is config.yaml's"
    return RememberedTheme(theme, config_theme), None


def write_theme(path: Path, remembered: RememberedTheme) -> str | None:
    """Remember a theme (the file written whole, never half); why it could not be, or None."""
    data = json.dumps({"theme": remembered.theme, "config_theme": remembered.config_theme}, ensure_ascii=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".state-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(data + "\n")
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        return f"{path}: {error.strerror or error}"
    return None
