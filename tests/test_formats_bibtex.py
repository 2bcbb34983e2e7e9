"""BibTeX import: real-world files (golden), macros, crossref, LaTeX, malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from refmanager.cli import main
from refmanager.core import formats
from refmanager.core.errors import ParseError
from refmanager.core.formats import bibtex

from .formats_golden import FORMATS_DIR, check_golden, golden_inputs

MALFORMED = FORMATS_DIR / "malformed_unclosed.bib"


@pytest.mark.parametrize("src", golden_inputs(".bib"), ids=lambda p: p.name)
def test_golden(src: Path) -> None:
    check_golden(src)


def test_golden_files_are_all_there() -> None:
    names = {p.name for p in golden_inputs(".bib")}
    assert names == {"arxiv.bib", "google_scholar.bib", "jabref.bib", "latex_accents.bib", "latin1.bib",
                     "zotero_bbt.bib"}


def test_detect() -> None:
    assert bibtex.detect("% comment\n\n@Article{x,\n title={T}}\n")
    assert bibtex.detect("  @string (foo = {bar})\n")
    assert not bibtex.detect("CLJul 31, 2024\nA TitleJane Doe\nAbstract.\n")
    assert not bibtex.detect("mail me at jane@example.org {or not}\n")
    assert formats.detect_format("@misc{k, title={T}}") is bibtex


def test_unclosed_brace_skips_that_entry_and_imports_the_rest(lib) -> None:
    pf, _warnings = formats.parse_path(MALFORMED)
    assert [e.title for e in pf.entries] == ["A Good Entry", "An Entry After the Broken One"]
    assert [str(p) for p in pf.skipped] == [
        "line 8: entry @article{bad2021: an opening brace or quote is never closed before the next entry (line 14)"
    ]
    report = lib.import_paths([MALFORMED])
    assert report.rejected == [] and report.added == 2
    assert report.files[0].skipped == [{"line": 8, "reason": "entry @article{bad2021: an opening brace or quote "
                                                              "is never closed before the next entry (line 14)"}]
    assert sorted(p.title for p in lib.get_many(lib.all_ids())) == ["A Good Entry", "An Entry After the Broken One"]


def test_a_file_with_no_usable_entry_is_rejected_whole(lib) -> None:
    text = "@article{b,\n  title = {Never closed,\n  year = 2021\n"
    with pytest.raises(ParseError) as e:
        formats.parse_text(text, "refs.bib")
    assert str(e.value) == "refs.bib:1: entry @article{b: an opening brace or quote is never closed (end of file reached)"


def test_unclosed_at_end_of_file() -> None:
    text = "@misc{a, title={A}}\n\n@article{b,\n  title = {Never closed,\n  year = 2021\n"
    pf = formats.parse_text(text, "refs.bib")
    assert [e.title for e in pf.entries] == ["A"]
    assert [str(p) for p in pf.skipped] == [
        "line 3: entry @article{b: an opening brace or quote is never closed (end of file reached)"
    ]


def test_repeated_field_keeps_the_first_with_a_warning() -> None:
    text = "% refs\n@article{a,\n  title = {One},\n  bibsource = {x},\n  title = {Two},\n  bibsource = {y},\n}\n"
    pf = formats.parse_text(text, "refs.bib")
    assert [e.title for e in pf.entries] == ["One"]
    assert [str(w) for w in pf.warnings] == ["line 2: field bibsource, title given twice in @article{a}; kept the first"]


def test_missing_key_skips_that_entry() -> None:
    pf = formats.parse_text("\n@article{\n  title = {A},\n}\n@misc{ok, title={B}}\n", "refs.bib")
    assert [e.title for e in pf.entries] == ["B"]
    assert [str(p) for p in pf.skipped] == ["line 2: malformed entry @article{: Expected comma after entry key, but found ="]


def test_file_with_only_macros_has_no_entries() -> None:
    with pytest.raises(ParseError) as e:
        formats.parse_text('\n@string{x = "y"}\n@preamble{"z"}\n', "strings.bib")
    assert str(e.value) == "strings.bib:2: no BibTeX entries (only comments, @string or @preamble)"


def test_repeated_citation_key_imports_both_papers() -> None:
    text = "@article{k, title = {First}, year = 2020}\n@article{k, title = {Second}, year = 2021}\n"
    entries = bibtex.parse(text).entries
    assert [(e.line, e.title, e.date) for e in entries] == [(1, "First", "2020"), (2, "Second", "2021")]


def test_macros_concatenation_and_month_names() -> None:
    text = (
        '@string{conf = "Proc. of "}\n@STRING{ICML = conf # {ICML}}\n'
        "@inproceedings{a, title = {T}, booktitle = ICML # { 2024}, year = 2024, month = {July}}\n"
        "@inproceedings{b, title = {U}, booktitle = undefinedmacro, year = {in press 2023}, month = 13}\n"
    )
    a, b = bibtex.parse(text).entries
    assert (a.journal, a.date) == ("Proc. of ICML 2024", "2024-07")
    assert (b.journal, b.date) == ("undefinedmacro", "2023")  # BibTeX would warn; the name is kept


def test_crossref_fills_missing_fields_and_skips_the_venue() -> None:
    text = (
        "@inproceedings{paper, title = {P}, author = {Doe, Jane}, crossref = {PROC}, year = {2019}}\n"
        "@proceedings{proc, title = {Proceedings of X}, year = {2018}, month = mar, doi = {10.1145/3600000}}\n"
        "@inproceedings{orphan, title = {Q}, crossref = {nowhere}}\n"
    )
    entries = bibtex.parse(text).entries
    # year stays the paper's own, month comes from the volume, the volume's DOI is not the paper's
    assert [(e.line, e.title, e.journal, e.date, e.doi) for e in entries] == [
        (1, "P", "Proceedings of X", "2019-03", None),
        (3, "Q", None, None, None),
    ]


def test_unknown_entry_types_and_mixed_case_import() -> None:
    text = "@SoftWare{tool, Title = {A Tool}, AUTHOR = {Roe, Richard}, Year = {2022}}\n"
    (e,) = bibtex.parse(text).entries
    assert (e.title, e.authors, e.date) == ("A Tool", ["Richard Roe"], "2022")


def test_arxiv_identifiers_from_every_place_exporters_put_them() -> None:
    text = (
        "@misc{a, title = {A}, eprint = {arXiv:2408.00118v2}, archivePrefix = {arXiv}}\n"
        "@misc{b, title = {B}, note = {arXiv:1706.03762 [cs.CL]}}\n"
        "@misc{c, title = {C}, howpublished = {\\url{https://arxiv.org/pdf/1503.02531v1.pdf}}}\n"
        "@misc{d, title = {D}, doi = {10.48550/arXiv.2106.09685}}\n"
        "@article{e, title = {E}, journal = {CoRR}, volume = {abs/1412.6980}, arxivid = {1412.6980}}\n"
        "@misc{f, title = {F}, eprint = {PMC123456}, archivePrefix = {PMC}}\n"
        "@misc{g, title = {G}, note = {Accepted at ICLR 2024. arXiv:2310.01234}}\n"
    )
    got = [(e.title, e.arxiv_id, e.category, e.journal, e.note) for e in bibtex.parse(text).entries]
    assert got == [
        ("A", "2408.00118", None, None, None),
        ("B", "1706.03762", "cs.CL", None, None),
        ("C", "1503.02531", None, None, None),
        ("D", "2106.09685", None, None, None),
        ("E", "1412.6980", None, None, None),
        ("F", None, None, None, None),
        ("G", "2310.01234", None, None, "Accepted at ICLR 2024. arXiv:2310.01234"),
    ]


def test_special_characters_and_multiline_notes() -> None:
    text = (
        "@misc{a,\n  title = {{RLHF} \\& {RLAIF}: 100\\% of $\\alpha$},\n"
        "  author = {{Gemma Team} and de la Fontaine, Jean and Smith, Jr., John},\n"
        "  annote = {first line\n    second line with 50% unescaped\n      indented},\n"
        "  keywords = {a;b, a},\n}\n"
    )
    (e,) = bibtex.parse(text).entries
    assert e.title == "RLHF & RLAIF: 100% of $\\alpha$"
    assert e.authors == ["Gemma Team", "Jean de la Fontaine", "John Smith Jr."]
    assert e.note == "first line\n    second line with 50% unescaped\n      indented"
    assert e.tags == ["a", "b"]


def test_latex_that_latex_itself_would_reject_is_read_as_text() -> None:
    text = "@misc{a, title = {Unbalanced $x and \\unknownmacro{y} and \\textbf{z} and 50% off}}\n"
    (e,) = bibtex.parse(text).entries
    assert e.title == "Unbalanced $x and y and z and 50% off"


def test_dangling_and_in_author_lists() -> None:
    text = "@misc{a, title = {A}, author = {Smith, John and }}\n@misc{b, title = {B}, author = {and Doe, J.}}\n"
    assert [e.authors for e in bibtex.parse(text).entries] == [["John Smith"], ["J. Doe"]]


def test_categories_with_hyphens() -> None:
    text = "@misc{a, title = {A}, eprint = {1001.0001}, primaryClass = {cond-mat.stat-mech}}\n"
    assert bibtex.parse(text).entries[0].category == "cond-mat.stat-mech"


def test_import_through_the_library_reports_the_format(lib) -> None:
    report = lib.import_paths([FORMATS_DIR / "arxiv.bib"])
    assert [(f.format, f.entries, f.added) for f in report.files] == [("BibTeX", 3, 3)]
    paper = lib.get(lib.all_ids()[0])
    assert (paper.arxiv_id, paper.category, paper.authors[0]) == ("2408.00118", "cs.CL", "Gemma Team")


def test_cli_reports_skipped_records_on_stderr_and_exits_0(capsys, tmp_path) -> None:
    code = main(["--library", str(tmp_path / "l.db"), "import", str(MALFORMED)])
    out, err = capsys.readouterr()
    assert code == 0
    assert err == (
        f"refmanager: {MALFORMED}:8: skipped: entry @article{{bad2021: an opening brace or quote is never closed "
        "before the next entry (line 14)\n"
    )
    assert f"{MALFORMED} (BibTeX): 2 added, 0 merged, 0 unchanged, 1 skipped" in out.splitlines()


def test_a_large_file_read_in_chunks_reads_as_the_whole(monkeypatch) -> None:
    """Chunks are cut before a block that starts a line: entries, lines, skipped records
    and warnings are those of reading the file whole."""
    from .test_real_corpus import REAL

    text = "".join((REAL / name).read_text(encoding="utf-8") for name in (
        "bibtex/jabref-authors.bib", "bibtex/mendeley-export-kitware.bib", "bibtex/bbt-stable-keys.biblatex",
    )) + (MALFORMED.read_text(encoding="utf-8") + "@article{dup, title = {A}, title = {B}}\n")
    whole = bibtex.parse(text)
    monkeypatch.setattr(bibtex, "CHUNK_CHARS", 2000)
    chunked = bibtex.parse(text)
    assert len(whole.entries) == 209 + 109 + 6 + 2 + 1
    assert [e.to_json() for e in chunked.entries] == [e.to_json() for e in whole.entries]
    assert chunked.skipped == whole.skipped and len(whole.skipped) == 1
    assert chunked.warnings == whole.warnings
    assert [str(w) for w in whole.warnings][-1].endswith("field title given twice in @article{dup}; kept the first")
