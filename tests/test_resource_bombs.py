"""Resource bombs (issue 16 item 12): small files that would take gigabytes or hours.

Each reader either bounds the work with a documented limit (a clear message naming
the line, the rest of the file importing) or is linear in the file's size:

* BibTeX ``@string`` macros: ``bibtex_values.MAX_VALUE_CHARS`` per value,
  ``MAX_EXPANSION_CHARS`` (+ the file's size) per file;
* 100,000 authors in one record of every structured format, 100,000 continuation
  lines of one value (quadratic before: 20,000 RIS ``AU`` lines took 3.5 s, 40,000
  took 40 s);
* arXiv Atom: entity declarations refused, ``atom.MAX_INNER_ELEMENTS`` elements
  inside an element of an entry, the rest read as a stream;
* JSON nested a million levels deep.

No test here times anything: a quadratic reader shows as a test that never ends.
Peak memory is measured by ``python -m bench.formats_bench --bombs`` and
``--repeated`` (``docs/benchmarks.md``).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from refmanager.core import formats
from refmanager.core.errors import ParseError
from refmanager.core.formats import arxiv_atom, bibtex_values, listing_full
from refmanager.core.library import Library
from refmanager.core.textnorm import clean_lines, spaces_for_no_breaks

from .test_bad_input import _letters

N_AUTHORS = 100_000




def names(n: int) -> list[tuple[str, str]]:
    """(given, family) of ``n`` distinct people."""
    return [(_letters(i * 7 + 3).capitalize(), _letters(i).capitalize()) for i in range(n)]


# ------------------------------------------------------------------ BibTeX macros
#: 41 macros, each twice the one before: s40 would be 2**41 characters (4 TB).
DOUBLING = (
    '@string{s0 = "ab"}\n'
    + "".join(f"@string{{s{i} = s{i - 1} # s{i - 1}}}\n" for i in range(1, 41))
    + "@article{bomb, title = s40, author = {Karl Popper}, year = 2024}\n"
    + "@misc{big, title = {Half a Megabyte of Macro}, note = s18, year = 2024}\n"
    + "@article{fine, title = {Sparse Attention for Long Documents}, author = {Lovelace, Ada and Turing, Alan},"
    " year = 2023}\n"
)


def gen_doubling(d: Path) -> Path:
    p = d / "doubling.bib"
    p.write_text(DOUBLING)
    return p


def test_doubling_strings_stop_at_the_value_limit(lib: Library, tmp_path: Path):
    path = gen_doubling(tmp_path)
    assert path.stat().st_size < 1536  # "a 1.5 KB file"
    r = lib.import_paths([path])
    assert r.rejected == []
    # s19 would be 2**20 characters: refused, and every macro built on it after it
    want = [(20 + k, f"@string{{s{19 + k}}} grows past 1,000,000 characters; not defined") for k in range(22)]
    want.append((42, "@article{bomb}: field title grows past 1,000,000 characters"))
    assert [(s["line"], s["reason"]) for s in r.files[0].skipped] == want
    assert r.problems()[0] == f"{path}:20: skipped: @string{{s19}} grows past 1,000,000 characters; not defined"
    # the other entries import: one using s18 (2**19 characters, under the limit) in full
    big, fine = lib.get_many(r.added_ids)
    assert (big.title, fine.title) == ("Half a Megabyte of Macro", "Sparse Attention for Long Documents")
    assert fine.authors == ["Ada Lovelace", "Alan Turing"]
    assert big.note == "ab" * 2**18
    assert len(big.note) <= bibtex_values.MAX_VALUE_CHARS == 1_000_000


def gen_fanout(d: Path) -> Path:
    """s18 (2**19 characters) and s17 built by doubling, then 40 entries each taking
    786,432 characters from them: 20 KB of macros that would make 31 MB of values."""
    p = d / "fanout.bib"
    p.write_text(
        '@string{s0 = "ab"}\n'
        + "".join(f"@string{{s{i} = s{i - 1} # s{i - 1}}}\n" for i in range(1, 19))
        + "@string{t = s18 # s18 # s18}\n"
        + "".join(f"@misc{{e{i}, title = {{Paper number {i}}}, note = s18 # s17, year = 2024}}\n" for i in range(40))
    )
    return p


def test_macros_fanning_out_stop_at_the_files_budget(lib: Library, tmp_path: Path):
    path = gen_fanout(tmp_path)
    size = path.stat().st_size
    r = lib.import_paths([path])
    assert r.rejected == []
    # the macros take 2**20 - 4 characters of the budget, each entry 786,432
    assert bibtex_values.MAX_EXPANSION_CHARS == 10_000_000
    fits = (10_000_000 + size - (2**20 - 4)) // 786_432
    assert fits == 11
    budget = f"{10_000_000 + size:,}"
    want = [(20, "@string{t} grows past 1,000,000 characters; not defined")] + [
        (21 + i, (f"@misc{{e{i}}}: field note: the @string macros of this file expand past {budget} characters"
                  " in all (10,000,000 + the file's size)"))
        for i in range(fits, 40)
    ]
    assert [(s["line"], s["reason"]) for s in r.files[0].skipped] == want
    papers = lib.get_many(r.added_ids)
    assert [p.title for p in papers] == [f"Paper number {i}" for i in range(fits)]
    assert all(len(p.note or "") == 786_432 for p in papers)
    assert sum(len(p.note or "") for p in papers) <= 10_000_000 + size


def test_only_what_macros_add_is_limited(monkeypatch: pytest.MonkeyPatch):
    # (a value written out in the file is bounded by the file's size: 100,000 authors
    # in 1.2 MB import, test_100000_authors_in_one_record[bib])
    monkeypatch.setattr(bibtex_values, "MAX_VALUE_CHARS", 100)
    text = ('@string{m = "' + "m" * 60 + '"}\n'
            + "@misc{written, title = {" + "w" * 1000 + "}}\n"
            + "@misc{at, title = m # {x} # m # {x}}\n"  # 120 characters, 120 of them from macros
            + "@misc{under, title = {Under} # m}\n")
    pf = formats.parse_text(text, "x.bib")
    assert [(e.citekey, len(e.title or "")) for e in pf.entries] == [("written", 1000), ("under", 65)]
    assert [(p.line, p.message) for p in pf.skipped] == [(3, "@misc{at}: field title grows past 100 characters")]


def test_a_redefined_macro_is_usable_again():
    text = ('@string{a = "x"}\n' + "".join("@string{a = a # a}\n" for _ in range(21))
            + '@string{a = "short"}\n@misc{k, title = a}\n')
    pf = formats.parse_text(text, "x.bib")
    # the 20th doubling (line 21) makes 2**20 characters; the 21st uses the refused one
    assert [(p.line, p.message) for p in pf.skipped] == [
        (21, "@string{a} grows past 1,000,000 characters; not defined"),
        (22, "@string{a} grows past 1,000,000 characters; not defined"),
    ]
    assert pf.entries[0].title == "short"


def test_deeply_nested_braces_in_bibtex():
    deep = "{\n" * 100_000 + "Deep" + "}\n" * 100_000
    text = f"@article{{deep, year = 2023, title = {deep}}}\n@article{{ok, title = {{Fine}}, year = 2023}}\n"
    pf = formats.parse_text(text, "deep.bib")
    assert [e.title for e in pf.entries] == ["Deep", "Fine"]


# ------------------------------------------------------------ 100,000 authors
def gen_authors(fmt: str, d: Path) -> tuple[Path, list[str]]:
    """One record of 100,000 authors in ``fmt`` (MEDLINE and WoS: half people, half
    groups, the groups de-duplicated against the people), and the names expected."""
    people = names(N_AUTHORS)
    display = [f"{g} {f}" for g, f in people]
    half = N_AUTHORS // 2
    if fmt == "ris":
        text = "TY  - JOUR\nTI  - Many Authors\nPY  - 2023\n" + "".join(f"AU  - {f}, {g}\n" for g, f in people)
        text += "ER  - \n"
    elif fmt == "bib":
        text = "@article{k, title = {Many Authors}, year = 2023, author = {"
        text += " and\n ".join(f"{f}, {g}" for g, f in people) + "}}\n"
    elif fmt == "csl.json":
        text = json.dumps([{"type": "article-journal", "title": "Many Authors",
                            "author": [{"family": f, "given": g} for g, f in people]}], indent=1)
    elif fmt == "json":
        text = json.dumps([{"title": "Many Authors", "authors": display, "date": "2023"}], indent=1)
    elif fmt == "nbib":
        display = display[:half] + [f"Group {f}" for _, f in people[half:]]
        text = "PMID- 1\nTI  - Many Authors\nDP  - 2023\n" + "".join(f"FAU - {f}, {g}\n" for g, f in people[:half])
        text += "".join(f"CN  - Group {f}\n" for _, f in people[half:])
        text += "CN  - " + f"{people[0][0]} {people[0][1]}\n\n"  # (a group named like a person: once)
    elif fmt == "isi":
        display = display[:half] + [f"Group {f}" for _, f in people[half:]]
        text = "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI Many Authors\nPY 2023\n"
        text += "AF " + "\n   ".join(f"{f}, {g}" for g, f in people[:half]) + "\n"
        text += "CA " + "\n   ".join(f"Group {f}" for _, f in people[half:]) + "\nER\nEF\n"
    elif fmt == "xml":
        text = ('<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
                "<link href=\"http://arxiv.org/api/query\"/>\n"
                "<entry><id>http://arxiv.org/abs/2401.00001v1</id><title>Many Authors</title>\n"
                + "".join(f"<author><name>{n}</name></author>\n" for n in display) + "</entry></feed>\n")
    else:  # pragma: no cover
        raise ValueError(fmt)
    p = d / f"many_authors.{fmt}"
    p.write_text(text, encoding="utf-8")
    return p, display


#: (RIS in the fast loop; the others, a second or two each, in the full run)
AUTHOR_FORMATS = ["ris", *(pytest.param(f, marks=pytest.mark.slow) for f in ("csl.json", "json", "nbib", "isi", "xml", "bib"))]


@pytest.mark.parametrize("fmt", AUTHOR_FORMATS)
def test_100000_authors_in_one_record(fmt: str, lib: Library, tmp_path: Path):
    path, want = gen_authors(fmt, tmp_path)
    r = lib.import_paths([path])
    assert (r.added, r.rejected, r.skipped) == (1, [], 0)
    (paper,) = lib.get_many(r.added_ids)
    assert paper.title == "Many Authors"
    assert len(paper.authors) == N_AUTHORS
    assert paper.authors == want
    if fmt == "bib":  # (written out, not from macros: not limited)
        assert len(path.read_text()) > bibtex_values.MAX_VALUE_CHARS


# ------------------------------------------------------ continuation lines
def test_100000_continuation_lines_of_one_value():
    words = [f for _, f in names(N_AUTHORS)]
    ris = "TY  - JOUR\nTI  - Long\nAB  - start\n" + "".join(f"      {w}\n" for w in words) + "ER  - \n"
    medline = "PMID- 1\nTI  - Long\nAB  - start\n" + "".join(f"      {w}\n" for w in words) + "\n"
    wos = "FN Clarivate Analytics Web of Science\nPT J\nTI Long\nAB start\n" + "".join(f"   {w}\n" for w in words)
    wos += "ER\nEF\n"
    want = " ".join(["start", *words])
    for name, text in (("x.ris", ris), ("x.nbib", medline), ("x.isi", wos)):
        (e,) = formats.parse_text(text, name).entries
        assert e.abstract == want, name


def test_ris_continuation_lines_keep_their_line_breaks():
    # (joined once, after the last: the same value as joining them one by one)
    text = "TY  - JOUR\nTI  - T\nN1  - first\n      second\n\n      third\nKW  - a\n      b\nER  - \n"
    (e,) = formats.parse_text(text, "x.ris").entries
    assert e.note == "first\nsecond\n\nthird"
    assert e.tags == ["a", "b"]


# ---------------------------------------------------------------- arXiv Atom
ATOM_HEAD = ('<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
             '<link href="http://arxiv.org/api/query"/>\n')


def test_atom_billion_laughs_is_refused():
    laughs = ('<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY l0 "lol">'
              + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
              + ']>\n<feed xmlns="http://www.w3.org/2005/Atom"><link href="http://arxiv.org/api/query"/>'
              "<entry><id>http://arxiv.org/abs/2401.00001v1</id><title>&l9;</title></entry></feed>\n")
    assert formats.detect_format(laughs) is arxiv_atom
    with pytest.raises(ParseError) as ei:
        formats.parse_text(laughs, "laughs.xml")
    assert (ei.value.line, ei.value.message) == (
        2, "XML with a DOCTYPE or ENTITY declaration is refused (an arXiv response has none)")


def _atom_summary(inner: str) -> str:
    return (ATOM_HEAD + "<entry><id>http://arxiv.org/abs/2401.00001v1</id><title>Nested</title><summary>\n"
            + inner + "</summary></entry></feed>\n")


def test_atom_nested_a_million_deep_is_refused_at_its_line():
    text = _atom_summary("<a>\n" * 1_000_000 + "</a>\n" * 1_000_000)
    with pytest.raises(ParseError) as ei:
        formats.parse_text(text, "deep.xml")
    # line 4 opens the summary, line 5 the first <a>: the 1,001st is on line 1,005
    assert (ei.value.line, ei.value.message) == (
        1005, "an element <summary> holds more than 1,000 elements: not an arXiv response")
    assert arxiv_atom.MAX_INNER_ELEMENTS == 1_000


def test_atom_inner_elements_at_and_over_the_limit():
    at = _atom_summary("<b/>\n" * 1_000)
    assert formats.parse_text(at, "ok.xml").entries[0].title == "Nested"
    with pytest.raises(ParseError) as ei:
        formats.parse_text(_atom_summary("<b/>\n" * 1_001), "over.xml")
    assert ei.value.line == 1005


def test_atom_many_flat_elements_are_read_as_a_stream():
    # 300,000 elements directly in an entry and in the feed: each dropped once read
    text = (ATOM_HEAD + "<entry><id>http://arxiv.org/abs/2401.00001v1</id><title>Flat</title>\n"
            + "<x/><author/>\n" * 100_000 + "<author><name>Ada Lovelace</name></author></entry>\n"
            + "<junk/>\n" * 100_000 + "</feed>\n")
    (e,) = formats.parse_text(text, "flat.xml").entries
    assert (e.title, e.authors) == ("Flat", ["Ada Lovelace"])


# ---------------------------------------------------------------------- JSON
@pytest.mark.parametrize("text", [
    "[\n" * 1_000_000 + "]\n" * 1_000_000,
    '[{"type": "article", "title": "x", "note": ' + "[\n" * 1_000_000 + "]\n" * 1_000_000 + "}]\n",
    '[{"title": "x", "authors": ["A"], "extra": ' + '{"a":\n' * 1_000_000 + "1" + "}\n" * 1_000_000 + "}]\n",
], ids=["lists", "csl_value", "objects"])
def test_json_nested_a_million_deep(text: str):
    with pytest.raises(ParseError) as ei:
        formats.parse_text(text, "deep.json")
    assert (ei.value.line, ei.value.message) == (1, "the file is nested too deeply to read")


# ----------------------------------------------- the listing's lines, read lazily
def test_listing_lines_are_cut_as_clean_lines_cuts_them(monkeypatch: pytest.MonkeyPatch):
    """``listing_full._lines`` reads a chunk at a time (the list of every line held a
    400 MB listing a second time): the same lines, numbered the same, whatever the
    chunk size, with CR LF, lone CRs and no-break spaces."""
    rnd = random.Random(16)
    pieces = ["a", "b c", " ", "\t", "\n", "\n\n", "\r", "\r\n", "\u00a0", "\u2028", "x\u202fy"]
    for chunk in (1, 2, 3, 7, 1 << 20):
        monkeypatch.setattr(listing_full, "_CHUNK", chunk)
        for _ in range(3000):
            text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 16)))
            want = [(i + 1, ln) for i, ln in enumerate(clean_lines(text)) if ln]
            assert list(listing_full._lines(text)) == want, (chunk, text)


def test_no_break_spaces_become_spaces_and_nothing_else_changes():
    """``spaces_for_no_breaks`` (three ``str.replace``) against the character class it replaced."""
    rnd = random.Random(20)
    pieces = ["a", " ", "\u00a0", "\u202f", "\u2007", "\u2008", "\u3000", "\t", "é"]
    for _ in range(3000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12)))
        assert spaces_for_no_breaks(text) == re.sub("[\u00a0\u202f\u2007]", " ", text), text
    assert clean_lines("Jane\u00a0Doe \u202f\nx\u2007y") == ["Jane Doe", "x y"]


def test_control_bytes_are_found_past_the_first_chunk():
    assert not formats._has_control_bytes(b"abc\tdef\r\n" * 10, step=4)
    assert formats._has_control_bytes(b"a" * 41 + b"\x01", step=4)
    assert formats._has_control_bytes(b"\x7f", step=4)
