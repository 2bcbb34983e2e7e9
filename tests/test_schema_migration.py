"""A library written by schema version 1, opened by the current code (issue 6).

``tests/data/library_v1.db`` was made by ``tests/data/make_library_v1.py`` with the code of the
first schema version; ``library_v1.json`` is what that version read back from it.  The tests open a
*copy* (the fixture itself is never written) and check every paper, tag and note is there.  When the
current schema is newer (it is: v2 added ``arxiv_cache``), opening the copy runs the migrations, and a
backup of the untouched version-1 file must have been taken first.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from refmanager.core.errors import LibraryError
from refmanager.core.library import Library, View
from refmanager.core.store import backup
from refmanager.core.store.schema import SCHEMA_VERSION

from .conftest import DATA

V1_DB = DATA / "library_v1.db"
V1_JSON = DATA / "library_v1.json"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def v1_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "library.db"
    shutil.copy(V1_DB, dest)
    return dest


def test_the_fixture_is_version_1():
    c = sqlite3.connect(f"file:{V1_DB}?mode=ro", uri=True)
    try:
        assert c.execute("PRAGMA user_version").fetchone()[0] == 1
    finally:
        c.close()
    assert json.loads(V1_JSON.read_text(encoding="utf-8"))["schema_version"] == 1


def test_every_paper_tag_and_note_survives_opening(v1_copy: Path):
    fixture_hash = _sha(V1_DB)
    expected = json.loads(V1_JSON.read_text(encoding="utf-8"))
    lib = Library(v1_copy)
    try:
        assert lib.schema_version == SCHEMA_VERSION
        ids = lib.all_ids() + lib.all_ids(trash=True)
        got = {p["id"]: p for p in lib.export_json(ids)}
        assert len(got) == len(expected["papers"]) == 21
        for want in expected["papers"]:
            have = got[want["id"]]
            assert {k: have[k] for k in want} == want  # every field the v1 export had
        assert [list(t) for t in lib.tag_counts()] == expected["tags"]
        assert expected["tags"] == [["LLM", 1, None], ["RL", 2, "#2a9d8f"], ["to read", 2, None]]
        notes = [p["note"] for p in got.values() if p["note"]]
        assert notes == ["Compare with Gemma 3.\nSecond line — ünïcödé, and a tab:\tthere."]
        assert lib.counts()["trash"] == 1 and lib.count(View(section="starred")) == 1
        # the index and the undo history came along
        assert [p.title for p in lib.search("tag:RL hindsight")[0]] == [
            "Hindsight Credit Assignment",
            "Curiosity in Hindsight: Intrinsic Exploration in Stochastic Environments",
        ]
        assert lib.undo_label() == expected["undo_label"] == "Move 1 paper to the trash"
        assert lib.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # (schema v10) every paper got a type and a citation key, unique, as exports wrote them
        papers = lib.get_many(ids)
        keys = [p.citekey for p in papers]
        assert all(keys) and len({k.casefold() for k in keys}) == 21
        assert {p.type for p in papers} == {"article"}  # (listing papers: preprints)
        assert got[1]["citekey"] == keys[ids.index(1)]
        # and it still works: a new import, undone
        r = lib.import_text("CLMar 3, 2023\nSparse Attention for Long DocumentsAda Lovelace\nAn abstract.\n")
        assert r.added == 1
        lib.undo()
        assert len(lib.all_ids()) == 20
    finally:
        lib.close()
    assert _sha(V1_DB) == fixture_hash  # the fixture itself was never opened for writing


@pytest.mark.skipif(SCHEMA_VERSION == 1, reason="no migration yet: nothing to back up")
def test_a_backup_of_the_old_file_is_taken_before_the_upgrade(v1_copy: Path):
    before = sqlite3.connect(v1_copy)
    old_papers = before.execute("SELECT id, title, abstract, note, tags_text FROM papers ORDER BY id").fetchall()
    before.close()
    Library(v1_copy).close()
    backups = backup.list_backups(v1_copy)
    assert len(backups) == 1 and backups[0].name.endswith("-before-v1-upgrade.db")
    assert backups[0].stat().st_mode & 0o777 == 0o600
    b = sqlite3.connect(f"file:{backups[0]}?mode=ro", uri=True)
    try:
        assert b.execute("PRAGMA user_version").fetchone()[0] == 1  # taken before the migration ran
        assert b.execute("SELECT id, title, abstract, note, tags_text FROM papers ORDER BY id").fetchall() == old_papers
        assert b.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        b.close()
    # opening again: already upgraded, no second backup
    Library(v1_copy).close()
    assert backup.list_backups(v1_copy) == backups


@pytest.mark.skipif(SCHEMA_VERSION == 1, reason="no migration yet")
def test_an_upgrade_that_cannot_run_leaves_version_1(v1_copy: Path, monkeypatch: pytest.MonkeyPatch):
    """Another program holds the write lock: a clear error, and the file is still a good v1 library."""
    monkeypatch.setenv("REFMANAGER_BUSY_TIMEOUT", "0.2")
    holder = sqlite3.connect(v1_copy, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(LibraryError) as e:
            Library(v1_copy)
        assert str(e.value) == f"{v1_copy}: the library is busy (another program is writing to it); try again"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    c = sqlite3.connect(v1_copy)
    try:
        assert c.execute("PRAGMA user_version").fetchone()[0] == 1
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        c.close()
    monkeypatch.delenv("REFMANAGER_BUSY_TIMEOUT")
    with Library(v1_copy) as lib:  # and once the lock is gone, the upgrade runs
        assert lib.schema_version == SCHEMA_VERSION and len(lib.all_ids()) == 20


def test_the_old_undo_history_still_undoes_after_the_upgrade(v1_copy: Path):
    """Version 1 recorded whole snapshots; undo now works by change: the old records are read
    as the changes they hold, newest first, and a new action goes on top of them."""
    with Library(v1_copy) as lib:
        trashed = lib.all_ids(trash=True)[0]
        gemma2 = next(p.id for p in lib.get_many(lib.all_ids()) if (p.title or "").startswith("Gemma 2:"))
        lib.edit_paper(gemma2, title="Gemma 2, edited after the upgrade")
        assert lib.undo() == "Edit title of 'Gemma 2: Improving Open Language Models at a Prac…'"
        assert lib.get(gemma2).title.startswith("Gemma 2: Improving")
        assert lib.undo() == "Move 1 paper to the trash"  # recorded by version 1
        assert lib.get(trashed).trashed is False
        assert lib.get(gemma2).note.startswith("Compare with Gemma 3.")  # untouched: not that action's
        undone = lib.undo()
        assert undone is not None and undone.conflicts == ()
        assert lib.redo() == undone and lib.redo() == "Move 1 paper to the trash"
        assert lib.get(trashed).trashed is True
