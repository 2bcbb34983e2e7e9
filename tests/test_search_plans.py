"""Performance at scale (issue 5) without timing anything: the common searches
use the FTS index and the sort indexes (EXPLAIN QUERY PLAN), the fast page and
count paths give exactly what SQLite's own plan gives, and the deferred FTS
indexing of an import leaves the index whole."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest

from refmanager.core.fields import COLUMNS, PAGE_SELECT
from refmanager.core.library import SORTS, Library, View
from refmanager.core.store.planner import LIVE_INDEX

WORDS = (
    "graph neural models language sparse attention diffusion privacy gemma robust scaling "
    "learning transformers agents reward policy vision speech memory retrieval alignment"
).split()
FIRST = ["Albert", "Ming-Wei", "Zoë", "Łukasz", "Noémie", "Samuel", "Priya", "Kwame"]
LAST = ["Jiang", "Chang", "García", "van den Oord", "Müller", "Smith", "Das", "Mensah"]


def listing(n: int, seed: int = 7) -> str:
    """A full listing of n papers with unique titles (dense and sparse words)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = [rng.choice(WORDS).capitalize() for _ in range(rng.randint(3, 7))]
        title = " ".join(words) + f" Number{i}x"
        authors = ", ".join(f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(1, 3)))
        year = rng.randint(2010, 2025)
        abstract = " ".join(rng.choice(WORDS) for _ in range(40)) + f" unique{i}."
        if i % 50 == 0:
            abstract += " Quokka."
        out.append(f"{rng.choice(['CL', 'LG', 'CV'])}Mar {rng.randint(1, 28)}, {year}\n{title}{authors} et al.\n{abstract}\n")
    return "".join(out)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """600 papers in three imports (three added_at values), some tagged and trashed."""
    path = tmp_path_factory.mktemp("plans") / "library.db"
    lib = Library(path)
    text = listing(600)
    chunks = text.split("\n")
    # three imports, so that sorting by date added has ties and distinct values
    third = (len(chunks) // 3) // 3 * 3
    for k, part in enumerate((chunks[:third], chunks[third : 2 * third], chunks[2 * third :])):
        lib.import_text("\n".join(part), name=f"part{k}.txt")
        lib.db.conn.execute("UPDATE papers SET added_at = ? WHERE added_at = (SELECT max(added_at) FROM papers)",
                            (f"2024-01-0{k + 1}T00:00:00+00:00",))
        lib.db.conn.commit()
    lib.add_tags(list(range(1, 120, 3)), ["to-read"])
    lib.trash(list(range(5, 600, 17)))
    lib.db.conn.execute("ANALYZE")
    lib.db.conn.commit()
    yield lib
    lib.close()


def plans(lib: Library, calls: list[tuple[str, Any]]) -> list[str]:
    out = []
    for sql, params in calls:
        rows = lib.db.conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        out.append(" | ".join(r[3] for r in rows))
    return out


def recorded(lib: Library, fn: Any) -> list[tuple[str, Any]]:
    """The queries a call runs (SQLite's trace: with their parameters in the text)."""
    statements: list[str] = []
    lib.db.conn.set_trace_callback(statements.append)
    try:
        fn()
    finally:
        lib.db.conn.set_trace_callback(None)
    return [(sql, ()) for sql in statements if sql.lstrip().upper().startswith(("SELECT", "WITH"))]


def general_page(lib: Library, view: View, offset: int, limit: int) -> list[tuple]:
    """What SQLite's own plan gives for a page (the reference)."""
    cv = lib.compile(view)
    sql = f"{PAGE_SELECT} FROM papers p WHERE {cv.where} {cv.order} LIMIT ? OFFSET ?"
    return [tuple(r) for r in lib.db.conn.execute(sql, [*cv.params, limit, offset])]


def general_count(lib: Library, view: View) -> int:
    cv = lib.compile(view)
    return lib.db.conn.execute(f"SELECT count(*) FROM papers p WHERE {cv.where}", cv.params).fetchone()[0]


# ---------------------------------------------------------------- the plans
@pytest.mark.parametrize("sort", sorted(LIVE_INDEX))
@pytest.mark.parametrize("descending", [True, False])
def test_browsing_walks_a_sort_index(big: Library, sort: str, descending: bool):
    view = View(sort=sort, descending=descending)
    (plan,) = plans(big, recorded(big, lambda: big.page(view, 0, 100)))
    assert f"USING INDEX papers_live_{'author' if sort == 'authors' else sort}" in plan
    assert "TEMP B-TREE" not in plan


def test_every_sort_has_its_index():
    """Type, key, venue, volume, pages, publisher, DOI too since schema v14 (issue 20)."""
    assert set(SORTS) == set(LIVE_INDEX)


@pytest.mark.parametrize(
    "query", ["g", "gr", "models", "gemma", "quokka", '"sparse attention"', "author:jiang", "cat:CL models",
              "g year:2015..2019", "g tag:to-read"],
)
@pytest.mark.parametrize("sort", ["added", "date", "title"])
def test_searches_use_the_fts_index_and_never_scan_the_papers(big: Library, query: str, sort: str):
    calls = recorded(big, lambda: big.page(View(search=query, sort=sort), 0, 100))
    calls += recorded(big, lambda: big.count(View(search=query, sort=sort)))
    found = plans(big, calls)
    assert any("papers_fts VIRTUAL TABLE INDEX" in p and ":M" in p for p in found), found
    for p in found:
        # every access to the papers table is by id or through an index
        for step in p.split(" | "):
            if re.match(r"SCAN (p|papers)( |$)", step):
                assert "USING INDEX" in step or "USING COVERING INDEX" in step, p
            assert not re.search(r"PRIMARY KEY \(rowid[<>]", step), p  # a range of rows


def test_dense_search_sorted_by_date_walks_the_date_index(big: Library):
    calls = recorded(big, lambda: big.page(View(search="g", sort="date"), 0, 100))
    found = " || ".join(plans(big, calls))
    assert "SCAN p USING INDEX papers_live_date" in found
    assert "TEMP B-TREE FOR ORDER BY" not in found


def test_word_count_reads_the_fts_index_and_the_trash_only(big: Library):
    (plan,) = plans(big, recorded(big, lambda: big.count(View(search="models"))))
    assert "SCAN papers_fts VIRTUAL TABLE INDEX" in plan and "papers_trashed" in plan


def test_import_lookups_use_their_indexes(big: Library):
    c = big.db.conn

    def plan(sql: str, *params: Any) -> str:
        return " | ".join(r[3] for r in c.execute("EXPLAIN QUERY PLAN " + sql, params))

    assert "papers_title_key" in plan("SELECT id, arxiv_id FROM papers WHERE title_key = ? ORDER BY id", "x")
    assert "sources_fingerprint" in plan("SELECT paper_id FROM sources WHERE fingerprint = ? LIMIT 1", "x")
    assert "papers_abstract_prefix_untitled" in plan(
        "SELECT id, abstract, title FROM papers INDEXED BY papers_abstract_prefix_untitled "
        "WHERE substr(abstract_key, 1, 40) = ? AND title IS NULL", "x")
    assert "papers_abstract_prefix " in plan(
        "SELECT id, abstract, title FROM papers WHERE substr(abstract_key, 1, 40) = ?", "x")


# ------------------------------------------------------- same answers as before
QUERIES = ["g", "gr", "models", "gemma", "quokka", "-models", "models -gemma", '"sparse attention"',
           "author:jiang", "tag:to-read", "g tag:to-read", "year:2015..2019 g", "cat:CL models", "zzzz"]


#: (the record's columns, sorted without an index, in the full run only)
ALL_SORTS = [*sorted(LIVE_INDEX), *(pytest.param(s, marks=pytest.mark.slow) for s in sorted(set(SORTS) - set(LIVE_INDEX)))]


@pytest.mark.parametrize("section", ["all", "unread", "trash", "recent"])
@pytest.mark.parametrize("sort", ALL_SORTS)
def test_fast_pages_and_counts_equal_sqlite_plan(big: Library, section: str, sort: str):
    for q in QUERIES:
        for desc in (True, False):
            v = View(section=section, search=q, sort=sort, descending=desc)
            for offset, limit in ((0, 100), (0, 7), (250, 100), (590, 50)):
                assert big.page(v, offset, limit) == general_page(big, v, offset, limit), (q, desc, offset)
            assert big.count(v) == general_count(big, v), q


def test_deep_pages_equal_sqlite_plan(big: Library, monkeypatch: pytest.MonkeyPatch):
    """Past Planner.FAST_PAGE_MAX_ROWS a search page is not taken from the rowid order."""
    monkeypatch.setattr(big.views.planner, "FAST_PAGE_MAX_ROWS", 50)
    for q in QUERIES:
        for sort in ("added", "date"):
            v = View(search=q, sort=sort)
            for offset, limit in ((0, 100), (250, 100)):
                assert big.page(v, offset, limit) == general_page(big, v, offset, limit), (q, sort, offset)


def test_fast_page_is_right_when_dates_added_go_back_in_time(tmp_path: Path):
    """A clock set back: a later id with an earlier added_at (the rowid shortcut must notice)."""
    lib = Library(tmp_path / "l.db")
    lib.import_text(listing(400, seed=11), name="a.txt")
    c = lib.db.conn
    c.execute("UPDATE papers SET added_at = '2030-01-01T00:00:00+00:00' WHERE id IN (3, 50, 120)")
    c.execute("UPDATE papers SET added_at = '2001-01-01T00:00:00+00:00' WHERE id IN (399, 398)")
    c.commit()
    for q in ("g", "models", "s", "l"):
        for desc in (True, False):
            v = View(search=q, sort="added", descending=desc)
            for offset, limit in ((0, 100), (0, 3), (100, 100)):
                assert lib.page(v, offset, limit) == general_page(lib, v, offset, limit)
    lib.close()


# ------------------------------------------------------ deferred FTS indexing
def fts_ok(lib: Library) -> None:
    lib.db.conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")
    assert lib.db.conn.execute("SELECT count(*) FROM fts_deferred").fetchone()[0] == 0


def test_import_indexes_new_and_merged_papers_in_fts(tmp_path: Path):
    lib = Library(tmp_path / "l.db")
    lib.import_text(listing(300, seed=3), name="a.txt")
    fts_ok(lib)
    assert lib.count(View(search="quokka")) == 6
    # JSON with tags and notes merges into existing papers and adds new ones
    exported = lib.export_json(lib.ids(View(sort="added", descending=False))[:5])
    for p in exported:
        p["tags"] = ["wombat"]
        p["note"] = "numbat notes"
    exported.append({"title": "A Brand New Paper", "authors": ["Ann Author"], "abstract": "Platypus.",
                     "tags": ["wombat"]})
    import json

    lib.import_text(json.dumps(exported), name="tags.json")
    fts_ok(lib)
    assert lib.count(View(search="wombat")) == 6
    assert lib.count(View(search="numbat")) == 5
    assert lib.count(View(search="platypus")) == 1
    lib.close()


def test_undo_and_redo_of_a_large_import(tmp_path: Path):
    """The import's after-state is captured at undo time (deferred): redo gives it back."""
    lib = Library(tmp_path / "l.db")

    def state() -> list[Any]:
        c = lib.db.conn
        cols = ", ".join(c for c in COLUMNS if c != "version")  # (the change counter only goes up)
        return [c.execute(f"SELECT {cols} FROM papers ORDER BY 1, 2").fetchall()] + [
            c.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in ("sources", "paper_tags")]

    lib.import_text(listing(50, seed=5), name="first.txt")
    before = state()
    lib.import_text(listing(300, seed=6), name="second.txt")
    after = state()
    lib.add_tags([60, 61], ["later"])
    assert lib.undo() == "Add tag 'later'"
    assert lib.undo().startswith("import of second.txt")
    fts_ok(lib)
    assert state() == before and lib.count(View()) == 50
    assert lib.redo().startswith("import of second.txt")
    fts_ok(lib)
    assert state() == after and lib.count(View(search="quokka")) == 1 + 6
    assert lib.undo().startswith("import of second.txt")
    assert state() == before
    lib.close()


def test_cancelled_import_leaves_no_deferral(tmp_path: Path):
    from refmanager.core.errors import ImportCancelled

    lib = Library(tmp_path / "l.db")
    with pytest.raises(ImportCancelled):
        lib.import_text(listing(500, seed=9), name="x.txt", cancelled=lambda: True)
    fts_ok(lib)
    assert lib.count(View()) == 0
    lib.import_text(listing(20, seed=9), name="x.txt")
    fts_ok(lib)
    lib.close()


def test_read_only_library_of_an_older_version_still_searches(tmp_path: Path):
    """Opened read-only, a library is not migrated: without the v4 indexes the
    search falls back to SQLite's own plans and gives the same answers."""
    import sqlite3

    path = tmp_path / "old.db"
    lib = Library(path)
    lib.import_text(listing(400, seed=4), name="a.txt")
    want = {(q, s): (lib.page(View(search=q, sort=s), 0, 50), lib.count(View(search=q, sort=s)))
            for q in ("g", "models", "quokka", "cat:CL models") for s in ("added", "date")}
    lib.close()
    c = sqlite3.connect(path)
    for (name,) in c.execute("SELECT name FROM sqlite_master WHERE name LIKE 'papers_live_%'").fetchall():
        c.execute(f"DROP INDEX {name}")
    c.execute("PRAGMA user_version=3")
    c.commit()
    c.close()
    old = Library(path, readonly=True)
    got = {(q, s): (old.page(View(search=q, sort=s), 0, 50), old.count(View(search=q, sort=s)))
           for q in ("g", "models", "quokka", "cat:CL models") for s in ("added", "date")}
    assert got == want
    old.close()


def test_an_import_too_large_to_undo_still_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Over UNDO_MAX_CHARS the undo record (SQLite refuses values over 1 GB) is not kept:
    the import stands, says so, and the older history goes (it could not be applied safely)."""
    import json

    import refmanager.core.store.history as L

    lib = Library(tmp_path / "l.db")
    lib.import_text(listing(100, seed=1), name="a.txt")
    lib.add_tags([1], ["x"])
    monkeypatch.setattr(L, "UNDO_MAX_CHARS", 5_000)
    tagged = lib.export_json()
    for p in tagged:
        p["tags"] = ["y"]
    report = lib.import_text(json.dumps(tagged), name="tags.json")
    assert report.merged == 100
    assert any("too many papers to be undone" in n for n in report.files[-1].notes)
    assert lib.undo_label() is None and lib.count(View(search="tag:y")) == 100
    # an import whose state at undo time is too large: undone, but not redoable
    monkeypatch.setattr(L, "UNDO_MAX_CHARS", 50_000)
    lib.import_text(listing(60, seed=2), name="b.txt")
    assert lib.undo().startswith("import of b.txt")
    assert lib.redo_label() is None and lib.count(View()) == 100
    fts_ok(lib)
    lib.close()


# ----------------------------------------------- probing, and year: as dates
PROBED = ["g", "gr", "gemma", "quokka", '"sparse attention"', "author:jiang", "g tag:to-read",
          "year:2015..2019 g", "g -gr", "cat:CL g"]


def test_probing_walks_equal_sqlite_plan(big: Library, monkeypatch: pytest.MonkeyPatch):
    """A library this small never probes (Planner.PROBE_COST): forced, the walk that asks the FTS
    index about each paper it passes gives SQLite's answer, in every order."""
    monkeypatch.setattr(big.views.planner, "PROBE_COST", 0)
    for q in PROBED:
        for sort in sorted(LIVE_INDEX):  # (the walks need a sort index)
            for desc in (True, False):
                v = View(search=q, sort=sort, descending=desc)
                for offset, limit in ((0, 100), (250, 100), (590, 50)):
                    assert big.page(v, offset, limit) == general_page(big, v, offset, limit), (q, sort, desc, offset)


def test_a_probing_walk_asks_the_fts_index_per_paper_for_cheap_terms_only(big: Library, monkeypatch):
    monkeypatch.setattr(big.views.planner, "PROBE_COST", 0)
    probe = " || ".join(plans(big, recorded(big, lambda: big.page(View(search="g", sort="date"), 0, 100))))
    assert "SCAN p USING INDEX papers_live_date" in probe
    assert "CORRELATED SCALAR SUBQUERY" in probe and "LIST SUBQUERY" not in probe, probe
    # "models": a prefix longer than the prefix index's 3 letters is collected once instead
    listed = " || ".join(plans(big, recorded(big, lambda: big.page(View(search="models", sort="date"), 0, 100))))
    assert "LIST SUBQUERY" in listed and "CORRELATED SCALAR SUBQUERY" not in listed, listed


def test_year_is_searched_as_dates_only_when_sorted_by_date(big: Library):
    by_added = plans(big, recorded(big, lambda: big.page(View(search="year:2015..2019", sort="added"), 0, 100)))
    assert by_added == ["SCAN p USING INDEX papers_live_added"]
    by_date = plans(big, recorded(big, lambda: big.page(View(search="year:2015..2019", sort="date"), 0, 100)))
    assert by_date == ["SEARCH p USING INDEX papers_live_date (<expr>>? AND <expr><?)"]
    for q in ("year:2015..2019", "year:..2012", "year:2024..", "-year:2015", "year:2015 -year:2016", "g year:2019"):
        found = {}
        for sort in ("added", "date"):
            v = View(search=q, sort=sort)
            assert big.page(v, 0, 600) == general_page(big, v, 0, 600)
            assert big.count(v) == general_count(big, v)
            found[sort] = {r[0] for r in big.page(v, 0, 600)}
        # the same papers, whether year: is a year or also a range of dates
        assert found["added"] == found["date"], q
        assert found["added"], q


# ------------------------------------------------------------------ collections
@pytest.fixture(scope="module")
def collected(big: Library) -> dict[str, int]:
    """On ``big``: a large collection (every paper but each fifth: a walk of a sort index
    fills its pages), a subcollection overlapping it, and a small one (SQLite lists it)."""
    if big.find_collection("Large") is None:
        large = big.create_collection("Large")
        sub = big.create_collection("Sub", large)
        small = big.create_collection("Small")
        big.add_to_collection(large, [i for i in range(1, 601) if i % 5])
        big.add_to_collection(sub, list(range(1, 601, 4)))  # (half of them in Large too)
        big.add_to_collection(small, [3, 50, 51, 52, 400, 590])
    return {p: big.find_collection(p) for p in ("Large", "Large/Sub", "Small")}


#: (every sort in the full run; the fast loop keeps the two with strategies of their own)
COLLECTION_SORTS = [s if s in ("added", "title") else pytest.param(s, marks=pytest.mark.slow) for s in sorted(LIVE_INDEX)]


@pytest.mark.parametrize("sort", COLLECTION_SORTS)
def test_collection_pages_and_counts_equal_sqlite_plan(big: Library, collected: dict[str, int], sort: str):
    for cid in collected.values():
        for subs in (True, False):
            for q in ("", "tag:to-read", "year:2015..2019", "cat:CL", "-models", *QUERIES[:6]):
                for desc in (True, False):
                    v = View(collection=cid, subcollections=subs, search=q, sort=sort, descending=desc)
                    for offset, limit in ((0, 100), (0, 7), (120, 50)):
                        assert big.page(v, offset, limit) == general_page(big, v, offset, limit), (cid, q, desc, offset)
                    assert big.count(v) == general_count(big, v), (cid, q)


def test_a_large_collection_walks_the_sort_index(big: Library, collected: dict[str, int]):
    """The first page of a large collection walks the sort index and asks the collection
    about each paper (no list of its papers sorted); a small one is listed."""
    large = plans(big, recorded(big, lambda: big.page(View(collection=collected["Large"], sort="title"), 0, 7)))
    assert any("papers_live_title" in p and "collection_papers" in p and "TEMP B-TREE" not in p for p in large), large
    small = plans(big, recorded(big, lambda: big.page(View(collection=collected["Small"], sort="title"), 0, 7)))
    assert not any("papers_live_title" in p for p in small), small


# ------------------------------------------------------- full text (issue 19)
@pytest.fixture(scope="module")
def with_fulltext(big: Library) -> Library:
    """On ``big``: every other paper (the trash's too) has a PDF's text of two pages, every
    tenth a second PDF; "walrus" in a few, dense and sparse words from ``WORDS`` in all."""
    from refmanager.core.store.fulltext import FileState

    if big.db.value("SELECT count(*) FROM fulltext_pages"):
        return big
    rng = random.Random(19)
    c = big.db.conn
    for pid in range(1, 601, 2):
        for k in range(2 if pid % 10 == 1 else 1):
            aid = c.execute("INSERT INTO attachments(paper_id, name, path, mode, added_at) VALUES (?, ?, ?, 'link', ?)",
                            (pid, f"p{pid}-{k}.pdf", f"/nowhere/p{pid}-{k}.pdf", "2024-01-01T00:00:00+00:00")).lastrowid
            c.commit()
            pages = [" ".join(rng.choice(WORDS) for _ in range(30)) for _ in range(2)]
            if pid % 40 == 1:
                pages[1] += " walrus"
            big.fulltext_store(aid, pages, FileState(1, 1, "x"))
    return big


FULLTEXT_QUERIES = ["fulltext:walrus", "fulltext:g", "fulltext:models", 'fulltext:"graph neural"', "-fulltext:walrus",
                    "g fulltext:walrus", "models -fulltext:g", "author:jiang fulltext:gr", "tag:to-read fulltext:mo",
                    "fulltext:zzzz"]
#: searched with "search full text too" on (View.fulltext)
TOGGLED = ["g", "walrus", "models -gemma", '"sparse attention"', "quokka walrus", "author:jiang g", "-walrus", "zzzz"]


def fulltext_views(**kw: Any) -> list[View]:
    return [View(search=q, **kw) for q in FULLTEXT_QUERIES] + [View(search=q, fulltext=True, **kw) for q in TOGGLED]


def test_fulltext_views_find_what_they_should(with_fulltext: Library):
    lib = with_fulltext
    walrus = {pid for pid in range(1, 601, 40)} - set(lib.all_ids(trash=True))
    assert set(lib.ids(View(search="fulltext:walrus"))) == walrus and len(walrus) == 14
    assert set(lib.ids(View(search="walrus", fulltext=True))) == walrus
    assert lib.ids(View(search="walrus")) == []
    quokka = set(lib.ids(View(search="quokka")))
    assert set(lib.ids(View(search="quokka walrus", fulltext=True))) == quokka & walrus


@pytest.mark.parametrize("section", ["all", "unread", "trash"])
@pytest.mark.parametrize("sort", ["added", "date", "title", "year", "starred"])
def test_fulltext_pages_and_counts_equal_sqlite_plan(with_fulltext: Library, section: str, sort: str):
    lib = with_fulltext
    for desc in (True, False):
        for v in fulltext_views(section=section, sort=sort, descending=desc):
            for offset, limit in ((0, 100), (0, 7), (250, 100)):
                assert lib.page(v, offset, limit) == general_page(lib, v, offset, limit), (v, offset)
            assert lib.count(v) == general_count(lib, v), v


def test_fulltext_views_equal_sqlite_plan_in_every_strategy(with_fulltext: Library, collected: dict[str, int],
                                                            monkeypatch: pytest.MonkeyPatch):
    """Forced into each strategy (probing walks, deep pages) and in collections: the same rows."""
    lib = with_fulltext
    planner = lib.views.planner
    for cost, deep in ((0, 5000), (10**9, 50), (0, 50)):
        monkeypatch.setattr(planner, "PROBE_COST", cost)
        monkeypatch.setattr(planner, "FAST_PAGE_MAX_ROWS", deep)
        for sort in ("added", "date", "authors"):
            for v in fulltext_views(sort=sort):
                for offset, limit in ((0, 100), (250, 100)):
                    assert lib.page(v, offset, limit) == general_page(lib, v, offset, limit), (v, cost, deep)
    for cid in collected.values():
        for v in fulltext_views(collection=cid, sort="title"):
            assert lib.page(v, 0, 50) == general_page(lib, v, 0, 50), v
            assert lib.count(v) == general_count(lib, v), v


def test_fulltext_is_searched_in_its_fts_index(with_fulltext: Library):
    lib = with_fulltext
    found = plans(lib, recorded(lib, lambda: lib.count(View(search="fulltext:walrus"))))
    assert any("SCAN f VIRTUAL TABLE INDEX" in p and ":M" in p for p in found), found
    hits = plans(lib, recorded(lib, lambda: lib.fulltext_hits(View(search="fulltext:walrus"), [1, 41, 81])))
    # the shown papers' pages (a few: each asked of the index by its rowid, no list of every match)
    assert any("SEARCH a USING INDEX attachments_paper" in p for p in hits), hits
    assert any("fulltext_fts VIRTUAL TABLE INDEX 0:=M" in p for p in hits), hits


def test_a_collection_by_date_added_walks_its_own_rows(big: Library, collected: dict[str, int]):
    """Sorted by date added, a collection's page walks the collection's rows in id order (no
    paper outside it read, nothing sorted but the page)."""
    view = View(collection=collected["Large"], subcollections=False, sort="added", search="year:2015..2019")
    found = plans(big, recorded(big, lambda: big.page(view, 0, 20)))
    assert any(p.startswith("SEARCH cp USING PRIMARY KEY (collection_id=?)") and "TEMP B-TREE" not in p
               for p in found), found
    assert big.page(view, 0, 20) == general_page(big, view, 0, 20)
