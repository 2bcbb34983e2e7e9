"""Collections and saved searches in the library (issue 18): the tree, paths, counts, the
view of a collection (with or without its subcollections), Unfiled, ``collection:``, undo,
merges, imports into a collection.  Expected values are counted by hand from the papers below."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refmanager.core.errors import RefManagerError
from refmanager.core.library import Library, View
from refmanager.core.store.collections import CollectionError

PAPERS = [
    {"title": "Attention Is All You Need", "authors": ["Ashish Vaswani", "Noam Shazeer"], "date": "2017-06-12"},
    {"title": "Deep Residual Learning", "authors": ["Kaiming He"], "date": "2015"},
    {"title": "Adam: A Method for Stochastic Optimization", "authors": ["Diederik P. Kingma", "Jimmy Ba"],
     "date": "2014-12-22"},
    {"title": "Gemma 2", "authors": ["Gemma Team"], "date": "2024-07-31"},
    {"title": "Quokkas in the wild", "authors": ["Alan Turing"], "date": "2020"},
]


@pytest.fixture
def five(lib: Library) -> tuple[Library, dict[str, int]]:
    lib.import_text(json.dumps(PAPERS), "papers.json")
    ids = {p.title.split()[0].rstrip(":"): p.id for p in lib.get_many(lib.all_ids())}
    return lib, ids


def tree(lib: Library) -> list[tuple[str, int, int]]:
    return [(c.path, c.count, c.total) for c in lib.collection_tree()]


def titles(lib: Library, view: View) -> list[str]:
    return sorted(r.title.split()[0].rstrip(":") for r in lib.page(view, 0, 100))


def test_tree_paths_and_counts(five):
    lib, ids = five
    thesis = lib.create_collection("Thesis")
    related = lib.create_collection("Related work", thesis)
    method = lib.create_collection("Method", thesis)
    lib.create_collection("Reading group")
    assert lib.add_to_collection(related, [ids["Attention"], ids["Adam"]]) == 2
    assert lib.add_to_collection(method, [ids["Adam"], ids["Deep"]]) == 2
    assert lib.add_to_collection(thesis, [ids["Gemma"]]) == 1
    assert lib.add_to_collection(thesis, [ids["Gemma"]]) == 0  # (already in it)
    # depth first, names in order; total counts Adam once though it is in two subcollections
    assert tree(lib) == [
        ("Reading group", 0, 0), ("Thesis", 1, 4), ("Thesis/Method", 2, 2), ("Thesis/Related work", 2, 2),
    ]
    assert lib.find_collection("thesis/related WORK") == related
    assert lib.find_collection("Thesis/Nothing") is None
    assert lib.collections_of([ids["Adam"]]) == {ids["Adam"]: ["Thesis/Method", "Thesis/Related work"]}


def test_views_of_a_collection_and_unfiled(five):
    lib, ids = five
    thesis = lib.create_collection("Thesis")
    related = lib.create_collection("Related work", thesis)
    lib.add_to_collection(related, [ids["Attention"], ids["Adam"]])
    lib.add_to_collection(thesis, [ids["Gemma"]])
    assert titles(lib, View(collection=thesis)) == ["Adam", "Attention", "Gemma"]
    assert titles(lib, View(collection=thesis, subcollections=False)) == ["Gemma"]
    assert lib.count(View(collection=related)) == 2
    assert titles(lib, View(section="unfiled")) == ["Deep", "Quokkas"]
    assert lib.counts()["unfiled"] == 2
    # the search box refines a collection; sorted like any view
    assert titles(lib, View(collection=thesis, search="attention")) == ["Attention"]
    assert [r.year for r in lib.page(View(collection=thesis, sort="year", descending=False), 0, 10)] == [2014, 2017, 2024]
    # trashed papers leave the collection's view and counts, and come back with a restore
    lib.trash([ids["Gemma"]])
    assert titles(lib, View(collection=thesis)) == ["Adam", "Attention"]
    assert tree(lib) == [("Thesis", 0, 2), ("Thesis/Related work", 2, 2)]


def test_collection_qualifier(five):
    lib, ids = five
    thesis = lib.create_collection("Thesis")
    related = lib.create_collection("Related work", thesis)
    other = lib.create_collection("Other")
    lib.create_collection("Related work", other)  # (the same name elsewhere: empty)
    lib.add_to_collection(related, [ids["Attention"]])
    lib.add_to_collection(thesis, [ids["Gemma"]])
    assert titles(lib, View(search='collection:"Thesis/Related work"')) == ["Attention"]
    assert titles(lib, View(search="collection:thesis")) == ["Attention", "Gemma"]
    assert titles(lib, View(search='collection:"related work"')) == ["Attention"]  # a name at any depth
    assert titles(lib, View(search="-collection:Thesis")) == ["Adam", "Deep", "Quokkas"]
    assert titles(lib, View(search="collection:Other")) == []
    top = lib.create_collection("Related work")  # (a top-level one of the same name)
    lib.add_to_collection(top, [ids["Quokkas"]])
    assert titles(lib, View(search='collection:"related work"')) == ["Attention", "Quokkas"]  # (any depth)
    assert titles(lib, View(search='collection:"/Related work"')) == ["Quokkas"]  # (from the top only)
    assert titles(lib, View(search='collection:"/Thesis/Related work"')) == ["Attention"]
    assert titles(lib, View(search="collection:Nowhere")) == []
    assert lib.search_hint(View(search='collection:""')) == "collection: needs a collection's name or path"


def test_names_are_checked(five):
    lib, _ = five
    thesis = lib.create_collection("Thesis")
    with pytest.raises(CollectionError, match="already a collection 'thesis'"):
        lib.create_collection("thesis")
    lib.create_collection("thesis", thesis)  # (another parent: allowed)
    with pytest.raises(CollectionError, match="cannot contain '/'"):
        lib.create_collection("a/b")
    with pytest.raises(CollectionError, match="cannot be empty"):
        lib.create_collection("   ")
    sub = lib.find_collection("Thesis/thesis")
    with pytest.raises(CollectionError, match="into itself"):
        lib.move_collection(thesis, sub)
    assert isinstance(CollectionError("x"), RefManagerError)
    assert lib.undo_label() == "New collection 'thesis'"  # (refused commands left no action)


def test_delete_keeps_papers_and_undo_brings_everything_back(five):
    lib, ids = five
    thesis = lib.create_collection("Thesis")
    related = lib.create_collection("Related work", thesis)
    lib.add_to_collection(related, [ids["Attention"], ids["Adam"]])
    lib.add_to_collection(thesis, [ids["Gemma"]])
    before = tree(lib)
    lib.delete_collection(thesis)
    assert tree(lib) == []
    assert len(lib.all_ids()) == 5
    assert lib.undo() == "Delete collection 'Thesis'"
    assert tree(lib) == before
    assert lib.find_collection("Thesis/Related work") == related  # (the same ids again)
    assert lib.redo() == "Delete collection 'Thesis'"
    assert tree(lib) == []


def test_rename_and_move_undo(five):
    lib, _ = five
    a = lib.create_collection("A")
    b = lib.create_collection("B")
    lib.move_collection(b, a)
    assert [c.path for c in lib.collection_tree()] == ["A", "A/B"]
    lib.rename_collection(a, "Alpha")
    assert [c.path for c in lib.collection_tree()] == ["Alpha", "Alpha/B"]
    assert lib.undo() == "Rename collection 'A' to 'Alpha'"
    assert lib.undo() == "Move collection 'B' to 'A'"
    assert [c.path for c in lib.collection_tree()] == ["A", "B"]


def test_merge_keeps_every_membership(five):
    lib, ids = five
    a = lib.create_collection("A")
    b = lib.create_collection("B")
    lib.add_to_collection(a, [ids["Attention"]])
    lib.add_to_collection(b, [ids["Deep"]])
    kept = lib.merge_papers([ids["Attention"], ids["Deep"]])
    assert lib.collections_of([kept]) == {kept: ["A", "B"]}
    lib.undo()
    assert lib.collections_of([ids["Attention"], ids["Deep"]]) == {ids["Attention"]: ["A"], ids["Deep"]: ["B"]}


def test_import_into_a_collection(five, tmp_path: Path):
    lib, ids = five
    reading = lib.create_collection("Reading group")
    f = tmp_path / "more.json"
    # one paper already in the library (Gemma 2), one new
    f.write_text(json.dumps([PAPERS[3], {"title": "Quantum quokkas", "authors": ["Ada Lovelace"], "date": "2021"}]))
    rep = lib.import_paths([f], collection=reading)
    assert rep.added == 1
    assert titles(lib, View(collection=reading)) == ["Gemma", "Quantum"]
    assert "2 papers put in collection 'Reading group'" in rep.files[0].notes
    lib.undo()
    assert tree(lib) == [("Reading group", 0, 0)]
    assert len(lib.all_ids()) == 5
    # the same file again: nothing new, yet its papers go into the collection (an action)
    lib.import_paths([f])
    rep = lib.import_paths([f], collection=reading)
    assert (rep.added, tree(lib)) == (0, [("Reading group", 2, 2)])


def test_saved_searches(five):
    lib, _ = five
    sid = lib.save_search("Recent", "year:2017..")
    assert [(s.name, s.query) for s in lib.saved_search_list()] == [("Recent", "year:2017..")]
    assert titles(lib, View(saved="year:2017..")) == ["Attention", "Gemma", "Quokkas"]
    assert titles(lib, View(saved="year:2017..", search="gemma")) == ["Gemma"]  # (the box refines it)
    with pytest.raises(CollectionError, match="already a saved search"):
        lib.save_search("recent", "x")
    with pytest.raises(CollectionError, match="needs a query"):
        lib.save_search("Empty", "  ")
    lib.update_saved_search(sid, name="Since 2017", query="year:2017.. -quokkas")
    assert titles(lib, View(saved=lib.saved_searches.need(sid).query)) == ["Attention", "Gemma"]
    assert lib.undo() == "Edit saved search 'Recent'"
    lib.delete_saved_search(sid)
    assert lib.saved_search_list() == []
    lib.undo()
    assert [s.name for s in lib.saved_search_list()] == ["Recent"]


def test_an_undo_record_without_memberships_leaves_them(five):
    """A snapshot made before schema v11 has no ``_collections``: restoring it must not
    take the paper out of its collections."""
    lib, ids = five
    a = lib.create_collection("A")
    lib.add_to_collection(a, [ids["Adam"]])
    snap = lib.snapshots.take_one(ids["Adam"])
    del snap["_collections"]
    lib.snapshots.restore({"papers": {str(ids["Adam"]): snap}})
    assert lib.collections_of([ids["Adam"]]) == {ids["Adam"]: ["A"]}


def test_import_into_a_path_makes_the_collection_in_the_same_action(five, tmp_path: Path):
    lib, _ = five
    f = tmp_path / "one.json"
    f.write_text(json.dumps([{"title": "Quantum quokkas", "authors": ["Ada Lovelace"], "date": "2021"}]))
    lib.import_paths([f], collection="Thesis/Imported")
    assert tree(lib) == [("Thesis", 0, 1), ("Thesis/Imported", 1, 1)]
    assert lib.undo() == "import of one.json: 1 paper"
    assert tree(lib) == []  # (one undo: the papers and the collections the import made)
    assert lib.redo() == "import of one.json: 1 paper"
    assert tree(lib) == [("Thesis", 0, 1), ("Thesis/Imported", 1, 1)]
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a listing"}')
    lib.import_paths([bad], collection="Elsewhere")
    assert lib.find_collection("Elsewhere") is None  # (nothing imported: nothing made)
    with pytest.raises(CollectionError, match="cannot be empty"):
        lib.import_paths([f], collection=" / ")


def test_split_takes_back_the_memberships_a_merge_brought(five):
    lib, ids = five
    x = lib.create_collection("X")
    y = lib.create_collection("Y")
    lib.add_to_collection(x, [ids["Attention"]])
    lib.add_to_collection(y, [ids["Deep"]])
    kept = lib.merge_papers([ids["Attention"], ids["Deep"]], keep=ids["Attention"])
    assert lib.collections_of([kept]) == {kept: ["X", "Y"]}
    a, b = lib.split_paper(kept)
    assert lib.collections_of([a, b]) == {a: ["X"], b: ["Y"]}


def test_a_split_never_puts_a_paper_in_a_collection_made_since(five):
    """Collection ids are never reused: a merge's snapshot names the deleted collection's id,
    and a collection made later must not take the paper in."""
    lib, ids = five
    old = lib.create_collection("Old project")
    lib.add_to_collection(old, [ids["Deep"]])
    kept = lib.merge_papers([ids["Attention"], ids["Deep"]], keep=ids["Attention"])
    lib.delete_collection(old)
    new = lib.create_collection("Unrelated")
    assert new != old
    a, b = lib.split_paper(kept)
    assert lib.collections_of([a, b]) == {a: [], b: []}
