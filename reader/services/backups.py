"""Dated backups for a schedule (`reader backup --into FOLDER --keep N`, from cron or a systemd
timer): each named by the database and the time, the oldest beyond N removed.

It only ever removes files named as it names them (`team-20261207-221500.db` for `team.db`),
and only after the new backup is written whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from reader.store import Store


@dataclass(frozen=True)
class DatedBackup:
    path: Path
    removed: tuple[Path, ...]


def dated_name(database: Path, when: datetime) -> str:
    """`team-20261207-221500.db` for `team.db` at 22:15:00 UTC on 7 December 2026."""
    return f"{database.stem}-{when.astimezone(timezone.utc):%Y%m%d-%H%M%S}.db"


def dated_backups(folder: Path, database: Path) -> list[Path]:
    """The backups of `database` in `folder` named as `dated_name` names them, oldest first."""
    pattern = re.compile(re.escape(database.stem) + r"-\d{8}-\d{6}\.db")
    return sorted(path for path in folder.iterdir() if pattern.fullmatch(path.name) and path.is_file())


def backup_into(store: Store, database: Path, folder: Path, keep: int | None,
                when: datetime | None = None) -> DatedBackup:
    """A backup of `store` in `folder`, named by the time; then, with `keep`, the oldest dated
    backups beyond the newest `keep` removed."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / dated_name(database, when or datetime.now(timezone.utc))
    store.backup(target)
    removed: list[Path] = []
    if keep is not None:
        backups = dated_backups(folder, database)
        for old in backups[: max(len(backups) - keep, 0)]:
            old.unlink(missing_ok=True)
            removed.append(old)
    return DatedBackup(target, tuple(removed))
