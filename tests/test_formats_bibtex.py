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


def test_unclosed_brace_rejects_the_whole_file_with_its_line(lib) -> None:
    with pytest.raises(ParseError) as e:
        formats.parse_path(MALFORMED)
    assert str(e.value) == (
        f"{MALFORMED}:8: entry @article{{bad2021: an opening brace or quote is never closed "
        "before the next entry (line 14)"
    )
    report = lib.import_paths([MALFORMED])
    assert [(r.file, r.line) for r in report.rejected] == [(str(MALFORMED), 8)]
    assert report.added == 0 and lib.all_ids() == []  # the good entries before and after are not imported


def test_unclosed_at_end_of_file() -> None:
    text = "@misc{a, title={A}}\n\n@article{b,\n  title = {Never closed,\n  year = 2021\n"
    with pytest.raises(ParseError) as e:
        formats.parse_text(text, "refs.bib")
    assert str(e.value) == (
        "refs.bib:3: entry @article{b: an opening brace or quote is never closed (end of file reached)"
    )


def test_repeated_field_is_an_error_with_the_entry_line() -> None:
    text = "% refs\n@article{a,\n  title = {One},\n  title = {Two},\n}\n"
    with pytest.raises(ParseError) as e:
        formats.parse_text(text, "refs.bib")
    assert str(e.value) == "refs.bib:2: entry @article{a: field 'title' appears twice"


def test_missing_key_is_an_error() -> None:
    with pytest.raises(ParseError) as e:
        formats.parse_text("\n@article{\n  title = {A},\n}\n", "refs.bib")
    assert str(e.value) == "refs.bib:2: malformed entry @article{: Expected comma after entry key, but found ="


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


def test_cli_error_is_one_line(capsys, tmp_path) -> None:
    code = main(["--library", str(tmp_path / "l.db"), "import", str(MALFORMED)])
    err = capsys.readouterr().err
    assert code == 1
    assert err == (
        f"refmanager: {MALFORMED}:8: entry @article{{bad2021: an opening brace or quote is never closed "
        "before the next entry (line 14)\n"
    )
