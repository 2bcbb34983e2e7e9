"""Attachments: copied beside the library (private) or linked in place (issue 8)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from refmanager.core.errors import RefManagerError, ValidationError
from refmanager.core.fields import paper_json
from refmanager.core.library import Library

from .conftest import FULL_SEED

PDF = b"%PDF-1.4\n% a small test file\n"


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    f = tmp_path / "downloads" / "gemma2.pdf"
    f.parent.mkdir()
    f.write_bytes(PDF)
    return f


def test_copy_goes_to_a_private_folder_beside_the_library(seeded: Library, pdf: Path, tmp_path: Path):
    a = seeded.attach_file(1, pdf)
    folder = tmp_path / "library.db.files"
    target = folder / "1" / "gemma2.pdf"
    assert a == {"id": 1, "name": "gemma2.pdf", "path": str(target), "exists": True, "mode": "copy"}
    assert target.read_bytes() == PDF
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / "1").stat().st_mode & 0o777 == 0o700
    assert target.stat().st_mode & 0o777 == 0o600
    assert [x.name for x in (folder / "1").iterdir()] == ["gemma2.pdf"]  # no partial file left
    p = seeded.get(1)
    assert p.attachments == [{"name": "gemma2.pdf", "path": str(target), "exists": True}]
    assert paper_json(p)["attachments"] == [{"name": "gemma2.pdf", "path": str(target), "exists": True}]
    assert seeded.undo_label() == "Attach 'gemma2.pdf' to 'Gemma 2: Improving Open Language Models at a Prac…'"
    pdf.unlink()  # the copy does not depend on the original
    assert seeded.attachments(1)[0]["exists"] is True


def test_same_file_twice_and_same_name_with_other_content(seeded: Library, pdf: Path, tmp_path: Path):
    first = seeded.attach_file(1, pdf)
    assert seeded.attach_file(1, pdf) == first  # attached already: nothing new
    other = tmp_path / "gemma2.pdf"
    other.write_bytes(b"%PDF-1.4\n% another version\n")
    second = seeded.attach_file(1, other)
    assert second["name"] == "gemma2 (2).pdf"
    assert Path(second["path"]).read_bytes() == b"%PDF-1.4\n% another version\n"
    assert [a["name"] for a in seeded.attachments(1)] == ["gemma2.pdf", "gemma2 (2).pdf"]


def test_link_records_the_path_and_a_missing_file_is_no_error(seeded: Library, pdf: Path):
    a = seeded.attach_file(2, pdf, mode="link")
    assert a == {"id": 1, "name": "gemma2.pdf", "path": str(pdf.resolve()), "exists": True, "mode": "link"}
    assert not (seeded.path.parent / "library.db.files").exists()
    pdf.unlink()
    (att,) = seeded.attachments(2)
    assert (att["name"], att["path"], att["exists"], att["mode"]) == ("gemma2.pdf", str(pdf.resolve()), False, "link")
    assert seeded.get(2).attachments == [{"name": "gemma2.pdf", "path": str(pdf.resolve()), "exists": False}]


def test_detach_and_undo(seeded: Library, pdf: Path):
    a = seeded.attach_file(1, pdf)
    seeded.detach(1, a["id"])
    assert seeded.attachments(1) == []
    assert Path(a["path"]).exists()  # the copy stays, so the detach can be undone
    assert seeded.undo() == "Detach 'gemma2.pdf' from 'Gemma 2: Improving Open Language Models at a Prac…'"
    assert [x["path"] for x in seeded.attachments(1)] == [a["path"]]
    assert seeded.undo() == "Attach 'gemma2.pdf' to 'Gemma 2: Improving Open Language Models at a Prac…'"
    assert seeded.attachments(1) == []
    seeded.redo()
    assert [x["id"] for x in seeded.attachments(1)] == [a["id"]]
    with pytest.raises(RefManagerError, match="^paper 2 has no attachment 1$"):
        seeded.detach(2, a["id"])


def test_attachments_follow_deletion_undo_merge_and_split(seeded: Library, pdf: Path):
    seeded.attach_file(5, pdf)
    seeded.trash([5])
    seeded.empty_trash()
    assert seeded.db.value("SELECT count(*) FROM attachments") == 0
    seeded.undo()
    assert [a["name"] for a in seeded.attachments(5)] == ["gemma2.pdf"]
    seeded.merge_papers([3, 5])
    assert [a["name"] for a in seeded.attachments(3)] == ["gemma2.pdf"]
    seeded.split_paper(3)
    assert seeded.attachments(3) == [] and [a["name"] for a in seeded.attachments(5)] == ["gemma2.pdf"]


def test_which_paths_may_be_opened(seeded: Library, pdf: Path, tmp_path: Path):
    copied = seeded.attach_file(1, pdf)
    other = tmp_path / "elsewhere.pdf"
    other.write_bytes(PDF)
    linked = tmp_path / "linked.pdf"
    linked.write_bytes(PDF)
    seeded.attach_file(2, linked, mode="link")
    folder = tmp_path / "library.db.files"
    assert seeded.attachment_path_allowed(copied["path"]) is True
    assert seeded.attachment_path_allowed(folder / "1" / "not-attached-but-inside.pdf") is True
    assert seeded.attachment_path_allowed(linked) is True
    assert seeded.attachment_path_allowed(tmp_path / "." / "linked.pdf") is True
    assert seeded.attachment_path_allowed(other) is False
    assert seeded.attachment_path_allowed(pdf) is False  # copied from there, not linked
    assert seeded.attachment_path_allowed(folder) is False
    assert seeded.attachment_path_allowed(folder / ".." / "elsewhere.pdf") is False
    assert seeded.attachment_path_allowed(folder / "1" / ".." / ".." / "library.db") is False
    os.symlink(other, folder / "1" / "sneaky.pdf")
    assert seeded.attachment_path_allowed(folder / "1" / "sneaky.pdf") is False
    assert seeded.attachment_path_allowed("/etc/passwd") is False


def test_attach_errors(seeded: Library, tmp_path: Path, pdf: Path):
    with pytest.raises(RefManagerError, match=f"^{tmp_path / 'nope.pdf'}: no such file$"):
        seeded.attach_file(1, tmp_path / "nope.pdf")
    with pytest.raises(RefManagerError, match=f"^{tmp_path}: not a file$"):
        seeded.attach_file(1, tmp_path)
    with pytest.raises(ValidationError, match="^mode: expected 'copy' or 'link', not 'move'$"):
        seeded.attach_file(1, pdf, mode="move")
    with pytest.raises(RefManagerError, match="^no paper with id 99$"):
        seeded.attach_file(99, pdf)
    assert seeded.attachments(1) == []
    mem = Library(":memory:")
    mem.import_paths([FULL_SEED])
    with pytest.raises(RefManagerError, match="^an in-memory library cannot keep copies of files: attach a link$"):
        mem.attach_file(1, pdf)
    assert mem.attach_file(1, pdf, mode="link")["exists"] is True
    mem.close()
