"""A dropped PDF becomes a paper (issue 19, part 3): matched to the paper it is by the identity
rules (arXiv id of any version, DOI, title when nothing contradicts) and attached, or a new
paper flagged for review when the reading was uncertain; a folder is one action; broken files
are skipped with their reason; undo, cancel, the child process and the command line."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from refmanager.cli import main
from refmanager.core.errors import ImportCancelled
from refmanager.core.library import Library
from refmanager.pdf.intake import add_pdfs, collect

from . import pdfs
from .conftest import dump

STAMP = "arXiv:2408.00118v2 [cs.DL] 1 Aug 2024"
TITLE = "Deep Learning for Citation Graphs"


def bib(lib: Library, title: str, author: str = "Example, Alice", **fields: str) -> int:
    extra = "".join(f", {k}={{{v}}}" for k, v in fields.items())
    r = lib.import_text(f"@article{{k{len(lib.all_ids())}, title={{{title}}}, author={{{author}}}, year={{2024}}{extra}}}",
                        "seed.bib")
    (pid,) = r.added_ids
    return pid


@pytest.fixture(scope="module")
def made(tmp_path_factory, qapp):
    d = tmp_path_factory.mktemp("pdfimport")
    return {
        "stamped": pdfs.paper_pdf(d / "stamped.pdf", stamp=STAMP),
        "doi": pdfs.paper_pdf(d / "with-doi.pdf", "A Paper Known by Its DOI", "Gil Doe",
                              doi_line="DOI: 10.1234/abcd.5678"),
        "graphs": pdfs.paper_pdf(d / "graphs.pdf", "Graphs of Citations in Practice", "Carol Author and Dan Writer"),
        "other_author": pdfs.paper_pdf(d / "other.pdf", "Graphs of Citations in Practice", "Zed Other"),
        "named": pdfs.paper_pdf(d / "2101.00001v3.pdf", "Short Paper", None),
    }


def copies(lib: Library) -> list[str]:
    root = lib.attachments_dir()
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


# ------------------------------------------------------------------ matching
def test_a_pdf_of_another_version_attaches_a_copy_to_the_paper(lib, made):
    pid = bib(lib, "Deep Learning on Citations", eprint="2408.00118", archivePrefix="arXiv")
    report = add_pdfs(lib, [made["stamped"]])
    assert report.lines() == [f"stamped.pdf: attached \u2014 to paper {pid}, found by its arXiv id"]
    assert report.summary() == "0 added, 1 attached to existing papers"
    assert lib.all_ids() == [pid]
    p = lib.get(pid)
    assert p.title == "Deep Learning on Citations"  # (a title read from a page never overwrites)
    (a,) = lib.attachments(pid)
    assert (a["name"], a["mode"], a["path"]) == ("stamped.pdf", "copy", str(lib.attachments_dir() / str(pid) / "stamped.pdf"))
    assert Path(a["path"]).read_bytes() == made["stamped"].read_bytes()
    assert stat.S_IMODE(os.stat(a["path"]).st_mode) == 0o600
    assert lib.undo_label() == "add PDF stamped.pdf"


def test_matched_by_doi_then_by_title(lib, made):
    by_doi = bib(lib, "Whatever the Journal Calls It", "Doe, Gil", doi="10.1234/ABCD.5678")
    by_title = bib(lib, "Graphs of Citations in Practice", "Author, Carol")
    report = add_pdfs(lib, [made["doi"], made["graphs"]])
    assert report.lines() == [
        f"with-doi.pdf: attached \u2014 to paper {by_doi}, found by its DOI",
        f"graphs.pdf: attached \u2014 to paper {by_title}, found by its title",
    ]
    assert [a["name"] for a in lib.attachments(by_doi)] == ["with-doi.pdf"]
    assert [a["name"] for a in lib.attachments(by_title)] == ["graphs.pdf"]


def test_a_title_match_contradicted_by_the_first_author_is_a_new_paper(lib, made):
    old = bib(lib, "Graphs of Citations in Practice", "Author, Carol")
    report = add_pdfs(lib, [made["other_author"]])
    (o,) = report.outcomes
    new = o.paper
    assert o.status == "added" and new != old and o.flagged
    assert o.message == (f"new paper {new} (title from the first page, 1 author from the first page); flagged for "
                         "review: no arXiv id or DOI, and the title was guessed from the first page; kept apart "
                         f"from paper {old} (different first authors (Carol Author, Zed Other))")
    assert lib.attachments(old) == []


def test_a_new_paper_is_flagged_for_review_when_the_reading_was_uncertain(lib, made):
    report = add_pdfs(lib, [made["graphs"], made["named"]])
    (graphs, named) = report.outcomes
    assert report.summary() == "2 added (1 flagged for review), 0 attached to existing papers"
    g, n = lib.get(graphs.paper), lib.get(named.paper)
    assert (g.title, g.authors, g.arxiv_id, g.needs_review) == (
        "Graphs of Citations in Practice", ["Carol Author", "Dan Writer"], None, True)
    assert (n.title, n.authors, n.arxiv_id, n.date, n.needs_review) == ("Short Paper", [], "2101.00001", "2021-01", False)
    assert lib.search("author:writer")[0][0].id == g.id  # (searchable at once)
    (src,) = lib.paper_sources(g.id)
    assert (src["kind"], src["file"]) == ("pdf", str(made["graphs"]))
    assert src["data"]["extra"]["pdf"]["title"] == ["Graphs of Citations in Practice", 0.6, "the first page"]
    assert lib.counts()["review"] == 1


def test_the_same_paper_twice_in_one_drop_is_one_paper(lib, made, tmp_path):
    twin = tmp_path / "graphs copy.pdf"
    twin.write_bytes(made["graphs"].read_bytes())
    report = add_pdfs(lib, [made["graphs"], twin])
    first, second = report.outcomes
    assert first.status == "added" and second.status == "attached" and second.paper == first.paper
    assert sorted(a["name"] for a in lib.attachments(first.paper)) == ["graphs copy.pdf", "graphs.pdf"]
    again = add_pdfs(lib, [made["graphs"]])
    assert again.lines() == [f"graphs.pdf: already attached \u2014 paper {first.paper} has this file already"]
    assert lib.undo_label() == "add 2 PDFs"  # (nothing changed: no action)


def test_an_arxiv_id_another_paper_holds_under_another_doi_is_not_forced(lib, made, qapp, tmp_path):
    old = bib(lib, TITLE, eprint="2408.00118", archivePrefix="arXiv", doi="10.9999/journal.1")
    pdf = pdfs.paper_pdf(tmp_path / "conf.pdf", stamp=STAMP, doi_line="DOI: 10.1234/conf.2")
    (o,) = add_pdfs(lib, [pdf]).outcomes
    assert o.status == "added" and o.paper != old
    p = lib.get(o.paper)
    assert (p.arxiv_id, p.doi) == (None, "10.1234/conf.2")
    assert p.alternatives == {"arxiv_id": ["2408.00118"]}
    assert "arXiv:2408.00118 belongs to paper" in o.message


def test_link_mode_attaches_the_file_where_it_is(lib, made):
    pid = bib(lib, "Deep Learning on Citations", eprint="2408.00118", archivePrefix="arXiv")
    add_pdfs(lib, [made["stamped"]], "link")
    (a,) = lib.attachments(pid)
    assert (a["mode"], a["path"]) == ("link", str(made["stamped"].resolve()))
    assert copies(lib) == []


# ------------------------------------------------------------------ a folder
@pytest.fixture
def folder(made, tmp_path, qapp):
    d = tmp_path / "drop"
    (d / "sub").mkdir(parents=True)
    (d / ".hidden").mkdir()
    for key in ("stamped", "graphs"):
        (d / made[key].name).write_bytes(made[key].read_bytes())
    (d / "sub" / "2101.00001v3.PDF").write_bytes(made["named"].read_bytes())
    pdfs.truncated_pdf(made["stamped"], d / "broken.pdf")
    pdfs.encrypted_pdf(d / "sub" / "secret 2301.01234.pdf")
    (d / ".hidden" / "skip.pdf").write_bytes(made["graphs"].read_bytes())
    (d / "notes.txt").write_text("not a PDF, not looked at")
    return d


def test_a_folder_of_five_pdfs_with_a_broken_and_an_encrypted_one(lib, folder):
    pid = bib(lib, "Deep Learning on Citations", eprint="2408.00118", archivePrefix="arXiv")
    before = len(lib.all_ids())
    report = add_pdfs(lib, [folder])
    assert [Path(o.file).name for o in report.outcomes] == [
        "broken.pdf", "graphs.pdf", "stamped.pdf", "2101.00001v3.PDF", "secret 2301.01234.pdf"]
    assert [o.status for o in report.outcomes] == ["skipped", "added", "attached", "added", "added"]
    assert report.problems() == ["broken.pdf: skipped \u2014 not a readable PDF"]
    assert report.summary() == "3 added (2 flagged for review), 1 attached to existing papers, 1 skipped"
    secret = lib.get(report.outcomes[4].paper)
    assert (secret.title, secret.arxiv_id, secret.needs_review) == ("secret 2301.01234", "2301.01234", True)
    assert report.outcomes[4].message.endswith(
        "flagged for review: encrypted (password required): only its file name could be read")
    assert len(lib.all_ids()) == before + 3
    assert report.outcomes[2].paper == pid
    assert lib.undo_label() == "add 4 PDFs"


def test_undo_of_a_drop_takes_all_of_it_back_in_one_step(lib, folder):
    pid = bib(lib, "Deep Learning on Citations", eprint="2408.00118", archivePrefix="arXiv")
    ids = lib.all_ids()
    add_pdfs(lib, [folder])
    assert len(lib.all_ids()) == len(ids) + 3
    assert lib.undo() == "add 4 PDFs"
    assert lib.all_ids() == ids and lib.attachments(pid) == []
    assert lib.undo_label() == "import of seed.bib: 1 paper"
    assert lib.redo() == "add 4 PDFs"
    assert len(lib.all_ids()) == len(ids) + 3 and [a["name"] for a in lib.attachments(pid)] == ["stamped.pdf"]
    assert all(a["exists"] for p in lib.get_many(lib.all_ids()) for a in lib.attachments(p.id))


def test_cancel_while_reading_or_writing_leaves_nothing(lib, folder):
    before = dump(lib)
    with pytest.raises(ImportCancelled):
        add_pdfs(lib, [folder], cancelled=lambda: True)
    assert dump(lib) == before
    steps: list[tuple[int, int]] = []
    with pytest.raises(ImportCancelled):  # (cancelled after the reading, with two files written)
        add_pdfs(lib, [folder], progress=lambda d, t: steps.append((d, t)), cancelled=lambda: len(steps) >= 8)
    assert steps[-1] == (7, 10)
    assert dump(lib) == before and copies(lib) == []


def test_the_number_of_files_a_drop_takes_is_bounded(lib, folder):
    assert collect([folder], max_files=2) == ([str(folder / "broken.pdf"), str(folder / "graphs.pdf")], 3)
    report = add_pdfs(lib, [folder], max_files=2)
    assert len(report.outcomes) == 2 and report.left_out == 3
    assert report.summary() == "1 added (1 flagged for review), 0 attached to existing papers, 1 skipped; 3 more PDFs left out"


def test_into_a_collection(lib, made):
    report = add_pdfs(lib, [made["graphs"]], collection="Reading/PDFs")
    cid = lib.find_collection("Reading/PDFs")
    assert report.collection == "Reading/PDFs" and lib.collections_of(report.paper_ids) == {
        report.paper_ids[0]: ["Reading/PDFs"]}
    assert cid is not None
    lib.undo()
    assert lib.find_collection("Reading/PDFs") is None


# -------------------------------------------------------- the child process
@pytest.mark.slow  # (a subprocess: the full run and .ci/run have it, not the fast loop)
def test_the_child_process_reports_in_json_lines(lib, folder):
    spec = {"library": str(lib.path), "paths": [str(folder)], "mode": "copy", "label": "drop"}
    r = subprocess.run([sys.executable, "-m", "refmanager.pdf.intake"], input=json.dumps(spec), capture_output=True,
                       text=True, timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    msgs = [json.loads(line) for line in r.stdout.splitlines()]
    assert r.returncode == 0, r.stderr
    assert msgs[0] == {"progress": [0, 10]} and msgs[-2] == {"progress": [10, 10]}
    report = msgs[-1]["report"]
    assert report["summary"] == "4 added (2 flagged for review), 0 attached to existing papers, 1 skipped"
    assert [o["status"] for o in report["outcomes"]] == ["skipped", "added", "added", "added", "added"]
    lib2 = Library(lib.path)
    try:
        assert lib2.undo_label() == "drop" and len(lib2.all_ids()) == 4
    finally:
        lib2.close()


def test_the_child_process_refuses_a_bad_request_in_one_line():
    r = subprocess.run([sys.executable, "-m", "refmanager.pdf.intake"], input="{", capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2 and json.loads(r.stdout)["error"].startswith("bad request:")


# ---------------------------------------------------------- the command line
def test_cli_import_of_pdfs_and_a_folder(tmp_path, folder, capsys):
    library = tmp_path / "cli.db"
    code = main(["--library", str(library), "import", str(folder)])
    out, err = capsys.readouterr()
    assert code == 1  # (a file was skipped)
    assert out.splitlines()[0] == "broken.pdf: skipped \u2014 not a readable PDF"
    assert out.splitlines()[-1] == "PDFs: 4 added (2 flagged for review), 0 attached to existing papers, 1 skipped"
    assert err == f"refmanager: {folder / 'broken.pdf'}: skipped: not a readable PDF\n"
    code = main(["--library", str(library), "import", str(folder / "graphs.pdf"), "--json", "--link"])
    out, _ = capsys.readouterr()
    data = json.loads(out)
    assert code == 0 and data["pdfs"]["outcomes"][0]["status"] == "attached"  # (a link: another attachment)
    assert data["pdfs"]["summary"] == "0 added, 1 attached to existing papers"


def test_cli_import_of_a_pdf_and_a_listing_together(tmp_path, made, capsys):
    listing = tmp_path / "seed.bib"
    listing.write_text("@article{x, title={A Listed Paper}, author={Lister, Lou}, year={2020}}\n")
    code = main(["--library", str(tmp_path / "cli.db"), "import", str(made["named"]), str(listing), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["added"] == 1 and data["pdfs"]["summary"] == "1 added, 0 attached to existing papers"
    with Library(tmp_path / "cli.db") as lib:
        assert sorted(p.title for p in lib.get_many(lib.all_ids())) == ["A Listed Paper", "Short Paper"]


def test_two_different_pdfs_of_one_file_name_are_never_one_paper(lib, qapp, tmp_path):
    """Two different scans without text, both "fulltext.pdf" (a common download name): the title
    read from the file name is a reading in doubt, which never joins a paper by its title."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = pdfs.make_pdf(tmp_path / "a" / "fulltext.pdf", 1, {}, title="", author="", filler=False)
    two = pdfs.make_pdf(tmp_path / "b" / "fulltext.pdf", 2, {}, title="", author="", filler=False)
    first = add_pdfs(lib, [one])
    second = add_pdfs(lib, [two])
    assert [o.status for o in first.outcomes] == ["added"]
    assert [o.status for o in second.outcomes] == ["added"]
    assert "not attached to it, as the reading was uncertain" in second.outcomes[0].message
    papers = lib.get_many(lib.all_ids())
    assert len(papers) == 2 and all(p.needs_review for p in papers)
    assert [len(p.attachments) for p in papers] == [1, 1]
