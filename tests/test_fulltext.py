"""The full-text index of attached PDFs (issue 19): extraction with QtPdf page by page, the
index run over good, encrypted and broken files (never stopped by one), resuming after the
run is killed, reading a changed file again, the text going with a detached file, the
``fulltext:`` qualifier and the "search full text too" toggle, the pages a hit is on, the
command line, and schema v12.  Every PDF is made by the test (``tests/pdfs.py``)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from refmanager.cli import main
from refmanager.core.library import Library, View
from refmanager.core.store.fulltext import FileState
from refmanager.core.store.schema import MIGRATIONS, SCHEMA_V1, SCHEMA_VERSION
from refmanager.pdf import extract as ex
from refmanager.pdf.extract import Extracted, Failed, clean, extract
from refmanager.pdf.index_child import run_index
from refmanager.pdf.worker import Cancelled, PdfReader

from . import pdfs
from .conftest import FULL_SEED, PROFILE_SEED

PAGE3 = "The zebrafish swims past the lighthouse.\nNothing else is said here."


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, qapp) -> dict[str, Path]:
    """The PDFs of this module, made once (QPdfWriter needs the QGuiApplication)."""
    d = tmp_path_factory.mktemp("pdfs")
    good = pdfs.make_pdf(d / "good.pdf", 4, {1: "Introduction to citation graphs", 3: PAGE3})
    out = {
        "good": good,
        "other": pdfs.make_pdf(d / "other.pdf", 2, {2: "An otter on the second page"}, title="Other"),
        "gemma": pdfs.make_pdf(d / "gemma-notes.pdf", 1, {1: "Reading notes on gemma models"}, title=""),
        "big": pdfs.make_pdf(d / "big.pdf", 150, {150: "The heron is on the last page"}),
        "encrypted": pdfs.encrypted_pdf(d / "encrypted.pdf"),
        "unsupported": pdfs.unsupported_security_pdf(d / "unsupported.pdf"),
        "truncated": pdfs.truncated_pdf(good, d / "truncated.pdf"),
        "garbage": pdfs.garbage_pdf(d / "garbage.pdf"),
        "empty": d / "empty.pdf",
    }
    out["empty"].write_bytes(b"")
    return out


@pytest.fixture
def seeded(lib: Library) -> Library:
    lib.import_paths([FULL_SEED, PROFILE_SEED])
    return lib


def ids(lib: Library, search: str, fulltext: bool = False) -> list[int]:
    return sorted(lib.ids(View(search=search, fulltext=fulltext)))


# ------------------------------------------------------------------ extraction
def test_extract_reads_each_page_and_the_metadata(files: dict[str, Path]):
    r = extract(files["good"])
    assert isinstance(r, Extracted)
    assert len(r.pages) == 4 and r.page_count == 4 and r.note is None
    assert r.pages[2] == "Page 3 filler text about nothing much.\n" + PAGE3
    assert [("zebrafish" in p) for p in r.pages] == [False, False, True, False]
    assert r.pages[0] == "Page 1 filler text about nothing much.\nIntroduction to citation graphs"
    assert (r.title, r.author) == ("Deep Learning for Citation Graphs", "Alice Example, Bob Sample")


@pytest.mark.parametrize("kind, message", [
    ("encrypted", "encrypted (password required)"),
    ("unsupported", "encrypted (unsupported security scheme)"),
    ("truncated", "not a readable PDF"),
    ("garbage", "not a readable PDF"),
    ("empty", "not a readable PDF (the file is empty)"),
])
def test_extract_says_why_a_file_cannot_be_read(files: dict[str, Path], kind: str, message: str):
    assert extract(files[kind]) == Failed(message)


def test_extract_of_a_missing_file(tmp_path: Path):
    assert extract(tmp_path / "gone.pdf") == Failed("the file is missing")


def test_extract_is_bounded(files: dict[str, Path], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(ex, "MAX_PAGES", 2)
    r = extract(files["good"])
    assert len(r.pages) == 2 and r.note == "read in part: only the first 2 of 4 pages"
    monkeypatch.setattr(ex, "MAX_PAGES", 3000)
    monkeypatch.setattr(ex, "MAX_CHARS", 100)  # (a page is ~40-120 characters here)
    r = extract(files["good"])
    assert len(r.pages) == 1 and r.note == "read in part: only the first 1 of 4 pages (too much text)"
    monkeypatch.setattr(ex, "MAX_CHARS", 16_000_000)
    r = extract(files["good"], deadline=time.monotonic() - 1)  # (past: one page, then it stops)
    assert len(r.pages) == 1 and r.note == "read in part: only the first 1 of 4 pages (reading took too long)"
    monkeypatch.setattr(ex, "MAX_BYTES", 1000)
    assert extract(files["good"]) == Failed("too large to index (over 1,000 bytes)")


def test_clean_joins_hyphenated_words_and_line_ends():
    assert clean("cita-\r\ntion graph\rend\x00\x07") == "citation graph\nend"
    assert clean("Jean-\nPaul and state-\nOf") == "Jean-\nPaul and state-\nOf"
    assert clean("soft\u00ad\nhyphen, marked\x02\nword") == "softhyphen, markedword"


# ---------------------------------------------------------------- the reader
def test_the_reader_process_reads_fails_and_is_recycled(files: dict[str, Path]):
    with PdfReader(recycle=2) as reader:
        got = [reader.read(files[k]) for k in ("good", "encrypted", "other", "garbage", "good")]
        assert reader.started == 3  # (a new process every two files)
    assert [type(r).__name__ for r in got] == ["Extracted", "Failed", "Extracted", "Failed", "Extracted"]
    assert got[0].pages[2].endswith(PAGE3) and got[2].pages[1].endswith("An otter on the second page")
    assert got[1] == Failed("encrypted (password required)") and got[3] == Failed("not a readable PDF")


HANGS = [sys.executable, "-c", "import sys, time; sys.stdin.readline(); time.sleep(600)"]
CRASHES = [sys.executable, "-c", "import os, sys; sys.stdin.readline(); os.kill(os.getpid(), 9)"]
GROWS = [sys.executable, "-c", "import sys, time; sys.stdin.readline(); b = b'x' * (300 << 20); time.sleep(600)"]


@pytest.mark.parametrize("command, limits, message", [
    (HANGS, {"seconds": 0.5}, "took too long to read (over 0.5 s)"),
    (CRASHES, {}, "the PDF reader crashed on this file (signal 9)"),
    (GROWS, {"max_rss": 100 << 20, "seconds": 120}, "needs too much memory to read (over 100 MB)"),
])
def test_a_reader_that_hangs_crashes_or_grows_is_stopped(files, command, limits, message):
    with PdfReader(command=command, **limits) as reader:
        assert reader.read(files["good"]) == Failed(message)
        assert reader.proc is None  # (killed; the next file gets a new one)


def test_a_cancelled_read_raises_cancelled(files: dict[str, Path]):
    with PdfReader(command=HANGS, cancelled=lambda: True) as reader, pytest.raises(Cancelled):
        reader.read(files["good"])


# ------------------------------------------------------------------ the run
def test_the_run_indexes_the_good_files_and_names_each_failure(seeded: Library, files: dict[str, Path],
                                                               tmp_path: Path):
    kinds = ["good", "encrypted", "garbage", "truncated", "unsupported", "other"]
    for pid, kind in enumerate(kinds, 1):
        seeded.attach_file(pid, files[kind])
    gone = tmp_path / "gone.pdf"
    gone.write_bytes(b"%PDF-1.4")
    seeded.attach_file(7, gone, mode="link")
    gone.unlink()
    notes = tmp_path / "notes.txt"
    notes.write_text("not a PDF: never read")
    seeded.attach_file(8, notes)
    seen: list[tuple[int, int, str | None]] = []
    report = run_index(seeded, progress=lambda d, t, n: seen.append((d, t, n)))
    assert seen == [(0, 7, None), (1, 7, "good.pdf"), (2, 7, "encrypted.pdf"), (3, 7, "garbage.pdf"),
                    (4, 7, "truncated.pdf"), (5, 7, "unsupported.pdf"), (6, 7, "other.pdf"), (7, 7, "gone.pdf")]
    assert (report.total, report.indexed, report.pages, report.unchanged, report.cancelled) == (7, 2, 6, 0, False)
    assert [(f["paper"], f["name"], f["error"]) for f in report.failures] == [
        (2, "encrypted.pdf", "encrypted (password required)"),
        (3, "garbage.pdf", "not a readable PDF"),
        (4, "truncated.pdf", "not a readable PDF"),
        (5, "unsupported.pdf", "encrypted (unsupported security scheme)"),
        (7, "gone.pdf", "the file is missing"),
    ]
    st = seeded.fulltext_status()
    assert (st.indexed, st.failed, st.pending, st.pages) == (2, 5, 0, 6)
    assert [(f["paper"], f["error"]) for f in st.failures] == [(f["paper"], f["error"]) for f in report.failures]
    # a failed file is not tried again until it changes; nothing is left to do
    assert run_index(seeded).total == 0


def test_a_linked_pdf_replaced_by_a_folder_fails_and_is_not_tried_again(seeded: Library, files, tmp_path: Path):
    linked = tmp_path / "linked.pdf"
    linked.write_bytes(files["good"].read_bytes())
    seeded.attach_file(1, linked, mode="link")
    assert run_index(seeded).indexed == 1
    linked.unlink()
    linked.mkdir()
    report = run_index(seeded)
    assert [f["error"] for f in report.failures] == ["not a file"] and ids(seeded, "fulltext:zebrafish") == []
    assert run_index(seeded).total == 0


def test_fulltext_and_the_toggle_find_words_on_page_3_only(seeded: Library, files: dict[str, Path]):
    record = ids(seeded, "gemma")
    assert 2 not in record and 1 in record  # (Curiosity in Hindsight: no gemma in its record)
    seeded.attach_file(1, files["good"])
    seeded.attach_file(2, files["gemma"])
    assert run_index(seeded).indexed == 2
    assert ids(seeded, "zebrafish") == [] and ids(seeded, "lighthouse") == []  # (no record has them)
    assert ids(seeded, "fulltext:zebrafish") == [1]
    assert ids(seeded, 'fulltext:"zebrafish swims"') == [1]
    assert ids(seeded, "fulltext:zebra") == [1]  # (a prefix, as words are)
    assert ids(seeded, 'fulltext:"lighthouse zebrafish"') == []
    assert 1 not in ids(seeded, "-fulltext:zebrafish") and len(ids(seeded, "-fulltext:zebrafish")) == 20
    assert ids(seeded, "zebrafish", fulltext=True) == [1]
    assert ids(seeded, "zebrafish lighthouse", fulltext=True) == [1]
    assert seeded.count(View(search="zebrafish", fulltext=True)) == 1
    seeded.set_note(3, "a zebrafish in my note")  # (the table's note mark, the toggle on)
    assert ids(seeded, "zebrafish", fulltext=True) == [1, 3]
    assert seeded.note_hits(View(search="zebrafish", fulltext=True), [1, 3]) == {3}
    # a word in some records and in paper 2's PDF only: the toggle adds paper 2
    assert ids(seeded, "gemma", fulltext=True) == sorted([*record, 2])
    assert 2 not in ids(seeded, "-gemma", fulltext=True) and 2 in ids(seeded, "-gemma")
    hits = seeded.fulltext_hits(View(search="fulltext:zebrafish"), [1, 2, 7])
    assert list(hits) == [1]
    assert (hits[1].name, hits[1].pages, hits[1].count) == ("good.pdf", (3,), 1)
    assert "zebrafish swims past the lighthouse" in hits[1].snippet
    assert seeded.fulltext_hits(View(search="zebrafish", fulltext=True), [1])[1].pages == (3,)
    assert seeded.fulltext_hits(View(search="fulltext:filler"), [1])[1].pages == (1, 2, 3, 4)
    assert seeded.fulltext_hits(View(search="zebrafish"), [1]) == {}  # (the toggle off: no full text)


def test_a_killed_run_resumes_with_the_rest(seeded: Library, files: dict[str, Path]):
    """Killed (SIGKILL) right after its first file: that file is kept, the file being read is
    not, the reader process goes with the run, and the next run reads only the rest."""
    for pid, kind in enumerate(("good", "big", "other"), 1):
        seeded.attach_file(pid, files[kind])
    seeded.checkpoint()
    child = subprocess.Popen([sys.executable, "-m", "refmanager.pdf.index_child"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    child.stdin.write(json.dumps({"library": str(seeded.path)}).encode())
    child.stdin.close()
    lines = []
    for line in child.stdout:
        lines.append(json.loads(line))
        if lines[-1].get("progress") == [1, 3]:
            child.send_signal(signal.SIGKILL)
            break
    child.wait()
    assert lines == [{"progress": [0, 3], "file": None}, {"progress": [1, 3], "file": "good.pdf"}]
    assert _readers_of(child.pid, wait=True) == []  # (the reader ended with the run)
    assert [f.name for f in seeded.fulltext_pending()] == ["big.pdf", "other.pdf"]
    assert ids(seeded, "fulltext:zebrafish") == [1]
    seen: list[str | None] = []
    report = run_index(seeded, progress=lambda d, t, n: seen.append(n))
    assert seen == [None, "big.pdf", "other.pdf"] and report.indexed == 2
    assert ids(seeded, "fulltext:heron") == [2] and ids(seeded, "fulltext:otter") == [3]


def _readers_of(pid: int, wait: bool) -> list[int]:
    """Reader processes started by the run ``pid`` (argv ends with its pid); waits a while for them to end."""
    for _ in range(100 if wait else 1):
        found = []
        for d in Path("/proc").iterdir():
            try:
                argv = (d / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"refmanager.pdf.extract" in argv and str(pid).encode() in argv:
                found.append(int(d.name))
        if not found:
            return []
        time.sleep(0.05)
    return found


def test_a_changed_file_is_read_again_and_a_touched_one_is_not(seeded: Library, qapp, tmp_path: Path):
    doc = pdfs.make_pdf(tmp_path / "draft.pdf", 2, {2: "first draft mentions a kestrel"})
    seeded.attach_file(1, doc, mode="link")
    assert run_index(seeded).indexed == 1 and ids(seeded, "fulltext:kestrel") == [1]
    assert seeded.fulltext_pending() == []
    st = os.stat(doc)
    os.utime(doc, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))  # touched, same bytes
    assert [f.name for f in seeded.fulltext_pending()] == ["draft.pdf"]
    report = run_index(seeded)
    assert (report.unchanged, report.indexed) == (1, 0) and seeded.fulltext_pending() == []
    pdfs.make_pdf(doc, 3, {3: "second draft mentions a puffin"})  # changed
    os.utime(doc, ns=(st.st_atime_ns, st.st_mtime_ns + 9_000_000_000))
    report = run_index(seeded)
    assert (report.unchanged, report.indexed, report.pages) == (0, 1, 3)
    assert ids(seeded, "fulltext:kestrel") == [] and ids(seeded, "fulltext:puffin") == [1]
    assert seeded.fulltext_hits(View(search="fulltext:puffin"), [1])[1].pages == (3,)
    # asked for again by paper: read again though nothing changed
    assert run_index(seeded, papers=[1], force=True).indexed == 1


def test_detaching_removes_the_text_and_an_undo_reads_it_again(seeded: Library, files: dict[str, Path]):
    a = seeded.attach_file(1, files["good"])
    run_index(seeded)
    c = seeded.db.conn
    assert c.execute("SELECT count(*) FROM fulltext_pages WHERE attachment_id = ?", (a["id"],)).fetchone() == (4,)
    seeded.detach(1, a["id"])
    assert c.execute("SELECT count(*) FROM fulltext_pages").fetchone() == (0,)
    assert c.execute("SELECT count(*) FROM fulltext_state").fetchone() == (0,)
    assert c.execute("SELECT count(*) FROM fulltext_fts WHERE fulltext_fts MATCH 'zebrafish'").fetchone() == (0,)
    assert ids(seeded, "fulltext:zebrafish") == []
    seeded.undo()  # the file is attached again: read again
    assert seeded.fulltext.has_unread() and run_index(seeded).indexed == 1
    assert ids(seeded, "fulltext:zebrafish") == [1]
    # an undo of another action on the paper keeps the text (its attachment rows are written again)
    seeded.add_tags([1], ["fish"])
    seeded.undo()
    assert ids(seeded, "fulltext:zebrafish") == [1] and not seeded.fulltext.has_unread()
    # a merge keeps the file's text with the kept paper; emptying the trash takes it away
    seeded.merge_papers([1, 2], keep=2)
    assert ids(seeded, "fulltext:zebrafish") == [2]
    seeded.trash([2])
    seeded.empty_trash()
    assert c.execute("SELECT count(*) FROM fulltext_pages").fetchone() == (0,)


def test_a_detached_files_text_is_never_found_even_before_it_is_forgotten(seeded: Library):
    """The text is found through the attachments: rows no attachment owns (a crash between a
    detach and the forgetting) are never a hit, and the next run deletes them."""
    aid = seeded.db.conn.execute("INSERT INTO attachments(paper_id, name, path, mode, added_at) "
                                 "VALUES (3, 'x.pdf', '/nowhere/x.pdf', 'link', '2024-01-01')").lastrowid
    seeded.db.conn.commit()
    assert seeded.fulltext_store(aid, ["a walrus here"], FileState(1, 1, "s"))
    assert ids(seeded, "fulltext:walrus") == [3]
    seeded.db.conn.execute("DELETE FROM attachments WHERE id = ?", (aid,))
    seeded.db.conn.commit()
    assert ids(seeded, "fulltext:walrus") == [] and seeded.fulltext_hits(View(search="fulltext:walrus"), [3]) == {}
    assert not seeded.fulltext_store(aid, ["again"], FileState(1, 1, "s"))  # (gone: nothing written)
    run_index(seeded)
    assert seeded.db.conn.execute("SELECT count(*) FROM fulltext_pages").fetchone() == (0,)


# -------------------------------------------------------------- the command line
def test_command_line_reindex_status_and_search(seeded: Library, files: dict[str, Path], capsys):
    seeded.attach_file(1, files["good"])
    seeded.attach_file(2, files["encrypted"])
    path = str(seeded.path)
    seeded.close()
    assert main(["--library", path, "fulltext", "status"]) == 0
    assert capsys.readouterr().out == "indexed: 0 PDFs (0 pages)\npending: 2\nfailed: 0\n"
    assert main(["--library", path, "fulltext", "reindex"]) == 1  # (one PDF failed: listed, not fatal)
    out, err = capsys.readouterr()
    assert out == "1 PDF indexed (4 pages), 1 failed\n"
    assert err.splitlines() == ["indexing 2 PDFs…", "[1/2] good.pdf", "[2/2] encrypted.pdf",
                                "refmanager: paper 2, encrypted.pdf: encrypted (password required)"]
    assert main(["--library", path, "fulltext", "reindex"]) == 0
    assert capsys.readouterr().out == "Every attached PDF is indexed already.\n"
    assert main(["--library", path, "fulltext", "status", "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert (st["indexed"], st["pending"], st["failed"], st["pages"]) == (1, 0, 1, 4)
    assert [(f["paper"], f["error"]) for f in st["failures"]] == [(2, "encrypted (password required)")]
    assert main(["--library", path, "fulltext", "reindex", "1", "--json"]) == 0  # (forced: read again)
    assert json.loads(capsys.readouterr().out)["indexed"] == 1
    assert main(["--library", path, "search", "--fulltext", "zebrafish", "--json"]) == 0
    assert [p["id"] for p in json.loads(capsys.readouterr().out)] == [1]
    assert main(["--library", path, "search", "zebrafish", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["--library", path, "search", 'fulltext:"zebrafish swims"', "--json"]) == 0
    assert [p["id"] for p in json.loads(capsys.readouterr().out)] == [1]
    assert main(["--library", path, "search", "fulltext:"]) == 2
    assert 'fulltext: needs a word or a "phrase"' in capsys.readouterr().err
    assert main(["--library", path, "fulltext", "reindex", "999"]) == 1
    assert capsys.readouterr().err == "refmanager: no paper with id 999\n"


# ------------------------------------------------------------------ schema v12
def test_a_version_11_library_gains_the_full_text_tables(tmp_path: Path):
    path = tmp_path / "v11.db"
    c = sqlite3.connect(path)
    c.executescript("BEGIN;" + SCHEMA_V1 + "\n".join(MIGRATIONS[:10]) + "PRAGMA user_version=11;COMMIT;")
    c.close()
    assert SCHEMA_VERSION >= 12
    with Library(path) as lib:
        assert lib.schema_version == SCHEMA_VERSION
        names = {n for (n,) in lib.db.q("SELECT name FROM sqlite_master")}
        assert {"fulltext_state", "fulltext_pages", "fulltext_fts", "fulltext_pages_ai", "fulltext_pages_ad"} <= names
        assert lib.fulltext_status().to_json() == {"indexed": 0, "failed": 0, "pending": 0, "pages": 0, "failures": []}


def test_the_pdf_layer_imports_no_widgets_and_the_run_no_qt(tmp_path: Path):
    """The run (and the window's side of it) loads no Qt; the reader loads QtPdf (and QtGui, which it
    needs), no widgets."""
    code = ("import sys, refmanager.pdf.index_child, refmanager.pdf.worker\n"
            "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'refmanager.gui'))))\n"
            "import refmanager.pdf.extract as e; print(e.extract(sys.argv[1]).pages)\n"
            "print(sorted(m for m in sys.modules if m.startswith(('PySide6.QtWidgets', 'PySide6.QtPdfWidgets', "
            "'refmanager.gui'))), 'PySide6.QtPdf' in sys.modules)\n")
    pdf = pdfs.plain_pdf(tmp_path / "plain.pdf", "Plain hello")
    r = subprocess.run([sys.executable, "-c", code, str(pdf)], capture_output=True, text=True, check=True)
    assert r.stdout.splitlines() == ["[]", "['Plain hello']", "[] True"]


def test_hits_for_a_page_of_papers_list_the_matches_once_and_say_the_same(seeded: Library, monkeypatch):
    """Many pages (a table page of papers): the matching pages are listed once, not asked page
    by page; both ways give the same hits."""
    from refmanager.core.store import fulltext as ft

    c = seeded.db.conn
    texts = {3: ["intro", "a modelling walrus", "end"], 4: ["models everywhere", "x", "y", "modelled"],
             5: ["nothing", "here", "at", "all"]}
    for pid, pages in texts.items():
        aid = c.execute("INSERT INTO attachments(paper_id, name, path, mode, added_at) "
                        "VALUES (?, 'p.pdf', ?, 'link', '2024-01-01')", (pid, f"/nowhere/{pid}.pdf")).lastrowid
        c.commit()
        assert seeded.fulltext_store(aid, pages, FileState(1, 1, f"h{pid}"))
    view = View(search="fulltext:model")
    monkeypatch.setattr(ft, "PROBE_PAGES_MAX", 0)  # (listed once)
    listed = {pid: (h.pages, h.count) for pid, h in seeded.fulltext_hits(view, [3, 4, 5]).items()}
    monkeypatch.setattr(ft, "PROBE_PAGES_MAX", 10_000)  # (asked page by page)
    asked = {pid: (h.pages, h.count) for pid, h in seeded.fulltext_hits(view, [3, 4, 5]).items()}
    assert listed == asked == {3: ((2,), 1), 4: ((1, 4), 2)}


def test_a_new_attachment_never_takes_the_id_of_a_detached_files_text(seeded: Library, qapp, tmp_path: Path):
    """An attach undone (the row gone, its text not forgotten yet: the run was reading it, or a
    crash came between), then another file attached to another paper: the new attachment gets a
    new id, so the old file's words never find the other paper."""
    x = pdfs.make_pdf(tmp_path / "x.pdf", 2, {2: "The zebrafish secretword."})
    y = pdfs.make_pdf(tmp_path / "y.pdf", 2, {2: "A hippopotamus."})
    a = seeded.attach_file(1, x)["id"]
    assert seeded.fulltext_store(a, ["intro", "The zebrafish secretword."], FileState(1, 1, "x"))
    seeded.db.conn.execute("DELETE FROM attachments WHERE id = ?", (a,))  # (as an undone attach leaves it)
    seeded.db.conn.commit()
    b = seeded.attach_file(2, y)["id"]
    assert b != a
    assert ids(seeded, "fulltext:zebrafish") == []
    assert seeded.fulltext_hits(View(search="fulltext:zebrafish"), [2]) == {}


def test_a_books_text_is_written_in_parts_each_a_short_transaction(seeded: Library, monkeypatch):
    """Each part of a large file's text is its own transaction (other writers wait at most for
    one part); the file is "pending" until the last part is in, then indexed with every page."""
    from refmanager.core.store import fulltext as ft

    monkeypatch.setattr(ft, "STORE_PART_CHARS", 10)
    c = seeded.db.conn
    aid = c.execute("INSERT INTO attachments(paper_id, name, path, mode, added_at) "
                    "VALUES (3, 'book.pdf', '/nowhere/book.pdf', 'link', '2024-01-01')").lastrowid
    c.commit()
    begun: list[int] = []
    real = seeded.db.transaction

    def counted():
        begun.append(1)
        return real()

    monkeypatch.setattr(seeded.db, "transaction", counted)
    pages = [f"page {n} of the walrus book" for n in range(1, 8)]  # (25 characters a page)
    assert seeded.fulltext_store(aid, pages, FileState(1, 1, "b"))
    assert len(begun) == 7  # (a part per page here)
    assert c.execute("SELECT count(*), max(page) FROM fulltext_pages WHERE attachment_id = ?", (aid,)).fetchone() == (7, 7)
    assert c.execute("SELECT status, pages FROM fulltext_state WHERE attachment_id = ?", (aid,)).fetchone() == ("indexed", 7)
    assert ids(seeded, "fulltext:walrus") == [3]
