"""``Library.json_texts``: each paper's JSON written by SQLite (``list --json``, issue 20)
is the JSON ``paper_json`` gives, field for field, whatever the paper holds."""

from __future__ import annotations

import json
from pathlib import Path

from refmanager.core.fields import JSON_FIELDS, paper_json
from refmanager.core.library import Library

BIB = r"""@article{smith2020,
  title = {Line one "quoted" \& back\textbackslash slash},
  author = {Smith, Ann and {Groupe É} and Müller, Jörg},
  journal = {J. Tests}, year = {2020}, volume = {3}, pages = {1--9}, publisher = {Pub},
  keywords = {zeta, Alpha, beta},
  note = {a note},
  address = {Paris},
}
@misc{plain, title = {Plain}, year = {2021}}
"""


def _lib(tmp_path: Path) -> Library:
    lib = Library(tmp_path / "lib.db")
    rep = lib.import_text(BIB, "t.bib")
    assert rep.added == 2
    return lib


def test_each_paper_is_the_json_paper_json_gives(tmp_path: Path):
    lib = _lib(tmp_path)
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    lib.attach_file(2, pdf, mode="link")
    lib.edit_paper(1, title="Tab\there, newline\nthere, control \x01, emoji 😀")
    lib.trash([2])
    lib.db.conn.execute("UPDATE papers SET note = 'line\n\tindented \\ \"q\"' WHERE id = 1")  # (another program)
    lib.db.conn.commit()
    ids = [2, 99, 1]  # (in this order; 99 does not exist)
    texts = lib.json_texts(ids)
    got = [json.loads(t) for t in texts]
    want = [paper_json(p) for p in lib.get_many([2, 1])]
    assert got == want
    assert [d["id"] for d in got] == [2, 1]
    first = got[1]
    assert first["tags"] == ["Alpha", "beta", "zeta"]  # by name, case aside
    assert first["authors"] == ["Ann Smith", "Groupe É", "Jörg Müller"]
    assert first["record"] == {"place": "Paris"} and first["pages"] == "1–9"
    assert first["trashed"] is False and first["read"] is False
    assert got[0]["trashed"] is True
    assert got[0]["attachments"] == [{"name": "a.pdf", "path": str(pdf), "exists": True}]
    assert list(got[1]) == list(JSON_FIELDS)  # every field, in the documented order
    assert texts[1].startswith('{"id":1,"title":"Tab here, newline there, control \\u0001, emoji 😀"')
    assert '"note":"line\\n\\tindented \\\\ \\"q\\"",' in texts[1]
    pdf.unlink()  # a file gone: the disk says so
    assert json.loads(lib.json_texts([2])[0])["attachments"][0]["exists"] is False


def test_only_the_fields_asked_for_in_their_order(tmp_path: Path):
    lib = _lib(tmp_path)
    assert lib.json_texts([1, 2], ["starred", "id", "citekey"]) == [
        '{"starred":false,"id":1,"citekey":"smith2020"}', '{"starred":false,"id":2,"citekey":"plain"}']


def test_a_column_another_program_left_malformed_is_read_as_paper_json_reads_it(tmp_path: Path):
    lib = _lib(tmp_path)
    # Another program wrote a record that is not JSON: SQLite's json() refuses it; the paper
    # then goes through get_many, which reads it as it can.
    lib.db.conn.execute("UPDATE papers SET record = '{\"a\": [1, 2]' WHERE id = 2")
    lib.db.conn.commit()
    try:
        want = [paper_json(p) for p in lib.get_many([1, 2])]
    except ValueError:
        want = None
    if want is None:  # (get_many refuses it too: so does json_texts, with the same error)
        try:
            lib.json_texts([1, 2])
        except ValueError:
            return
        raise AssertionError("json_texts read a paper get_many refuses")
    assert [json.loads(t) for t in lib.json_texts([1, 2])] == want


def test_compact_ids_are_the_same_ids_in_the_same_order(tmp_path: Path):
    from array import array

    from refmanager.core.library import View

    lib = Library(tmp_path / "lib.db")
    papers = [{"title": f"Paper {i}", "issued": {"date-parts": [[2000 + i % 7]]}} for i in range(6000)]
    assert lib.import_text(json.dumps(papers, indent=0), "many.json").added == 6000
    view = View(sort="year", descending=True)
    plain = lib.ids(view)
    compact = lib.ids(view, compact=True)
    assert isinstance(plain, list) and isinstance(compact, array) and compact.itemsize == 8
    assert list(compact) == plain and len(plain) == 6000 and plain[0] == 5999  # (year 2006, last id)
    assert list(lib.ids(view, 3, 10, compact=True)) == plain[10:13]
    assert list(lib.all_ids(compact=True)) == list(range(1, 6001))
    # chunks of an array read the papers as a list does
    assert [json.loads(t)["title"] for t in lib.json_texts(compact[:2])] == ["Paper 5998", "Paper 5991"]


def test_export_groups_keep_only_the_papers_in_a_collection(tmp_path: Path):
    lib = _lib(tmp_path)
    cid = lib.create_collection("Now", lib.create_collection("Reading"))
    lib.add_to_collection(cid, [2])
    groups = lib.export_groups([1, 2])
    assert groups.of == {2: ["Reading/Now"]}
    assert lib.collections_of([1, 2]) == {1: [], 2: ["Reading/Now"]}


def test_only_documented_fields_each_once(tmp_path: Path):
    import pytest

    lib = _lib(tmp_path)
    with pytest.raises(ValueError, match="raw_line"):
        lib.json_texts([1], ["id", "raw_line"])
    assert lib.json_texts([1], ["id", "id", "starred"]) == ['{"id":1,"starred":false}']


def test_values_sql_and_python_read_apart_are_written_as_python_reads_them(tmp_path: Path):
    """Another program wrote a flag as text and a list as JSON5: the paper's JSON is what
    ``paper_json`` says (SQLite would call 'yes' false, and newer SQLite reads JSON5)."""
    lib = _lib(tmp_path)
    lib.db.conn.execute("UPDATE papers SET starred = 'yes', orgs = ? WHERE id = 1", ('["a",]',))
    lib.db.conn.execute("UPDATE papers SET read = 2.0 WHERE id = 2")
    lib.db.conn.commit()
    try:
        want = [paper_json(p) for p in lib.get_many([1, 2])]
    except ValueError:  # (Python refuses the JSON5 list: so must json_texts)
        import pytest

        with pytest.raises(ValueError):
            lib.json_texts([1, 2])
        lib.db.conn.execute("UPDATE papers SET orgs = '[]' WHERE id = 1")
        lib.db.conn.commit()
        want = [paper_json(p) for p in lib.get_many([1, 2])]
    got = [json.loads(t) for t in lib.json_texts([1, 2])]
    assert got == want
    assert got[0]["starred"] is True and got[1]["read"] is True
