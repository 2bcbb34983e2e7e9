"""A full disk: telling it from other failures, and saying so.

SQLite reports a full disk as SQLITE_FULL ("database or disk is full") when
a page cannot be written, but as SQLITE_IOERR ("disk I/O error") when its
shared-memory file (``-shm``, made at the first read of a WAL library) or a
write of the ``-wal`` file fails; Python reports ENOSPC (or EDQUOT, a quota
used up).  An I/O error while the disk has less than ``LOW`` bytes free is
taken as the disk being full.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path

#: Below this many free bytes the disk counts as full (SQLite's -shm alone takes 32 KiB).
LOW = 1 << 20

#: OSError numbers that mean "no room": the disk is full, or the user's quota is used up.
NO_ROOM = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


def free_bytes(path: Path) -> int | None:
    """Bytes free for the user on the disk holding ``path`` (or the nearest folder above
    it that exists); None when that cannot be told."""
    p = Path(path).absolute()
    for candidate in (p, *p.parents):
        if candidate.exists():
            try:
                return shutil.disk_usage(candidate).free
            except OSError:
                return None
    return None


def is_low(path: Path, need: int = LOW) -> bool:
    """Fewer than ``need`` bytes are free on the disk holding ``path``."""
    free = free_bytes(path)
    return free is not None and free < need


def is_full_error(path: Path, e: BaseException) -> bool:
    """``e`` (an SQLite or OS error about ``path``) means the disk is full."""
    if isinstance(e, OSError):
        return e.errno in NO_ROOM
    if isinstance(e, sqlite3.Error):
        name = getattr(e, "sqlite_errorname", "") or ""
        if name == "SQLITE_FULL" or "disk is full" in str(e):
            return True
        return (name.startswith("SQLITE_IOERR") or "disk I/O error" in str(e)) and is_low(path)
    return False


def full_message(path: Path, e: BaseException) -> str:
    """The one line for a full disk: what it was about, and that nothing was changed."""
    detail = (e.strerror or str(e)) if isinstance(e, OSError) else str(e)
    return f"{path}: the disk is full; nothing was changed ({detail})"
