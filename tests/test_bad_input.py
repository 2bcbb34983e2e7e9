"""Broken and hostile input (issue 6).

Every file in ``tests/data/bad/`` and every generated file below is a case with
one expected behaviour, listed in ``tests/data/bad/CASES.md``:

* ``Reject``: the import is refused with one exact message naming the file and
  the line, and the library is left exactly as it was (its SQL dump is equal);
* ``Imports``: the file imports and the text is stored verbatim (exact values).

Files over 1 MB are generated in ``tmp_path`` at test time, never committed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from refmanager.core import formats
from refmanager.core.formats import listing_full
from refmanager.core.library import Library

from .conftest import DATA, FULL_SEED, PROFILE_SEED, dump

BAD = DATA / "bad"

# The three papers the corpus is made of (none of them is in the seeds).
A = {
    "title": "Sparse Attention for Long Documents",
    "authors": ["Ada Lovelace", "Alan Turing"],
    "et_al": False,
    "date": "2023-03-03",
    "category": "cs.CL",
    "abstract": "We study sparse attention patterns for documents of a hundred thousand tokens and beyond.",
}
B = {
    "title": "Curiosity Without Regret",
    "authors": ["Grace Hopper", "Edsger Dijkstra"],
    "et_al": True,
    "date": "2022-11-18",
    "category": "cs.LG",
    "abstract": "Exploration bonuses are revisited through the lens of regret minimisation in "
    "stochastic environments.",
}
C = {
    "title": "Counting Sheep with Transformers",
    "authors": ["Barbara Liskov", "Donald Knuth"],
    "et_al": False,
    "date": "2021-01-05",
    "category": "stat.ML",
    "abstract": "A surprisingly hard benchmark: counting objects in images with attention-only models.",
}
A_LINES = "CLMar 3, 2023\nSparse Attention for Long DocumentsAda Lovelace, Alan Turing\n" + A["abstract"] + "\n"


@dataclass
class Reject:
    line: int | None
    message: str


@dataclass
class Imports:
    counts: tuple[int, int, int]  # added, merged, unchanged
    warnings: list[str] = field(default_factory=list)
    papers: list[dict[str, Any]] = field(default_factory=list)  # exact values of the added papers
    #: (query, indexes into ``papers`` it must find, nothing else)
    finds: list[tuple[str, list[int]]] = field(default_factory=list)
    #: records skipped (line, reason): the rest of the file imports
    skipped: list[tuple[int | None, str]] = field(default_factory=list)


# ------------------------------------------------------------- generated files
# (each writes its file into a folder and returns its path)

def gen_long_line(d: Path) -> Path:
    """A valid entry, then one whose abstract is a single 1 MB line (line 6)."""
    p = d / "long_line.txt"
    p.write_text(A_LINES + "LGNov 18, 2022\nCuriosity Without RegretGrace Hopper\n" + "x" * 2**20 + "\n")
    return p


BIG_ABSTRACT = (
    "We import the same entry tens of thousands of times and expect exactly one paper. "
    + "Real abstracts run to a thousand characters or so, and so does this one, padded with this "
    "sentence repeated until it is long enough to be realistic. " * 7
).strip()
BIG_ENTRY = (
    "LGApr 1, 2025\nRepeating Yourself at ScaleKarl Popper, Imre Lakatos et al. · lse\n"
    + BIG_ABSTRACT + "\n"
)
BIG_COPIES = -(-50 * 2**20 // len(BIG_ENTRY))  # enough copies for 50 MB


def gen_big_repeated(d: Path) -> Path:
    p = d / "big_repeated.txt"
    p.write_text(BIG_ENTRY * BIG_COPIES)
    return p


def _letters(i: int) -> str:
    s = ""
    i += 26 * 26
    while i:
        i, r = divmod(i, 26)
        s = chr(97 + r) + s
    return s


MANY_AUTHORS = ["Ada Lovelace"] + [f"{_letters(i).capitalize()} {_letters(i * 7 + 3).capitalize()}" for i in range(9999)]


def gen_many_authors(d: Path) -> Path:
    p = d / "many_authors.txt"
    p.write_text(
        "CLMar 3, 2023\nScaling Laws for Author Lists" + ", ".join(MANY_AUTHORS) + "\n"
        "An author list of ten thousand names, as big collaborations have.\n"
    )
    return p


LONG_TITLE = ("Words " * 16667)[:100_000]  # 100,000 characters, ends in "Word"


def gen_long_title(d: Path) -> Path:
    p = d / "long_title.txt"
    p.write_text(A_LINES + f"LGNov 18, 2022\n{LONG_TITLE}Ada Lovelace, Alan Turing\n{B['abstract']}\n")
    return p


def gen_long_title_json(d: Path) -> Path:
    p = d / "long_title.json"
    p.write_text(json.dumps([{"title": LONG_TITLE, "authors": ["Ada Lovelace"], "date": "2023"}], indent=2))
    return p


def gen_deep_json(d: Path) -> Path:
    p = d / "deeply_nested.json"
    p.write_text("[" * 100_000 + "]" * 100_000)
    return p


GENERATED: dict[str, Callable[[Path], Path]] = {
    "long_line.txt": gen_long_line,
    "big_repeated.txt": gen_big_repeated,
    "many_authors.txt": gen_many_authors,
    "long_title.txt": gen_long_title,
    "long_title.json": gen_long_title_json,
    "deeply_nested.json": gen_deep_json,
}

# ------------------------------------------------------------------- the cases
CASES: dict[str, Reject | Imports] = {
    # not text
    "empty.txt": Reject(1, "the file is empty"),
    "blank_lines.txt": Reject(1, "the file holds only blank lines"),
    "binary.bin": Reject(1, "binary data (a NUL byte), not a text file"),
    "image.png": Reject(1, "this is a PNG image, not a text file"),
    "pdf_document.txt": Reject(1, "this is a PDF document, not a text file"),
    "sqlite_database.bin": Reject(1, "this is an SQLite database, not a text file"),
    "nul_inside.txt": Reject(6, "binary data (a NUL byte), not a text file"),
    "utf16_truncated.txt": Reject(3, "invalid UTF-16 text: truncated data"),
    "utf32_truncated.txt": Reject(3, "invalid UTF-32 text: truncated data"),
    # encodings and line ends that import
    "utf16_bom.txt": Imports((2, 0, 0), ["read as UTF-16"], [A, B]),
    "utf16_no_bom.txt": Imports((2, 0, 0), ["read as UTF-16 LE (no byte-order mark)"], [A, C]),
    "latin1.txt": Imports(
        (1, 0, 0),
        ["not valid UTF-8 (first at line 2); read as Windows-1252"],
        [{
            "title": "Étude des modèles de langue",
            "authors": ["José Müller", "François Dupré"],
            "abstract": "Un résumé assez long pour être un résumé, avec des accents : é, è, à, ç.",
        }],
        [("author:müller", [0]), ("modeles", [0])],
    ),
    "crlf_bom.txt": Imports((2, 0, 0), [], [A, B]),
    "cr_only.txt": Imports((2, 0, 0), [], [A, B]),
    "control_chars.txt": Imports((1, 0, 0), ["removed 3 control character(s)"], [A]),
    # broken listings
    "truncated_last_entry.txt": Reject(
        5, "the last entry (line 4) is truncated: no abstract after the title/author line"
    ),
    "header_only_last_entry.txt": Reject(
        4, "the last entry (line 4) is truncated: no title/author line and no abstract"
    ),
    "missing_middle_line.txt": Reject(
        6, "the entry starting at line 4 has only two lines: its title/author line or its abstract is missing"
    ),
    "impossible_date.txt": Reject(4, "impossible date 'MLFeb 30, 2023'"),
    "unknown_month.txt": Reject(4, "unknown month 'Nox' in 'LGNox 18, 2022' (expected e.g. 'CLJul 31, 2024')"),
    # nowhere to split: imported with the whole line as title, no authors, flagged for review
    "no_authors.txt": Imports(
        (2, 0, 0),
        [],
        [
            {"title": "Sparse Attention for Long Documents", "authors": ["Ada Lovelace", "Alan Turing"]},
            {"title": "a title in lower case with no authors at all", "authors": [], "needs_review": True},
        ],
    ),
    "glued_capitals.txt": Reject(
        5,
        "the title/author line is too hard to split: 3,001 places where the title could end "
        "(a capital letter glued to the character before it); the limit is 200",
    ),
    "only_arxiv_ids.txt": Reject(
        1,
        "the file holds only arXiv identifiers (3 lines), no titles or abstracts: "
        "import a listing or an arXiv API response instead",
    ),
    "profile_owner_only.txt": Reject(
        1, "only a name ('Thomas Mesnard'): a profile listing needs one abstract per line after the author's name"
    ),
    "page.html": Reject(
        1, "this is an HTML page, not a listing: copy the page's text instead of saving its HTML"
    ),
    # JSON
    "not_a_listing.json": Reject(
        1, "this JSON is not a refmanager export: expected a list of paper objects, found a single object"
    ),
    "json_list_of_strings.json": Reject(
        1,
        "this JSON is not a refmanager export: each element must be a paper object with fields "
        "such as 'title', 'authors', 'abstract'",
    ),
    "json_wrong_types.json": Imports(
        (1, 0, 0), papers=[{"title": "Sparse Attention for Long Documents"}],
        skipped=[(9, "field 'authors' must be a list of strings")],
    ),
    "json_bool_as_string.json": Reject(2, "field 'starred' must be true, false or null"),
    "json_truncated.json": Reject(11, "invalid JSON: Unterminated string starting at column 5"),
    "json_lone_surrogate.json": Reject(2, "field 'title' holds an invalid character (a lone surrogate)"),
    "json_huge_number.json": Reject(
        2, "invalid JSON: Exceeds the limit (4300 digits) for integer string conversion: value has 5000 digits"
    ),
    "json_impossible_date.json": Reject(2, "impossible date '2023-02-30'"),
    "json_empty_list.json": Imports((0, 0, 0)),
    "deeply_nested.json": Reject(1, "the file is nested too deeply to read"),
    # hostile text, stored verbatim and findable
    "sql_and_fts_syntax.txt": Imports(
        (1, 0, 0),
        [],
        [{
            "title": "Robert'); DROP TABLE papers;--",
            "authors": ["Ada Lovelace", "Alan Turing"],
            "abstract": "NEAR(\"x\" * AND OR NOT) is not a query here; neither is papers_fts MATCH '*' "
            "nor \"; DELETE FROM tags;",
        }],
        [
            ("Robert'); DROP TABLE papers;--", [0]),
            ('"DROP TABLE papers"', [0]),
            ('NEAR("x" * AND OR NOT)', [0]),
            ("papers_fts MATCH '*'", [0]),
            ('"; DELETE FROM tags;', [0]),
        ],
    ),
    "html_in_fields.txt": Imports(
        (1, 0, 0),
        [],
        [{
            "title": '<img src="file:///etc/passwd"> and <a href="javascript:alert(1)">a link</a>',
            "authors": ["Ada Lovelace", "Alan Turing"],
            "abstract": "<script>alert('abstract')</script> &amp; <b>bold</b> "
            '<iframe src="https://example.org"></iframe>',
        }],
        [("passwd", [0]), ('"<script>"', [0]), ("iframe", [0])],
    ),
    "hostile_fields.json": Imports(
        (1, 0, 0),
        [],
        [{
            "title": "Robert'); DROP TABLE papers;--",
            "authors": ["<b>Ada</b> Lovelace", 'NEAR("x" * AND OR NOT)'],
            "abstract": "<script>alert('abstract')</script> \" OR 1=1 --",
            "tags": ["<img src=x onerror=alert(1)>", "x' OR '1'='1"],
            "note": '<a href="javascript:alert(1)">click</a>\nsecond line; DROP TABLE tags;--',
            "date": "2023-03-03",
        }],
        [
            ('tag:"<img src=x onerror=alert(1)>"', [0]),
            ("tag:\"x' OR '1'='1\"", [0]),
            ("author:near", [0]),
            ("author:lovelace", [0]),
            ("javascript", [0]),
            ("DROP", [0]),
        ],
    ),
    "rtl_and_zero_width.txt": Imports(
        (1, 0, 0),
        [],
        [{
            "title": "Multilingual Parsing\u200b",
            "authors": [
                "Ada Lovelace",
                "\u200f\u05d9\u05d5\u05d0\u05d1 \u05d2\u05d5\u05dc\u05d3\u05d1\u05e8\u05d2\u200f",
                "\u0645\u062d\u0645\u062f\u200c\u0631\u0636\u0627 \u06a9\u0631\u06cc\u0645\u06cc",
                "Zo\u00eb\u200d Ng",
                "\u202eecilA\u202c Smith",
            ],
            "needs_review": False,
        }],
        [
            ("author:\u05d9\u05d5\u05d0\u05d1", [0]),  # Hebrew first name
            ("\u0645\u062d\u0645\u062f", [0]),  # the Persian name before its zero-width non-joiner
            ("author:\u0631\u0636\u0627", [0]),  # ... and after it
            ("author:zoe", [0]),
            ("\u202eecilA\u202c", [0]),  # typed with its direction marks
            ("Multilingual Parsing", [0]),
        ],
    ),
    # big and long (generated)
    "long_line.txt": Reject(6, "line is 1,048,576 characters long; the limit is 500,000"),
    "long_title.txt": Reject(
        5,
        "the title/author line is too long to split: the title and first authors take 100,025 "
        "characters; the limit is 5,000",
    ),
    "long_title.json": Imports((1, 0, 0), [], [{"title": LONG_TITLE, "authors": ["Ada Lovelace"], "date": "2023"}]),
    "many_authors.txt": Imports(
        (1, 0, 0),
        [],
        [{"title": "Scaling Laws for Author Lists", "authors": MANY_AUTHORS, "et_al": False}],
        [(f'author:"{MANY_AUTHORS[-1]}"', [0])],
    ),
    "big_repeated.txt": Imports(
        (1, 0, BIG_COPIES - 1),
        [],
        [{
            "title": "Repeating Yourself at Scale",
            "authors": ["Karl Popper", "Imre Lakatos"],
            "et_al": True,
            "orgs": ["lse"],
            "date": "2025-04-01",
            "category": "cs.LG",
            "abstract": BIG_ABSTRACT,
        }],
    ),
}


# ------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library with the seeds, a tag and a note, built once and copied per test."""
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    lib = Library(path)
    lib.import_paths([FULL_SEED, PROFILE_SEED])
    lib.add_tags([1, 2], ["keep"])
    lib.set_note(3, "a note that must survive")
    lib.close()
    return path


@pytest.fixture
def library(seeded_file: Path, tmp_path: Path):
    path = tmp_path / "library.db"
    shutil.copy(seeded_file, path)
    lib = Library(path)
    yield lib
    lib.close()


def case_path(name: str, tmp_path: Path) -> Path:
    if name in GENERATED:
        return GENERATED[name](tmp_path)
    return BAD / name


def check_case(lib: Library, path: Path, case: Reject | Imports) -> None:
    before = dump(lib)
    n_before = len(lib.all_ids())
    r = lib.import_paths([path])
    if isinstance(case, Reject):
        assert [(x.file, x.line, x.reason) for x in r.rejected] == [(str(path), case.line, case.message)]
        assert r.files == [] and r.added_ids == [] and r.merged_ids == []
        assert dump(lib) == before
        return
    assert r.rejected == []
    assert (r.added, r.merged, r.unchanged) == case.counts
    assert [w for f in r.files for w in f.warnings] == case.warnings
    assert [(x["line"], x["reason"]) for f in r.files for x in f.skipped] == case.skipped
    assert len(lib.all_ids()) == n_before + case.counts[0]
    papers = lib.get_many(r.added_ids)
    assert len(papers) == len(case.papers)
    for got, want in zip(papers, case.papers):
        assert {k: getattr(got, k) for k in want} == want
    # verbatim down to the stored column, not just through get()
    for got in papers:
        assert lib.db.conn.execute("SELECT title, abstract FROM papers WHERE id = ?", (got.id,)).fetchone() == (
            got.title, got.abstract
        )
    for query, which in case.finds:
        found, _hint = lib.search(query)
        assert [p.id for p in found] == [papers[i].id for i in which], query
    assert lib.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("name", [n for n in CASES if n not in GENERATED])
def test_corpus_file(name: str, library: Library, tmp_path: Path):
    check_case(library, case_path(name, tmp_path), CASES[name])


@pytest.mark.parametrize("name", [n for n in GENERATED if n != "big_repeated.txt"])
def test_generated_file(name: str, library: Library, tmp_path: Path):
    check_case(library, case_path(name, tmp_path), CASES[name])


@pytest.mark.slow
def test_50_mb_of_one_entry_repeated_is_one_paper(library: Library, tmp_path: Path):
    """50 MB of valid entries imports (in a few seconds): one paper, the rest unchanged."""
    path = gen_big_repeated(tmp_path)
    assert path.stat().st_size >= 50 * 2**20 and BIG_COPIES > 40_000
    check_case(library, path, CASES["big_repeated.txt"])


def test_every_file_is_a_case_and_a_row_of_the_table():
    on_disk = {p.name for p in BAD.iterdir() if p.name != "CASES.md"}
    assert on_disk == set(CASES) - set(GENERATED)
    table = (BAD / "CASES.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `([^`]+)` \|", table, flags=re.M))
    specials = {"a folder", "a missing file", "an unreadable file", "a device", "a pipe over the limit"}
    assert rows == set(CASES) | specials
    assert len(rows) >= 30


# --------------------------------------------------------- not regular files
def test_a_folder(library: Library, tmp_path: Path):
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    before = dump(library)
    r = library.import_paths([folder])
    assert [str(x) for x in r.rejected] == [f"{folder}: this is a folder, not a file"]
    assert dump(library) == before


def test_a_missing_file(library: Library, tmp_path: Path):
    before = dump(library)
    r = library.import_paths([tmp_path / "nope.txt"])
    assert [str(x) for x in r.rejected] == [f"{tmp_path / 'nope.txt'}: cannot read the file: No such file or directory"]
    assert dump(library) == before


def test_an_unreadable_file(library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "secret.txt"
    path.write_text(A_LINES)
    if os.geteuid() == 0:
        # root reads a chmod-000 file anyway: make the OS refusal happen where the file is opened
        def refuse(*_a: object, **_k: object) -> None:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(formats, "open", refuse, raising=False)
    else:
        path.chmod(0)
    before = dump(library)
    r = library.import_paths([path])
    assert [str(x) for x in r.rejected] == [f"{path}: cannot read the file: Permission denied"]
    assert dump(library) == before


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_is_refused_not_read_forever(library: Library):
    r = library.import_paths(["/dev/zero"])
    assert [str(x) for x in r.rejected] == ["/dev/zero: this is a device or a socket, not a file"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_is_read_up_to_the_limit(library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(formats, "MAX_FILE_BYTES", 1000)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def feed(data: bytes) -> None:
        with open(fifo, "wb") as f:
            try:
                f.write(data)
            except BrokenPipeError:
                pass

    t = threading.Thread(target=feed, args=(b"x" * 5000,), daemon=True)
    t.start()
    r = library.import_paths([fifo])
    t.join(10)
    assert [str(x) for x in r.rejected] == [f"{fifo}: the file is larger than the limit of 1,000 bytes"]
    # a pipe under the limit imports
    t = threading.Thread(target=feed, args=(A_LINES.encode(),), daemon=True)
    t.start()
    r = library.import_paths([fifo])
    t.join(10)
    assert r.rejected == [] and r.added == 1


# ---------------------------------------------------------------- the limits
def test_max_file_bytes_real_limit_is_checked_before_reading(library: Library, tmp_path: Path):
    sparse = tmp_path / "sparse.txt"
    with open(sparse, "wb") as f:
        f.truncate(formats.MAX_FILE_BYTES + 1)  # no disk used, nothing read
    r = library.import_paths([sparse])
    assert [str(x) for x in r.rejected] == [
        f"{sparse}: the file is 536,870,913 bytes (512 MB); the limit is 536,870,912 bytes (512 MB)"
    ]


def test_max_file_bytes_small(library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(formats, "MAX_FILE_BYTES", len(A_LINES))
    ok = tmp_path / "ok.txt"
    ok.write_text(A_LINES)  # exactly at the limit
    big = tmp_path / "big.txt"
    big.write_text(A_LINES + "\n")
    r = library.import_paths([ok, big])
    assert r.added == 1
    assert [str(x) for x in r.rejected] == [
        f"{big}: the file is {len(A_LINES) + 1} bytes; the limit is {len(A_LINES)} bytes"
    ]


def test_max_line_chars_small(library: Library, monkeypatch: pytest.MonkeyPatch):
    longest = len(A["abstract"])  # line 3, the longest
    assert longest == max(len(line) for line in A_LINES.split("\n"))
    monkeypatch.setattr(formats, "MAX_LINE_CHARS", longest - 1)
    before = dump(library)
    r = library.import_text(A_LINES, "over.txt")
    assert [str(x) for x in r.rejected] == [
        f"over.txt:3: line is {longest} characters long; the limit is {longest - 1}"
    ]
    assert dump(library) == before
    monkeypatch.setattr(formats, "MAX_LINE_CHARS", longest)  # at the limit: imports
    assert library.import_text(A_LINES, "at.txt").added == 1


def test_max_title_chars_small(library: Library, monkeypatch: pytest.MonkeyPatch):
    line = "Sparse Attention for Long DocumentsAda Lovelace, Alan Turing"
    assert line in A_LINES
    monkeypatch.setattr(listing_full, "MAX_TITLE_CHARS", len(line) - 1)
    before = dump(library)
    r = library.import_text(A_LINES, "over.txt")
    assert [str(x) for x in r.rejected] == [
        f"over.txt:2: the title/author line is too long to split: the title and first authors take "
        f"{len(line)} characters; the limit is {len(line) - 1}"
    ]
    assert dump(library) == before
    r = library.import_text(A_LINES.replace("Sparse", "Spare"), "at.txt")  # at the limit: imports
    assert r.added == 1 and library.get(r.added_ids[0]).title == "Spare Attention for Long Documents"


def test_max_split_points_small(library: Library, monkeypatch: pytest.MonkeyPatch):
    # "DocumentsAda" is the only place where a capital is glued to the character before it
    monkeypatch.setattr(listing_full, "MAX_SPLIT_POINTS", 1)
    assert library.import_text(A_LINES, "at.txt").added == 1
    r = library.import_text(A_LINES.replace("for Long", "forLong"), "over.txt")
    assert [str(x) for x in r.rejected] == [
        "over.txt:2: the title/author line is too hard to split: 2 places where the title could end "
        "(a capital letter glued to the character before it); the limit is 1"
    ]


def test_pasted_text_gets_the_same_clean_up_as_a_file(library: Library):
    """What a file gets in formats.decode, pasted text gets too (GUI paste, import_text)."""
    text = "\ufeff" + A_LINES.replace("Sparse", "Sparse\x00\x07").replace("beyond", "beyond\ud800")
    r = library.import_text(text, "paste")
    assert [w for f in r.files for w in f.warnings] == [
        "removed 2 control character(s)",
        "replaced 1 invalid character(s) (lone surrogates) with U+FFFD",
    ]
    p = library.get(r.added_ids[0])
    assert p.title == A["title"]
    assert p.abstract == A["abstract"].replace("beyond", "beyond\ufffd")


# ------------------------------------------------------ through the command line
def file_dump(path: Path) -> str:
    """The library's content, read without refmanager.  SQLite's planner statistics
    (``sqlite_stat*``, refreshed by ``PRAGMA optimize`` when a library is closed) are
    not content and are left out."""
    conn = sqlite3.connect(path)
    try:
        return "\n".join(line for line in conn.iterdump() if "sqlite_stat" not in line)
    finally:
        conn.close()


CLI_CASES = ["empty.txt", "image.png", "page.html", "json_bool_as_string.json", "long_line.txt", "a folder", "a missing file"]


@pytest.mark.parametrize("name", CLI_CASES)
def test_command_line_one_line_exit_1(name: str, seeded_file: Path, tmp_path: Path):
    libpath = tmp_path / "cli.db"
    shutil.copy(seeded_file, libpath)
    if name == "a folder":
        path = tmp_path / "folder"
        path.mkdir()
        (path / "notes.txt").write_text("not a PDF")
        # (the command line reads a folder for its PDFs, issue 19: one without any is an error)
        expected = f"{path}: no PDF file in this folder"
    elif name == "a missing file":
        path = tmp_path / "missing.txt"
        expected = f"{path}: cannot read the file: No such file or directory"
    else:
        path = case_path(name, tmp_path)
        case = CASES[name]
        assert isinstance(case, Reject)
        expected = f"{path}:{case.line}: {case.message}"
    before = file_dump(libpath)
    r = subprocess.run(
        [sys.executable, "-m", "refmanager", "--library", str(libpath), "import", str(path)],
        capture_output=True, text=True, timeout=60,
    )
    assert r.returncode == 1
    assert r.stderr == f"refmanager: {expected}\n"
    assert "Traceback" not in r.stderr + r.stdout
    assert file_dump(libpath) == before
