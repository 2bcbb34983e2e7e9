"""Rolling backups with SQLite's online backup API.

Backups live in ``<library>.backups/`` beside the library file, named
``<stem>-YYYYMMDD-HHMMSS-ffffff-<reason>.db``: the folder is mode 0700 and
every backup 0600 (readable by the user only), each one a self-contained
SQLite file (rollback journal, no -wal/-shm beside it).  One is taken before
every schema migration and at most once a day when the app starts; the
newest ``KEEP`` are kept.  ``restore_backup`` checks a backup (SQLite's
integrity check, a refmanager library of a version this program reads) and
the free space before it replaces anything, and saves the current state
first; if it fails all the same (the disk filled up meanwhile), the library
is as it was and nothing it made is left behind.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import shutil
import sqlite3
from pathlib import Path

from ..errors import DiskFull, LibraryError
from . import space
from .schema import SCHEMA_VERSION

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
    """Copy into ``dest_path`` through a ``.part`` file, renamed only when complete.

    A backup interrupted (the app quits, the process is killed) never looks
    like a backup: ``list_backups`` only sees finished ``*.db`` files.
    """
    dest_path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(dest_path.parent, 0o700)
    part = dest_path.with_name(dest_path.name + ".part")
    fd = os.open(part, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)
    dest = sqlite3.connect(str(part))
    try:
        src.backup(dest)
        # A backup is one file: no -wal/-shm appear beside it when it is read.
        dest.execute("PRAGMA journal_mode=DELETE")
    except BaseException:
        dest.close()
        part.unlink(missing_ok=True)  # never leave a half-written backup behind
        raise
    dest.close()
    os.chmod(part, 0o600)
    os.replace(part, dest_path)


def make_backup(conn: sqlite3.Connection, library_path: Path, reason: str = "manual") -> Path:
    """Copy the open library (consistently, even while it is in use) into its backup folder."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    dest = backup_dir(library_path) / f"{library_path.stem}-{stamp}-{reason}.db"
    _copy(conn, dest)
    prune(library_path)
    log.info("backup written to %s", dest)
    return dest


def prune(library_path: Path, keep: int | None = None) -> None:
    """Remove all but the newest ``keep`` (default ``KEEP``) backups."""
    for old in list_backups(library_path)[KEEP if keep is None else keep :]:
        try:
            old.unlink()
        except OSError:
            log.warning("could not remove old backup %s", old)


def backup_before_migration(conn: sqlite3.Connection, library_path: Path, version: int) -> Path:
    return make_backup(conn, library_path, f"before-v{version}-upgrade")


def daily_backup(conn: sqlite3.Connection, library_path: Path) -> Path | None:
    """A backup unless one was made in the last 24 hours."""
    latest = list_backups(library_path)
    if latest:
        age = _dt.datetime.now().timestamp() - latest[0].stat().st_mtime
        if age < 24 * 3600:
            return None
    return make_backup(conn, library_path, "daily")


def _ro_uri(path: Path) -> str:
    return path.resolve().as_uri() + "?mode=ro"


def check_backup(backup: Path) -> None:
    """Refuse (LibraryError) a backup that cannot be restored, saying why."""
    if not backup.is_file():
        raise LibraryError(f"{backup}: no such backup")
    try:
        src = sqlite3.connect(_ro_uri(backup), uri=True)
        try:
            problems = [r[0] for r in src.execute("PRAGMA integrity_check")]
            version = src.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            src.close()
    except sqlite3.DatabaseError as e:
        raise LibraryError(f"{backup}: not a usable backup ({e}); nothing was changed") from None
    if problems != ["ok"]:
        raise LibraryError(f"{backup}: the backup is damaged ({problems[0]}); nothing was changed")
    if version < 1 or "papers" not in tables:
        raise LibraryError(f"{backup}: not a refmanager library; nothing was changed")
    if version > SCHEMA_VERSION:
        raise LibraryError(
            f"{backup}: written by a newer refmanager (library version {version}, this program "
            f"reads up to {SCHEMA_VERSION}); nothing was changed"
        )


def restore_backup(library_path: Path, backup: Path) -> Path | None:
    """Replace the library's content with a backup's, after checking the backup.

    The current library is saved first and that copy's path returned (None
    when there was no library): a backup named ``...-before-restore.db``, or,
    when SQLite cannot read the current file, its bytes as
    ``...-before-restore.damaged`` (kept for recovery, never listed as a backup).
    A restore that fails (a full disk: ``DiskFull``) leaves the library as it was
    and removes what it made, that copy included.
    """
    check_backup(backup)
    check_room(library_path, backup)
    folder = backup_dir(library_path)
    had_folder = folder.exists()
    made: list[Path] = []
    try:
        saved = _save_current(library_path, made)
        if library_path.exists():
            _restore_into(library_path, backup)
        else:
            _replace_file(backup, library_path)
    except BaseException as e:
        for p in made:
            p.unlink(missing_ok=True)
        if not had_folder:
            try:
                folder.rmdir()
            except OSError:
                pass
        if isinstance(e, (OSError, sqlite3.DatabaseError)):
            raise _restore_error(library_path, e) from None
        raise
    return saved


def check_room(library_path: Path, backup: Path) -> None:
    """Refuse (``DiskFull``) a restore the disk has no room for: the copy of the current
    library, and the backup's pages twice (SQLite writes them to the WAL, then the file)."""
    free = space.free_bytes(library_path)
    if free is None:
        return
    current = sum(p.stat().st_size for p in (library_path, library_path.with_name(library_path.name + "-wal"))
                  if p.is_file())
    need = current + 2 * backup.stat().st_size
    if free < need:
        raise DiskFull(
            f"{library_path}: the disk is full (restoring this backup needs about {need / 1e6:.1f} MB, "
            f"{free / 1e6:.1f} MB are free); nothing was changed"
        )


def _damaged(e: sqlite3.DatabaseError) -> bool:
    """SQLite cannot read the file as a database (not: it is busy, or the disk is full)."""
    return "not a database" in str(e) or "malformed" in str(e)


def _save_current(library_path: Path, made: list[Path]) -> Path | None:
    """The current library saved before the restore (see ``restore_backup``); ``made`` gets it."""
    if not library_path.exists() or library_path.stat().st_size == 0:
        return None
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    saved = backup_dir(library_path) / f"{library_path.stem}-{stamp}-before-restore.db"
    try:
        cur = sqlite3.connect(_ro_uri(library_path), uri=True)
        try:
            _copy(cur, saved)
        finally:
            cur.close()
        made.append(saved)
        return saved
    except sqlite3.DatabaseError as e:
        if not _damaged(e):
            raise
    saved = saved.with_suffix(".damaged")
    made.append(saved)
    fd = os.open(saved, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as f, open(library_path, "rb") as src:
        shutil.copyfileobj(src, f)
    log.info("the current library is damaged; its bytes were saved to %s", saved)
    return saved


def _restore_into(library_path: Path, backup: Path) -> None:
    """The backup's pages into the library file (one transaction: all or nothing)."""
    src = sqlite3.connect(_ro_uri(backup), uri=True)
    try:
        dest = sqlite3.connect(str(library_path), timeout=5)
        try:
            src.backup(dest)
        except sqlite3.DatabaseError as e:
            if not _damaged(e):
                raise
            # The current file is damaged beyond SQLite's reach: replace it whole.
            dest.close()
            _replace_file(backup, library_path)
        finally:
            dest.close()
    finally:
        src.close()


def _restore_error(library_path: Path, e: OSError | sqlite3.DatabaseError) -> LibraryError:
    if space.is_full_error(library_path, e):
        return DiskFull(space.full_message(library_path, e))
    detail = (e.strerror or str(e)) if isinstance(e, OSError) else str(e)
    return LibraryError(f"{library_path}: cannot restore ({detail}); nothing was changed")


def _replace_file(backup: Path, library_path: Path) -> None:
    """Copy the backup over a library file that SQLite cannot open (or that is missing),
    atomically: through a ``.restoring`` file, removed if the copy fails."""
    tmp = library_path.with_name(library_path.name + ".restoring")
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as f, open(backup, "rb") as src:
            shutil.copyfileobj(src, f)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    for suffix in ("-wal", "-shm"):
        stale = library_path.with_name(library_path.name + suffix)
        if stale.exists():
            stale.unlink()
    os.replace(tmp, library_path)
