"""Rolling backups with SQLite's online backup API.

Backups live in ``<library>.backups/`` beside the library file, named
``<stem>-YYYYMMDD-HHMMSS[-reason].db``, readable by the user only.  One is
taken before every schema migration and at most once a day when the app
starts; the newest ``KEEP`` are kept.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import LibraryError

if TYPE_CHECKING:
    from .library import Library

log = logging.getLogger(__name__)

KEEP = 10


def backup_dir(library_path: Path) -> Path:
    return library_path.with_name(library_path.name + ".backups")


def list_backups(library_path: Path) -> list[Path]:
    d = backup_dir(library_path)
    if not d.is_dir():
        return []
    return sorted((p for p in d.glob("*.db")), key=lambda p: p.name, reverse=True)


def _copy(src: sqlite3.Connection, dest_path: Path) -> None:
    dest_path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(dest_path.parent, 0o700)
    fd = os.open(dest_path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)
    dest = sqlite3.connect(str(dest_path))
    try:
        src.backup(dest)
    finally:
        dest.close()
    os.chmod(dest_path, 0o600)


def make_backup(lib: Library, reason: str = "manual") -> Path:
    """Copy the library (consistently, even while open) into its backup folder."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    dest = backup_dir(lib.path) / f"{lib.path.stem}-{stamp}-{reason}.db"
    _copy(lib.db.conn, dest)
    prune(lib.path)
    log.info("backup written to %s", dest)
    return dest


def prune(library_path: Path, keep: int = KEEP) -> None:
    for old in list_backups(library_path)[keep:]:
        try:
            old.unlink()
        except OSError:
            log.warning("could not remove old backup %s", old)


def backup_before_migration(lib: Library, version: int) -> Path:
    return make_backup(lib, f"before-v{version}-upgrade")


def daily_backup(lib: Library) -> Path | None:
    """A backup unless one was made in the last 24 hours."""
    latest = list_backups(lib.path)
    if latest:
        age = _dt.datetime.now().timestamp() - latest[0].stat().st_mtime
        if age < 24 * 3600:
            return None
    return make_backup(lib, "daily")


def restore_backup(library_path: Path, backup: Path) -> None:
    """Replace the library's content with a backup's (the current one is backed up first)."""
    if not backup.is_file():
        raise LibraryError(f"{backup}: no such backup")
    try:
        src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        ok = src.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as e:
        raise LibraryError(f"{backup}: not a usable backup ({e})") from None
    if ok != "ok":
        src.close()
        raise LibraryError(f"{backup}: the backup is damaged ({ok})")
    if library_path.exists():
        try:
            cur = sqlite3.connect(str(library_path))
            stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            _copy(cur, backup_dir(library_path) / f"{library_path.stem}-{stamp}-before-restore.db")
            cur.close()
        except sqlite3.DatabaseError:
            log.warning("the current library could not be backed up before restoring")
    else:
        fd = os.open(library_path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    dest = sqlite3.connect(str(library_path), timeout=5)
    try:
        src.backup(dest)
    except sqlite3.DatabaseError as e:
        raise LibraryError(f"{library_path}: cannot restore ({e})") from None
    finally:
        dest.close()
        src.close()
