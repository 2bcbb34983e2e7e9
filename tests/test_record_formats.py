"""The whole record through RIS and CSL-JSON (issue 17): every type and field each format
carries, read and written (expected values written by hand), the fields no table knows kept
as they came and written back, real exports through a library and back, and a property
test of RIS -> RIS and CSL-JSON -> CSL-JSON with every record field.

Mapping tables: docs/formats.md, "The record in RIS and CSL-JSON"."""

from __future__ import annotations

import datetime as dt
import json
import string
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refmanager.core.export import csl_items, to_csljson, to_ris
from refmanager.core.fields import Paper
from refmanager.core.formats import common, csljson, ris
from refmanager.core.library import Library
from refmanager.core.models import Entry
from refmanager.core.record import CSL_TO_RIS, RIS_TO_CSL, TYPES

from .conftest import examples

DATA = Path(__file__).parent / "data"
RECORDS = DATA / "formats" / "records"
#: Every RIS and CSL-JSON export we have: the golden inputs, the issue 17 records, the real corpus.
RIS_FILES = sorted([*(DATA / "formats").glob("*.ris"), *RECORDS.glob("*.ris"), *(DATA / "real" / "tagged").glob("*.ris")])
CSL_FILES = sorted([*(DATA / "formats").glob("*_csl.json"), *RECORDS.glob("*.json"),
                    *(DATA / "real" / "tagged").glob("*.json")])
#: What a paper is, field by field, for a round trip.
FIELDS = ("type", "title", "authors", "et_al", "date", "journal", "volume", "issue", "pages", "publisher", "doi",
          "arxiv_id", "category", "record", "extras", "abstract", "tags", "note")


def one(parse, text: str) -> Entry:
    (e,) = parse(text).entries
    return e


def as_paper(e: Entry, **kw: Any) -> Paper:
    """The paper an import makes of ``e`` (its fields as they are)."""
    return Paper(**{**{f: getattr(e, f) for f in FIELDS}, "citekey": e.citekey, **kw})


# ====================================================================== RIS
#: TY -> type, written by hand (record.RIS_TO_CSL), and the TY each type is written as.
RIS_TYPES = [
    ("JOUR", "article-journal", "JOUR"), ("JFULL", "article-journal", "JOUR"), ("EJOUR", "article-journal", "JOUR"),
    ("MGZN", "article-magazine", "MGZN"), ("NEWS", "article-newspaper", "NEWS"),
    ("CONF", "paper-conference", "CONF"), ("CPAPER", "paper-conference", "CONF"), ("CHAP", "chapter", "CHAP"),
    ("ECHAP", "chapter", "CHAP"), ("BOOK", "book", "BOOK"), ("EBOOK", "book", "BOOK"), ("EDBOOK", "book", "BOOK"),
    ("THES", "thesis", "THES"), ("RPRT", "report", "RPRT"), ("UNPB", "article", "UNPB"),
    ("MANSCPT", "manuscript", "MANSCPT"), ("ELEC", "webpage", "ELEC"), ("BLOG", "webpage", "ELEC"),
    ("DATA", "dataset", "DATA"), ("COMP", "software", "COMP"), ("PAT", "patent", "PAT"),
    ("ENCYC", "entry-encyclopedia", "ENCYC"), ("DICT", "entry-encyclopedia", "ENCYC"), ("SLIDE", "speech", "SLIDE"),
    ("STAND", "standard", "STAND"), ("GEN", "document", "GEN"),
]


@pytest.mark.parametrize(("ty", "kind", "back"), RIS_TYPES, ids=[t[0] for t in RIS_TYPES])
def test_ris_type_read_and_written(ty: str, kind: str, back: str) -> None:
    e = one(ris.parse, f"TY  - {ty}\nTI  - T\nER  - \n")
    assert (e.type, e.extras) == (kind, {})
    assert to_ris([as_paper(e)]).splitlines()[0] == f"TY  - {back}"


def test_every_type_survives_ris() -> None:
    assert {RIS_TO_CSL[CSL_TO_RIS[t]] for t in TYPES} == set(TYPES)
    for t in TYPES:
        assert one(ris.parse, to_ris([Paper(title="T", type=t)])).type == t


def test_an_unknown_ty_is_a_document_and_comes_back_as_it_came() -> None:
    e = one(ris.parse, "TY  - ICOMM\nTI  - T\nER  - \n")
    assert (e.type, e.extras) == ("document", {"ris": {"TY": ["ICOMM"]}})
    assert to_ris([as_paper(e)]) == "TY  - ICOMM\nTI  - T\nER  - \n"
    # EndNote's words; and a paper whose type was changed no longer says it
    e = one(ris.parse, "TY  - Journal Article\nTI  - T\nER  - \n")
    assert (e.type, e.extras) == ("document", {"ris": {"TY": ["Journal Article"]}})
    assert to_ris([as_paper(e)]).startswith("TY  - Journal Article\n")
    assert to_ris([as_paper(e, type="book")]) == "TY  - BOOK\nTI  - T\nER  - \n"
    assert one(ris.parse, "TY  - \nTI  - T\nER  - \n").type is None  # (none said: the library guesses)


CHAPTER_RIS = """TY  - CHAP
TI  - On Reading Records
AU  - Doe, Jane
AU  - Roe, Richard, Jr.
ED  - Smith, Anna
A2  - Miller, Bob
A4  - Lopez, Carla
PY  - 2019
DA  - 2019/06/02/
T2  - The Book of Records
T3  - Lecture Notes in Records
VL  - 12
SP  - 101
EP  - 120
ET  - 2nd
PB  - Record Press
CY  - Cambridge, MA
SN  - 978-3-16-148410-0
DO  - 10.1000/chap.1
UR  - https://example.org/chap1
Y2  - 2024/01/05/10:11:12
LA  - en
J2  - Bk. Rec.
AB  - An abstract.
KW  - records
N1  - A note.
C1  - custom one
M1  - misc one
ID  - doe2019
L1  - file:///tmp/x.pdf
ST  - Reading
A3  - Series, Ed
C1  - custom two
      on two lines
ER  - 
"""
CHAPTER_RECORD = {
    "editors": ["Anna Smith", "Bob Miller"], "translators": ["Carla Lopez"],
    "collection_title": "Lecture Notes in Records", "edition": "2nd", "place": "Cambridge, MA",
    "isbn": "978-3-16-148410-0", "url": "https://example.org/chap1", "accessed": "2024-01-05", "language": "en",
    "short_journal": "Bk. Rec.",
}
CHAPTER_KEPT = {"C1": ["custom one", "custom two\non two lines"], "M1": ["misc one"], "ID": ["doe2019"],
                "L1": ["file:///tmp/x.pdf"], "ST": ["Reading"], "A3": ["Series, Ed"]}


def test_ris_chapter_with_every_field() -> None:
    e = one(ris.parse, CHAPTER_RIS)
    assert (e.type, e.title, e.authors, e.date) == (
        "chapter", "On Reading Records", ["Jane Doe", "Richard Roe Jr."], "2019-06-02")
    assert (e.journal, e.volume, e.issue, e.pages, e.publisher, e.doi) == (
        "The Book of Records", "12", None, "101-120", "Record Press", "10.1000/chap.1")
    assert (e.abstract, e.tags, e.note) == ("An abstract.", ["records"], "A note.")
    assert e.record == CHAPTER_RECORD
    assert e.extras == {"ris": CHAPTER_KEPT}


def test_ris_chapter_written_with_every_field() -> None:
    assert to_ris([as_paper(one(ris.parse, CHAPTER_RIS))]) == """TY  - CHAP
TI  - On Reading Records
AU  - Doe, Jane
AU  - Roe, Richard, Jr.
ED  - Smith, Anna
ED  - Miller, Bob
A4  - Lopez, Carla
PY  - 2019
DA  - 2019/06/02/
T2  - The Book of Records
J2  - Bk. Rec.
T3  - Lecture Notes in Records
VL  - 12
SP  - 101
EP  - 120
ET  - 2nd
PB  - Record Press
CY  - Cambridge, MA
SN  - 978-3-16-148410-0
AB  - An abstract.
DO  - 10.1000/chap.1
UR  - https://example.org/chap1
Y2  - 2024/01/05/
LA  - en
KW  - records
N1  - A note.
C1  - custom one
C1  - custom two
      on two lines
M1  - misc one
ID  - doe2019
L1  - file:///tmp/x.pdf
ST  - Reading
A3  - Series, Ed
ER  - 
"""


def test_ris_chapter_read_back_is_the_same() -> None:
    first = one(ris.parse, CHAPTER_RIS)
    again = one(ris.parse, to_ris([as_paper(first)]))
    assert {f: getattr(again, f) for f in FIELDS} == {f: getattr(first, f) for f in FIELDS}


def test_ris_report_thesis_and_book_fields() -> None:
    report = one(ris.parse, "TY  - RPRT\nTI  - A Report\nT2  - Technical Reports of X\nPB  - Institute of Y\n"
                            "CY  - Paris\nSN  - TR-2020-07\nM3  - Technical report\nER  - \n")
    assert (report.type, report.publisher) == ("report", "Institute of Y")
    assert report.record == {"collection_title": "Technical Reports of X", "place": "Paris",
                             "genre": "Technical report", "number": "TR-2020-07"}
    assert to_ris([as_paper(report)]).splitlines() == [
        "TY  - RPRT", "TI  - A Report", "T3  - Technical Reports of X", "PB  - Institute of Y", "CY  - Paris",
        "SN  - TR-2020-07", "M3  - Technical report", "ER  - "]
    # a thesis's T2 is no container: kept as it came; its SN an ISBN; a thesis's university is its publisher
    thesis = one(ris.parse, "TY  - THES\nTI  - A Thesis\nT2  - a subtitle\nSN  - 0-262-03384-4\nER  - \n")
    assert (thesis.journal, thesis.record, thesis.extras) == (
        None, {"isbn": "0-262-03384-4"}, {"ris": {"T2": ["a subtitle"]}})
    school = Paper(title="A Thesis", type="thesis", record={"institution": "Uni X"})
    assert "PB  - Uni X\n" in to_ris([school])
    # an SN is an ISSN or an ISBN by its shape, else by the type
    book = one(ris.parse, "TY  - BOOK\nTI  - B\nSN  - 1234-5679\nSN  - 9780262033848\nSN  - an ISBN?\nER  - \n")
    assert (book.record, book.extras) == ({"isbn": "9780262033848", "issn": "1234-5679"}, {"ris": {"SN": ["an ISBN?"]}})


def test_ris_journal_venues_abbreviations_and_repeats() -> None:
    e = one(ris.parse, "TY  - JOUR\nTI  - T\nJF  - Journal of Tests\nJO  - J. Tests\nSN  - 1234-5679\n"
                       "SN  - 8765-4321\nM3  - doi: 10.1000/j.1\nUR  - https://doi.org/10.1000/j.1\nER  - \n")
    assert (e.journal, e.doi) == ("Journal of Tests", "10.1000/j.1")
    assert e.record == {"short_journal": "J. Tests", "issn": "1234-5679", "url": "https://doi.org/10.1000/j.1"}
    assert e.extras == {"ris": {"SN": ["8765-4321"]}}
    assert to_ris([as_paper(e)]).splitlines() == [
        "TY  - JOUR", "TI  - T", "T2  - Journal of Tests", "J2  - J. Tests", "SN  - 1234-5679", "DO  - 10.1000/j.1",
        "UR  - https://doi.org/10.1000/j.1", "SN  - 8765-4321", "ER  - "]
    # a second value of a tag read once is kept as it came, after the one read; a JF kept is
    # written after the journal, which is then written as JF (read first)
    e = one(ris.parse, "TY  - CONF\nTI  - T\nTI  - U\nJF  - Proc. A\nJF  - Proc. B\nER  - \n")
    assert (e.title, e.journal, e.extras) == ("T", "Proc. A", {"ris": {"TI": ["U"], "JF": ["Proc. B"]}})
    out = to_ris([as_paper(e)])
    assert out.splitlines() == ["TY  - CONF", "TI  - T", "JF  - Proc. A", "TI  - U", "JF  - Proc. B", "ER  - "]
    assert (one(ris.parse, out).journal, one(ris.parse, out).extras) == ("Proc. A", e.extras)
    # a preprint server named as the journal: no journal, the tag kept as it came
    e = one(ris.parse, "TY  - JOUR\nTI  - T\nT2  - arXiv e-prints\nER  - \n")
    assert (e.journal, e.extras) == (None, {"ris": {"T2": ["arXiv e-prints"]}})


def test_ris_arxiv_links_are_the_id_not_the_url() -> None:
    e = one(ris.parse, "TY  - UNPB\nTI  - T\nUR  - http://arxiv.org/abs/2401.00001v2\nAN  - arXiv:2401.00001\n"
                       "DB  - arXiv\nCN  - cs.LG\nER  - \n")
    assert (e.type, e.arxiv_id, e.category, e.record, e.extras) == ("article", "2401.00001", "cs.LG", {}, {})
    assert to_ris([as_paper(e)]).splitlines() == [
        "TY  - UNPB", "TI  - T", "UR  - https://arxiv.org/abs/2401.00001", "AN  - arXiv:2401.00001", "DB  - arXiv",
        "CN  - cs.LG", "ER  - "]
    # another URL is the paper's URL, written instead of the arXiv page (AN still says the id)
    e = one(ris.parse, "TY  - UNPB\nTI  - T\nUR  - https://example.org/t\nAN  - arXiv:2401.00001\nER  - \n")
    assert (e.arxiv_id, e.record) == ("2401.00001", {"url": "https://example.org/t"})
    assert one(ris.parse, to_ris([as_paper(e)])).record == {"url": "https://example.org/t"}
    # an accession number that is no arXiv id, and a database that is not arXiv, are kept
    e = one(ris.parse, "TY  - JOUR\nTI  - T\nAN  - WOS:0001\nDB  - PMC\nCN  - QA76\nER  - \n")
    assert e.extras == {"ris": {"AN": ["WOS:0001"], "DB": ["PMC"], "CN": ["QA76"]}}


def test_ris_kept_tags_cannot_break_the_export() -> None:
    """A field kept as it came is data: written only under a tag name, as continuation lines."""
    p = Paper(title="T", type="document", extras={"ris": {
        "C1": ["a\nER  -\nTY  - JOUR"], "ER": ["x"], "T Y": ["y"], "TY": ["X\nER  - "], "c1": ["z"], "C2": "one",
        "C3": [1, None, "ok"]}, "csl": {"note": "not RIS"}})
    out = to_ris([p])
    assert out.splitlines() == ["TY  - GEN", "TI  - T", "C1  - a", "      ER  -", "      TY  - JOUR", "C2  - one",
                                "C3  - ok", "ER  - "]
    e = one(ris.parse, out)
    assert e.extras == {"ris": {"C1": ["a\nER  -\nTY  - JOUR"], "C2": ["one"], "C3": ["ok"]}}


# ================================================================= CSL-JSON
CHAPTER_CSL: dict[str, Any] = {
    "id": "doe2019", "type": "chapter", "title": "On Reading Records",
    "author": [{"family": "Doe", "given": "Jane"}],
    "editor": [{"family": "Smith", "given": "Anna"}, {"literal": "Records Society"}],
    "translator": [{"family": "Lopez", "given": "Carla"}],
    "issued": {"date-parts": [[2019, 6, 2]]}, "accessed": {"date-parts": [["2024", "1", "5"]]},
    "container-title": "The Book of Records", "container-title-short": "Bk. Rec.",
    "collection-title": "Lecture Notes in Records", "collection-number": 4, "edition": 2,
    "publisher": "Record Press", "publisher-place": "Cambridge, MA", "chapter-number": "7", "volume": "12",
    "page": "101-120", "ISBN": "978-3-16-148410-0", "ISSN": ["1234-5679", "8765-4321"],
    "URL": "https://example.org/chap1", "DOI": "10.1000/chap.1", "language": "en", "PMID": "123", "PMCID": "PMC456",
    "genre": "Invited chapter", "abstract": "An abstract.", "keyword": "records, reading", "note": "A note.",
    "event-place": "Boston", "title-short": "Reading", "custom": {"a": [1, 2.5, None, True]},
}
CHAPTER_CSL_RECORD = {
    "editors": ["Anna Smith", "Records Society"], "translators": ["Carla Lopez"],
    "collection_title": "Lecture Notes in Records", "edition": "2", "place": "Cambridge, MA",
    "genre": "Invited chapter", "chapter": "7", "isbn": "978-3-16-148410-0", "issn": "1234-5679",
    "url": "https://example.org/chap1", "accessed": "2024-01-05", "language": "en", "short_journal": "Bk. Rec.",
    "pmid": "123", "pmcid": "PMC456",
}


def test_csl_chapter_with_every_variable() -> None:
    e = one(csljson.parse, json.dumps([CHAPTER_CSL]))
    assert (e.citekey, e.type, e.title, e.authors, e.date) == (
        "doe2019", "chapter", "On Reading Records", ["Jane Doe"], "2019-06-02")
    assert (e.journal, e.volume, e.issue, e.pages, e.publisher, e.doi) == (
        "The Book of Records", "12", None, "101-120", "Record Press", "10.1000/chap.1")
    assert (e.abstract, e.tags, e.note) == ("An abstract.", ["records", "reading"], "A note.")
    assert e.record == CHAPTER_CSL_RECORD
    # a list read as its first value is kept whole too
    assert e.extras == {"csl": {"collection-number": 4, "ISSN": ["1234-5679", "8765-4321"], "event-place": "Boston",
                                "title-short": "Reading", "custom": {"a": [1, 2.5, None, True]}}}


def test_csl_chapter_written_with_every_variable() -> None:
    (item,) = csl_items([as_paper(one(csljson.parse, json.dumps([CHAPTER_CSL])))])
    assert item == {
        "id": "doe2019", "type": "chapter", "title": "On Reading Records",
        "author": [{"family": "Doe", "given": "Jane"}],
        "editor": [{"family": "Smith", "given": "Anna"}, {"family": "Society", "given": "Records"}],
        "translator": [{"family": "Lopez", "given": "Carla"}],
        "issued": {"date-parts": [[2019, 6, 2]]}, "accessed": {"date-parts": [[2024, 1, 5]]},
        "container-title": "The Book of Records", "container-title-short": "Bk. Rec.",
        "collection-title": "Lecture Notes in Records", "collection-number": 4, "edition": "2",
        "publisher": "Record Press", "publisher-place": "Cambridge, MA", "chapter-number": "7", "volume": "12",
        "page": "101-120", "ISBN": "978-3-16-148410-0", "ISSN": ["1234-5679", "8765-4321"],
        "URL": "https://example.org/chap1", "DOI": "10.1000/chap.1", "language": "en", "PMID": "123",
        "PMCID": "PMC456", "genre": "Invited chapter", "abstract": "An abstract.", "keyword": "records, reading",
        "note": "A note.", "event-place": "Boston", "title-short": "Reading", "custom": {"a": [1, 2.5, None, True]},
    }
    # the ISSN edited: the kept list no longer starts with it and is not written
    p = as_paper(one(csljson.parse, json.dumps([CHAPTER_CSL])))
    p.record = {**p.record, "issn": "1111-1111"}
    assert csl_items([p])[0]["ISSN"] == "1111-1111"


def test_csl_types_numbers_and_what_is_derived() -> None:
    items = [
        {"type": "post-weblog", "title": "A", "container-title": "A Blog"},
        {"type": "report", "title": "B", "number": "TR-7", "publisher": "Inst"},
        {"type": "article-journal", "title": "C", "number": "5", "journalAbbreviation": "J. C"},
        {"type": "article", "title": "D", "number": "arXiv:2401.00001", "URL": "http://arxiv.org/abs/2401.00001",
         "publisher": "arXiv", "archive": "arXiv", "archive_location": "cs.LG"},
        {"title": "E", "issued": {"literal": "n.d."}, "citation-key": "e2020", "id": 37,
         "editor": "not a list"},
    ]
    a, b, c, d, e = csljson.parse(json.dumps(items)).entries
    assert (a.type, a.journal, a.extras) == ("document", "A Blog", {"csl": {"type": "post-weblog"}})
    assert csl_items([as_paper(a)])[0]["type"] == "post-weblog"
    assert csl_items([as_paper(a, type="webpage")])[0]["type"] == "webpage"
    assert (b.type, b.publisher, b.record, b.extras) == ("report", "Inst", {"number": "TR-7"}, {})
    assert (c.record, c.extras) == ({"short_journal": "J. C"}, {"csl": {"number": "5"}})
    assert (d.arxiv_id, d.category, d.publisher, d.record, d.extras) == ("2401.00001", "cs.LG", None, {}, {})
    assert (e.type, e.date, e.citekey) == (None, None, "e2020")
    assert e.extras == {"csl": {"issued": {"literal": "n.d."}, "editor": "not a list"}}
    back = csl_items([as_paper(x) for x in (b, c, d, e)])
    assert [x.get("number") for x in back] == ["TR-7", "5", "arXiv:2401.00001", None]
    assert (back[2]["publisher"], back[2]["URL"]) == ("arXiv", "https://arxiv.org/abs/2401.00001")
    assert (back[3]["id"], back[3]["issued"], back[3]["editor"]) == ("e2020", {"literal": "n.d."}, "not a list")


def test_csl_writes_a_thesis_institution_as_publisher_and_keeps_the_arxiv_id() -> None:
    (item,) = csl_items([Paper(title="T", type="thesis", record={"institution": "Uni X"}, citekey="k")])
    assert (item["type"], item["publisher"]) == ("thesis", "Uni X")
    # a report whose own number and URL leave no room for the arXiv id: a note line says it
    p = Paper(title="T", type="report", arxiv_id="2401.00001", note="Mine.",
              record={"number": "TR-1", "url": "https://example.org/r"}, citekey="k")
    (item,) = csl_items([p])
    assert (item["number"], item["URL"], item["note"]) == ("TR-1", "https://example.org/r", "Mine.\n\narXiv:2401.00001")
    e = one(csljson.parse, json.dumps([item]))
    assert (e.arxiv_id, e.note, e.record) == ("2401.00001", "Mine.", p.record)


def test_csl_kept_variables_never_override_the_record() -> None:
    p = Paper(title="T", type="article-journal", journal="J", citekey="k",
              extras={"csl": {"id": "other", "type": "book", "title": "Not this", "container-title": ["J", "K"],
                              "x-kept": [1, {"y": None}]}})
    (item,) = csl_items([p])
    assert item == {"id": "k", "type": "article-journal", "title": "T", "container-title": ["J", "K"],
                    "x-kept": [1, {"y": None}]}


# ======================================================= real files, round trip
def _papers(lib: Library, *, key: bool) -> list[dict[str, Any]]:
    out = []
    for p in lib.get_many(lib.all_ids()):
        d = {f: getattr(p, f) for f in FIELDS}
        if key:
            d["citekey"] = p.citekey
        out.append(d)
    return sorted(out, key=lambda d: json.dumps(d, sort_keys=True, ensure_ascii=False))


def _round_trip(src: Path, write, name: str, tmp_path: Path, *, key: bool) -> None:
    with Library(tmp_path / "a.db") as a:
        report = a.import_paths([src])
        assert report.rejected == []
        first = _papers(a, key=key)
        text = write(a.get_many(a.all_ids()))
    with Library(tmp_path / "b.db") as b:
        report = b.import_text(text, name)
        assert (report.added, report.rejected) == (len(first), [])
        again = _papers(b, key=key)
        assert write(b.get_many(b.all_ids())) == text  # (and the second export is the first)
    assert len(again) == len(first) > 0
    for x, y in zip(first, again):
        assert x == y, [(k, x[k], y[k]) for k in x if x[k] != y[k]]


@pytest.mark.parametrize("src", RIS_FILES, ids=[p.name for p in RIS_FILES])
def test_real_ris_to_library_to_ris_keeps_every_field(src: Path, tmp_path: Path) -> None:
    _round_trip(src, to_ris, "back.ris", tmp_path, key=False)


@pytest.mark.parametrize("src", CSL_FILES, ids=[p.name for p in CSL_FILES])
def test_real_csl_to_library_to_csl_keeps_every_field(src: Path, tmp_path: Path) -> None:
    if src.name == "zotero_citeproc_all_types.json":  # (an object of items by Zotero type: made a list)
        listed = tmp_path / "all_types.json"
        listed.write_text(json.dumps(list(json.loads(src.read_text(encoding="utf-8")).values())), encoding="utf-8")
        src = listed
    _round_trip(src, to_csljson, "back.json", tmp_path, key=True)


def test_the_real_files_are_there() -> None:
    names = {p.name for p in RIS_FILES + CSL_FILES}
    assert {"pure_thesis.ris", "jabref_ris_book_editors.ris", "zotero_citeproc_all_types.json",
            "bolognese_citeproc_blogpost.json", "zotero.ris", "zotero_csl.json"} <= names


def test_zotero_all_types_keep_their_own_type() -> None:
    items = json.loads((RECORDS / "zotero_citeproc_all_types.json").read_text(encoding="utf-8"))
    entries = csljson.parse(json.dumps(list(items.values()))).entries
    got = {z: (e.type, (e.extras.get("csl") or {}).get("type")) for z, e in zip(items, entries)}
    assert got["journalArticle"] == ("article-journal", None)
    assert got["bookSection"] == ("chapter", None)
    assert got["blogPost"] == ("document", "post-weblog")
    assert got["case"] == ("document", "legal_case")
    assert got["document"] == ("article", None)  # (Zotero writes its "document" as CSL "article")
    thesis = entries[list(items).index("thesis")]
    assert (thesis.publisher, thesis.record["genre"], thesis.record["place"]) == ("Publisher", "Type", "Place")
    assert thesis.extras["csl"]["event-place"] == "Place"


# =========================================================== property test
#: (no control characters, which an import removes from a file, and no line separators)
_chars = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"))
#: One line of text as the library stores it (whitespace collapsed), naming no arXiv id,
#: DOI or preprint server (those the readers read as such).
line = st.text(_chars, min_size=1, max_size=12).map(common.clean_inline).filter(
    lambda t: t is not None and "rxiv" not in t.lower() and "10." not in t and "doi.org" not in t.lower()
    and not common.is_preprint_venue(t))
word = st.builds(lambda a, b: a + b, st.characters(categories=("Lu",)),
                 st.text(st.characters(categories=("Ll",)), min_size=1, max_size=6))
name = st.builds("{} {}".format, word, word)
names = st.lists(name, min_size=1, max_size=3, unique=True)
iso = st.dates(dt.date(1000, 1, 1), dt.date(2999, 12, 31)).flatmap(
    lambda d: st.sampled_from([f"{d:%Y}", f"{d:%Y-%m}", f"{d:%Y-%m-%d}"]))
isbn = st.text("0123456789", min_size=10, max_size=10).map(lambda d: f"978-{d}")
issn = st.builds("{}-{}".format, st.text("0123456789", min_size=4, max_size=4),
                 st.text("0123456789X", min_size=4, max_size=4).filter(lambda t: t[:3].isdigit()))
simple = st.text(string.ascii_letters + string.digits, min_size=1, max_size=6)
#: A kept RIS value: lines trimmed as RIS reads them (a value's ends are no data in RIS).
ris_value = st.lists(line, min_size=1, max_size=3).map("\n".join)
#: Tags no RIS reader reads, kept as they came.
ris_kept = st.dictionaries(st.sampled_from(["C1", "C2", "C8", "M1", "M2", "ID", "ST", "DP", "L2", "A3", "U1", "AD"]),
                           st.lists(ris_value, min_size=1, max_size=2), max_size=3)
json_value = st.recursive(st.none() | st.booleans() | st.integers() | st.text(_chars, max_size=8),
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(_chars, max_size=4),
                                                                                      inner, max_size=3), max_leaves=6)
#: Variables no CSL reader reads, kept as they came.
csl_kept = st.dictionaries(
    st.sampled_from(["title-short", "source", "event", "event-place", "call-number", "medium", "section",
                     "dimensions", "number-of-pages", "collection-number", "original-title", "x-custom"]),
    json_value.filter(lambda v: v not in (None, "", [], {})), max_size=3)


@st.composite
def papers(draw: st.DrawFn, fmt: str) -> Paper:
    kind = draw(st.sampled_from(sorted(TYPES)))
    journal = draw(st.none() | line)
    record: dict[str, Any] = {
        "editors": draw(st.none() | names), "translators": draw(st.none() | names),
        "collection_title": draw(st.none() | line), "edition": draw(st.none() | line),
        "place": draw(st.none() | line), "genre": draw(st.none() | line), "isbn": draw(st.none() | isbn),
        "issn": draw(st.none() | issn), "url": draw(st.none() | line), "accessed": draw(st.none() | iso),
        "language": draw(st.none() | line),
        # (a RIS journal abbreviation without a journal is read as the journal: docs/formats.md)
        "short_journal": draw(st.none() | line) if journal or fmt == "csl" else None,
    }
    if kind in ("report", "patent", "standard"):
        record["number"] = draw(st.none() | line.filter(lambda t: ris._sn_field(t, kind) == "number"))
    if fmt == "csl":
        record.update(chapter=draw(st.none() | line), pmid=draw(st.none() | simple), pmcid=draw(st.none() | simple))
    extras = draw(ris_kept) if fmt == "ris" else draw(csl_kept)
    if kind == "document" and draw(st.booleans()):  # a type no table knows
        extras["TY" if fmt == "ris" else "type"] = ["ICOMM"] if fmt == "ris" else "post-weblog"
    return Paper(
        id=1, type=kind, title=draw(line), authors=draw(st.lists(name, max_size=3, unique=True)),
        date=draw(st.none() | iso), journal=journal, volume=draw(st.none() | simple),
        issue=draw(st.none() | simple), pages=draw(st.none() | simple), publisher=draw(st.none() | line),
        doi=draw(st.none() | st.builds("10.{}/{}".format, st.integers(1000, 99999), simple)),
        arxiv_id=draw(st.none() | st.builds("{:04d}.{:05d}".format, st.integers(1501, 2412).filter(
            lambda n: 1 <= n % 100 <= 12), st.integers(0, 99999))),
        abstract=draw(st.none() | line), tags=draw(st.lists(simple, max_size=3, unique_by=str.casefold)),
        note=draw(st.none() | line), citekey=draw(simple),
        record={k: v for k, v in record.items() if v}, extras={fmt: extras} if extras else {},
    )


def _same(e: Entry, p: Paper) -> None:
    got = {f: getattr(e, f) for f in FIELDS}
    want = {f: getattr(p, f) for f in FIELDS}
    assert got == want, [(k, want[k], got[k]) for k in want if got[k] != want[k]]


@settings(max_examples=examples(100), suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(papers("ris"))
def test_any_record_through_ris_and_back(p: Paper) -> None:
    text = to_ris([p])
    e = one(ris.parse, text)
    _same(e, p)
    assert to_ris([as_paper(e)]) == text


@settings(max_examples=examples(100), suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(papers("csl"))
def test_any_record_through_csl_json_and_back(p: Paper) -> None:
    text = to_csljson([p])
    e = one(csljson.parse, text)
    _same(e, p)
    assert e.citekey == p.citekey
    assert to_csljson([as_paper(e)]) == text


def test_a_library_round_trip_of_generated_records(tmp_path: Path) -> None:
    """The same through a library: import keeps every field (the store's ``record`` and
    ``extras``), export writes them."""
    @settings(max_examples=examples(10), deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                     HealthCheck.function_scoped_fixture])
    @given(papers("ris"), papers("csl"))
    def check(r: Paper, c: Paper) -> None:
        with tempfile.TemporaryDirectory(dir=tmp_path) as d:
            for p, write, name in ((r, to_ris, "x.ris"), (c, to_csljson, "x.json")):
                with Library(Path(d) / f"{name}.db") as lib:
                    assert lib.import_text(write([p]), name).added == 1
                    (back,) = lib.get_many(lib.all_ids())
                def fields(x: Paper) -> dict[str, Any]:
                    return {f: sorted(x.tags) if f == "tags" else getattr(x, f) for f in FIELDS}
                assert fields(back) == fields(p)
    check()
