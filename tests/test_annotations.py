"""Annotations of PDFs kept in the library (issue 19, schema v13): added, edited and deleted as
undoable actions that undo and redo exactly; kept with the paper through the trash, a merge and
a split; belonging to the file's content, so a moved and re-linked copy keeps them; found by
``annotation:``; written in refmanager JSON and read back; appended to the note as Zotero does;
the last page read; ``refmanager annotations ID``; the v12 -> v13 migration."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from refmanager.cli import main
from refmanager.core.errors import RefManagerError, ValidationError
from refmanager.core.export import EXPORT_FORMATS
from refmanager.core.library import Library, View
from refmanager.core.store.annotations import AnnotationGone, note_block
from refmanager.core.store.schema import MIGRATIONS, SCHEMA_V1, SCHEMA_VERSION

from .conftest import FULL_SEED

#: Two PDFs' identities (their SHA-256), as the reader computes them.
FILE_A = hashlib.sha256(b"file a").hexdigest()
FILE_B = hashlib.sha256(b"file b").hexdigest()


def state(lib: Library, pid: int) -> list[dict]:
    """Everything the library keeps of a paper's annotations, ids and times included."""
    return [a.to_json() for a in lib.annotations(pid)]


def version(lib: Library, pid: int) -> int:
    return lib.db.value("SELECT version FROM papers WHERE id = ?", (pid,))


def highlight(lib: Library, pid: int = 1, **kw) -> int:
    fields = dict(file=FILE_A, page=3, rects=[[72, 191, 213.5, 12]], color="green",
                  quote="The zebrafish swims\r\npast the light-\nhouse.", char_start=40, char_end=78)
    fields.update(kw)
    return lib.add_annotation(pid, **fields)


@pytest.fixture
def one(lib: Library) -> Library:
    """The full seed (19 papers)."""
    lib.import_paths([FULL_SEED])
    return lib


# ------------------------------------------------------------------ the store
def test_add_edit_delete_keep_what_was_given(one: Library):
    aid = highlight(one)
    nid = one.add_annotation(1, file=FILE_A, page=2, kind="note", rects=[[300, 400, 18, 18]], comment="Read again",
                             color="pink")
    (h, n) = sorted(one.annotations(1), key=lambda a: a.id)
    assert (h.id, h.paper_id, h.file, h.kind, h.page, h.color) == (aid, 1, FILE_A, "highlight", 3, "green")
    assert h.rects == ((72.0, 191.0, 213.5, 12.0),)
    assert h.quote == "The zebrafish swims\npast the light-\nhouse."  # (line ends as \n)
    assert (h.char_start, h.char_end, h.comment) == (40, 78, None)
    assert (n.id, n.kind, n.page, n.comment, n.color, n.quote) == (nid, "note", 2, "Read again", "pink", None)
    assert [a.id for a in one.annotations(1)] == [nid, aid]  # (by page)
    assert one.annotations(1, FILE_B) == [] and one.annotations(2) == []
    assert one.undo_label() == "Add a note on page 2 of 'Gemma 2: Improving Open Language Models at a Prac…'"
    assert one.edit_annotation(aid, comment="  A fish  ") is True
    assert one.annotations(1, FILE_A)[1].comment == "  A fish  "
    assert one.undo_label().startswith("Change the comment of an annotation on page 3 of 'Gemma 2")
    assert one.edit_annotation(aid, color="purple") is True and one.annotator.need(aid).color == "purple"
    assert one.undo_label().startswith("Change the colour of an annotation on page 3")
    assert one.edit_annotation(aid, color="purple") is False  # (nothing changed: no action)
    one.delete_annotation(nid)
    assert [a.id for a in one.annotations(1)] == [aid]
    assert one.undo_label().startswith("Delete a note on page 2 of 'Gemma 2")
    with pytest.raises(AnnotationGone):
        one.delete_annotation(nid)


def test_what_is_refused(one: Library):
    label = one.undo_label()
    bad = [
        (dict(color="red"), "color"), (dict(file="abc"), "file"), (dict(page=0), "page"),
        (dict(kind="ink"), "kind"), (dict(rects=[[1, 2, 3]]), "rects"),
        (dict(rects=[[1, 2, 3, float("nan")]]), "rects"),
        (dict(quote=None, rects=[]), "quote"), (dict(char_start=-1), "char_start"),
    ]
    for kw, field in bad:
        with pytest.raises(ValidationError) as e:
            highlight(one, **kw)
        assert e.value.field == field
    with pytest.raises(ValidationError) as e:
        one.add_annotation(1, file=FILE_A, page=1, kind="note", rects=[[1, 1, 18, 18]], comment="  ")
    assert e.value.field == "comment"
    with pytest.raises(RefManagerError, match="no paper with id 999"):
        highlight(one, pid=999)
    assert one.annotations(1) == [] and one.undo_label() == label
    aid = highlight(one, rects=[[100, 120, -20, -10]])  # (a rotated page's rectangle: made positive)
    assert one.annotator.need(aid).rects == ((80.0, 110.0, 20.0, 10.0),)


def test_undo_and_redo_restore_exactly(one: Library):
    empty, v0 = state(one, 1), version(one, 1)
    aid = highlight(one)
    added, v1 = state(one, 1), version(one, 1)
    assert v1 == v0 + 1  # (a change of its annotations is a change of the paper)
    one.edit_annotation(aid, comment="Kept\nfor the thesis", color="blue")
    edited = state(one, 1)
    one.delete_annotation(aid)
    assert state(one, 1) == []
    assert one.undo().startswith("Delete a highlight on page 3") and state(one, 1) == edited
    assert one.undo().startswith("Change the comment") and state(one, 1) == added
    assert version(one, 1) == v1
    assert one.undo().startswith("Highlight on page 3") and state(one, 1) == empty
    assert version(one, 1) == v0
    assert one.search("annotation:zebrafish")[0] == []  # (the index follows)
    assert one.redo().startswith("Highlight") and state(one, 1) == added
    assert [p.id for p in one.search("annotation:zebrafish")[0]] == [1]
    assert one.redo().startswith("Change the comment") and state(one, 1) == edited
    assert one.redo().startswith("Delete") and state(one, 1) == []


def test_each_undo_takes_back_one_annotation(one: Library):
    first = highlight(one)
    highlight(one, page=4, quote="Another line", color="yellow")
    one.undo()
    assert [a.id for a in one.annotations(1)] == [first]
    one.undo()
    assert state(one, 1) == []
    one.redo()
    assert [a.id for a in one.annotations(1)] == [first]


def test_trash_delete_and_undo_bring_them_back(one: Library):
    highlight(one)
    one.add_annotation(1, file=FILE_B, page=1, kind="note", rects=[[10, 10, 18, 18]], comment="Other file")
    before = state(one, 1)
    one.trash([1])
    assert state(one, 1) == before
    one.delete_papers([1])
    assert one.db.value("SELECT count(*) FROM annotations") == 0
    one.undo()
    assert state(one, 1) == before
    assert [p.id for p in one.search("annotation:zebrafish", trash=True)[0]] == [1]


def test_a_merge_keeps_them_and_a_split_takes_them_back(one: Library):
    a1 = highlight(one, pid=1)
    a2 = highlight(one, pid=2, page=1, quote="Second paper's line", file=FILE_B)
    s1, s2 = state(one, 1), state(one, 2)
    kept = one.merge_papers([1, 2])
    assert kept == 1 and sorted(a.id for a in one.annotations(1)) == [a1, a2]
    one.undo()
    assert (state(one, 1), state(one, 2)) == (s1, s2)
    one.redo()
    assert sorted(a.id for a in one.annotations(1)) == [a1, a2]
    assert sorted(one.split_paper(1)) == [1, 2]
    assert (state(one, 1), state(one, 2)) == (s1, s2)


def test_they_belong_to_the_files_content_so_a_moved_and_relinked_copy_keeps_them(one: Library, tmp_path: Path):
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% the same bytes wherever they are\n")
    sha = hashlib.sha256(pdf.read_bytes()).hexdigest()
    att = one.attach_file(1, pdf, mode="link")
    highlight(one, file=sha)
    before = state(one, 1)
    moved = tmp_path / "moved" / "renamed.pdf"
    moved.parent.mkdir()
    shutil.move(pdf, moved)
    one.detach(1, att["id"])
    one.attach_file(1, moved, mode="link")  # re-linked where it is now
    assert state(one, 1) == before
    assert [a.id for a in one.annotations(1, hashlib.sha256(moved.read_bytes()).hexdigest())] == [before[0]["id"]]


def test_the_import_undo_keeps_a_paper_annotated_since(lib: Library):
    lib.import_paths([FULL_SEED])
    label = lib.undo_label()
    aid = highlight(lib, pid=1)
    # the newest action is the highlight: undo the import from under it (as another program could)
    uid = lib.db.value("SELECT id FROM undo_log WHERE label = ?", (label,))
    lib.db.execute("DELETE FROM undo_log WHERE id != ?", (uid,))
    done = lib.undo()
    assert any("changed since" in c for c in done.conflicts)
    assert lib.exists(1) and [a.id for a in lib.annotations(1)] == [aid]


# ------------------------------------------------------------------ search
def test_annotation_search_finds_quotes_and_comments(one: Library):
    aid = highlight(one, pid=1)
    one.edit_annotation(aid, comment="Compare with the herring results")
    one.add_annotation(2, file=FILE_B, page=5, kind="note", rects=[[1, 1, 18, 18]], comment="Lighthouse keeper")

    def ids(q: str, **kw) -> list[int]:
        return sorted(one.ids(View(search=q, **kw)))

    assert ids("annotation:zebrafish") == [1]
    assert ids("annotation:herr") == [1]  # (a prefix, as words are)
    assert ids('annotation:"the herring results"') == [1]
    assert ids('annotation:"herring the"') == []
    assert ids("annotation:lighthouse") == [2]  # (light-house is two words: the note's is one)
    assert ids("annotation:zebrafish annotation:herring") == [1]
    assert ids("-annotation:zebrafish") == [i for i in range(1, 20) if i != 1]
    assert ids("zebrafish") == []  # a plain word: the record only ...
    assert ids("zebrafish", fulltext=True) == [1]  # ... "search full text too": annotations as well
    assert ids("keeper", fulltext=True) == [2]
    assert one.search_hint(View(search="annotation:")) == 'annotation: needs a word or a "phrase"'
    assert one.search_hint(View(search="annotations:zebrafish")) == (
        "did you mean annotation:? (there is no annotations:)")


# ------------------------------------------------------------------ JSON
def test_json_export_lists_each_papers_annotations(one: Library):
    aid = highlight(one, pid=3, comment="Why?")
    a = one.annotator.need(aid)
    ids = one.all_ids()
    data = json.loads(EXPORT_FORMATS["json"].write(one.get_many(ids), "", groups=one.export_groups(ids)))
    assert isinstance(data, list)  # (no collections: the plain list)
    by_id = {p["id"]: p for p in data}
    assert by_id[3]["annotations"] == [{
        "kind": "highlight", "page": 3, "color": "green", "quote": "The zebrafish swims\npast the light-\nhouse.",
        "comment": "Why?", "rects": [[72.0, 191.0, 213.5, 12.0]], "char_start": 40, "char_end": 78, "file": FILE_A,
        "created_at": a.created_at, "modified_at": a.modified_at,
    }]
    assert [p["id"] for p in data if "annotations" in p] == [3]
    cid = one.create_collection("Thesis")
    one.add_to_collection(cid, [3])
    data = json.loads(EXPORT_FORMATS["json"].write(one.get_many(ids), "", groups=one.export_groups(ids)))
    paper = next(p for p in data["papers"] if p["id"] == 3)
    assert paper["collections"] == ["Thesis"] and paper["annotations"][0]["comment"] == "Why?"


def test_json_import_reads_them_back_once(one: Library, tmp_path: Path):
    highlight(one, pid=3, comment="Why?")
    one.add_annotation(3, file=FILE_B, page=1, kind="note", rects=[[5, 6, 18, 18]], comment="Note", color="blue")
    ids = one.all_ids()
    out = tmp_path / "export.json"
    out.write_text(EXPORT_FORMATS["json"].write(one.get_many(ids), "", groups=one.export_groups(ids)), encoding="utf-8")
    keep = [{k: v for k, v in a.to_json().items() if k != "id"} for a in one.annotations(3)]
    with Library(tmp_path / "other.db") as other:
        report = other.import_paths([out])
        pid = _same_paper(other, one.get(3))
        assert [{k: v for k, v in a.to_json().items() if k != "id"} for a in other.annotations(pid)] == keep
        assert any("2 annotations added" in n for f in report.files for n in f.notes)
        other.import_paths([out])  # the same file again: nothing doubled
        assert len(other.annotations(pid)) == 2
        other.undo()
        other.undo()
        assert other.db.value("SELECT count(*) FROM annotations") == 0


def test_json_import_warns_of_annotations_it_cannot_use(lib: Library):
    bad = {"kind": "highlight", "page": 0, "file": FILE_A, "quote": "x"}
    good = {"kind": "note", "page": 2, "file": FILE_A, "comment": "Kept", "rects": [[1, 2, 18, 18]], "color": "blue"}
    text = (f'[\n{{"title": "First paper", "annotations": [{json.dumps(bad)}, {json.dumps(good)}]}},\n'
            '{"title": "Second paper", "annotations": "not a list"}\n]\n')
    report = lib.import_text(text, "mixed.json")
    assert report.added == 2
    (f,) = report.files
    assert f.warnings == ["line 2: an annotation not added: page: a page number from 1 to 10,000,000",
                          "line 3: 'annotations' must be a list of objects; ignored"]
    assert f.notes[-1] == "1 annotation added"
    (p1,) = lib.search('"First paper"')[0]
    assert [(a.kind, a.page, a.comment, a.color) for a in lib.annotations(p1.id)] == [("note", 2, "Kept", "blue")]


def _same_paper(lib: Library, p) -> int:
    return next(q.id for q in lib.get_many(lib.all_ids()) if q.title == p.title)


# ------------------------------------------------------------------ the note
def test_add_note_from_annotations_appends_them_with_pages(one: Library):
    one.add_annotation(1, file=FILE_A, page=5, kind="note", rects=[[10, 10, 18, 18]], comment="Check Table 2")
    highlight(one, page=2, rects=[[72, 300, 100, 12]], quote="Second\r\nline of text", comment="Agreed.")
    highlight(one, page=2, rects=[[72, 100, 100, 12]], quote="First on the page", comment=None)
    one.set_note(1, "My own note.\n\n")
    text = one.annotator.add_to_note(1)
    expected = ("My own note.\n\n## Annotations\n\n"
                "> \u201cFirst on the page\u201d (p. 2)\n\n"
                "> \u201cSecond line of text\u201d (p. 2)\n\nAgreed.\n\n"
                "Check Table 2 (p. 5)\n")
    assert text == expected and one.get(1).note == expected
    assert one.undo_label() == "Edit note of paper 1"
    one.undo()
    assert one.get(1).note == "My own note.\n\n"
    assert note_block([]) == "## Annotations\n"
    with pytest.raises(RefManagerError, match="no annotations"):
        one.annotator.add_to_note(2)


def test_the_last_page_read_is_kept_and_is_no_action(one: Library):
    label = one.undo_label()
    assert one.annotator.last_page(1, FILE_A) is None
    one.annotator.set_last_page(1, FILE_A, 4)
    one.annotator.set_last_page(1, FILE_A, 7)
    one.annotator.set_last_page(1, FILE_B, 2)
    assert (one.annotator.last_page(1, FILE_A), one.annotator.last_page(1, FILE_B)) == (7, 2)
    assert one.annotator.last_page(2, FILE_A) is None and one.undo_label() == label
    one.annotator.set_last_page(999, FILE_A, 3)  # (a paper gone meanwhile: nothing to keep)
    assert one.db.value("SELECT count(*) FROM reading_positions") == 2


# ------------------------------------------------------------------ the command line
def test_cli_lists_them_as_text_and_json(one: Library, capsys):
    one.add_annotation(1, file=FILE_A, page=5, kind="note", rects=[[10, 10, 18, 18]], comment="Check\nTable 2")
    aid = highlight(one, comment="A fish")
    path = str(one.path)
    one.close()
    assert main(["--library", path, "annotations", "1"]) == 0
    out = capsys.readouterr().out
    assert out == (
        "1: Gemma 2: Improving Open Language Models at a Practical Size — 2 annotations\n"
        "  p. 3    green   \u201cThe zebrafish swims past the light- house.\u201d\n"
        "                  \u21b3 A fish\n"
        "  p. 5    yellow  note: Check\n"
        "                        Table 2\n"
    )
    assert main(["--library", path, "annotations", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(a["id"], a["kind"], a["page"], a["comment"]) for a in data] == [
        (aid, "highlight", 3, "A fish"), (1, "note", 5, "Check\nTable 2")]
    assert main(["--library", path, "annotations", "2"]) == 0
    assert capsys.readouterr().out.endswith("— no annotations\n")
    assert main(["--library", path, "annotations", "999"]) == 1
    assert capsys.readouterr().err == "refmanager: no paper with id 999\n"


# ------------------------------------------------------------------ the schema
def test_a_v12_library_is_migrated_to_v13(tmp_path: Path):
    path = tmp_path / "v12.db"
    c = sqlite3.connect(path)
    c.executescript("BEGIN;" + SCHEMA_V1 + "\n".join(MIGRATIONS[:11]) + "PRAGMA user_version=12;COMMIT;")
    c.close()
    with Library(path) as lib:
        assert lib.schema_version == SCHEMA_VERSION >= 13
        lib.import_paths([FULL_SEED])
        highlight(lib)
        assert [p.id for p in lib.search("annotation:zebrafish")[0]] == [1]


@pytest.mark.parametrize("bad", [
    {"rects": [1, 2, 3, 4]},  # (flat: not a list of rectangles)
    {"rects": None, "quote": None},
    {"rects": [[10 ** 400, 1, 1, 1]]},  # (a float would overflow)
    {"page": 10 ** 30},
    {"char_start": 10 ** 30},
])
def test_a_malformed_annotation_in_json_is_a_warning_and_the_rest_imports(lib: Library, bad: dict):
    a = {"kind": "highlight", "page": 1, "file": FILE_A, "quote": "x", "rects": [[1, 2, 3, 4]], **bad}
    text = json.dumps([{"title": "First paper", "annotations": [a]}, {"title": "Second paper"}])
    report = lib.import_text(text, "bad.json")
    assert report.added == 2
    assert len(report.files[0].warnings) == 1 and "an annotation not added" in report.files[0].warnings[0]
    assert [len(lib.annotations(p)) for p in lib.all_ids()] == [0, 0]


def test_a_merge_keeps_the_last_page_read_of_the_papers_it_joins(one: Library):
    one.annotator.set_last_page(2, FILE_A, 9)  # (paper 2's PDF, left at page 9)
    one.annotator.set_last_page(1, "b" * 64, 3)
    kept = one.merge_papers([1, 2], keep=1)
    assert (one.annotator.last_page(kept, FILE_A), one.annotator.last_page(kept, "b" * 64)) == (9, 3)


def test_a_comment_typed_over_another_programs_change_keeps_both(one: Library, tmp_path):
    aid = highlight(one, comment="First thought")
    one.edit_annotation(aid, comment="Another program's words")  # (the reader still shows "First thought")
    one.edit_annotation(aid, comment="My new words", expected="First thought")
    (a,) = one.annotations(1)
    assert a.comment == ("My new words\n\n──── Kept from another program's change to this comment ────\n"
                         "Another program's words")
    one.edit_annotation(aid, comment="Plain", expected=a.comment)  # (as shown: no conflict)
    assert one.annotations(1)[0].comment == "Plain"
