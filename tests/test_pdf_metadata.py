"""What a dropped PDF says it is (issue 19, part 3): ``pdf/guess.py``'s rules on their own, and
``pdf/metadata.py`` on PDFs the tests make (``tests/pdfs.py``): arXiv ids from file names and
stamps, DOIs next to a label, titles from the metadata or the page's largest text, authors
under the title; broken and encrypted files give a message, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from refmanager.pdf import guess as G
from refmanager.pdf.extract import Failed
from refmanager.pdf.guess import Line, Raw, Read
from refmanager.pdf.metadata import MetadataReader, looks_like_pdf, read_metadata, read_raw

from . import pdfs

STAMP = "arXiv:2408.00118v2 [cs.DL] 1 Aug 2024"


# ------------------------------------------------------------------ file names
@pytest.mark.parametrize(("name", "expected"), [
    ("2408.00118v2.pdf", ("2408.00118v2", 0.9)),
    ("arXiv_2408.00118 (1).pdf", ("2408.00118", 0.9)),
    ("1706.03762.pdf", ("1706.03762", 0.9)),
    ("hep-th_9901001v2.pdf", ("hep-th/9901001v2", 0.9)),
    ("smith2024_2408.00118v1_final.pdf", ("2408.00118v1", 0.7)),
    ("1234.5678.pdf", None),  # (month 34)
    ("2413.00001.pdf", None),  # (month 13)
    ("1501.0001.pdf", None),  # (four digits after 2014 is no id)
    ("notes on graphs.pdf", None),
])
def test_arxiv_id_from_the_file_name(name, expected):
    r = G.arxiv_from_filename(name)
    assert (None if r is None else (r.value, r.confidence)) == expected


def test_doi_from_the_file_name():
    assert G.doi_from({}, "", "10.1145_3366423.3380130.pdf") == Read("10.1145/3366423.3380130", 0.75, "the file name")


# ----------------------------------------------------------------- text
def test_the_rotated_stamp_is_found_one_character_a_line():
    text = "Intro\n" + "\n".join("arXiv:2408.00118v2") + "\n \n[\nc\ns\n.\nD\nL\n]\n1\nA\nu\ng\n"
    assert G.arxiv_from_text(text) == Read("2408.00118v2", 0.95, "the arXiv stamp")


def test_an_arxiv_id_in_the_text_counts_only_when_it_is_the_only_one():
    assert G.arxiv_from_text("Code: https://arxiv.org/abs/2101.00001v3 here") == \
        Read("2101.00001v3", 0.75, "the first page")
    assert G.arxiv_from_text("as in arXiv:2101.00001 and arXiv:2102.00002") is None
    assert G.arxiv_from_text("see arXiv:2101.00001 and again arXiv:2101.00001v2") == \
        Read("2101.00001", 0.75, "the first page")


def test_an_arxiv_id_below_the_head_of_the_page_is_a_citation():
    body = "Preprint\nWe build on the model of arXiv:1706.03762 in every way."
    assert G.arxiv_from_text(body, head="Preprint") == Read("1706.03762", 0.5, "the first page")
    assert G.arxiv_from_text(body, head="Preprint, arXiv:1706.03762") == Read("1706.03762", 0.75, "the first page")
    lines = [Line("Preprint", 40, 49, 72, 120), Line("We build on the model of arXiv:1706.03762.", 400, 410, 72, 300)]
    g = G.guess("2101.00001v3.pdf", Raw(pages=[body], lines=lines, page_height=842))
    assert g.arxiv_id == Read("2101.00001v3", 0.9, "the file name") and g.doubt is None  # (no clash with a guess)
    g = G.guess("paper.pdf", Raw(pages=[body], lines=lines, page_height=842))
    assert g.arxiv_id == Read("1706.03762", 0.5, "the first page") and g.entry().arxiv_id is None
    assert g.summary() == "title from the first page"  # (a guess too weak to use is not said to be read)


def test_dois_next_to_a_label_are_taken_and_cleaned():
    text = "cites 10.5555/other.1 in passing; DOI: https://doi.org/10.1234/abcd.5678. (doi:10.1000/xyz(1)23)."
    assert G.dois_in(text, labelled=True) == ["10.1234/abcd.5678", "10.1000/xyz(1)23"]
    assert G.dois_in(text, labelled=False)[0] == "10.5555/other.1"
    assert G.doi_from({}, "Body that cites 10.5555/other.1 only.", "x.pdf") is None
    assert G.doi_from({}, "doi: 10.1234/ONE\nDOI 10.1234/two", "x.pdf") == Read("10.1234/ONE", 0.7, "the first page")
    assert G.doi_from({"Subject": "Cell 181 (2020), doi:10.1016/j.cell.2020.01.001"}, "doi: 10.1/x", "x.pdf") == \
        Read("10.1016/j.cell.2020.01.001", 0.9, "the PDF's metadata")


def test_arxivs_own_doi_is_an_arxiv_id_not_a_doi():
    raw = Raw(pages=["DOI: 10.48550/arXiv.2408.00118"], lines=[], page_height=842)
    g = G.guess("paper.pdf", raw)
    assert g.arxiv_id == Read("2408.00118", 0.9, "the first page") and g.doi is None


@pytest.mark.parametrize(("title", "junk"), [
    ("Microsoft Word - draft3.docx", True), ("untitled", True), ("Untitled", True), ("paper_final_v3", True),
    ("main.tex", True), ("2408.00118v2", True), ("acl2023", True), ("notes on graphs", True),
    ("Deep Learning for Citation Graphs", False), ("BERT: Pre-training of Deep Transformers", False),
])
def test_junk_metadata_titles(title, junk):
    assert G.junk_title(title, "notes_on_graphs.pdf") is junk


@pytest.mark.parametrize(("line", "names"), [
    ("Alice Example1, Bob Sample2*", ["Alice Example", "Bob Sample"]),
    ("Carol Author and Dan Writer", ["Carol Author", "Dan Writer"]),
    ("J. R. R. Tolkien and Ursula K. Le Guin", ["J. R. R. Tolkien", "Ursula K. Le Guin"]),
    ("Jan van der Berg \u00b7 Marie Curie\u2020", ["Jan van der Berg", "Marie Curie"]),
    ("Department of Examples, University of Tests", None),
    ("Google Research", None),
    ("alice@example.org, bob@example.org", None),
    ("Abstract", None),
    ("We study graphs of citations.", None),
])
def test_lines_that_read_as_names(line, names):
    assert G.names_in(line) == names


def _line(text: str, top: float, size: float, width_per_char: float = 0.5) -> Line:
    return Line(text, top, top + size, 60, 60 + len(text) * size * width_per_char)


def test_title_is_the_largest_text_of_the_top_half_and_authors_follow():
    lines = [
        _line("Preprint. Under review.", 33, 9),
        _line("Citation Graphs for the", 83, 20),
        _line("Busy Reader", 107, 16, 0.7),  # (no descender: a lower box, letters as wide)
        _line("Alice Example, Bob Sample", 140, 12),
        _line("Department of Examples", 158, 10),
        _line("Body text in ten points, as the rest of the page.", 200, 10),
        _line("Body text in ten points, as the rest of the page.", 214, 10),
        _line("An Enormous Heading In The Bottom Half", 600, 30),
    ]
    title, authors = G.page_title_and_authors(Raw(pages=[""], lines=lines, page_height=842))
    assert title == Read("Citation Graphs for the Busy Reader", 0.6, "the first page")
    assert authors == Read(["Alice Example", "Bob Sample"], 0.5, "the first page")


def test_a_title_hardly_larger_than_the_text_is_a_weak_guess():
    lines = [_line("A Plain Heading Line", 80, 11), _line("Body text, body text and more.", 100, 10),
             _line("Body text, body text and more.", 114, 10)]
    title, authors = G.page_title_and_authors(Raw(pages=[""], lines=lines, page_height=842))
    assert title == Read("A Plain Heading Line", 0.3, "the first page") and authors is None


def test_a_hyphen_at_a_line_end_joins_the_word():
    assert G.join_lines(["Graph-", "based  Citation", "Ranking"]) == "Graph-based Citation Ranking"


# ------------------------------------------------------------ generated PDFs
@pytest.fixture(scope="module")
def made(tmp_path_factory, qapp):
    d = tmp_path_factory.mktemp("pdfmeta")
    return {
        "stamped": pdfs.paper_pdf(d / "stamped.pdf", stamp=STAMP, doi_line="DOI: https://doi.org/10.1234/abcd.5678",
                                  header="Preprint. Under review."),
        "info": pdfs.paper_pdf(d / "info.pdf", "The Real Title From Metadata",
                               "Eve Hacker1, Frank Norris2*", info_title="The Real Title From Metadata",
                               info_author="Eve Hacker and Frank Norris", title_size=16),
        "junk": pdfs.paper_pdf(d / "junk.pdf", "Graphs of Citations in Practice", "Carol Author and Dan Writer",
                               info_title="Microsoft Word - draft3.docx", info_author="cauthor"),
        "wrapped": pdfs.paper_pdf(d / "wrapped.pdf",
                                  "A Very Long Title About Reference Managers That Wraps Onto Two Lines",
                                  "Carol Author and Dan Writer", header="JOURNAL OF SOMETHING, VOL 3"),
        "named": pdfs.paper_pdf(d / "2101.00001v3.pdf", "Short Paper", None),
        "clash": pdfs.paper_pdf(d / "2101.00001v3 (clash).pdf", stamp=STAMP),
        "blank": pdfs.make_pdf(d / "scan_0042.pdf", 1, filler=False, title="", author=""),
        "encrypted": pdfs.encrypted_pdf(d / "2301.01234v1.pdf"),
        "unsupported": pdfs.unsupported_security_pdf(d / "unsupported.pdf"),
        "garbage": pdfs.garbage_pdf(d / "garbage.pdf"),
    }


def _guess(path: Path) -> G.Guess:
    raw = read_raw(path)
    assert isinstance(raw, Raw), raw
    return G.guess(path.name, raw)


def test_stamp_doi_title_and_authors_from_the_first_page(made):
    g = _guess(made["stamped"])
    assert g.arxiv_id == Read("2408.00118v2", 0.95, "the arXiv stamp")
    assert g.doi == Read("10.1234/abcd.5678", 0.85, "the first page")
    assert g.title == Read("Deep Learning for Citation Graphs", 0.6, "the first page")
    assert g.authors == Read(["Alice Example", "Bob Sample"], 0.5, "the first page")
    assert g.doubt is None  # (an id was found)
    e = g.entry()
    assert (e.kind, e.arxiv_id, e.doi, e.date, e.needs_review) == ("pdf", "2408.00118", "10.1234/abcd.5678",
                                                                    "2024-08", False)
    assert e.extra["pdf"]["arxiv_id"] == ["2408.00118v2", 0.95, "the arXiv stamp"]
    assert g.summary() == ("arXiv id from the arXiv stamp, DOI from the first page, title from the first page, "
                           "2 authors from the first page")


def test_metadata_title_and_author_when_they_are_real(made):
    g = _guess(made["info"])
    assert g.title == Read("The Real Title From Metadata", 0.95, "the PDF's metadata")  # (the page agrees)
    assert g.authors == Read(["Eve Hacker", "Frank Norris"], 0.9, "the PDF's metadata")
    assert g.arxiv_id is None and g.doi is None and g.doubt is None


def test_junk_metadata_title_gives_way_to_the_page(made):
    g = _guess(made["junk"])
    assert g.title == Read("Graphs of Citations in Practice", 0.6, "the first page")
    assert g.authors == Read(["Carol Author", "Dan Writer"], 0.5, "the first page")  # ("cauthor": no name)
    assert g.doubt == "no arXiv id or DOI, and the title was guessed from the first page"
    assert g.entry().needs_review is True


def test_a_wrapped_title_under_a_small_header(made):
    g = _guess(made["wrapped"])
    assert g.title.value == "A Very Long Title About Reference Managers That Wraps Onto Two Lines"
    assert g.authors.value == ["Carol Author", "Dan Writer"]


def test_arxiv_id_from_the_file_name_and_a_clash_with_the_stamp(made):
    g = _guess(made["named"])
    assert g.arxiv_id == Read("2101.00001v3", 0.9, "the file name") and g.title.value == "Short Paper"
    assert g.authors is None and g.doubt is None and g.entry().date == "2021-01"
    g = _guess(made["clash"])
    assert g.arxiv_id.value == "2408.00118v2"  # (the stamp wins)
    assert g.doubt == "the file name says arXiv:2101.00001v3, the arXiv stamp arXiv:2408.00118v2"


def test_a_page_without_text_is_named_by_its_file(made):
    g = _guess(made["blank"])
    assert g.title == Read("scan 0042", 0.1, "the file name")
    assert g.doubt == "no arXiv id or DOI, and the title was guessed from the file name"


def test_files_that_cannot_be_read_say_why(made, tmp_path):
    truncated = pdfs.truncated_pdf(made["stamped"], tmp_path / "truncated.pdf")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    files = [made["encrypted"], made["unsupported"], truncated, made["garbage"], empty, tmp_path / "gone.pdf"]
    with MetadataReader() as reader:
        got = {Path(p).name: (g, why) for p, g, why in read_metadata([str(f) for f in files], reader)}
    g, why = got["2301.01234v1.pdf"]
    assert why == "encrypted (password required)"
    assert g.arxiv_id == Read("2301.01234v1", 0.9, "the file name") and g.title.value == "2301.01234v1"
    assert g.doubt == "encrypted (password required): only its file name could be read"
    assert got["unsupported.pdf"][1] == "encrypted (unsupported security scheme)"
    assert {n: v for n, v in got.items() if n not in ("2301.01234v1.pdf", "unsupported.pdf")} == {
        "truncated.pdf": (None, "not a readable PDF"),
        "garbage.pdf": (None, "not a PDF"),
        "empty.pdf": (None, "not a PDF (the file is empty)"),
        "gone.pdf": (None, "the file is missing"),
    }


def test_a_reader_that_crashes_fails_the_file_with_a_message(made):
    crash = [sys.executable, "-c", "import sys; sys.stdin.readline(); sys.exit(7)"]
    with MetadataReader(command=crash) as reader:
        (path, g, why), = read_metadata([str(made["stamped"])], reader)
    assert g is None and why == "the PDF reader crashed on this file (exit 7)"


def test_looks_like_pdf(made, tmp_path):
    assert looks_like_pdf(made["stamped"]) is None
    assert looks_like_pdf(made["garbage"]) == "not a PDF"
    assert isinstance(read_raw(made["garbage"]), Failed)
