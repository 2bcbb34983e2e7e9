"""Collections and saved searches in refmanager JSON (issue 18): ``export --format json`` of a
library that has some is an object ``{"papers", "collections", "saved_searches"}`` whose papers
list their collections' paths; one without any is the plain list older versions read; the
reader takes both, and an import restores the tree (empty collections too), the memberships
and the saved searches, all undone by one undo.  Expected values are written by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refmanager.cli import main
from refmanager.core.errors import ParseError
from refmanager.core.export import EXPORT_FORMATS, to_json
from refmanager.core.fields import paper_json
from refmanager.core.formats import jsonexport
from refmanager.core.library import Library

PAPERS = [
    {"title": "Attention Is All You Need", "authors": ["Ashish Vaswani"], "date": "2017"},
    {"title": "Deep Residual Learning", "authors": ["Kaiming He"], "date": "2015"},
    {"title": "Gemma 2", "authors": ["Gemma Team"], "date": "2024"},
]


def state(lib: Library) -> tuple[list[str], dict[str, list[str]], list[tuple[str, str]]]:
    papers = lib.get_many(lib.all_ids())
    of = lib.collections_of([p.id for p in papers])
    return ([c.path for c in lib.collection_tree(counts=False)], {p.title: of[p.id] for p in papers},
            [(s.name, s.query) for s in lib.saved_search_list()])


def export_json(lib: Library) -> str:
    ids = lib.all_ids()
    return EXPORT_FORMATS["json"].write(lib.get_many(ids), "", groups=lib.export_groups(ids))


@pytest.fixture
def organised(lib: Library) -> Library:
    """Three papers; Thesis/Related work holds Attention and Deep, Thesis holds Gemma, an empty
    collection "Later", a name with a "/" typed by an import (the look-alike), two saved
    searches."""
    lib.import_text(json.dumps(PAPERS), "papers.json")
    ids = {p.title.split()[0]: p.id for p in lib.get_many(lib.all_ids())}
    thesis = lib.create_collection("Thesis")
    lib.add_to_collection(lib.create_collection("Related work", thesis), [ids["Attention"], ids["Deep"]])
    lib.add_to_collection(thesis, [ids["Gemma"]])
    lib.create_collection("Later")
    lib.add_to_collection(lib.create_collection("a\u2215b"), [ids["Gemma"]])
    lib.save_search("Recent", "year:2020..")
    lib.save_search("Vision", 'tag:"computer vision" -author:he')
    return lib


WANT = (
    ["a\u2215b", "Later", "Thesis", "Thesis/Related work"],
    {"Attention Is All You Need": ["Thesis/Related work"], "Deep Residual Learning": ["Thesis/Related work"],
     "Gemma 2": ["a\u2215b", "Thesis"]},
    [("Recent", "year:2020.."), ("Vision", 'tag:"computer vision" -author:he')],
)


def test_the_shape(organised: Library):
    assert state(organised) == WANT
    data = json.loads(export_json(organised))
    assert list(data) == ["papers", "collections", "saved_searches"]
    assert data["collections"] == ["a\u2215b", "Later", "Thesis", "Thesis/Related work"]
    assert data["saved_searches"] == [{"name": "Recent", "query": "year:2020.."},
                                      {"name": "Vision", "query": 'tag:"computer vision" -author:he'}]
    by_title = {p["title"]: p for p in data["papers"]}
    assert by_title["Gemma 2"]["collections"] == ["a\u2215b", "Thesis"]
    assert by_title["Deep Residual Learning"]["collections"] == ["Thesis/Related work"]
    # every other field is the paper's JSON as before
    first = organised.get(organised.all_ids()[0])
    assert {k: v for k, v in data["papers"][0].items() if k != "collections"} == paper_json(first)


def test_json_library_json_library(organised: Library, tmp_path: Path):
    text = export_json(organised)
    with Library(tmp_path / "b.db") as b:
        report = b.import_text(text, "export.json")
        assert (report.added, report.files[0].warnings) == (3, [])
        assert report.files[0].notes == ["4 collections made, 4 papers put in collections, 2 saved searches made"]
        assert state(b) == WANT  # (the empty "Later" too)
        again = export_json(b)
    strip = lambda t: [{k: v for k, v in p.items() if k not in ("id", "added_at", "citekey")}  # noqa: E731
                       for p in json.loads(t)["papers"]]
    assert strip(again) == strip(text)
    assert json.loads(again)["collections"] == json.loads(text)["collections"]


def test_one_undo_takes_back_the_import_with_its_collections(organised: Library, tmp_path: Path):
    text = export_json(organised)
    with Library(tmp_path / "b.db") as b:
        b.create_collection("Mine")
        b.import_text(text, "export.json")
        assert b.undo_label() == "import of export.json: 3 papers"
        b.undo()
        assert state(b) == (["Mine"], {}, [])
        b.redo()
        assert state(b)[0] == ["a\u2215b", "Later", "Mine", "Thesis", "Thesis/Related work"]


def test_a_paper_already_in_the_library_joins_its_collections(organised: Library, tmp_path: Path):
    text = export_json(organised)
    with Library(tmp_path / "b.db") as b:
        b.import_text(json.dumps(PAPERS[:1]), "one.json")
        report = b.import_text(text, "export.json")
        assert (report.added, report.merged + report.unchanged) == (2, 1)
        assert state(b)[1]["Attention Is All You Need"] == ["Thesis/Related work"]
        b.undo()
        assert state(b) == ([], {"Attention Is All You Need": []}, [])


def test_a_library_without_collections_exports_the_plain_list(lib: Library):
    lib.import_text(json.dumps(PAPERS), "papers.json")
    papers = lib.get_many(lib.all_ids())
    text = export_json(lib)
    assert text == json.dumps([paper_json(p) for p in papers], ensure_ascii=False, indent=2) + "\n"
    assert text == to_json(papers)
    assert isinstance(json.loads(text), list)


def test_the_old_plain_list_still_reads():
    pf = jsonexport.parse(json.dumps(PAPERS))
    assert [e.title for e in pf.entries] == ["Attention Is All You Need", "Deep Residual Learning", "Gemma 2"]
    assert pf.groups is None


BAD = """{
  "papers": [
    {"title": "Kept", "collections": ["Good/Path", " ", "Spaced  name"]},
    {"title": "Wrong type", "collections": "Thesis"}
  ],
  "collections": ["Good", 7, "Empty/Child"],
  "saved_searches": [{"name": "Fine", "query": "tag:x"}, {"name": "No query"}, "text"]
}
"""


def test_what_cannot_be_used_is_reported(lib: Library):
    report = lib.import_text(BAD, "bad.json")
    (fr,) = report.files
    assert fr.skipped == [{"line": 4, "reason": "field 'collections' must be a list of strings"}]
    assert fr.warnings == [
        "line 6: collection 7 is not a path such as \"Thesis/Related work\"; skipped",
        "line 7: saved search {'name': 'No query'} needs a name and a query; skipped",
        "line 7: saved search 'text' needs a name and a query; skipped",
    ]
    assert state(lib) == (["Empty", "Empty/Child", "Good", "Good/Path", "Spaced name"],
                          {"Kept": ["Good/Path", "Spaced name"]}, [("Fine", "tag:x")])


@pytest.mark.parametrize("text", ['{"papers": [{"title": "A"}],}', '{1: 2}', '{"papers": [{"title": "A"}] "x": 1}'])
def test_an_object_that_is_not_json_is_rejected_with_its_place(text: str):
    with pytest.raises(ParseError) as e:
        jsonexport.parse(text)
    assert e.value.message.startswith("invalid JSON: ") and e.value.line == 1


def test_an_object_without_papers_is_rejected(lib: Library):
    report = lib.import_text('{"collections": ["A"]}', "x.json")
    assert [str(r) for r in report.rejected] == [
        "x.json:1: this JSON is not a refmanager export: expected a list of paper objects, found a single object"]
    assert state(lib) == ([], {}, [])


def test_the_command_line_export_keeps_them_and_list_stays_a_list(organised: Library, tmp_path: Path, capsys):
    path = str(organised.path)
    organised.close()
    out = tmp_path / "export.json"
    assert main(["--library", path, "export", "--format", "json", "-o", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["collections"] == ["a\u2215b", "Later", "Thesis", "Thesis/Related work"]
    capsys.readouterr()
    assert main(["--library", path, "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert isinstance(listed, list) and len(listed) == 3 and "collections" not in listed[0]
    bib = tmp_path / "export.bib"
    assert main(["--library", path, "export", "--format", "bibtex", "-o", str(bib)]) == 0
    assert "2 StaticGroup:Related work\\;2\\;1\\;\\;\\;\\;;\n" in bib.read_text(encoding="utf-8")


def test_papers_written_on_one_line_each_get_their_own_collections(lib):
    """A refmanager JSON file on one line (json.dumps without indent): every paper is on line 1
    and none has a key; each must join its own collections, not all of them."""
    text = json.dumps({"papers": [
        {"title": "Alpha paper", "authors": ["Ada Lovelace"], "collections": ["Thesis"]},
        {"title": "Beta paper", "authors": ["Alan Turing"], "collections": ["Reading group"]},
        {"title": "Gamma paper", "authors": ["Grace Hopper"]},
    ], "collections": ["Thesis", "Reading group"], "saved_searches": []})
    assert "\n" not in text
    lib.import_text(text, "one-line.json")
    by_title = {p.title: p.id for p in lib.get_many(lib.all_ids())}
    got = lib.collections_of(list(by_title.values()))
    assert {t: got[i] for t, i in by_title.items()} == {
        "Alpha paper": ["Thesis"], "Beta paper": ["Reading group"], "Gamma paper": []}
