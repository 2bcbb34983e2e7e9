"""The command line for fixing the library by hand: edit, merge, split, duplicates, flags, attachments."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from refmanager.cli import main

from .conftest import FULL_SEED, PROFILE_SEED
from .conftest import cli_on as run

GEMMA2 = "Gemma 2: Improving Open Language Models at a Practical Size"


@pytest.fixture
def libpath(tmp_path: Path, capsys) -> str:
    path = str(tmp_path / "cli.db")
    assert main(["--library", path, "import", str(FULL_SEED), str(PROFILE_SEED)]) == 0
    capsys.readouterr()
    return path


def show(capsys, libpath: str, pid: int) -> dict:
    code, out, _ = run(capsys, libpath, "show", str(pid), "--json")
    assert code == 0
    return json.loads(out)


def test_edit_fields(capsys, libpath):
    code, out, err = run(
        capsys, libpath, "edit", "1", "--title", "Gemma 2 (second generation)", "--date", "2024-07",
        "--doi", "https://doi.org/10.48550/arXiv.2408.00118", "--arxiv-id", "arXiv:2408.00118v3",
        "--category", "LG",
    )
    assert (code, out, err) == (0, "1: edited title, date, category, arXiv id, DOI\n", "")
    p = show(capsys, libpath, 1)
    assert (p["title"], p["date"], p["doi"], p["arxiv_id"], p["category"]) == (
        "Gemma 2 (second generation)", "2024-07", "10.48550/arXiv.2408.00118", "2408.00118", "cs.LG"
    )
    code, out, _ = run(capsys, libpath, "edit", "5", "--authors", "Shangmin Guo; Biao Zhang", "--no-et-al")
    assert (code, out) == (0, "5: edited authors, et al.\n")
    p = show(capsys, libpath, 5)
    assert (p["authors"], p["et_al"]) == (["Shangmin Guo", "Biao Zhang"], False)
    assert run(capsys, libpath, "edit", "5", "--no-et-al")[1] == "5: nothing changed\n"
    code, out, _ = run(capsys, libpath, "undo")
    assert out == "undo: Edit authors, et al. of 'Direct Language Model Alignment from Online AI Fe…'\n"


def test_edit_abstract_from_standard_input(capsys, libpath, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("A new abstract.\nSecond line.\n"))
    assert run(capsys, libpath, "edit", "2", "--abstract", "-")[1] == "2: edited abstract\n"
    assert show(capsys, libpath, 2)["abstract"] == "A new abstract.\nSecond line."


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("edit", "1", "--date", "2024-02-30"),
         "refmanager: date: impossible date '2024-02-30': use YYYY, YYYY-MM or YYYY-MM-DD\n"),
        (("edit", "1", "--doi", "doi.org/x"), "refmanager: doi: not a DOI: 'doi.org/x' (expected 10.NNNN/...)\n"),
        (("edit", "1"), "refmanager: nothing to edit: give --title, --authors, --date ... (see edit --help)\n"),
        (("edit", "42", "--title", "x"), "refmanager: no paper with id 42\n"),
        (("split", "18"),
         "refmanager: paper 18 has a single source and was not merged by hand: there is nothing to split\n"),
        (("merge", "3"), "refmanager: choose at least two different papers to merge\n"),
        (("attach", "1", "/nonexistent/file.pdf"), "refmanager: /nonexistent/file.pdf: no such file\n"),
    ],
)
def test_errors_are_one_line(capsys, libpath, args, error):
    code, out, err = run(capsys, libpath, *args)
    assert (code, out, err) == (1, "", error)


def test_duplicate_arxiv_id_names_the_other_paper(capsys, libpath):
    run(capsys, libpath, "edit", "1", "--arxiv-id", "2408.00118")
    code, _, err = run(capsys, libpath, "edit", "3", "--arxiv-id", "2408.00118")
    assert code == 1
    assert err == (
        f"refmanager: arxiv_id: arXiv:2408.00118 is already paper 1 ({GEMMA2!r}); merge the two papers instead\n"
    )


def test_flags_and_trash(capsys, libpath):
    assert run(capsys, libpath, "star", "1", "2")[1] == "star: 2 papers\n"
    assert run(capsys, libpath, "read", "1")[1] == "read: 1 paper\n"
    p = show(capsys, libpath, 1)
    assert (p["starred"], p["read"], p["trashed"], p["needs_review"]) == (True, True, False, False)
    assert run(capsys, libpath, "unstar", "1")[1] == "unstar: 1 paper\n"
    assert run(capsys, libpath, "unread", "1")[1] == "unread: 1 paper\n"
    p = show(capsys, libpath, 1)
    assert (p["starred"], p["read"]) == (False, False)
    assert show(capsys, libpath, 2)["starred"] is True
    assert run(capsys, libpath, "trash", "1", "20")[1] == "trash: 2 papers\n"
    assert show(capsys, libpath, 1)["trashed"] is True
    ids = [p["id"] for p in json.loads(run(capsys, libpath, "list", "--json")[1])]
    assert len(ids) == 19 and 1 not in ids and 20 not in ids
    assert [p["id"] for p in json.loads(run(capsys, libpath, "list", "--trash", "--json")[1])] == [1, 20]
    assert json.loads(run(capsys, libpath, "search", "Practical", "--json")[1]) == []
    assert [p["id"] for p in json.loads(run(capsys, libpath, "search", "Practical", "--trash", "--json")[1])] == [1]
    # re-importing does not bring them back
    assert "0 added, 0 merged, 39 unchanged" in run(capsys, libpath, "import", str(FULL_SEED), str(PROFILE_SEED))[1]
    assert show(capsys, libpath, 1)["trashed"] is True
    assert run(capsys, libpath, "restore", "1", "20")[1] == "restore: 2 papers\n"
    assert len(json.loads(run(capsys, libpath, "list", "--json")[1])) == 21
    code, _, err = run(capsys, libpath, "trash", "1", "99")
    assert (code, err) == (1, "refmanager: no paper with id 99\n")
    assert show(capsys, libpath, 1)["trashed"] is False


def test_split_merge_duplicates(capsys, libpath):
    assert run(capsys, libpath, "duplicates")[1] == "No duplicates found.\n"
    assert run(capsys, libpath, "split", "1")[1] == "split 1 into 1, 22\n"
    code, out, _ = run(capsys, libpath, "duplicates")
    assert out == (
        f"     1     22  one abstract is the start of the other: {GEMMA2} | [no title] "
        "In this work, we introduce Gemma 2, a new addition to the Ge…\n"
    )
    data = json.loads(run(capsys, libpath, "duplicates", "--json")[1])
    assert data == [{"a": 1, "b": 22, "reason": "one abstract is the start of the other"}]
    assert run(capsys, libpath, "merge", "22", "1")[1] == f"merged 2 papers into 1: {GEMMA2}\n"
    p = show(capsys, libpath, 1)
    assert p["title"] == GEMMA2 and p["incomplete"] is False
    assert run(capsys, libpath, "duplicates")[1] == "No duplicates found.\n"
    assert run(capsys, libpath, "split", "1")[1] == "split 1 into 1, 22\n"
    assert run(capsys, libpath, "merge", "1", "22", "--keep", "22")[1] == f"merged 2 papers into 22: {GEMMA2}\n"
    assert run(capsys, libpath, "split", "22")[1] == "split 22 into 22, 1\n"
    assert run(capsys, libpath, "not-duplicate", "1", "22")[1] == "1 and 22: marked as different papers\n"
    assert run(capsys, libpath, "duplicates", "--json")[1] == "[]\n"


def test_attachments_commands_and_json(capsys, libpath, tmp_path):
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    target = tmp_path / "cli.db.files" / "3" / "paper.pdf"
    assert run(capsys, libpath, "attach", "3", str(pdf))[1] == f"3: attached paper.pdf as 1 ({target})\n"
    assert run(capsys, libpath, "attach", "3", str(pdf), "--link")[1] == f"3: attached paper.pdf as 2 ({pdf})\n"
    pdf.unlink()
    assert run(capsys, libpath, "attachments", "3")[1] == (
        f"   1  copy  paper.pdf  {target}\n   2  link  paper.pdf  {pdf}  (missing)\n"
    )
    assert show(capsys, libpath, 3)["attachments"] == [
        {"name": "paper.pdf", "path": str(target), "exists": True},
        {"name": "paper.pdf", "path": str(pdf), "exists": False},
    ]
    assert run(capsys, libpath, "detach", "3", "2")[1] == "3: detached 2\n"
    listed = json.loads(run(capsys, libpath, "attachments", "3", "--json")[1])
    assert [(a["id"], a["mode"], a["exists"]) for a in listed] == [(1, "copy", True)]
    exported = json.loads(run(capsys, libpath, "list", "--json")[1])
    assert {"needs_review", "trashed", "doi", "attachments"} <= set(exported[0])
    assert [p["attachments"] for p in exported if p["id"] == 3] == [
        [{"name": "paper.pdf", "path": str(target), "exists": True}]
    ]


def test_help_of_new_commands(capsys):
    for cmd in ("edit", "merge", "split", "duplicates", "not-duplicate", "attach", "detach", "attachments"):
        with pytest.raises(SystemExit) as e:
            main([cmd, "--help"])
        assert e.value.code == 0
        assert "usage: refmanager " + cmd in capsys.readouterr().out
