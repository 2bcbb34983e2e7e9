"""Backups (issue 6): private files, rolling, restorable, and a damaged backup refused.

The issue asks for ``refmanager backup`` and ``refmanager restore``; ``restore`` already brings papers
back from the trash (issue 8), so restoring a backup is ``refmanager restore-backup`` (see
docs/reliability.md).
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from refmanager.core.errors import LibraryError
from refmanager.core.library import Library
from refmanager.core.store import backup
from refmanager.core.store.schema import SCHEMA_VERSION

from .conftest import FULL_SEED, PROFILE_SEED
from .conftest import cli as run

NAME = re.compile(r"^library-\d{8}-\d{6}-\d{6}-(?P<reason>[a-z0-9-]+)\.db$")


def content(path: Path) -> list[tuple]:
    """The user-visible content of a library file: papers, tags and notes."""
    c = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return c.execute(
            "SELECT id, title, authors, abstract, note, tags_text, read, starred, trashed_at "
            "FROM papers ORDER BY id"
        ).fetchall()
    finally:
        c.close()


@pytest.fixture
def lib(tmp_path: Path):
    library = Library(tmp_path / "library.db")
    library.import_paths([FULL_SEED])
    library.add_tags([1], ["keep"])
    library.set_note(2, "my note")
    yield library
    library.close()


def test_backup_file_and_folder_are_private_and_self_contained(lib: Library):
    b = lib.backup("manual")
    assert NAME.match(b.name)["reason"] == "manual"
    assert b.parent == lib.path.with_name("library.db.backups")
    assert b.parent.stat().st_mode & 0o777 == 0o700
    assert b.stat().st_mode & 0o777 == 0o600
    assert content(b) == content(lib.path)
    assert b.read_bytes()[18:20] == b"\x01\x01"  # rollback journal: one file, no -wal/-shm
    assert sorted(p.name for p in b.parent.iterdir()) == [b.name]
    c = sqlite3.connect(b)
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    c.close()


def test_the_newest_keep_are_kept(lib: Library):
    made = [lib.backup(f"n{i}") for i in range(backup.KEEP + 3)]
    kept = backup.list_backups(lib.path)
    assert kept == list(reversed(made))[: backup.KEEP]  # newest first
    assert [NAME.match(p.name)["reason"] for p in kept] == [f"n{i}" for i in range(backup.KEEP + 2, 2, -1)]
    assert not any(p.exists() for p in made[:3])


def test_keep_can_be_changed(lib: Library, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(backup, "KEEP", 2)
    made = [lib.backup(f"n{i}") for i in range(4)]
    assert backup.list_backups(lib.path) == [made[3], made[2]]


def test_daily_backup_at_most_once_a_day(lib: Library):
    first = lib.daily_backup()
    assert first is not None and NAME.match(first.name)["reason"] == "daily"
    assert lib.daily_backup() is None  # less than a day later
    day_ago = time.time() - 25 * 3600
    os.utime(first, (day_ago, day_ago))
    second = lib.daily_backup()
    assert second is not None and second != first
    assert backup.list_backups(lib.path) == [second, first]


def test_restore_brings_back_the_content(lib: Library):
    saved = content(lib.path)
    b = lib.backup()
    lib.add_tags([3], ["later"])
    lib.trash([4, 5])
    lib.set_note(2, "changed")
    changed = content(lib.path)
    assert changed != saved
    lib.close()
    before_restore = backup.restore_backup(lib.path, b)
    assert content(lib.path) == saved
    assert before_restore is not None and NAME.match(before_restore.name)["reason"] == "before-restore"
    assert content(before_restore) == changed  # the state it replaced was kept
    assert before_restore.stat().st_mode & 0o777 == 0o600
    with Library(lib.path) as again:
        assert again.get(2).note == "my note" and again.counts()["trash"] == 0
        assert [p.id for p in again.search("tag:later")[0]] == []


def test_restore_onto_a_damaged_library(lib: Library):
    saved = content(lib.path)
    b = lib.backup()
    lib.close()
    lib.path.write_bytes(b"garbage, not SQLite " * 100)
    kept = backup.restore_backup(lib.path, b)
    assert content(lib.path) == saved
    assert kept is not None and kept.name.endswith("-before-restore.damaged")
    assert kept.read_bytes() == b"garbage, not SQLite " * 100  # the damaged bytes are kept, not lost
    assert kept.stat().st_mode & 0o777 == 0o600
    assert backup.list_backups(lib.path) == [b]  # ... but never offered as a backup


def _damage(b: Path, how: str) -> None:
    data = bytearray(b.read_bytes())
    if how == "truncated":
        b.write_bytes(bytes(data[: len(data) // 3]))
    elif how == "noise":
        b.write_bytes(b"\x00noise" * 1000)
    elif how == "bad page":
        page = int.from_bytes(data[16:18], "big")
        data[page * 2 : page * 3] = bytes([0xA5]) * page  # overwrite the third page
        b.write_bytes(bytes(data))
    elif how == "bad index":  # one letter of a title key changed: the file opens, the index disagrees
        key = b"curiosity in hindsight intrinsic exploration in stochastic environments"
        i = data.index(key)
        data[i : i + 1] = b"C"
        b.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "how, message",
    [
        ("truncated", "not a usable backup (database disk image is malformed); nothing was changed"),
        ("noise", "not a usable backup (file is not a database); nothing was changed"),
        ("bad page", "not a usable backup (database disk image is malformed); nothing was changed"),
        # PRAGMA integrity_check's first complaint, quoted
        ("bad index", r"the backup is damaged \(row \d+ missing from index papers_title_key\); nothing was changed"),
    ],
)
def test_a_damaged_backup_is_refused_and_nothing_changes(lib: Library, how: str, message: str):
    b = lib.backup()
    lib.add_tags([3], ["after the backup"])
    lib.close()
    _damage(b, how)
    before = lib.path.read_bytes()
    with pytest.raises(LibraryError) as e:
        backup.restore_backup(lib.path, b)
    if how == "bad index":
        assert re.fullmatch(re.escape(f"{b}: ") + message, str(e.value)), str(e.value)
    else:
        assert str(e.value) == f"{b}: {message}"
    assert lib.path.read_bytes() == before
    assert backup.list_backups(lib.path) == [b]  # no "before-restore" copy either


def test_restore_refuses_what_is_not_a_refmanager_backup(lib: Library, tmp_path: Path):
    other = tmp_path / "other.db"
    c = sqlite3.connect(other)
    c.execute("CREATE TABLE t(x)")
    c.commit()
    c.close()
    newer = lib.backup()
    c = sqlite3.connect(newer)
    c.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    c.close()
    lib.close()
    for path, message in [
        (other, "not a refmanager library; nothing was changed"),
        (newer, f"written by a newer refmanager (library version {SCHEMA_VERSION + 1}, this program "
                f"reads up to {SCHEMA_VERSION}); nothing was changed"),
        (tmp_path / "nope.db", "no such backup"),
    ]:
        with pytest.raises(LibraryError) as e:
            backup.restore_backup(lib.path, path)
        assert str(e.value) == f"{path}: {message}"


# ------------------------------------------------------------ command line
def test_cli_backup_list_and_restore(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    libpath = tmp_path / "library.db"
    lp = ["--library", str(libpath)]
    assert run(capsys, *lp, "import", str(FULL_SEED))[0] == 0
    code, out, err = run(capsys, *lp, "backup")
    first = Path(out.strip())
    assert (code, err) == (0, "") and NAME.match(first.name)["reason"] == "manual" and first.is_file()
    run(capsys, *lp, "import", str(PROFILE_SEED))
    assert len(content(libpath)) == 21
    assert run(capsys, *lp, "backup", "--list") == (0, f"{first}\n", "")
    code, out, err = run(capsys, *lp, "restore-backup")
    lines = out.splitlines()
    assert (code, err, lines[0]) == (0, "", f"restored {libpath} from {first}")
    assert re.fullmatch(r"the state before the restore was saved to .*-before-restore\.db", lines[1])
    assert len(content(libpath)) == 19
    # restoring the "before-restore" copy by name undoes the restore
    saved = Path(lines[1].rsplit(" ", 1)[1])
    assert run(capsys, *lp, "restore-backup", str(saved))[0] == 0
    assert len(content(libpath)) == 21


def test_cli_restore_backup_works_when_the_library_cannot_be_opened(tmp_path: Path):
    libpath = tmp_path / "library.db"
    with Library(libpath) as lib:
        lib.import_paths([FULL_SEED])
        b = lib.backup()
    good = content(libpath)
    libpath.write_bytes(libpath.read_bytes()[:20000])  # damaged
    cmd = [sys.executable, "-m", "refmanager", "--library", str(libpath)]
    r = subprocess.run([*cmd, "list"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and r.stderr == (
        f"refmanager: {libpath}: the library file is damaged (database disk image is malformed); "
        "restore a backup with `refmanager restore-backup`\n"
    )
    r = subprocess.run([*cmd, "restore-backup"], capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout.splitlines()[0] == f"restored {libpath} from {b}"
    assert content(libpath) == good
    # a damaged backup: one line, exit 1, library untouched
    _damage(b, "noise")
    before = libpath.read_bytes()
    r = subprocess.run([*cmd, "restore-backup", str(b)], capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == f"refmanager: {b}: not a usable backup (file is not a database); nothing was changed\n"
    assert libpath.read_bytes() == before


def test_cli_restore_backup_without_backups(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    libpath = tmp_path / "library.db"
    code, out, err = run(capsys, "--library", str(libpath), "restore-backup")
    assert (code, out) == (1, "")
    assert err == f"refmanager: no backups of {libpath} (they would be in {libpath}.backups)\n"


# ------------------------------------------------------- a full disk (issue 16)
def _no_space_left(monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    real = shutil.disk_usage
    monkeypatch.setattr(shutil, "disk_usage", lambda p: real(p)._replace(free=0))


def _everything(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("state", ["good", "damaged", "missing"])
def test_restore_on_a_full_disk_changes_nothing_and_leaves_nothing(lib: Library, monkeypatch: pytest.MonkeyPatch,
                                                                    state: str):
    b = lib.backup()
    lib.add_tags([3], ["after the backup"])
    lib.close()
    if state == "damaged":
        lib.path.write_bytes(b"garbage, not SQLite " * 100)
    elif state == "missing":
        lib.path.unlink()
    before = _everything(lib.path.parent)
    _no_space_left(monkeypatch)
    with pytest.raises(LibraryError) as e:
        backup.restore_backup(lib.path, b)
    assert str(e.value).startswith(f"{lib.path}: the disk is full (")
    assert str(e.value).endswith("; nothing was changed")
    assert _everything(lib.path.parent) == before


@pytest.mark.parametrize("where", ["saving the damaged file", "replacing the damaged file", "restoring"])
def test_no_space_midway_through_a_restore_leaves_nothing_behind(lib: Library, monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path, where: str):
    """The free-space check passed but the disk filled up meanwhile (ENOSPC while copying a
    file, SQLITE_FULL while SQLite writes): one clear line, the library as it was, and no
    partial copy left (no 0-byte ``.damaged``, no ``before-restore`` copy of an unchanged library)."""
    import errno
    import shutil

    b = lib.backup()
    lib.close()
    path = lib.path
    if where == "restoring":  # a small library, a larger backup: SQLite runs out of pages
        path = tmp_path / "small.db"
        Library(path).close()
        os.makedirs(backup.backup_dir(path))
        b = Path(shutil.copy(b, backup.backup_dir(path) / b.name))
        real_connect = sqlite3.connect

        def connect(database: object, *a: object, **k: object) -> sqlite3.Connection:
            c = real_connect(database, *a, **k)  # type: ignore[arg-type]
            if str(database) == str(path):
                c.execute("PRAGMA max_page_count=1")  # never fewer than it has: no room to grow
            return c

        monkeypatch.setattr(sqlite3, "connect", connect)
    else:
        path.write_bytes(b"garbage, not SQLite " * 100)
        real_copy = shutil.copyfileobj
        calls = []

        def copy_then_fail(src, dst, *a, **k):  # type: ignore[no-untyped-def]
            calls.append(1)
            if where == "replacing the damaged file" and len(calls) == 1:
                return real_copy(src, dst, *a, **k)  # the damaged bytes are saved; the new file fails
            dst.write(src.read(100))
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(shutil, "copyfileobj", copy_then_fail)
    before = _everything(path.parent)
    with pytest.raises(LibraryError) as e:
        backup.restore_backup(path, b)
    assert str(e.value) == (
        f"{path}: the disk is full; nothing was changed "
        f"({'database or disk is full' if where == 'restoring' else 'No space left on device'})"
    )
    assert _everything(path.parent) == before


def test_cli_restore_on_a_full_disk_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch):
    libpath = tmp_path / "library.db"
    lp = ["--library", str(libpath)]
    assert run(capsys, *lp, "import", str(FULL_SEED))[0] == 0
    assert run(capsys, *lp, "backup")[0] == 0
    before = _everything(tmp_path)
    _no_space_left(monkeypatch)
    code, out, err = run(capsys, *lp, "restore-backup")
    assert (code, out) == (1, "")
    assert err.startswith(f"refmanager: {libpath}: the disk is full (") and err.count("\n") == 1
    assert _everything(tmp_path) == before
