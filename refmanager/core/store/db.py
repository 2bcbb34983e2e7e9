"""The one handle on a library file: its connection, pragmas, transactions and errors.

Every part of the store takes a ``Db`` in its constructor and goes through it:
one import action is one ``transaction()`` (``BEGIN IMMEDIATE``, so a second
writer waits the busy timeout; nested calls are savepoints), ``chunks`` cuts
long id lists for ``IN (...)``, and an SQLite error the file or its disk
causes becomes a ``LibraryError`` with one clear line.
"""

from __future__ import annotations

import datetime as _dt
import errno
import logging
import math
import os
import secrets
import sqlite3
from array import array
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from ..errors import DiskFull, LibraryError, LibraryFileGone
from . import backup, space
from .schema import create_tables, open_schema

log = logging.getLogger(__name__)

#: Busy timeout: how long a second writer waits before "library is busy"
#: (the environment variable REFMANAGER_BUSY_TIMEOUT, in seconds, overrides it).
BUSY_TIMEOUT_S = 5.0
#: The size of an SQLite file's header: a library file shorter than it was emptied.
_SQLITE_HEADER = 100
# Python's sqlite3 binds str, int, float and bytearray as they are, and looks
# every other value up as something to adapt: None (NULL) went through a failed
# search of the adapter registry and of two attributes, ~0.3 µs each (a paper
# row binds about ten: 0.3 s of a 100,000-paper import).  An adapter registered
# for None is found at once and gives None back.  (Process-wide, and the same
# NULL for every connection.)
sqlite3.register_adapter(type(None), {}.get)

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
    if space.is_full_error(path, e):  # SQLITE_FULL, or an I/O error with no room left
        return space.full_message(path, e)
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
    if "unable to open" in msg or "disk I/O" in msg:
        return f"{path}: cannot open the library file ({msg})"
    return f"{path}: {msg}"


#: A library being made: ``.<name>.creating-<pid>-<random>`` beside it (``Db._create``).
CREATING_PREFIX = ".{name}.creating-"
#: os.link errors that mean "this file system has no hard links".
_NO_HARD_LINKS = frozenset(
    getattr(errno, n) for n in ("EPERM", "ENOTSUP", "EOPNOTSUPP", "EXDEV", "EMLINK", "ENOSYS") if hasattr(errno, n)
)


def remove_abandoned_creations(path: Path) -> None:
    """Remove what a process killed while making the library at ``path`` left (its
    temporary file): those of processes still running are left alone."""
    if os.name != "posix":  # no cheap "is this process alive" test: leave them
        return
    prefix = CREATING_PREFIX.format(name=path.name)
    try:
        names = [n for n in os.listdir(path.parent) if n.startswith(prefix)]
    except OSError:
        return
    for name in names:
        try:
            pid = int(name[len(prefix):].split("-")[0])
        except ValueError:
            continue
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
            continue  # still running (or another user's process)
        except ProcessLookupError:
            pass
        except OSError:
            continue
        try:
            (path.parent / name).unlink()
            log.info("removed %s, left by a process that ended while making a library", name)
        except OSError:
            pass


def chunks(seq: Sequence[Any], n: int = CHUNK) -> Iterator[tuple[str, list[Any]]]:
    """``(marks, chunk)`` for each piece of ``seq``: ``f"... IN ({marks})"`` with ``chunk``."""
    items = seq if isinstance(seq, (list, tuple, array)) else list(seq)  # (an array of ids is not copied whole)
    for i in range(0, len(items), n):
        chunk = list(items[i : i + n])
        yield ",".join("?" * len(chunk)), chunk


class Db:
    """An open library file (or ``:memory:``).

    Only a file this call makes is set up as a library (``created``): it is made complete
    under a temporary name beside the library and linked into place, so an existing file
    without a library's tables (an empty one included) is always refused, and a crash while
    making one leaves no half-made library behind.

    ``exclusive_if_full``: when the disk is too full for SQLite's shared-memory file (``-shm``,
    which a WAL library needs even to be read), open the library with that index in this
    process's memory instead.  Reading then works; a write says the disk is full; but no other
    program can open the library until this handle is closed, so only short-lived users (the
    command line) ask for it.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, create: bool = True, readonly: bool = False,
        exclusive_if_full: bool = False,
    ) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.created = False
        self.exclusive = False
        self.busy_timeout = busy_timeout()
        self.in_memory = str(path) == ":memory:"
        #: the file opened, by (device, inode): the path may later name another file
        self._identity: tuple[int, int] | None = None
        self._wal_seen = False
        #: why the path no longer names the file opened (once seen, for good)
        self._gone: str | None = None
        #: copy each write into the library file at once (the app: a deleted -wal loses nothing)
        self.checkpoint_after_write = False
        if not self.in_memory:
            try:
                self._check_file(create=create)
            except OSError as e:
                if space.is_full_error(self.path, e):
                    raise DiskFull(space.full_message(self.path, e)) from None
                raise LibraryError(f"{self.path}: cannot open the library file: {e.strerror or e}") from None
            except sqlite3.DatabaseError as e:  # while making a new library
                raise LibraryError(self.explain(e)) from None
        # On a full disk, with no -shm yet: straight to the index in memory (trying the shared
        # one first would leave a stub -shm and an empty -wal behind).
        attempts = [False]
        if exclusive_if_full and not self.in_memory:
            shm = self.path.with_name(self.path.name + "-shm")
            attempts = [True] if space.is_low(self.path) and not shm.exists() else [False, True]
        for n, exclusive in enumerate(attempts):
            try:
                self._connect(exclusive)
                break
            except sqlite3.DatabaseError as e:
                if n + 1 < len(attempts) and space.is_full_error(self.path, e):
                    log.info("%s: the disk is full (%s): opening with the index in memory", self.path, e)
                    continue
                raise (DiskFull if space.is_full_error(self.path, e) else LibraryError)(self.explain(e)) from None
            except OSError as e:  # e.g. the backup before a migration
                if space.is_full_error(self.path, e):
                    raise DiskFull(space.full_message(self.path, e)) from None
                raise LibraryError(f"{self.path}: {e.strerror or e}") from None

    def _connect(self, exclusive: bool) -> None:
        """Connect and check (or migrate) the schema; nothing is left open if that fails."""
        conn: sqlite3.Connection | None = None
        try:
            if self.readonly and not exclusive:
                conn = sqlite3.connect(
                    self.path.resolve().as_uri() + "?mode=ro", uri=True, timeout=self.busy_timeout,
                    check_same_thread=False,
                )
            else:
                conn = sqlite3.connect(str(self.path), timeout=self.busy_timeout, check_same_thread=False)
            if exclusive:
                # Before the first read: SQLite then keeps the WAL index in this process's
                # memory and never makes the -shm file.  (A read-only file handle cannot
                # take the exclusive lock that needs: read-only here means query_only.)
                conn.execute("PRAGMA locking_mode=EXCLUSIVE")
                if self.readonly:
                    conn.execute("PRAGMA query_only=1")
            self.conn = conn
            self.sqlite = sqlite_utils.Database(conn, execute_plugins=False)
            open_schema(
                conn, self.path, readonly=self.readonly, busy_timeout=self.busy_timeout,
                before_migration=lambda v: backup.backup_before_migration(conn, self.path, v),
                new=self.in_memory, is_full=lambda e: space.is_full_error(self.path, e),
            )
            self.exclusive = exclusive
            self._identity = self._stat()
        except BaseException:
            # Never leave a half-open connection behind, whatever went wrong.
            if conn is not None:
                conn.close()
            raise

    def _check_file(self, *, create: bool) -> None:
        if not self.path.exists():
            if not create or self.readonly:
                raise LibraryError(f"{self.path}: no such library")
            if self.path.parent.exists() and not self.path.parent.is_dir():
                raise LibraryError(
                    f"{self.path}: cannot create the library file: {self.path.parent} is not a folder"
                )
            self._create()
        elif self.path.is_dir():
            raise LibraryError(f"{self.path}: is a folder, not a library file")
        elif not os.access(self.path, os.R_OK):
            raise LibraryError(f"{self.path}: cannot read the library file: permission denied")
        elif not self.readonly and not os.access(self.path, os.W_OK):
            raise LibraryError(f"{self.path}: cannot write to the library file: permission denied")

    def _create(self) -> None:
        """Make a complete, empty library at ``path``: set up under a temporary name beside it
        (``.<name>.creating-<pid>-<random>``), then hard-linked into place.  The library file
        appears with its tables or not at all; if another program made it meanwhile, that
        one is opened (``created`` stays False)."""
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        remove_abandoned_creations(self.path)
        tmp = folder / f"{CREATING_PREFIX.format(name=self.path.name)}{os.getpid()}-{secrets.token_hex(4)}"
        # Readable by the user only; the link keeps the mode, SQLite gives -wal/-shm the same.
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        try:
            conn = sqlite3.connect(str(tmp))
            try:
                create_tables(conn)  # rollback journal: one complete file once committed
            finally:
                conn.close()
            try:
                os.link(tmp, self.path)
            except FileExistsError:
                return
            except OSError as e:
                if e.errno not in _NO_HARD_LINKS:
                    raise
                # A file system without hard links: a rename, which (unlike the link) would
                # replace a library another program made in the same instant.
                if self.path.exists():
                    return
                os.replace(tmp, self.path)
            self.created = True
        finally:
            for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
                leftover.unlink(missing_ok=True)

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
                self._before_write()
                conn = self.conn  # (a deleted -wal: reconnected)
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
                if self.checkpoint_after_write:
                    self.checkpoint()
        except sqlite3.DatabaseError as e:
            # The file or its disk (busy, read-only, full, damaged): one clear line.
            # Anything else is a bug and keeps its traceback.
            if any(w in str(e) for w in _FILE_ERRORS):
                raise (DiskFull if space.is_full_error(self.path, e) else LibraryError)(self.explain(e)) from None
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

    # ------------------------------------------------ the file under the path
    def _stat(self) -> tuple[int, int] | None:
        if self.in_memory:
            return None
        st = os.stat(self.path)
        return st.st_dev, st.st_ino

    def file_problem(self) -> str | None:
        """Why this handle may no longer write to its path (None: all is well): the file was
        deleted, replaced by another file (another device or inode), or emptied.  A
        deleted write-ahead log is mended here (``_wal_deleted``): nothing is lost."""
        if self._identity is None:
            return None
        if self._gone:
            return self._gone
        problem = None
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            problem = f"{self.path}: the library file was deleted while it was open; nothing more is written to it"
        except OSError as e:
            problem = (f"{self.path}: the library file cannot be reached ({e.strerror or e}); "
                       "nothing more is written to it")
        else:
            if (st.st_dev, st.st_ino) != self._identity:
                problem = (f"{self.path}: the library file was replaced by another file while it was open; "
                           "nothing more is written to it")
            elif st.st_size < _SQLITE_HEADER:
                problem = f"{self.path}: the library file was emptied while it was open; nothing more is written to it"
        if problem:
            self._gone = problem
            self._keep_to_itself()
            return problem
        wal = self.path.with_name(self.path.name + "-wal")
        if wal.exists():
            self._wal_seen = True
        elif self._wal_seen and not self.exclusive and not self.readonly:
            self._wal_deleted()
        return None

    def _keep_to_itself(self) -> None:
        """The path names another file now (or none), but the write-ahead log beside it is
        still this handle's: copy what it holds into the file this handle has open and empty
        it, so that the file now at the path is read as it is, not with this library's log."""
        if self.readonly or self.exclusive:
            return
        try:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as e:
            log.warning("%s: checkpoint of the replaced library: %s", self.path, e)

    def _before_write(self) -> None:
        problem = self.file_problem()
        if problem:
            raise LibraryFileGone(problem)

    def _wal_deleted(self) -> None:
        """Another program deleted the write-ahead log while this handle had it open: what it
        held (this handle still reads it) goes into the library file now, and the handle opens
        the file again, with a new log.  Nothing committed is lost."""
        log.warning("%s: its -wal file was deleted by another program; saving its contents into the library file",
                    self.path)
        self._wal_seen = False
        try:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as e:
            log.warning("%s: checkpoint after the -wal was deleted: %s", self.path, e)
        self.conn.close()
        self._connect(self.exclusive)

    def save_copy(self, dest: str | os.PathLike[str]) -> Path:
        """The library as this handle sees it, into a new file ``dest`` (SQLite's backup API:
        consistent, and it works when the path no longer names this file).  Written under a
        temporary name, renamed when complete."""
        dest = Path(dest)
        part = dest.with_name(f".{dest.name}.part-{os.getpid()}")
        out = sqlite3.connect(str(part))
        try:
            self.conn.backup(out)
            out.execute("PRAGMA journal_mode=WAL")
            out.close()
            os.replace(part, dest)
        except BaseException as e:
            out.close()
            part.unlink(missing_ok=True)
            if isinstance(e, OSError) and space.is_full_error(dest, e):
                raise DiskFull(space.full_message(dest, e)) from None
            if isinstance(e, OSError | sqlite3.DatabaseError):
                raise LibraryError(f"{dest}: cannot save the library there ({e})") from None
            raise
        return dest

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
