"""A large import parses in a second process while this one writes (core/import_stream.py).

``REFMANAGER_PARSE_PROCESS=1`` forces that path for small test files, ``0`` the
in-process one; both must leave the same library, reject a file failing half-way
on its own, and cancel without a trace.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest

from refmanager.core.errors import ImportCancelled
from refmanager.core.import_stream import BATCH
from refmanager.core.library import Library
from refmanager.core.store.importing import Importer

from .conftest import FULL_SEED, PROFILE_SEED

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def listing(n: int, start: int = 0, bad_at: int | None = None) -> str:
    """``n`` full-listing entries; entry ``bad_at`` gets an impossible date."""
    out = []
    for i in range(start, start + n):
        out.append("CLFeb 30, 2024" if i == bad_at else f"CL{MONTHS[i % 12]} {1 + i % 28}, {2010 + i % 15}")
        out.append(f"Sparse Mixtures {i}: Routing Tokens at ScaleAna Lima, Bruno Costa, Chen Wei et al. · acme")
        out.append(f"We study token routing variant {i} in sparse mixture models and report what it costs.")
    return "\n".join(out) + "\n"


def library_state(db: Path) -> dict[str, list[tuple]]:
    """What an import leaves, without the times of day."""
    c = sqlite3.connect(db)
    try:
        return {
            "papers": c.execute(
                "SELECT id, title, authors, et_al, orgs, date, category, abstract, arxiv_id, needs_review, "
                "raw_line, split_confidence, alt_splits, sort_title, sort_author, title_key, abstract_key, citekey "
                "FROM papers ORDER BY id"
            ).fetchall(),
            "sources": c.execute(
                "SELECT paper_id, file, line, kind, fingerprint, data FROM sources ORDER BY id"
            ).fetchall(),
            "names": c.execute("SELECT key FROM names ORDER BY key").fetchall(),
            "search": c.execute(
                "SELECT rowid FROM papers_fts WHERE papers_fts MATCH 'routing AND lima' ORDER BY rowid"
            ).fetchall(),
        }
    finally:
        c.close()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    d = tmp_path / "in"
    d.mkdir()
    out = {}
    for name, text in {
        "good.txt": listing(300),
        "more.txt": listing(450, start=300),
        # entry 420 of 450: past the first batches the writer has already written
        "bad.txt": listing(450, start=1000, bad_at=1420),
    }.items():
        (d / name).write_text(text, encoding="utf-8")
        out[name] = d / name
    return out


def test_the_bad_entry_lies_beyond_the_first_batches():
    assert 420 > 2 * BATCH  # (the test below needs a file rejected after batches were written)


@pytest.mark.parametrize("mode", ["0", "1"])
def test_a_file_failing_half_way_is_rejected_on_its_own(tmp_path, files, monkeypatch, mode):
    monkeypatch.setenv("REFMANAGER_PARSE_PROCESS", mode)
    lib = Library(tmp_path / f"lib{mode}.db")
    try:
        rep = lib.import_paths([files["good.txt"], files["bad.txt"], files["more.txt"]])
        # entry 420 of bad.txt starts on line 3 * 420 + 1
        assert [str(r) for r in rep.rejected] == [f"{files['bad.txt']}:1261: impossible date 'CLFeb 30, 2024'"]
        assert [(Path(f.file).name, f.added) for f in rep.files] == [("good.txt", 300), ("more.txt", 450)]
        assert rep.added == 750 and len(rep.added_ids) == 750
        titles = [t for (t,) in lib.db.conn.execute("SELECT title FROM papers ORDER BY id")]
        assert titles[0] == "Sparse Mixtures 0: Routing Tokens at Scale"
        assert titles[299] == "Sparse Mixtures 299: Routing Tokens at Scale"
        assert titles[300] == "Sparse Mixtures 300: Routing Tokens at Scale"
        assert len(titles) == 750
        assert max(int(t.split()[2].rstrip(":")) for t in titles) == 749  # nothing of bad.txt (1000-1449)
        assert lib.db.conn.execute("SELECT count(*) FROM sources WHERE file = ?", (str(files["bad.txt"]),)).fetchone() == (0,)
        # every paper searchable once, the index consistent with the table
        assert lib.db.conn.execute("SELECT count(*) FROM papers_fts WHERE papers_fts MATCH 'routing'").fetchone() == (750,)
        lib.db.conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")
        assert lib.undo() is not None
        assert lib.db.conn.execute("SELECT count(*) FROM papers").fetchone() == (0,)
    finally:
        lib.close()


def test_a_library_is_left_exactly_as_it_was_when_every_file_fails(tmp_path, files, monkeypatch):
    monkeypatch.setenv("REFMANAGER_PARSE_PROCESS", "1")
    db = tmp_path / "lib.db"
    lib = Library(db)
    lib.import_paths([FULL_SEED])
    before = library_state(db)
    n_imports = lib.db.conn.execute("SELECT count(*) FROM imports").fetchone()
    try:
        rep = lib.import_paths([files["bad.txt"]])
        assert [r.line for r in rep.rejected] == [1261]
        assert rep.files == [] and rep.import_id is None
        assert lib.db.conn.execute("SELECT count(*) FROM imports").fetchone() == n_imports
        assert lib.db.conn.execute("SELECT count(*) FROM fts_deferred").fetchone() == (0,)
    finally:
        lib.close()
    assert library_state(db) == before


def test_the_child_process_and_this_one_make_the_same_library(tmp_path, files, monkeypatch, caplog):
    caplog.set_level("INFO", logger="refmanager.core.import_stream")
    dbs = {}
    for mode in ("1", "0"):
        monkeypatch.setenv("REFMANAGER_PARSE_PROCESS", mode)
        db = dbs[mode] = tmp_path / f"lib{mode}.db"
        lib = Library(db)
        try:
            lib.import_paths([FULL_SEED])  # names the second import's split may ask about
            rep = lib.import_paths([PROFILE_SEED, files["good.txt"], files["more.txt"]])
            # 18 of the profile's 20 lines are papers of the full listing; 2 are new
            assert (rep.files[0].merged, rep.files[0].added, rep.added, len(rep.rejected)) == (18, 2, 752, 0)
        finally:
            lib.close()
    assert caplog.text.count("input(s) in process") == 2  # the two imports of mode 1
    child, here = library_state(dbs["1"]), library_state(dbs["0"])
    assert child == here
    assert len(child["papers"]) == 21 + 750
    assert len(child["search"]) == 750
    # a paper as the listing says it, from the child's path
    row = next(p for p in child["papers"] if p[1] == "Sparse Mixtures 7: Routing Tokens at Scale")
    assert row[2] == '["Ana Lima","Bruno Costa","Chen Wei"]'
    assert (row[3], row[4], row[5], row[6]) == (1, '["acme"]', "2017-08-08", "cs.CL")


def test_progress_counts_every_entry_and_ends_at_the_total(tmp_path, files, monkeypatch):
    monkeypatch.setenv("REFMANAGER_PARSE_PROCESS", "1")
    lib = Library(tmp_path / "lib.db")
    seen: list[tuple[int, int]] = []
    try:
        lib.import_paths([files["good.txt"], files["more.txt"]], progress=lambda d, t: seen.append((d, t)))
    finally:
        lib.close()
    assert seen[-1] == (750, 750)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert all(t >= d for d, t in seen)


def test_cancel_stops_the_parser_and_leaves_nothing(tmp_path, files, monkeypatch):
    monkeypatch.setenv("REFMANAGER_PARSE_PROCESS", "1")
    db = tmp_path / "lib.db"
    lib = Library(db)
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 1  # after the first 200 entries are written

    try:
        with pytest.raises(ImportCancelled):
            lib.import_paths([files["good.txt"], files["more.txt"]], cancelled=cancelled)
        assert lib.db.conn.execute("SELECT count(*) FROM papers").fetchone() == (0,)
        assert lib.db.conn.execute("SELECT count(*) FROM imports").fetchone() == (0,)
    finally:
        lib.close()
    assert multiprocessing.active_children() == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_cancel_works_before_the_first_entries_arrive(tmp_path, monkeypatch):
    """A large file takes seconds before its first entries are parsed; Cancel must not
    wait for them.  (Here the parser waits forever on a pipe nobody writes to.)"""
    monkeypatch.setenv("REFMANAGER_PARSE_PROCESS", "1")
    fifo = tmp_path / "never.txt"
    os.mkfifo(fifo)
    lib = Library(tmp_path / "lib.db")
    try:
        with pytest.raises(ImportCancelled):
            lib.import_paths([fifo], cancelled=lambda: True)
        assert lib.db.conn.execute("SELECT count(*) FROM imports").fetchone() == (0,)
    finally:
        lib.close()
    assert multiprocessing.active_children() == []


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux /proc")
def test_the_apps_import_process_cancels_and_leaves_no_parser_behind(tmp_path, files):
    """The app imports through ``core/import_child.py`` and cancels it with SIGTERM; the
    parsing process it started must end with it (it inherits the import's SIGTERM
    handler, which only sets a flag: it restores the default)."""
    import json
    import signal
    import subprocess
    import sys

    db = tmp_path / "lib.db"
    Library(db).close()
    big = tmp_path / "big.txt"
    big.write_text(listing(20000), encoding="utf-8")  # ~3 MB: a second process parses it
    env = {**os.environ, "REFMANAGER_PARSE_PROCESS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "refmanager.core.import_child"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps({"library": str(db), "label": None, "inputs": [{"name": "big", "path": str(big)}]}))
    proc.stdin.close()
    first = json.loads(proc.stdout.readline())  # the first progress: entries are being written
    assert "progress" in first
    proc.send_signal(signal.SIGTERM)
    lines = [json.loads(line) for line in proc.stdout]
    assert proc.wait(timeout=60) == 0
    assert lines[-1] == {"cancelled": True}
    # the parser, a fork of the import process, has its command line: none is left
    assert _children_named("refmanager.core.import_child") == []
    with Library(db) as lib:
        assert lib.db.conn.execute("SELECT count(*) FROM papers").fetchone() == (0,)


def _children_named(text: str) -> list[str]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmd:
                out.append(f"{d.name}: {cmd}")
    return out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_the_parser_ends_on_sigterm_even_where_the_importer_catches_it(tmp_path, monkeypatch):
    """The app's import process turns SIGTERM into "cancel"; its parsing process (a fork,
    which inherits that handler) must simply end on SIGTERM."""
    import signal

    from refmanager.core import import_stream

    monkeypatch.setenv("REFMANAGER_PARSE_PROCESS", "1")
    Library(tmp_path / "lib.db").close()
    fifo = tmp_path / "slow.txt"
    os.mkfifo(fifo)
    old = signal.signal(signal.SIGTERM, lambda *_: None)  # as core/import_child.py does
    try:
        with import_stream.messages([("slow", fifo)], tmp_path / "lib.db", None):
            fd = os.open(fifo, os.O_WRONLY)  # returns once the parser has opened the file to read it
            try:
                (child,) = multiprocessing.active_children()
                os.kill(child.pid, signal.SIGTERM)
                child.join(30)
                assert child.exitcode == -signal.SIGTERM
            finally:
                os.close(fd)
    finally:
        signal.signal(signal.SIGTERM, old)


@pytest.mark.slow  # (a subprocess: the full run and .ci/run have it, not the fast loop)
def test_the_import_leaves_the_wal_checkpoint_for_after_its_report(tmp_path):
    """An import commits without copying the WAL into the library file (SQLite would do
    it inside the commit: 1.6 s per 100,000 papers); ``checkpoint()`` does it after."""
    big = tmp_path / "big.txt"
    big.write_text(listing(3000), encoding="utf-8")
    db = tmp_path / "lib.db"
    lib = Library(db)
    try:
        assert lib.db.conn.execute("PRAGMA wal_autocheckpoint").fetchone() == (1000,)
        empty = db.stat().st_size
        assert lib.import_paths([big]).added == 3000
        assert lib.db.conn.execute("PRAGMA wal_autocheckpoint").fetchone() == (1000,)  # restored
        assert db.stat().st_size == empty  # everything still in the WAL
        lib.checkpoint()
        assert db.stat().st_size > empty + 3000 * 1000  # now in the library file
        assert lib.db.conn.execute("SELECT count(*) FROM papers").fetchone() == (3000,)
    finally:
        lib.close()


def test_the_writer_computes_the_same_fingerprint_as_the_entry_gives():
    """The fingerprint (identity of an imported entry) is built by the writing process from
    the row's values; it must equal ``fingerprint(entry)``, or a file imported again
    would no longer be "unchanged"."""
    from refmanager.core import formats
    from refmanager.core.rows import Prepared, fingerprint, prepare

    data = Path(__file__).parent / "data"
    entries = []
    for path in [FULL_SEED, PROFILE_SEED, *sorted((data / "formats").glob("*.*"))]:
        try:
            entries += formats.parse_path(path)[0].entries
        except Exception:  # noqa: BLE001 - golden inputs that are meant to fail
            continue
    entries += formats.parse_text(listing(3) + "2401.00001\n").entries  # with an arXiv id
    kinds = {e.kind for e in entries}
    assert {"full", "profile", "bibtex", "ris", "csljson"} <= kinds, kinds
    for e in entries:
        assert Prepared(prepare(e)).fingerprint() == fingerprint(e), (e.kind, e.line)
        assert prepare(e, with_fp=True).fp == fingerprint(e) and prepare(e).fp is None
    # What crosses to the writer: a batch pickled as plain tuples comes back as it was.
    import pickle

    from refmanager.core.import_stream.messages import Entries

    batch = Entries([prepare(e, with_fp=i % 2 == 0) for i, e in enumerate(entries)])
    back = pickle.loads(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
    assert back == batch and type(back.rows[0].row) is type(batch.rows[0].row)
    assert [v.fp is None for v in back.rows] == [i % 2 == 1 for i in range(len(entries))]


def import_both_ways(tmp_path: Path, monkeypatch, inputs: list) -> tuple[dict, dict]:
    """Import ``inputs`` (name, source pairs) into a new library with the import's shortcuts
    for an empty library (``Importer.skip_empty_lookups``) and without: for each, the
    report ((file, added, merged, unchanged) per file; (file, line) per rejection) and
    what the library holds (``library_state``, its tags, its notes)."""
    states, reports = {}, {}
    for skip in (True, False):
        monkeypatch.setattr(Importer, "skip_empty_lookups", skip)
        db = tmp_path / f"lib-{skip}.db"
        lib = Library(db)
        try:
            rep = lib.import_inputs(inputs)
            reports[skip] = ([(Path(f.file).name, f.added, f.merged, f.unchanged) for f in rep.files],
                             [(Path(r.file).name, r.line) for r in rep.rejected])
            tags = lib.db.conn.execute(
                "SELECT pt.paper_id, t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id ORDER BY 1, 2"
            ).fetchall()
            notes = lib.db.conn.execute("SELECT id, note FROM papers WHERE note IS NOT NULL ORDER BY id").fetchall()
        finally:
            lib.close()
        states[skip] = (library_state(db), tags, notes)
    return reports, states


def test_an_import_into_an_empty_library_skips_lookups_and_gives_the_same_library(tmp_path, monkeypatch, files):
    """Into a library without sources (or title aliases) the import finds its own repeats in
    memory instead of asking SQLite per entry; the result must be the same, repeats with
    tags and notes included."""
    import json

    src = Library(tmp_path / "src.db")
    src.import_paths([FULL_SEED, PROFILE_SEED])
    ids = src.all_ids()
    src.add_tags(ids[:5], ["x"])
    src.set_note(ids[6], "a note")
    exported = json.dumps(src.export_json(), ensure_ascii=False)
    src.close()
    inputs = [("a.json", exported), ("b.json", exported), ("more.txt", files["more.txt"])]
    reports, states = import_both_ways(tmp_path, monkeypatch, inputs)
    assert reports[True] == reports[False]
    assert reports[True] == ([("a.json", 21, 0, 0), ("b.json", 0, 0, 21), ("more.txt", 450, 0, 0)], [])
    assert states[True] == states[False]
    assert len(states[True][1]) == 5


@pytest.mark.parametrize("mode", ["0", "1"])
def test_search_index_built_in_chunks_during_an_import_is_complete(tmp_path, files, monkeypatch, mode):
    """A large import indexes its papers for search every FTS_CHUNK papers while it goes on;
    papers indexed early and changed later in the same import (tags, a merge) must be
    found by their final text, and nothing twice."""
    import json

    from refmanager.core.store import importing

    monkeypatch.setattr(importing, "FTS_CHUNK", 100)
    monkeypatch.setenv("REFMANAGER_PARSE_PROCESS", mode)
    # a JSON export of three of good.txt's papers with a tag and a note, imported after them
    src = Library(tmp_path / "src.db")
    src.import_paths([files["good.txt"]])
    src.add_tags([1, 2, 3], ["zebrafish"])
    src.set_note(2, "okapi habitat")
    exported = json.dumps(src.export_json([1, 2, 3]), ensure_ascii=False)
    src.close()
    lib = Library(tmp_path / "lib.db")
    try:
        rep = lib.import_inputs([("good.txt", files["good.txt"]), ("more.txt", files["more.txt"]),
                                 ("tags.json", exported)])
        assert (rep.added, rep.merged) == (750, 3)
        c = lib.db.conn
        c.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")
        assert c.execute("SELECT count(*) FROM papers_fts").fetchone() == (750,)
        assert c.execute("SELECT count(*) FROM papers_fts WHERE papers_fts MATCH 'routing'").fetchone() == (750,)
        assert [r[0] for r in c.execute("SELECT rowid FROM papers_fts WHERE papers_fts MATCH 'zebrafish' ORDER BY 1")] == [1, 2, 3]
        assert [r[0] for r in c.execute("SELECT rowid FROM papers_fts WHERE papers_fts MATCH 'okapi'")] == [2]
        assert c.execute("SELECT count(*) FROM fts_deferred").fetchone() == (0,)
    finally:
        lib.close()


def test_search_index_chunks_halve_near_the_end(monkeypatch):
    """Chunks of FTS_CHUNK papers, then half of what is left down to END_CHUNK: the last
    statement after the last entry is small, and there are few small ones."""
    from refmanager.core.store import importing

    assert (importing.FTS_CHUNK, importing.END_CHUNK) == (25_000, 2_500)
    done, sizes, total = 0, [], 100_000
    chunk = importing.FTS_CHUNK
    while done + chunk <= total:
        done += chunk
        sizes.append(chunk)
        chunk = importing.next_chunk(total - done)
    assert sizes + [total - done] == [25_000, 25_000, 25_000, 12_500, 6_250, 3_125, 2_500, 625]
    assert importing.next_chunk(10**6) == 25_000 and importing.next_chunk(0) == 2_500
    monkeypatch.setattr(importing, "FTS_CHUNK", 100)  # (a chunk smaller than END_CHUNK stays so)
    assert importing.next_chunk(10**6) == importing.next_chunk(0) == 100


def test_an_import_smaller_than_a_chunk_is_indexed_while_it_goes_on(tmp_path, monkeypatch):
    """The first chunk is planned from the file's estimate too: 600 papers with chunks of at
    most 1,000 are indexed at 300, 450 and 550 papers, and the last 50 at the end."""
    from refmanager.core.store import fts, importing

    monkeypatch.setenv("REFMANAGER_PARSE_PROCESS", "0")
    monkeypatch.setattr(importing, "FTS_CHUNK", 1000)
    monkeypatch.setattr(importing, "END_CHUNK", 100)
    at: list[int] = []
    index_new = fts.DeferredIndex.index_new

    def recorded(self):
        index_new(self)
        at.append(self.db.value("SELECT above_id FROM fts_deferred"))

    monkeypatch.setattr(fts.DeferredIndex, "index_new", recorded)
    src = tmp_path / "600.txt"
    src.write_text(listing(600), encoding="utf-8")
    lib = Library(tmp_path / "lib.db")
    try:
        assert lib.import_paths([src]).added == 600
    finally:
        lib.close()
    assert at == [300, 450, 550, 600]


def _insert_trigger(db: Path) -> str | None:
    c = sqlite3.connect(db)
    try:
        row = c.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'papers_ai'").fetchone()
        return row[0] if row else None
    finally:
        c.close()


@pytest.mark.parametrize("outcome", ["imported", "rejected", "cancelled"])
def test_an_import_leaves_the_insert_trigger_and_the_collector_as_they_were(tmp_path, files, monkeypatch, outcome):
    """The import drops the FTS insert trigger for its transaction: it comes back
    whatever the outcome, and a paper added afterwards is searchable at once.  The
    library leaves the garbage collector alone (the import process pauses it)."""
    import gc

    monkeypatch.setenv("REFMANAGER_PARSE_PROCESS", "1")
    db = tmp_path / "lib.db"
    lib = Library(db)
    trigger = _insert_trigger(db)
    assert trigger is not None and "fts_deferred" in trigger
    try:
        if outcome == "imported":
            assert lib.import_paths([files["good.txt"]]).added == 300
        elif outcome == "rejected":
            assert [r.line for r in lib.import_paths([files["bad.txt"]]).rejected] == [1261]
        else:
            with pytest.raises(ImportCancelled):
                lib.import_paths([files["good.txt"]], cancelled=lambda: True)
        assert gc.isenabled()
        assert _insert_trigger(db) == trigger
        lib.import_text("CLJan 2, 2020\nA Lonely PaperAna Lima\nZyzzogeton abstracts are rare.\n")
        n = 301 if outcome == "imported" else 1
        assert lib.db.conn.execute("SELECT count(*) FROM papers").fetchone() == (n,)
        lib.db.conn.execute("INSERT INTO papers(title, added_at, modified_at) VALUES ('Quixotic', 'x', 'x')")
        assert lib.db.conn.execute(
            "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH 'zyzzogeton OR quixotic'"
        ).fetchone() == (2,)
        lib.db.conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        lib.close()


def test_the_parsing_process_knows_the_librarys_names(tmp_path):
    """The child judges first authors by the names the library holds (read once);
    an empty library knows none."""
    from refmanager.core.import_stream.parse import _KnownNames

    db = tmp_path / "lib.db"
    lib = Library(db)
    try:
        empty = _KnownNames(str(db))
        assert empty.keys == set() and not empty("Ana Lima")
        lib.import_text(listing(1))
        known = _KnownNames(str(db))
        assert known.keys == {"ana lima", "bruno costa", "chen wei"}
        assert known("Ána  LIMA") and known("Chen-Wei") and not known("Ana") and not known("Lima Ana")
        empty.conn.close(), known.conn.close()
    finally:
        lib.close()


@pytest.mark.parametrize("mode", ["0", "1"])
def test_papers_changed_by_an_import_are_searched_by_their_new_text(tmp_path, monkeypatch, mode):
    """Merges into papers the search index holds are re-indexed once, at the end of
    the import (not one index rewrite per statement); what a file rejected half-way
    had merged is rolled back in the index too."""
    monkeypatch.setenv("REFMANAGER_PARSE_PROCESS", mode)
    lines = FULL_SEED.read_text(encoding="utf-8").split("\n")
    gemma3 = lines[9:12]  # header, title/author line, abstract of "Gemma 3 Technical Report"
    assert gemma3[1].startswith("Gemma 3 Technical ReportGemma Team")
    d = tmp_path / "in"
    d.mkdir()
    (d / "notes.json").write_text(json.dumps([
        {"title": "Gemma 3 Technical Report", "tags": ["xylophone"], "note": "compare the quokka ablation"},
        {"title": "Hindsight Credit Assignment", "note": "wombat"},
    ]), encoding="utf-8")
    longer = [gemma3[0], gemma3[1], gemma3[2] + " A zyzzyva appendix follows."]
    (d / "bad.txt").write_text("\n".join(longer) + "\n" + listing(250, bad_at=240), encoding="utf-8")
    (d / "good.txt").write_text(
        "\n".join(lines[12:15][:2] + [lines[14] + " With an okapi section."]) + "\n", encoding="utf-8"
    )
    lib = Library(tmp_path / "lib.db")
    update_trigger = lib.db.q("SELECT sql FROM sqlite_master WHERE name = 'papers_au'")[0][0]

    def hits(word: str) -> list[int]:
        return [r for (r,) in lib.db.conn.execute(
            "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? ORDER BY rowid", (word,)
        )]

    try:
        lib.import_paths([FULL_SEED])
        rep = lib.import_paths([d / "notes.json", d / "bad.txt", d / "good.txt"])
        # bad.txt: its entry 241 (of 251) is line 3 * 241 + 1
        assert [(Path(r.file).name, r.line) for r in rep.rejected] == [("bad.txt", 724)]
        assert [(Path(f.file).name, f.merged) for f in rep.files] == [("notes.json", 2), ("good.txt", 1)]
        assert hits("quokka") == [4] and hits("wombat") == [14] and hits("xylophone") == [4]
        assert hits("okapi") == [5] and hits("zyzzyva") == []  # (bad.txt's merge went with it)
        assert hits("gemma3") == [4]  # the old text of a paper merged into is still found
        lib.db.conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")
        assert lib.db.q("SELECT sql FROM sqlite_master WHERE name = 'papers_au'")[0][0] == update_trigger
        assert lib.db.q("SELECT count(*) FROM sqlite_temp_master WHERE type = 'trigger'")[0][0] == 0
        lib.set_note(14, "now a numbat")  # outside an import the trigger keeps the index
        assert hits("numbat") == [14] and hits("wombat") == []
        assert lib.undo() is not None and lib.undo() is not None  # the note, then the import
        assert hits("quokka") == [] and hits("okapi") == [] and hits("wombat") == []
        lib.db.conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        lib.close()


def test_the_report_crosses_to_the_window_as_runs_of_ids():
    from refmanager.core.import_stream import FileReport, IdRuns, ImportReport

    assert IdRuns([3, 4, 5, 9, 7, 8]).runs() == [[3, 5], [9, 9], [7, 8]] and IdRuns().runs() == []
    assert IdRuns.from_runs([[3, 5], [9, 9], [7, 8]]) == [3, 4, 5, 9, 7, 8]
    report = ImportReport(files=[FileReport(file="a.txt", format="full listing", added=3)],
                          added_ids=IdRuns([*range(1, 100_001), 100_005]), merged_ids=IdRuns([7, 2]), import_id=4)
    wire = json.loads(json.dumps(report.to_wire()))
    assert wire["added_runs"] == [[1, 100_000], [100_005, 100_005]] and wire["merged_runs"] == [[7, 7], [2, 2]]
    back = ImportReport.from_wire(wire)
    assert (back.added_ids, back.merged_ids, back.import_id) == (report.added_ids, [7, 2], 4)
    # (read as runs: never a list of every id, yet indexable and iterable like one)
    ids = back.added_ids
    assert len(ids) == 100_001 and ids[0] == 1 and ids[99_999] == 100_000 and ids[-1] == 100_005
    assert list(ids)[-2:] == [100_000, 100_005] and ids[1:3] == [2, 3] and 100_005 in ids and 100_001 not in ids
    with pytest.raises(IndexError):
        ids[100_001]
    assert back.files[0].added == 3


def test_import_keys_say_which_entries_may_match_the_papers_written():
    """``ImportKeys`` holds the keys' hashes: an entry sharing an arXiv id, a DOI (any case), a
    title or an abstract's first 40 key characters with a paper written may match; others not.
    (By abstract a titled entry merges only into a paper without a title.)"""
    from refmanager.core.models import Entry
    from refmanager.core.rows import Prepared, prepare
    from refmanager.core.store.matching import ImportKeys

    abstract = "We study the sparse routing of tokens in mixtures of experts at scale, in detail."
    titled_abstract = "A titled paper's abstract, long enough to give a key of forty characters."

    def entry(**kw) -> Prepared:
        return Prepared(prepare(Entry(kind="json", line=1, **kw)))

    keys = ImportKeys()
    for e in (entry(title="Sparse Routing", arxiv_id="2401.00001"), entry(title="Other", doi="10.1/ABC"),
              entry(title=None, abstract=abstract), entry(title="Titled", abstract=titled_abstract)):
        r = e.row
        keys.add(r.arxiv_id, r.doi, r.title_key, r.abstract_key, r.title is not None)
    assert keys.may_match(entry(title="sparse  ROUTING!"))  # (the same title key)
    assert keys.may_match(entry(title="x", arxiv_id="2401.00001"))
    assert keys.may_match(entry(title="y", doi="10.1/abc"))
    assert keys.may_match(entry(title="z", abstract=abstract.upper()))  # (into the untitled paper)
    assert not keys.may_match(entry(title="Dense Routing", arxiv_id="2401.00002", doi="10.1/abd"))
    assert not keys.may_match(entry(title="w", abstract="Something else entirely, at least forty characters long."))
    assert not keys.may_match(entry(title="v", abstract=titled_abstract))
    assert keys.may_match(entry(title=None, abstract=titled_abstract))


@pytest.mark.parametrize("mode", ["0", "1"])
def test_a_first_import_matches_its_own_entries_as_any_import_does(tmp_path, files, monkeypatch, mode):
    """Into an empty library an import skips the lookups of entries whose keys no paper
    it wrote has (``_ImportKeys``); entries matching earlier ones by arXiv id, DOI (in
    any case), title or abstract -- also keys a merge gave a paper -- merge exactly as
    with every lookup made, and a file rolled back half-way changes nothing."""
    monkeypatch.setenv("REFMANAGER_PARSE_PROCESS", mode)
    extra = [
        {"title": "Sparse Widgets", "doi": "10.1000/ABC", "abstract": "We study sparse widgets."},
        {"title": "Dense Widgets, Another Title", "doi": "10.1000/abc", "tags": ["by-doi"]},
        {"title": "Third Paper", "arxiv_id": "2401.00001", "abstract": "A third."},
        {"title": "Fourth, Same arXiv Id", "arxiv_id": "2401.00001", "note": "by arXiv id"},
        # the profile's untitled paper got this title from the full listing in the same import
        {"title": "Gemma 3 Technical Report", "tags": ["by-title"]},
    ]
    (tmp_path / "extra.json").write_text(json.dumps(extra), encoding="utf-8")
    paths = [PROFILE_SEED, FULL_SEED, files["bad.txt"], tmp_path / "extra.json", files["good.txt"]]
    reports, states = import_both_ways(tmp_path, monkeypatch, [(str(p), p) for p in paths])
    assert reports[True] == reports[False]
    assert reports[True] == (
        # the profile's 20 lines make 20 papers; 18 of the full listing's 19 entries merge into them
        [("001_a6301b2403d71b79.txt", 20, 0, 0), ("000_808ebdae4c7efd63.txt", 1, 18, 0),
         ("extra.json", 2, 3, 0), ("good.txt", 300, 0, 0)],
        [("bad.txt", 1261)],
    )
    assert states[True] == states[False]
    assert [name for _, name in states[True][1]] == ["by-title", "by-doi"]
    assert [note for _, note in states[True][2]] == ["by arXiv id"]


@pytest.mark.parametrize("mode", ["0", "1"])
def test_names_of_a_file_rejected_half_way_are_written_again_by_the_next_file(tmp_path, monkeypatch, mode):
    """An import writes each author's name once (it remembers the names it wrote); a file
    rolled back takes its names with it, so the next file's authors must be written anew:
    the split trusts known names in later imports."""
    from refmanager.core.store import importing

    monkeypatch.setenv("REFMANAGER_PARSE_PROCESS", mode)
    (tmp_path / "bad.txt").write_text(listing(450, bad_at=420), encoding="utf-8")  # (two batches, then the error)
    (tmp_path / "good.txt").write_text(
        "CLJan 5, 2024\nTokens at ScaleAna Lima, Dora Dias\nWe study tokens.\n", encoding="utf-8")
    lib = Library(tmp_path / "lib.db")
    try:
        rep = lib.import_paths([tmp_path / "bad.txt", tmp_path / "good.txt"])
        assert [Path(r.file).name for r in rep.rejected] == ["bad.txt"] and rep.added == 1
        assert sorted(k for (k,) in lib.db.q("SELECT key FROM names")) == ["ana lima", "dora dias"]
        rep = lib.import_text(listing(3))  # Ana Lima again: written once, no error
        assert rep.added == 3
        assert sorted(k for (k,) in lib.db.q("SELECT key FROM names")) == [
            "ana lima", "bruno costa", "chen wei", "dora dias"]
        monkeypatch.setattr(importing, "NAMES_REMEMBERED", 1)  # (full: forgotten, sent again, ignored)
        (tmp_path / "more.txt").write_text(listing(3, start=3) + "CLJan 5, 2024\nMore TokensEva Eco\nWe.\n",
                                           encoding="utf-8")
        assert lib.import_paths([tmp_path / "more.txt"]).added == 4
        assert sorted(k for (k,) in lib.db.q("SELECT key FROM names")) == [
            "ana lima", "bruno costa", "chen wei", "dora dias", "eva eco"]
    finally:
        lib.close()


def test_an_import_merges_the_search_index_less_and_puts_fts5s_setting_back(tmp_path):
    """While an import writes, FTS5 merges a level's segments at 16 (not 4); after it, the
    library's own setting is back: FTS5's default, or what was set before; a cancelled
    import leaves it as it was."""
    lib = Library(tmp_path / "lib.db")

    def automerge() -> str | None:
        row = lib.db.one("SELECT v FROM papers_fts_config WHERE k = 'automerge'")
        return None if row is None else str(row[0])

    seen: list[str | None] = []
    try:
        assert automerge() is None  # (FTS5's default: 4)
        lib.import_text(listing(5), progress=lambda done, total: seen.append(automerge()))
        assert seen and set(seen) == {"16"}
        assert automerge() == "4"
        lib.db.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('automerge', 8)")
        lib.import_text(listing(5, start=5))
        assert automerge() == "8"
        with pytest.raises(ImportCancelled):
            lib.import_text(listing(5, start=10), cancelled=lambda: True)
        assert automerge() == "8"
        lib.db.conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")
        assert [r for (r,) in lib.db.q(
            "SELECT rowid FROM papers_fts WHERE papers_fts MATCH 'variant' ORDER BY rowid")] == list(range(1, 11))
    finally:
        lib.close()


def test_the_parser_makes_the_fingerprints_while_the_writer_is_behind(tmp_path, monkeypatch):
    """The writer tells the parsing process when its queue fills (it is behind) and when it
    empties: the parser then makes the entries' fingerprints, or leaves them to the writer
    with the generated citation keys and the name keys.  Here the writer is slowed: some
    batches come with fingerprints and keys, some without (the first ones, before the queue
    filled), each equal to the one the writer makes, and the library is the one an import
    in one process leaves."""
    import time

    from refmanager.core.import_stream import parse
    from refmanager.core.rows import Prepared
    from refmanager.core.store import importing

    monkeypatch.setattr(parse, "QUEUE_BATCHES", 4)
    monkeypatch.setattr(parse, "BEHIND_FROM", 3)
    monkeypatch.setattr(parse, "BEHIND_UNTIL", 1)
    assert [parse._behind(n, False) for n in range(5)] == [False, False, False, True, True]
    assert [parse._behind(n, True) for n in range(5)] == [False, False, True, True, True]
    sent: list[bool] = []

    class Recorded(Prepared):
        def __init__(self, values, entry=None):
            super().__init__(values, entry)
            sent.append(values.fp is not None)
            if values.fp is not None:
                assert values.fp == Prepared(values._replace(fp=None)).fingerprint()
            if os.environ["REFMANAGER_PARSE_PROCESS"] == "1":
                assert (values.fp is None) == (values.name_keys is None) == (values.row.citekey is None)

    entries = importing.ImportSession._entries

    def slow(self, msg):
        time.sleep(0.02)
        entries(self, msg)

    src = tmp_path / "big.txt"
    src.write_text(listing(4000), encoding="utf-8")
    states = []
    for mode in ("1", "0"):
        monkeypatch.setenv("REFMANAGER_PARSE_PROCESS", mode)
        monkeypatch.setattr(importing, "Prepared", Recorded)
        monkeypatch.setattr(importing.ImportSession, "_entries", slow)
        lib = Library(tmp_path / f"lib{mode}.db")
        try:
            assert lib.import_paths([src]).added == 4000
        finally:
            lib.close()
        states.append(library_state(tmp_path / f"lib{mode}.db"))
        if mode == "1":
            assert len(sent) == 4000 and any(sent) and not all(sent), sent.count(True)
            assert not any(sent[:200])  # (the first batch: nothing was waiting)
    assert states[0] == states[1]


@pytest.mark.parametrize("mode", ["0", "1"])
def test_a_listing_line_that_splits_otherwise_the_second_time_is_still_the_same_entry(tmp_path, monkeypatch, mode):
    """The split of a glued title/author line weighs the names the library knows; a name
    learnt since (here "TSOpenAI", from another listing) makes "…Multimodal MCTSOpenAI"
    split as "MC" + "TSOpenAI".  The same file imported again is still "unchanged": an
    entry of a listing is known by its raw line, not by its split (it once came in as a
    second paper)."""
    monkeypatch.setenv("REFMANAGER_PARSE_PROCESS", mode)
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("CLJan 5, 2024\nPlanning with Multimodal MCTSOpenAI, Bo Chen\nWe study planning with a model.\n",
                 encoding="utf-8")
    b.write_text("CLJan 6, 2024\nAnother PaperTSOpenAI, Ana Lima\nSomething else entirely here.\n", encoding="utf-8")
    lib = Library(tmp_path / "lib.db")
    try:
        assert lib.import_paths([a]).added == 1
        assert lib.import_paths([b]).added == 1
        titles = lib.db.q("SELECT title, authors FROM papers ORDER BY id")
        assert titles == [("Planning with Multimodal MCTS", '["OpenAI","Bo Chen"]'),
                          ("Another Paper", '["TSOpenAI","Ana Lima"]')]
        from refmanager.core.formats import listing_full  # the line now splits otherwise:
        [e] = listing_full.parse(a.read_text(encoding="utf-8"), lib.papers.is_known_name).entries
        assert (e.title, e.authors) == ("Planning with Multimodal MC", ["TSOpenAI", "Bo Chen"])
        rep = lib.import_paths([a])
        assert (rep.added, rep.merged, rep.unchanged) == (0, 0, 1)
        assert lib.db.q("SELECT title, authors FROM papers ORDER BY id") == titles
    finally:
        lib.close()


def test_a_listing_an_older_version_imported_is_still_known_from_another_file(tmp_path):
    """Older versions fingerprinted a listing's entry by its split authors.  Met again in
    another file (the listing saved again, a new entry first: other lines), its entries are
    "unchanged", not merged into themselves, and take the new fingerprint."""
    from refmanager.core.formats import listing_full
    from refmanager.core.rows import Prepared, fingerprint, prepare

    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("CLJan 5, 2024\nPlanning with Large ModelsAna Lima, Bo Chen\nWe study planning with a model.\n"
                 "CLJan 6, 2024\nSecond Paper TitleCarl Dorn, Eve Fox\nSomething else entirely here.\n",
                 encoding="utf-8")
    b.write_text("CLJan 7, 2024\nA New OneGil Hart, Ida Jones\nA completely new abstract.\n"
                 + a.read_text(encoding="utf-8"), encoding="utf-8")
    entries = {e.line: e for e in listing_full.parse(a.read_text(encoding="utf-8")).entries}
    lib = Library(tmp_path / "lib.db")
    try:
        assert lib.import_paths([a]).added == 2
        assert not lib.sources.split_fingerprints_stored()
        for line, e in entries.items():  # (as an older version left them)
            lib.db.execute("UPDATE sources SET fingerprint = ? WHERE line = ?",
                           (Prepared(prepare(e)).split_fingerprint(), line))
        assert lib.sources.split_fingerprints_stored()
        rep = lib.import_paths([b])
        assert (rep.added, rep.merged, rep.unchanged) == (1, 0, 2)
        assert lib.db.q("SELECT paper_id, line, fingerprint FROM sources ORDER BY id") == [
            (1, 1, fingerprint(entries[1])), (2, 4, fingerprint(entries[4])), (3, 1, lib.db.value(
                "SELECT fingerprint FROM sources WHERE paper_id = 3"))]
        assert fingerprint(entries[1]) != Prepared(prepare(entries[1])).split_fingerprint()
    finally:
        lib.close()
