"""Real exports from other programs (tests/data/real/*/ORIGIN.md says where each came
from): every record is accounted for — imported (added, merged by an id, merged by a
title nothing contradicts) or skipped with a reason — and no paper ends up holding two
records with different DOIs or arXiv ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from refmanager.core import formats
from refmanager.core.identity import doi_key
from refmanager.core.library import Library

REAL = Path(__file__).resolve().parent / "data" / "real"

#: file -> (format, records in the file, records skipped).  The records were counted by
#: hand in each file (entries, not @string/@comment/@preamble; PT/PMID-/TY records; CSL
#: items; Atom entries); the skipped ones are named in the tests below.
CORPUS: dict[str, tuple[str, int, int]] = {
    "bibtex/jabref-authors.bib": ("BibTeX", 209, 0),
    "bibtex/jabref-complex.bib": ("BibTeX", 19, 0),
    "bibtex/jabref-Chocolate.bib": ("BibTeX", 15, 0),
    "bibtex/bbt-particle-handling-313.biblatex": ("BibTeX", 53, 0),
    "bibtex/bbt-stable-keys.biblatex": ("BibTeX", 6, 0),
    "bibtex/bbt-useprefix-3281-1.biblatex": ("BibTeX", 1, 0),
    "bibtex/bbt-collections-jabref-groups-901.bibtex": ("BibTeX", 36, 0),
    "bibtex/bibtexparser-traps.bib": ("BibTeX", 1, 0),
    "bibtex/bibtexparser-features2.bib": ("BibTeX", 1, 0),
    "bibtex/bibtexparser-article_with_strings.bib": ("BibTeX", 1, 0),
    "bibtex/bibtexparser-biber_comments.bib": ("BibTeX", 1, 0),
    "bibtex/biblatex-examples.bib": ("BibTeX", 92, 2),  # two @set entries
    "bibtex/jabref210-mendeley-groups-ex.bib": ("BibTeX", 4, 3),  # three entries with only an author "A"
    "bibtex/mendeley-export-kitware.bib": ("BibTeX", 109, 0),
    "bibtex/googlescholar-scholar.bib": ("BibTeX", 13, 0),
    "tagged/bibliometrix_wos_sample.txt": ("Web of Science", 8, 0),
    "tagged/bibliometrix_wos_newformat_sample.txt": ("Web of Science", 3, 0),
    "tagged/rispy_example_wos.txt": ("Web of Science", 2, 0),
    "tagged/metaknowledge_TwoPaper.isi": ("Web of Science", 2, 0),
    "tagged/metaknowledge_OnePaper.isi": ("Web of Science", 1, 0),
    "tagged/metaknowledge_small.isi": ("Web of Science", 1, 0),
    "tagged/metaknowledge_badFile.isi": ("Web of Science", 32, 0),
    "tagged/wostools_single-article.txt": ("Web of Science", 1, 0),
    "tagged/biopython_pubmed_result1.txt": ("PubMed/MEDLINE", 1, 0),
    "tagged/biopython_pubmed_result2.txt": ("PubMed/MEDLINE", 4, 0),
    "tagged/biopython_pubmed_result3.txt": ("PubMed/MEDLINE", 1, 0),
    "tagged/biopython_pubmed_result4.txt": ("PubMed/MEDLINE", 1, 0),
    "tagged/rispy_example_pubmed.txt": ("PubMed/MEDLINE", 10, 0),
    "tagged/rispy_example_endnote.ris": ("RIS", 1, 0),
    "tagged/rispy_example_full.ris": ("RIS", 2, 0),
    "tagged/rispy_example_utf_chars.ris": ("RIS", 1, 0),
    "tagged/jabref_RisImporterTestScopus.ris": ("RIS", 1, 0),
    "tagged/jabref_RisImporterTestScience.ris": ("RIS", 1, 0),
    "tagged/jabref_RisImporterTest6.ris": ("RIS", 1, 0),
    "tagged/jabref_RisImporterTest1.ris": ("RIS", 11, 9),  # a stress test: nine TY lines with nothing after them
    "tagged/asreview_pubmed_zotero.ris": ("RIS", 6, 0),
    "tagged/asreview_embase.ris": ("RIS", 6, 0),
    "tagged/asreview_ovid_zotero.ris": ("RIS", 6, 0),
    "tagged/zotxt_biblio.json": ("CSL-JSON", 5, 0),
    "tagged/manubot_pandoc_bibliography.json": ("CSL-JSON", 2, 0),
    "tagged/manubot_null-date-parts_raw.json": ("CSL-JSON", 1, 0),
    "tagged/arxivpy_au_del_maestro_AND_ti_checkerboard.xml": ("arXiv API (Atom)", 1, 0),
    "tagged/arxivpy_id_list_1111.2011v2.xml": ("arXiv API (Atom)", 1, 0),
    "tagged/arxivpy_au_del_maestro_ANDNOT_checkerboard_OR_Pyrochlore.xml": ("arXiv API (Atom)", 10, 0),
}


def test_every_file_of_the_corpus_is_listed():
    files = {str(p.relative_to(REAL)) for p in REAL.glob("*/*") if p.name != "ORIGIN.md"}
    assert files == set(CORPUS)


def _ids_of(entry: dict) -> tuple[str | None, str | None]:
    return entry.get("arxiv_id"), doi_key(entry.get("doi"))


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_record_is_accounted_for(name: str, tmp_path: Path):
    fmt, records, skipped = CORPUS[name]
    path = REAL / name
    parsed, _ = formats.parse_path(path)
    assert parsed.format == fmt
    assert (len(parsed.entries), len(parsed.skipped)) == (records - skipped, skipped)
    assert all(p.line and p.message for p in parsed.skipped)
    with Library(tmp_path / "l.db") as lib:
        report = lib.import_paths([path])
        (f,) = report.files
        assert report.rejected == []
        assert f.added + f.merged + f.unchanged == f.entries == records - skipped
        assert len(f.skipped) == skipped
        # no paper holds two records with different DOIs or different arXiv ids
        for pid in lib.all_ids():
            entries = [s["data"] for s in lib.sources.of(pid)]
            arxiv = {a for a, _ in map(_ids_of, entries) if a}
            dois = {d for _, d in map(_ids_of, entries) if d}
            assert len(arxiv) <= 1 and len(dois) <= 1, (name, pid, arxiv, dois)
        # and the same file again changes nothing
        again = lib.import_paths([path])
        assert (again.added, again.merged, again.unchanged) == (0, 0, records - skipped)


def test_jabref_authors_keeps_every_different_doi_apart(tmp_path: Path):
    path = REAL / "bibtex/jabref-authors.bib"
    parsed, _ = formats.parse_path(path)
    dois = {doi_key(e.doi) for e in parsed.entries if doi_key(e.doi)}
    with Library(tmp_path / "l.db") as lib:
        lib.import_paths([path])
        papers = lib.get_many(lib.all_ids())
        assert len(papers) == 209
        assert {doi_key(p.doi) for p in papers if p.doi} == dois
        assert sum(1 for p in papers if p.doi) == len(dois)
        # the two title twins with different DOIs are offered as possible duplicates
        pairs = [r for _, _, r in lib.find_duplicates(limit=None) if "different DOIs" in r]
        assert len(pairs) == 2


def test_kullback_reprint_and_knuth_related_entries_stay_apart(tmp_path: Path):
    """biblatex-examples.bib: a 1997 reprint of a 1959 book, and 'related' entries with the
    same title under another key, are their own records."""
    with Library(tmp_path / "l.db") as lib:
        report = lib.import_paths([REAL / "bibtex/biblatex-examples.bib"])
        notes = report.files[0].notes
        assert any("(years 1959 and 1997)" in n or "(years 1997 and 1959)" in n for n in notes)
        assert any("another entry of the same file (citation keys knuth:ct, knuth:ct:related)" in n for n in notes)
