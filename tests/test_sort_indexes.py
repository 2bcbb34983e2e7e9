"""Every sort has an index (issue 20; the record's columns since schema v14): a sorted page
never sorts the whole library, and a v13 library gains the indexes when it opens."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from refmanager.core.library import Library, View
from refmanager.core.store.query import SORTS
from refmanager.core.store.schema import MIGRATIONS, SCHEMA_V1, SCHEMA_VERSION

from .conftest import FULL_SEED


def _plan(lib: Library, view: View) -> str:
    cv = lib.compile(view)
    rows = lib.db.conn.execute(
        f"EXPLAIN QUERY PLAN SELECT p.id FROM papers p WHERE {cv.where} {cv.order} LIMIT 100", cv.params).fetchall()
    return " | ".join(r[-1] for r in rows)


@pytest.mark.parametrize("sort", sorted(SORTS))
@pytest.mark.parametrize("descending", [False, True])
def test_every_sort_reads_an_index_in_order(tmp_path: Path, sort: str, descending: bool):
    with Library(tmp_path / "lib.db") as lib:
        lib.import_paths([FULL_SEED])
        plan = _plan(lib, View(sort=sort, descending=descending))
        assert "TEMP B-TREE" not in plan, plan
        assert "USING INDEX papers_live_" in plan, plan
        ids = [r.id for r in lib.page(lib.compile(View(sort=sort, descending=descending)), 0, 500)]
        # the same order as SQLite sorting every row itself
        want = [pid for (pid,) in lib.db.conn.execute(
            f"SELECT p.id FROM papers p NOT INDEXED WHERE p.trashed_at IS NULL "
            f"ORDER BY {SORTS[sort]} {'DESC' if descending else 'ASC'}, p.id {'DESC' if descending else 'ASC'}")]
        assert ids == want and len(ids) > 10


def test_a_v13_library_gains_the_record_sort_indexes(tmp_path: Path):
    path = tmp_path / "v13.db"
    c = sqlite3.connect(path)
    c.executescript("BEGIN;" + SCHEMA_V1 + "\n".join(MIGRATIONS[:12]) + "PRAGMA user_version=13;COMMIT;")
    c.close()
    assert SCHEMA_VERSION == 14
    with Library(path) as lib:
        assert lib.schema_version == 14
        names = {n for (n,) in lib.db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"papers_live_type", "papers_live_key", "papers_live_venue", "papers_live_volume",
                "papers_live_pages", "papers_live_publisher", "papers_live_doi"} <= names
        lib.import_paths([FULL_SEED])
        assert "TEMP B-TREE" not in _plan(lib, View(sort="doi"))


def test_the_migration_makes_the_index_of_each_record_sort():
    from refmanager.core.store.schema_sorts import RECORD_SORT_INDEXES, V14_RECORD_SORT_INDEXES

    for sort, (index, column) in RECORD_SORT_INDEXES.items():
        assert f"{index} ON papers(coalesce({column}, ''), id) WHERE trashed_at IS NULL;" in V14_RECORD_SORT_INDEXES
        assert SORTS[sort] == f"coalesce(p.{column}, '')"


def test_a_read_only_v13_library_sorts_a_collection_by_a_record_column(tmp_path: Path):
    """Read-only, an older library is not upgraded: without the sort's index the collection's
    page is SQLite's own plan (it was an error: "no such index")."""
    path = tmp_path / "lib.db"
    with Library(path) as lib:
        lib.import_paths([FULL_SEED])
        cid = lib.create_collection("C")
        lib.add_to_collection(cid, lib.all_ids())
    c = sqlite3.connect(path)
    for index, _ in __import__("refmanager.core.store.schema_sorts", fromlist=["x"]).RECORD_SORT_INDEXES.values():
        c.execute(f"DROP INDEX {index}")
    c.execute("PRAGMA user_version=13")
    c.commit()
    c.close()
    with Library(path, readonly=True) as lib:
        assert lib.schema_version == 13
        for sort in ("type", "doi", "key"):
            # (3 of them: a page the planner walks the sort's index for, 19 papers all in the collection)
            got = [r.id for r in lib.page(View(collection=cid, sort=sort, descending=False), 0, 3)]
            want = [pid for (pid,) in lib.db.conn.execute(
                f"SELECT id FROM papers p WHERE trashed_at IS NULL ORDER BY {SORTS[sort]}, id LIMIT 3")]
            assert got == want and len(got) == 3
