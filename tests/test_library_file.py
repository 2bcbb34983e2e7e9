"""The library file at start (issue 6): unreadable, damaged, locked, newer; and a busy writer.

``Library(path)`` raises ``LibraryError`` with one clear line, never a raw ``sqlite3`` exception,
and the command line prints that line (exit status 1).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from refmanager.core.errors import LibraryError
from refmanager.core.library import Library
from refmanager.core.store.db import BUSY_TIMEOUT_S, busy_timeout
from refmanager.core.store.schema import SCHEMA_VERSION

from .conftest import FULL_SEED

SHORT = "0.3"  # REFMANAGER_BUSY_TIMEOUT for these tests


@pytest.fixture
def good(tmp_path: Path) -> Path:
    """A closed library holding the full seed (19 papers)."""
    path = tmp_path / "library.db"
    with Library(path) as lib:
        lib.import_paths([FULL_SEED])
    return path


@pytest.fixture
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setenv("REFMANAGER_BUSY_TIMEOUT", SHORT)
    return float(SHORT)


def open_error(path: Path) -> str:
    with pytest.raises(LibraryError) as e:
        Library(path)
    return str(e.value)


def _fds() -> int:
    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0


# ------------------------------------------------------------- cannot be read
def test_unreadable(good: Path, monkeypatch: pytest.MonkeyPatch):
    if os.geteuid() == 0:  # root reads a chmod-000 file: make the permission check say no
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == good else real(p, mode))
    else:
        good.chmod(0)
    assert open_error(good) == f"{good}: cannot read the library file: permission denied"


def test_read_only_file(good: Path, monkeypatch: pytest.MonkeyPatch):
    if os.geteuid() == 0:
        real = os.access
        monkeypatch.setattr(
            os, "access", lambda p, mode: False if Path(p) == good and mode & os.W_OK else real(p, mode)
        )
    else:
        good.chmod(0o400)
    assert open_error(good) == f"{good}: cannot write to the library file: permission denied"
    with Library(good, readonly=True) as lib:  # still readable when asked for read-only
        assert len(lib.all_ids()) == 19


def test_folder_and_uncreatable_path(tmp_path: Path):
    assert open_error(tmp_path) == f"{tmp_path}: is a folder, not a library file"
    blocker = tmp_path / "file"
    blocker.write_text("x")
    msg = open_error(blocker / "library.db")
    assert msg == f"{blocker / 'library.db'}: cannot create the library file: {blocker} is not a folder"
    deeper = blocker / "sub" / "library.db"
    assert open_error(deeper) == f"{deeper}: cannot open the library file: Not a directory"


# ---------------------------------------------------------------- damaged
def test_random_bytes(tmp_path: Path):
    path = tmp_path / "random.db"
    path.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(16384)))
    assert open_error(path) == f"{path}: not a refmanager library, or the file is damaged (file is not a database)"


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_sqlite_file(good: Path, keep: float):
    data = good.read_bytes()
    good.write_bytes(data[: int(len(data) * keep)])
    fds = _fds()
    assert open_error(good) == (
        f"{good}: the library file is damaged (database disk image is malformed); "
        "restore a backup with `refmanager restore-backup`"
    )
    assert _fds() == fds  # the connection was closed, not leaked


def test_sqlite_file_of_another_program(tmp_path: Path):
    path = tmp_path / "other.db"
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE t(x)")
    c.commit()
    c.close()
    assert open_error(path) == f"{path}: an SQLite file, but not a refmanager library"


def test_newer_version(good: Path):
    c = sqlite3.connect(good)
    c.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    c.close()
    fds = _fds()
    assert open_error(good) == (
        f"{good}: written by a newer refmanager (library version {SCHEMA_VERSION + 1}, "
        f"this program reads up to {SCHEMA_VERSION}); please upgrade refmanager"
    )
    assert _fds() == fds


# ------------------------------------------------------------------ locked
BUSY = "the library is busy (another program is writing to it); try again"


def test_locked_rollback_journal_file(good: Path, short_timeout: float):
    """A file in rollback-journal mode under BEGIN EXCLUSIVE: not even readable, so Library() fails."""
    holder = sqlite3.connect(good, isolation_level=None)
    holder.execute("PRAGMA journal_mode=DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert open_error(good) == f"{good}: {BUSY}"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Library(good) as lib:
        assert len(lib.all_ids()) == 19


def test_locked_exclusive_locking_mode(good: Path, short_timeout: float):
    holder = sqlite3.connect(good, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("COMMIT")  # the lock stays until the connection closes
    try:
        assert open_error(good) == f"{good}: {BUSY}"
    finally:
        holder.close()


def test_wal_library_under_begin_exclusive_reads_but_writes_wait_then_fail(good: Path, short_timeout: float):
    """In WAL mode another writer does not block readers (by design: the app can show the library
    while a command-line import runs); a write waits the busy timeout, then a clear LibraryError."""
    holder = sqlite3.connect(good, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        lib = Library(good)
        try:
            assert len(lib.all_ids()) == 19
            with pytest.raises(LibraryError) as e:
                lib.add_tags([1], ["x"])
            assert str(e.value) == f"{good}: {BUSY}"
            with pytest.raises(LibraryError) as e:
                lib.import_text("CLMar 3, 2023\nSparse AttentionAda Lovelace\nAn abstract.\n")
            assert str(e.value) == f"{good}: {BUSY}"
            assert lib.tag_names() == [] and len(lib.all_ids()) == 19
        finally:
            lib.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_busy_timeout_setting(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("REFMANAGER_BUSY_TIMEOUT", raising=False)
    assert busy_timeout() == BUSY_TIMEOUT_S == 5.0
    monkeypatch.setenv("REFMANAGER_BUSY_TIMEOUT", "0.25")
    assert busy_timeout() == 0.25
    for bad in ("soon", "-1", "nan", "inf"):
        monkeypatch.setenv("REFMANAGER_BUSY_TIMEOUT", bad)
        with pytest.raises(LibraryError) as e:
            busy_timeout()
        assert str(e.value) == f"REFMANAGER_BUSY_TIMEOUT must be a number of seconds, not {bad!r}"


# ------------------------------------------------------------ command line
def cli(libpath: Path, *args: str, timeout: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("REFMANAGER_BUSY_TIMEOUT", None)
    if timeout is not None:
        env["REFMANAGER_BUSY_TIMEOUT"] = timeout
    return subprocess.run(
        [sys.executable, "-m", "refmanager", "--library", str(libpath), *args],
        capture_output=True, text=True, timeout=60, env=env,
    )


@pytest.mark.slow  # (a subprocess: the full run and .ci/run have it, not the fast loop)
def test_cli_one_line_for_each_bad_library_file(tmp_path: Path, good: Path):
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(good.read_bytes()[:40000])
    noise = tmp_path / "noise.db"
    noise.write_bytes(b"\x00\x01not a database at all\n" * 500)
    newer = tmp_path / "newer.db"
    newer.write_bytes(good.read_bytes())
    c = sqlite3.connect(newer)
    c.execute("PRAGMA user_version=99")
    c.close()
    expected = {
        damaged: "the library file is damaged (database disk image is malformed); "
        "restore a backup with `refmanager restore-backup`",
        noise: "not a refmanager library, or the file is damaged (file is not a database)",
        newer: f"written by a newer refmanager (library version 99, this program reads up to "
        f"{SCHEMA_VERSION}); please upgrade refmanager",
    }
    for path, message in expected.items():
        r = cli(path, "list")
        assert (r.returncode, r.stdout, r.stderr) == (1, "", f"refmanager: {path}: {message}\n")
    r = cli(good, "list", timeout="soon")
    assert (r.returncode, r.stderr) == (1, "refmanager: REFMANAGER_BUSY_TIMEOUT must be a number of seconds, not 'soon'\n")


def test_the_busy_timeout_comes_from_the_environment(good: Path, monkeypatch: pytest.MonkeyPatch):
    """How long a writer waits is SQLite's busy_timeout (the wait itself is measured
    in bench/, not timed here)."""
    with Library(good) as lib:
        assert lib.db.conn.execute("PRAGMA busy_timeout").fetchone()[0] == int(BUSY_TIMEOUT_S * 1000)
    monkeypatch.setenv("REFMANAGER_BUSY_TIMEOUT", "0.5")
    with Library(good) as lib:
        assert lib.db.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 500


@pytest.mark.slow  # (a subprocess: the full run and .ci/run have it, not the fast loop)
def test_cli_waits_for_a_writer_then_says_busy(good: Path):
    holder = sqlite3.connect(good, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        r = cli(good, "import", str(FULL_SEED), timeout="0.5")
        assert r.returncode == 1
        assert r.stderr == f"refmanager: {good}: {BUSY}\n"
        assert "Traceback" not in r.stderr
        r = cli(good, "list", timeout="0.5")  # reading is not blocked
        assert r.returncode == 0 and len(r.stdout.splitlines()) == 19
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # the writer has gone: the same command now works (nothing new: the seed is already there)
    r = cli(good, "import", str(FULL_SEED), timeout="0.5")
    assert r.returncode == 0 and r.stdout.splitlines()[-1] == "Nothing changed: everything was already in the library."


# ------------------------------------------------------- failures mid-way
def test_disk_full_during_an_import_changes_nothing(good: Path):
    """SQLITE_FULL (here: a page limit just above the file's size) rolls the whole import back."""
    from .conftest import PROFILE_SEED, dump

    with Library(good) as lib:
        before = dump(lib)
        pages = lib.db.conn.execute("PRAGMA page_count").fetchone()[0]
        lib.db.conn.execute(f"PRAGMA max_page_count={pages + 2}")
        with pytest.raises(LibraryError) as e:
            lib.import_paths([PROFILE_SEED])
        assert str(e.value) == f"{good}: the disk is full; nothing was changed (database or disk is full)"
        assert dump(lib) == before
        assert lib.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_cli_database_error_after_opening_is_one_line(good: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    from refmanager.cli import main

    def damaged(*_a: object, **_k: object) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(Library, "ids", damaged)
    assert main(["--library", str(good), "list"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"refmanager: {good}: the library file is damaged (database disk image is malformed); "
        "restore a backup with `refmanager restore-backup`\n"
    )


# ------------------------------------------- only a file refmanager made is set up (issue 16)
def test_an_empty_file_is_not_a_library(tmp_path: Path):
    """A 0-byte file given as the library may be the wrong file: it is refused like any other
    file that is not a library, and left as it was (never turned into an empty library)."""
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    assert open_error(path) == f"{path}: not a refmanager library (the file is empty)"
    with pytest.raises(LibraryError) as e:
        Library(path, readonly=True)
    assert str(e.value) == f"{path}: not a refmanager library (the file is empty)"
    assert path.read_bytes() == b"" and sorted(os.listdir(tmp_path)) == ["empty.db"]
    r = cli(path, "list")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", f"refmanager: {path}: not a refmanager library (the file is empty)\n")
    assert path.read_bytes() == b"" and sorted(os.listdir(tmp_path)) == ["empty.db"]


def test_an_empty_sqlite_file_is_not_a_library(tmp_path: Path):
    path = tmp_path / "blank.db"
    c = sqlite3.connect(path)
    c.execute("PRAGMA journal_mode=WAL")  # writes the header: an SQLite file with no tables
    c.close()
    before = path.read_bytes()
    assert open_error(path) == f"{path}: an SQLite file, but not a refmanager library"
    assert path.read_bytes() == before


def test_a_new_library_appears_complete_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The file is made and set up under another name, then linked into place: a failure (or a
    crash) while setting it up never leaves an empty file that the next start would refuse."""
    from refmanager.core.store import schema

    path = tmp_path / "sub" / "library.db"
    monkeypatch.setattr(schema, "SCHEMA_V1", schema.SCHEMA_V1 + "\nTHIS IS NOT SQL;")
    with pytest.raises(LibraryError):
        Library(path)
    assert not path.exists() and os.listdir(path.parent) == []
    monkeypatch.undo()
    with Library(path) as lib:
        assert lib.created and lib.schema_version == SCHEMA_VERSION
        assert (path.stat().st_mode & 0o777) == 0o600
    assert os.listdir(path.parent) == ["library.db"]
    with Library(path) as again:
        assert not again.created


def test_a_creation_cut_short_by_a_crash_is_cleaned_up(tmp_path: Path):
    """What a killed process left while making a library (its file under a temporary name)
    is removed the next time; a file another living process is making is left alone."""
    dead = tmp_path / ".library.db.creating-4194305-0"  # above Linux's highest process id
    dead.write_bytes(b"")
    alive = tmp_path / f".library.db.creating-{os.getpid()}-1"
    alive.write_bytes(b"")
    with Library(tmp_path / "library.db") as lib:
        assert lib.created
    assert sorted(os.listdir(tmp_path)) == sorted(["library.db", alive.name])


# ---------------------------------------------------------- a full disk (issue 16)
def test_a_full_disk_when_creating_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import errno

    def no_space(*_a: object, **_k: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "open", no_space)
    path = tmp_path / "new.db"
    assert open_error(path) == f"{path}: the disk is full; nothing was changed (No space left on device)"
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


# A child process on a "full disk": writing past LIMIT bytes into any file fails
# (RLIMIT_FSIZE: EFBIG, as ENOSPC would), and the disk reports no free space.
FULL_DISK_CLI = """
import resource, shutil, signal, sys
import refmanager.core.library, refmanager.core.store.backup
from refmanager.cli import main
real = shutil.disk_usage
shutil.disk_usage = lambda p: real(p)._replace(free=0)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (16384, 16384))
sys.exit(main(sys.argv[1:]))
"""


def full_disk_cli(libpath: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", FULL_DISK_CLI, "--library", str(libpath), *args],
        capture_output=True, text=True, timeout=60, check=False,
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow  # (a subprocess: the full run and .ci/run have it, not the fast loop)
def test_a_full_disk_still_reads_and_says_the_disk_is_full(good: Path):
    """SQLite's shared-memory file (-shm) cannot be made on a full disk: reading works all the
    same (the library is opened with the index in memory), a change says "the disk is full",
    and nothing is left behind."""
    with Library(good) as lib:
        lib.backup("manual")
        expected = [line for line in cli(good, "list").stdout.splitlines()]
    before = _files(good.parent)
    r = full_disk_cli(good, "list")
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout.splitlines() == expected and len(expected) == 19
    r = full_disk_cli(good, "tag", "1", "later")
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr.startswith(f"refmanager: {good}: the disk is full; nothing was changed (")
    r = full_disk_cli(good, "restore-backup")
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr.startswith(f"refmanager: {good}: the disk is full")
    assert "nothing was changed" in r.stderr and len(r.stderr.splitlines()) == 1
    # (EFBIG reaches SQLite as an I/O error, not as SQLITE_FULL: it then leaves the frames of
    # the failed write in the -wal, uncommitted, which the next opening drops.  On a full
    # tmpfs, SQLite removes the -wal when the command ends.)
    after = _files(good.parent)
    after.pop("library.db-wal", None)
    assert after == before
    with Library(good) as lib:
        assert lib.tag_names() == [] and len(lib.all_ids()) == 19


def test_cli_writing_a_file_onto_a_full_disk_is_one_line(good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]):
    import errno

    from refmanager.cli import main

    out = tmp_path / "refs.bib"

    from refmanager.cli import listing

    class Full:  # (the export's file: every write fails for lack of space)
        def __init__(self, fd: int, *_a: object, **_k: object) -> None:
            os.close(fd)

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *_a: object) -> None:
            pass

        def write(self, _text: str) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(listing.os, "fdopen", Full)
    assert main(["--library", str(good), "export", "--format", "bibtex", "-o", str(out)]) == 1
    assert capsys.readouterr().err == f"refmanager: {out}: the disk is full (No space left on device)\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".refs")) == []  # (no partial file)
