"""The one handle on a library file: its connection, pragmas, transactions and errors.

Every part of the store takes a ``Db`` in its constructor and goes through it:
one import action is one ``transaction()`` (``BEGIN IMMEDIATE``, so a second
writer waits the busy timeout; nested calls are savepoints), ``chunks`` cuts
long id lists for ``IN (...)``, and an SQLite error the file or its disk
causes becomes a ``LibraryError`` with one clear line.
"""

from __future__ import annotations

import datetime as _dt
import logging
import math
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from ..errors import LibraryError
from . import backup
from .schema import open_schema

log = logging.getLogger(__name__)

#: Busy timeout: how long a second writer waits before "library is busy"
#: (the environment variable REFMANAGER_BUSY_TIMEOUT, in seconds, overrides it).
BUSY_TIMEOUT_S = 5.0
#: Ids per ``IN (...)`` list (SQLite allows 32,766 parameters; short lists plan well).
CHUNK = 500

#: Words of SQLite errors that the library file or its disk cause (not a bug):
#: these become a LibraryError with a clear message.
_FILE_ERRORS = (
    "locked", "busy", "readonly", "read-only", "disk is full", "disk I/O", "malformed",
    "not a database", "unable to open",
)


def now_iso() -> str:
    """The time the library writes (UTC, seconds)."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def busy_timeout() -> float:
    """Seconds to wait for another program's write: REFMANAGER_BUSY_TIMEOUT or BUSY_TIMEOUT_S."""
    env = os.environ.get("REFMANAGER_BUSY_TIMEOUT", "").strip()
    if not env:
        return BUSY_TIMEOUT_S
    try:
        value = float(env)
    except ValueError:
        value = -1.0
    if not (math.isfinite(value) and value >= 0):
        raise LibraryError(f"REFMANAGER_BUSY_TIMEOUT must be a number of seconds, not {env!r}")
    return value


def explain_db_error(path: Path, e: sqlite3.DatabaseError) -> str:
    """One line for an SQLite error caused by the library file or its disk."""
    msg = str(e)
    if "file is not a database" in msg:
        return f"{path}: not a refmanager library, or the file is damaged ({msg})"
    if "malformed" in msg:
        return (
            f"{path}: the library file is damaged ({msg}); "
            "restore a backup with `refmanager restore-backup`"
        )
    if "locked" in msg or "busy" in msg:
        return f"{path}: the library is busy (another program is writing to it); try again"
    if "readonly" in msg or "read-only" in msg:
        return f"{path}: cannot write to the library file ({msg})"
    if "disk is full" in msg:
        return f"{path}: the disk is full; nothing was changed ({msg})"
    if "unable to open" in msg or "disk I/O" in msg:
        return f"{path}: cannot open the library file ({msg})"
    return f"{path}: {msg}"


def chunks(seq: Sequence[Any], n: int = CHUNK) -> Iterator[tuple[str, list[Any]]]:
    """``(marks, chunk)`` for each piece of ``seq``: ``f"... IN ({marks})"`` with ``chunk``."""
    items = list(seq)
    for i in range(0, len(items), n):
        chunk = items[i : i + n]
        yield ",".join("?" * len(chunk)), chunk


class Db:
    """An open library file (or ``:memory:``)."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.created = False
        self.busy_timeout = busy_timeout()
        self.in_memory = str(path) == ":memory:"
        if not self.in_memory:
            try:
                self._check_file(create=create)
            except OSError as e:
                raise LibraryError(f"{self.path}: cannot open the library file: {e.strerror or e}") from None
        conn: sqlite3.Connection | None = None
        try:
            if readonly:
                conn = sqlite3.connect(
                    self.path.resolve().as_uri() + "?mode=ro", uri=True, timeout=self.busy_timeout,
                    check_same_thread=False,
                )
            else:
                conn = sqlite3.connect(str(path), timeout=self.busy_timeout, check_same_thread=False)
            self.conn = conn
            self.sqlite = sqlite_utils.Database(conn, execute_plugins=False)
            open_schema(
                conn, self.path, readonly=readonly, busy_timeout=self.busy_timeout,
                before_migration=lambda v: backup.backup_before_migration(conn, self.path, v),
            )
        except BaseException as e:
            # Never leave a half-open connection behind, whatever went wrong.
            if conn is not None:
                conn.close()
            if isinstance(e, sqlite3.DatabaseError):
                raise LibraryError(self.explain(e)) from None
            if isinstance(e, OSError):  # e.g. the backup before a migration
                raise LibraryError(f"{self.path}: {e.strerror or e}") from None
            raise

    def _check_file(self, *, create: bool) -> None:
        if not self.path.exists():
            if not create or self.readonly:
                raise LibraryError(f"{self.path}: no such library")
            if self.path.parent.exists() and not self.path.parent.is_dir():
                raise LibraryError(
                    f"{self.path}: cannot create the library file: {self.path.parent} is not a folder"
                )
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Created readable by the user only; SQLite gives -wal/-shm the same mode.
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
            self.created = True
        elif self.path.is_dir():
            raise LibraryError(f"{self.path}: is a folder, not a library file")
        elif not os.access(self.path, os.R_OK):
            raise LibraryError(f"{self.path}: cannot read the library file: permission denied")
        elif not self.readonly and not os.access(self.path, os.W_OK):
            raise LibraryError(f"{self.path}: cannot write to the library file: permission denied")

    def explain(self, e: sqlite3.DatabaseError) -> str:
        return explain_db_error(self.path, e)

    # ------------------------------------------------------------- queries
    def q(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        """Every row of a query."""
        return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        """The first row of a query, or None."""
        return self.conn.execute(sql, params).fetchone()

    def value(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        """The first value of the first row (None when there is no row)."""
        r = self.conn.execute(sql, params).fetchone()
        return None if r is None else r[0]

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> sqlite3.Cursor:
        return self.conn.executemany(sql, rows)

    def insert_keeping_id(self, table: str, cols: Sequence[str], vals: Sequence[Any]) -> None:
        """Insert with the row's old id (``cols[0]``) when it is free, else with a new one."""
        marks = ",".join("?" * len(cols))
        cur = self.conn.execute(f"INSERT OR IGNORE INTO {table}({', '.join(cols)}) VALUES ({marks})", list(vals))
        if cur.rowcount == 0:
            self.conn.execute(
                f"INSERT OR IGNORE INTO {table}({', '.join(cols[1:])}) VALUES ({marks[2:]})", list(vals[1:])
            )

    @property
    def schema_version(self) -> int:
        return int(self.value("PRAGMA user_version"))

    # -------------------------------------------------------- transactions
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction (nested: a savepoint); the file's errors become LibraryError."""
        if self.readonly:
            raise LibraryError(f"{self.path}: the library is open read-only")
        conn = self.conn
        try:
            if conn.in_transaction:
                with self.sqlite.atomic():  # nested: a savepoint
                    yield
            else:
                # IMMEDIATE takes the write lock now, waiting up to the busy timeout for
                # another program's write.  (A deferred transaction that reads first gets
                # SQLITE_BUSY at once, without waiting, when it then writes in WAL mode.)
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
        except sqlite3.DatabaseError as e:
            # The file or its disk (busy, read-only, full, damaged): one clear line.
            # Anything else is a bug and keeps its traceback.
            if any(w in str(e) for w in _FILE_ERRORS):
                raise LibraryError(self.explain(e)) from None
            raise

    @contextmanager
    def savepoint(self, name: str) -> Iterator[None]:
        """A named savepoint inside the current transaction, rolled back on failure."""
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.conn.execute(f"ROLLBACK TO {name}")
            self.conn.execute(f"RELEASE {name}")
            raise
        self.conn.execute(f"RELEASE {name}")

    def checkpoint(self) -> None:
        """Copy the WAL into the library file now (what SQLite does after a large
        commit), without waiting for readers: what is left is copied later."""
        try:
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as e:  # busy or read-only: SQLite tries again later
            log.info("checkpoint not done: %s", e)

    @contextmanager
    def pragma(self, name: str, value: int) -> Iterator[None]:
        """An integer pragma set for a while, then put back."""
        (old,) = self.conn.execute(f"PRAGMA {name}").fetchone()
        self.conn.execute(f"PRAGMA {name}={int(value)}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA {name}={int(old)}")

    def close(self) -> None:
        try:
            if not self.readonly:
                self.conn.execute("PRAGMA optimize")
        except sqlite3.Error:
            pass
        self.conn.close()
