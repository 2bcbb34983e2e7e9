"""Web of Science plain text and PubMed/MEDLINE: golden files of real exports (see
tests/data/formats/README.md), record-by-record tolerance, and detection by shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refmanager.core import formats
from refmanager.core.errors import ParseError
from refmanager.core.formats import listing_profile, medline, wos

from .formats_golden import check_golden, golden_inputs

REAL = Path(__file__).resolve().parent / "data" / "real" / "tagged"


@pytest.mark.parametrize("src", golden_inputs(".isi") + golden_inputs(".nbib"), ids=lambda p: p.name)
def test_golden(src: Path) -> None:
    check_golden(src)


def test_a_wos_export_is_never_a_profile_listing(lib) -> None:
    text = (REAL / "bibliometrix_wos_sample.txt").read_text(encoding="utf-8")
    assert formats.detect_format(text) is wos
    assert not listing_profile.detect(text)
    # even cut before its first ER (a tagged text must not pass for prose)
    head = "\n".join(text.split("\n")[:40])
    assert not listing_profile.detect(head)
    report = lib.import_text(text, "savedrecs.txt")
    assert [(f.format, f.added) for f in report.files] == [("Web of Science", 8)]
    assert not any("FN Clarivate" in a for p in lib.get_many(lib.all_ids()) for a in p.authors)


def test_wos_records_fields_and_a_field_given_twice() -> None:
    text = (
        "FN Clarivate Analytics Web of Science\nVR 1.0\n"
        "PT J\nAU Doe, J\n   Roe, R\nAF Doe, Jane\n   Roe, Richard\nTI A title that\n   goes on\n"
        "SO NATURE\nDE deep learning; vision\nPD JUL 15\nPY 2021\nVL 595\nIS 7868\nBP 583\nEP 589\n"
        "DI 10.1038/s41586-021-03819-2\nDI 10.9999/other\nER\n\n"
        "PT J\nAU Nobody, N\nER\n\nEF\n"
    )
    pf = formats.parse_text(text, "wos.txt")
    (e,) = pf.entries
    assert (e.title, e.authors, e.date, e.journal, e.volume, e.issue, e.pages, e.doi, e.tags) == (
        "A title that goes on", ["Jane Doe", "Richard Roe"], "2021-07-15", "NATURE", "595", "7868", "583-589",
        "10.1038/s41586-021-03819-2", ["deep learning", "vision"],
    )
    assert [str(w) for w in pf.warnings] == ["line 19: field DI given twice in one record; kept the first"]
    assert [str(s) for s in pf.skipped] == ["line 22: Web of Science record with no title, identifier or abstract: nothing to import"]


def test_medline_records_and_tolerance() -> None:
    text = (
        "PMID- 1\nTI  - First title\n      continued.\nFAU - Smith, John A\nAU  - Smith JA\nDP  - 2020 Jan 15\n"
        "VI  - 12\nIP  - 3\nPG  - 100-10\nAID - 10.1000/xyz [doi]\nAID - S0000 [pii]\nJT  - Journal of Things\n"
        "OT  - keyword one\nTI  - A second title\n\n"
        "PMID- 2\nFAU - Nobody, N\n\n"
    )
    pf = formats.parse_text(text, "pubmed.nbib")
    assert pf.format == "PubMed/MEDLINE"
    (e,) = pf.entries
    assert (e.title, e.authors, e.date, e.volume, e.issue, e.pages, e.doi, e.journal, e.tags, e.extra) == (
        "First title continued.", ["John A Smith"], "2020-01-15", "12", "3", "100-10", "10.1000/xyz",
        "Journal of Things", ["keyword one"], {"pmid": "1"},
    )
    assert [str(w) for w in pf.warnings] == ["line 14: field TI given twice in one record; kept the first"]
    assert [str(s) for s in pf.skipped] == ["line 16: PubMed record with no title, identifier or abstract: nothing to import"]
    with pytest.raises(ParseError) as err:
        formats.parse_text("PMID- 2\nFAU - Nobody, N\n", "x.nbib")
    assert str(err.value) == "x.nbib:1: PubMed record with no title, identifier or abstract: nothing to import"


def test_detection_by_the_first_record_marker() -> None:
    bib_with_ris_note = "@article{a,\n  title = {T},\n  note = {see\nTY  - JOUR\nER  - }\n}\n"
    assert formats.detect_format(bib_with_ris_note).NAME == "BibTeX"
    ris_quoting_bibtex = "TY  - JOUR\nTI  - T\nAB  - An abstract\n@article{x, title={Y}}\nER  - \n"
    assert formats.detect_format(ris_quoting_bibtex).NAME == "RIS"
    assert formats.detect_format("\nPMID- 123\nTI  - A title\n") is medline
    old_mac = "% exported\r@article{k,\r  title = {Old Mac line ends},\r}\r"
    pf = formats.parse_text(old_mac, "mac.bib")
    assert [(e.title, e.line) for e in pf.entries] == [("Old Mac line ends", 2)]


@pytest.mark.parametrize("name", [
    "formats/zotero.ris", "formats/zotero_bbt.bib", "formats/zotero_csl.json", "formats/wos_plain.isi",
    "formats/medline.nbib", "real/tagged/arxivpy_id_list_1111.2011v2.xml", "formats/jabref.bib",
])
def test_every_format_reads_old_mac_and_windows_line_ends(name: str) -> None:
    text = (Path(__file__).resolve().parent / "data" / name).read_text(encoding="utf-8")
    lf = formats.parse_text(text, "x")
    for ends in ("\r", "\r\n"):
        other = formats.parse_text(text.replace("\n", ends), "x")
        assert other.format == lf.format
        assert [e.to_json() for e in other.entries] == [e.to_json() for e in lf.entries]


def test_a_bibtex_export_reads_back_as_bibtex_whatever_its_notes_say(lib) -> None:
    from refmanager.core import export

    notes = "TY  - JOUR\nER  -\nPMID- 123\nFN Clarivate Analytics Web of Science\nPT J\n@article{x, title={y}}"
    lib.import_text('[{"title": "A paper", "authors": ["Ada Lovelace"], "note": %s},'
                    ' {"title": "Another", "authors": ["Alan Turing"]}]' % json.dumps(notes), "a.json")
    text = export.to_bibtex(lib.get_many(lib.all_ids()))
    assert formats.detect_format(text).NAME == "BibTeX"
    pf = formats.parse_text(text, "export.bib")
    assert [(e.title, e.note) for e in pf.entries] == [("A paper", notes), ("Another", None)]
