"""The command line for collections, saved searches and tags (issue 18, item 11), searches the
parser cannot fully use (item 10), the legend of ``list``'s marks, and tag colours in the core.

Expected values are written by hand from the five papers below (ids 1 to 5 in this order)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refmanager.cli import main
from refmanager.core.errors import ValidationError
from refmanager.core.library import Library
from refmanager.core.validation import clean_color

from .conftest import cli_on as run
from .test_collections import PAPERS


@pytest.fixture
def five_json(tmp_path: Path) -> Path:
    path = tmp_path / "five.json"
    path.write_text(json.dumps(PAPERS), encoding="utf-8")
    return path


@pytest.fixture
def libpath(tmp_path: Path, five_json: Path, capsys) -> str:
    path = str(tmp_path / "org.db")
    assert main(["--library", path, "import", str(five_json)]) == 0
    capsys.readouterr()
    return path


def ids(capsys, libpath: str, *args: str) -> list[int]:
    code, out, err = run(capsys, libpath, *args, "--json")
    assert (code, err) == (0, ""), err
    return [p["id"] for p in json.loads(out)]


def test_the_five_papers_have_ids_one_to_five(capsys, libpath):
    code, out, _ = run(capsys, libpath, "list", "--json")
    assert [(p["id"], p["title"]) for p in json.loads(out)] == [
        (1, "Attention Is All You Need"), (2, "Deep Residual Learning"),
        (3, "Adam: A Method for Stochastic Optimization"), (4, "Gemma 2"), (5, "Quokkas in the wild"),
    ]


# ------------------------------------------------------------------------------ collections
def test_collection_create_add_list_and_the_view(capsys, libpath):
    assert run(capsys, libpath, "collection", "create", "Thesis/Related work") == (
        0, "created collection 'Thesis'\ncreated collection 'Thesis/Related work'\n", "")
    assert run(capsys, libpath, "collection", "create", "Reading group") == (
        0, "created collection 'Reading group'\n", "")
    assert run(capsys, libpath, "collection", "create", "thesis/related WORK") == (
        1, "", "refmanager: there is already a collection 'thesis/related WORK'\n")
    assert run(capsys, libpath, "collection", "add", "thesis/related work", "1", "3", "3") == (
        0, "added 2 papers to 'Thesis/Related work'\n", "")
    assert run(capsys, libpath, "collection", "add", "Thesis", "4", "3") == (0, "added 2 papers to 'Thesis'\n", "")
    assert run(capsys, libpath, "collection", "add", "Thesis", "4") == (
        0, "added 0 papers to 'Thesis' (1 already in it)\n", "")
    # Thesis holds 4 and 3 itself, 1 and 3 through Related work: 3 papers, 2 directly
    assert run(capsys, libpath, "collection", "list") == (0, (
        "Reading group (0 papers)\n"
        "Thesis (3 papers; 2 directly)\n"
        "  Related work (2 papers)\n"), "")
    code, out, _ = run(capsys, libpath, "collection", "list", "--json")
    assert json.loads(out) == [
        {"id": 3, "parent_id": None, "name": "Reading group", "path": "Reading group", "count": 0, "total": 0},
        {"id": 1, "parent_id": None, "name": "Thesis", "path": "Thesis", "count": 2, "total": 3},
        {"id": 2, "parent_id": 1, "name": "Related work", "path": "Thesis/Related work", "count": 2, "total": 2},
    ]
    assert ids(capsys, libpath, "list", "--collection", "Thesis") == [1, 3, 4]  # (oldest first)
    assert ids(capsys, libpath, "list", "--collection", "Thesis", "--no-subcollections") == [3, 4]
    assert ids(capsys, libpath, "list", "--collection", "Reading group") == []
    assert ids(capsys, libpath, "search", "a", "--collection", "Thesis") == [3, 1]  # (newest first)
    assert run(capsys, libpath, "list", "--collection", "Thesis/Nothing") == (
        1, "", "refmanager: no collection 'Thesis/Nothing'\n")
    assert run(capsys, libpath, "list", "--no-subcollections") == (
        2, "", "refmanager: --no-subcollections goes with --collection PATH\n")
    assert run(capsys, libpath, "collection", "add", "Nowhere", "1") == (1, "", "refmanager: no collection 'Nowhere'\n")
    assert run(capsys, libpath, "collection", "add", "Thesis", "1", "42") == (
        1, "", "refmanager: no paper with id 42\n")


def test_collection_rename_move_delete_remove_and_undo(capsys, libpath):
    run(capsys, libpath, "collection", "create", "Thesis/Related work")
    run(capsys, libpath, "collection", "create", "Reading group")
    run(capsys, libpath, "collection", "add", "Thesis/Related work", "1", "2")
    assert run(capsys, libpath, "collection", "rename", "Thesis/Related work", "Background") == (
        0, "renamed collection 'Thesis/Related work' to 'Thesis/Background'\n", "")
    assert run(capsys, libpath, "collection", "rename", "Thesis/Background", "A/B") == (
        1, "", "refmanager: a collection's name cannot contain '/' (it separates a path): 'A/B'\n")
    assert run(capsys, libpath, "collection", "move", "Thesis/Background", "--to", "Reading group") == (
        0, "moved collection 'Thesis/Background' to 'Reading group/Background'\n", "")
    assert run(capsys, libpath, "collection", "move", "Reading group", "--to", "Reading group/Background") == (
        1, "", "refmanager: cannot move 'Reading group' into itself ('Reading group/Background')\n")
    assert run(capsys, libpath, "collection", "move", "Reading group/Background", "--top") == (
        0, "moved collection 'Reading group/Background' to 'Background'\n", "")
    assert run(capsys, libpath, "collection", "move", "Background", "--to", "Nowhere") == (
        1, "", "refmanager: no collection 'Nowhere'\n")
    assert run(capsys, libpath, "collection", "remove", "Background", "2", "5") == (
        0, "removed 1 paper from 'Background' (1 not in it)\n", "")
    assert run(capsys, libpath, "collection", "remove", "Background", "42") == (
        1, "", "refmanager: no paper with id 42\n")
    assert run(capsys, libpath, "collection", "delete", "Thesis") == (
        0, "deleted collection 'Thesis'; its papers stay in the library\n", "")
    assert run(capsys, libpath, "collection", "list")[1] == "Background (1 paper)\nReading group (0 papers)\n"
    # every change is one undo step, the newest first
    assert run(capsys, libpath, "undo")[1] == "undo: Delete collection 'Thesis'\n"
    assert run(capsys, libpath, "undo")[1] == "undo: Remove 2 papers from 'Background'\n"
    assert run(capsys, libpath, "undo")[1] == "undo: Move collection 'Background' to the top\n"
    assert run(capsys, libpath, "undo")[1] == "undo: Move collection 'Background' to 'Reading group'\n"
    assert run(capsys, libpath, "undo")[1] == "undo: Rename collection 'Related work' to 'Background'\n"
    assert run(capsys, libpath, "collection", "list")[1] == (
        "Reading group (0 papers)\nThesis (2 papers; 0 directly)\n  Related work (2 papers)\n")
    # deleting a collection with subcollections says so, and leaves every paper
    assert run(capsys, libpath, "collection", "delete", "thesis") == (
        0, "deleted collection 'Thesis' and its 1 subcollection; its papers stay in the library\n", "")
    assert ids(capsys, libpath, "list") == [1, 2, 3, 4, 5]


def usage_error(capsys, libpath: str, *args: str) -> tuple[object, str, str]:
    """argparse's usage errors end the program (SystemExit with status 2)."""
    with pytest.raises(SystemExit) as e:
        main(["--library", libpath, *args])
    out, err = capsys.readouterr()
    return e.value.code, out, err


def test_collection_usage_errors_exit_2(capsys, libpath):
    assert usage_error(capsys, libpath, "collection") == (
        2, "", "refmanager collection: error: the following arguments are required: ACTION (see --help)\n")
    code, _, err = usage_error(capsys, libpath, "collection", "move", "Thesis")
    assert code == 2 and err.endswith("one of the arguments --to --top is required (see --help)\n")
    code, _, err = usage_error(capsys, libpath, "collection", "add", "Thesis", "one")
    assert code == 2 and "invalid int value: 'one'" in err


def test_import_into_a_new_collection(capsys, libpath, five_json, tmp_path):
    other = tmp_path / "other.json"
    other.write_text(json.dumps([{"title": "Another Paper", "authors": ["Grace Hopper"], "date": "1952"}]))
    code, out, err = run(capsys, libpath, "import", "--collection", "Thesis/Imported", str(five_json), str(other))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Made collection 'Thesis/Imported'"
    assert "  6 papers put in collection 'Thesis/Imported'" in lines  # 5 unchanged, 1 added
    assert ids(capsys, libpath, "list", "--collection", "Thesis/Imported") == [1, 2, 3, 4, 5, 6]
    # one undo step takes back the import and the collections it made (paper 6 goes too)
    assert run(capsys, libpath, "undo")[1] == "undo: import of 2 files: 1 paper\n"
    assert run(capsys, libpath, "collection", "list")[1] == "No collections.\n"
    assert ids(capsys, libpath, "list") == [1, 2, 3, 4, 5]
    # into an existing collection: nothing made, the JSON report says where
    run(capsys, libpath, "collection", "create", "Thesis")
    code, out, _ = run(capsys, libpath, "import", "--collection", "thesis", str(other), "--json")
    assert code == 0
    assert json.loads(out)["collection"] == {"path": "Thesis", "made": False, "id": 3}  # (ids never reused)
    assert ids(capsys, libpath, "list", "--collection", "Thesis") == [6]  # (made again: the undone 6 is free)


def test_import_into_a_new_collection_makes_nothing_when_every_file_is_rejected(capsys, libpath, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a listing"}')
    code, out, err = run(capsys, libpath, "import", "--collection", "Thesis", str(bad), "--json")
    assert code == 1
    assert err.startswith(f"refmanager: {bad}:1: this JSON is not a refmanager export")
    assert json.loads(out)["collection"] == {"path": "Thesis", "made": False}
    assert run(capsys, libpath, "collection", "list")[1] == "No collections.\n"
    assert run(capsys, libpath, "undo")[1] == "undo: import of five.json: 5 papers\n"  # (the fixture's)


# ------------------------------------------------------------------------- saved searches
def test_saved_search_commands(capsys, libpath):
    assert run(capsys, libpath, "saved-search", "create", "Recent", "year:2017..") == (
        0, "saved search 'Recent': year:2017..\n", "")
    assert run(capsys, libpath, "saved-search", "create", "Old", "year:..2015") == (
        0, "saved search 'Old': year:..2015\n", "")
    assert run(capsys, libpath, "saved-search", "create", "recent", "gemma") == (
        1, "", "refmanager: there is already a saved search 'recent'\n")
    assert run(capsys, libpath, "saved-search", "list") == (0, "Old: year:..2015\nRecent: year:2017..\n", "")
    code, out, _ = run(capsys, libpath, "saved-search", "list", "--json")
    assert json.loads(out) == [{"id": 2, "name": "Old", "query": "year:..2015"},
                               {"id": 1, "name": "Recent", "query": "year:2017.."}]
    assert ids(capsys, libpath, "list", "--saved", "recent") == [1, 4, 5]
    assert ids(capsys, libpath, "search", "--saved", "Recent") == [5, 4, 1]
    assert ids(capsys, libpath, "search", "gemma", "--saved", "Recent") == [4]  # (the query refines it)
    assert run(capsys, libpath, "list", "--saved", "Nothing") == (1, "", "refmanager: no saved search 'Nothing'\n")
    assert run(capsys, libpath, "saved-search", "update", "Old", "--query", "year:..2014", "--name", "Oldest") == (
        0, "saved search 'Oldest': year:..2014\n", "")
    assert ids(capsys, libpath, "list", "--saved", "Oldest") == [3]
    assert run(capsys, libpath, "saved-search", "update", "Oldest") == (
        2, "", "refmanager: saved-search update: give --query QUERY or --name NEW\n")
    assert run(capsys, libpath, "saved-search", "delete", "Old") == (1, "", "refmanager: no saved search 'Old'\n")
    assert run(capsys, libpath, "saved-search", "delete", "oldest") == (
        0, "deleted saved search 'Oldest' (year:..2014)\n", "")
    assert run(capsys, libpath, "undo")[1] == "undo: Delete saved search 'Oldest'\n"
    assert run(capsys, libpath, "undo")[1] == "undo: Edit saved search 'Old'\n"
    assert run(capsys, libpath, "saved-search", "list")[1] == "Old: year:..2015\nRecent: year:2017..\n"


def test_a_saved_search_the_parser_cannot_use_is_refused(capsys, libpath):
    assert run(capsys, libpath, "saved-search", "create", "Typo", "autor:vaswani") == (
        2, "", "refmanager: saved-search create: did you mean author:? (there is no autor:); nothing saved "
               "(see `refmanager search --help`)\n")
    run(capsys, libpath, "saved-search", "create", "Fine", "vaswani")
    assert run(capsys, libpath, "saved-search", "update", "Fine", "--query", "year:20x5") == (
        2, "", "refmanager: saved-search update: year: expects 2020, 2020..2024, ..2019 or 2021.. (not '20x5'); "
               "nothing changed (see `refmanager search --help`)\n")
    assert run(capsys, libpath, "saved-search", "list")[1] == "Fine: vaswani\n"
    assert run(capsys, libpath, "search") == (2, "", "refmanager: search: give a QUERY, or --saved NAME\n")
    assert run(capsys, libpath, "search", "yr:2017", "--saved", "Fine") == (
        2, "", "refmanager: search: did you mean year:? (there is no yr:); nothing listed "
               "(see `refmanager search --help`)\n")
    with Library(libpath) as lib:  # (saved where nothing checks the query: the app, an older version)
        lib.save_search("Typo", "tags:rl")
    assert run(capsys, libpath, "list", "--saved", "typo") == (
        2, "", "refmanager: saved search 'Typo' (tags:rl): did you mean tag:? (there is no tags:); nothing listed "
               "(see `refmanager search --help`)\n")


# ------------------------------------------------------------------------------------- tags
def test_tags_list_rename_merge_delete_and_undo(capsys, libpath):
    run(capsys, libpath, "tag", "1", "rl", "Attention")
    run(capsys, libpath, "tag", "2", "RL")
    run(capsys, libpath, "tag", "3", "optim")
    run(capsys, libpath, "trash", "3")
    assert run(capsys, libpath, "tags") == (0, "     1  Attention\n     0  optim\n     2  rl\n", "")  # (trash aside)
    code, out, _ = run(capsys, libpath, "tags", "list", "--json")
    assert json.loads(out) == [{"name": "Attention", "count": 1, "color": None},
                               {"name": "optim", "count": 0, "color": None},
                               {"name": "rl", "count": 2, "color": None}]
    assert run(capsys, libpath, "tags", "rename", "RL", "reinforcement") == (
        0, "renamed tag 'rl' to 'reinforcement'\n", "")
    assert run(capsys, libpath, "tags", "rename", "optim", "Reinforcement") == (
        0, "merged tag 'optim' into 'reinforcement' (1 paper; a tag 'reinforcement' existed)\n", "")
    assert run(capsys, libpath, "tags", "merge", "attention", "reinforcement") == (
        0, "merged tag 'Attention' into 'reinforcement' (1 paper)\n", "")
    assert run(capsys, libpath, "tags", "--json")[1] == (
        '[\n  {\n    "name": "reinforcement",\n    "count": 2,\n    "color": null\n  }\n]\n')
    assert run(capsys, libpath, "tags", "delete", "Reinforcement") == (
        0, "deleted tag 'reinforcement' (3 papers)\n", "")
    assert run(capsys, libpath, "tags") == (0, "No tags.\n", "")
    assert run(capsys, libpath, "undo")[1] == "undo: Delete tag 'reinforcement'\n"
    assert run(capsys, libpath, "undo")[1] == "undo: Merge tag 'Attention' into 'reinforcement'\n"
    assert run(capsys, libpath, "undo")[1] == "undo: Merge tag 'optim' into 'reinforcement'\n"
    assert run(capsys, libpath, "undo")[1] == "undo: Rename tag 'rl' to 'reinforcement'\n"
    assert run(capsys, libpath, "tags")[1] == "     1  Attention\n     0  optim\n     2  rl\n"


def test_tags_unknown_names_and_bad_merges(capsys, libpath):
    run(capsys, libpath, "tag", "1", "rl")
    unknown = "refmanager: no tag named 'nope' (`refmanager tags` lists them)\n"
    assert run(capsys, libpath, "tags", "rename", "nope", "x") == (1, "", unknown)
    assert run(capsys, libpath, "tags", "merge", "nope", "rl") == (1, "", unknown)
    assert run(capsys, libpath, "tags", "merge", "rl", "nope") == (1, "", unknown)
    assert run(capsys, libpath, "tags", "delete", "nope") == (1, "", unknown)
    assert run(capsys, libpath, "tags", "colour", "nope", "red") == (1, "", unknown)
    assert run(capsys, libpath, "tags", "merge", "rl", "RL") == (1, "", "refmanager: cannot merge tag 'rl' into itself\n")
    assert run(capsys, libpath, "tags", "rename", "rl", " ") == (1, "", "refmanager: a tag name cannot be empty\n")
    assert run(capsys, libpath, "tags", "rename", "rl", "rl") == (0, "tag 'rl': nothing changed\n", "")
    assert run(capsys, libpath, "tags")[1] == "     1  rl\n"


def test_tag_colours(capsys, libpath):
    run(capsys, libpath, "tag", "1", "rl")
    assert run(capsys, libpath, "tags", "colour", "RL", "#F0a") == (0, "tag 'rl': colour #ff00aa\n", "")
    assert run(capsys, libpath, "tags", "color", "rl", "Teal") == (0, "tag 'rl': colour #008080\n", "")
    assert run(capsys, libpath, "tags", "colour", "rl", "#008080") == (
        0, "tag 'rl': nothing changed (colour #008080)\n", "")
    assert run(capsys, libpath, "tags")[1] == "     1  rl  #008080\n"
    code, out, err = run(capsys, libpath, "tags", "colour", "rl", "blurple")
    assert (code, out) == (1, "")
    assert err.startswith("refmanager: colour: not a colour: 'blurple' (use #RGB, #RRGGBB, none, or one of aqua, ")
    assert run(capsys, libpath, "tags", "colour", "rl", "none") == (0, "tag 'rl': colour none\n", "")
    assert json.loads(run(capsys, libpath, "tags", "--json")[1]) == [{"name": "rl", "count": 1, "color": None}]
    assert run(capsys, libpath, "undo")[1] == "undo: Set colour of tag 'rl'\n"
    assert run(capsys, libpath, "undo")[1] == "undo: Set colour of tag 'rl'\n"
    assert run(capsys, libpath, "tags")[1] == "     1  rl  #ff00aa\n"


@pytest.mark.parametrize(("given", "stored"), [
    ("#ABC", "#aabbcc"), ("#a1B2c3", "#a1b2c3"), (" red ", "#ff0000"), ("Grey", "#808080"), ("gray", "#808080"),
    ("none", None), ("", None), (None, None),
])
def test_clean_color(given, stored):
    assert clean_color(given) == stored


@pytest.mark.parametrize("bad", ["#abcd", "#12345g", "abc", "rgb(1,2,3)", "#", "reddish"])
def test_the_core_refuses_a_colour_it_cannot_read(lib: Library, bad: str):
    lib.import_text(json.dumps(PAPERS[:1]), "one.json")
    lib.add_tags([1], ["rl"])
    with pytest.raises(ValidationError) as e:
        lib.set_tag_color("rl", bad)
    assert e.value.field == "colour" and e.value.message.startswith(f"not a colour: {bad!r}")
    assert lib.tag_counts() == [("rl", 1, None)]
    assert lib.undo_label() == "Add tag 'rl'"  # (nothing recorded)


# ------------------------------------------------------- searches the parser cannot use
@pytest.mark.parametrize(("query", "message"), [
    ("autor:vaswani", "did you mean author:? (there is no autor:)"),
    ("yr:2017", "did you mean year:? (there is no yr:)"),
    ("tags:rl", "did you mean tag:? (there is no tags:)"),
    ("colection:Thesis", "did you mean collection:? (there is no colection:)"),
    ("year:20x5", "year: expects 2020, 2020..2024, ..2019 or 2021.. (not '20x5')"),
    ("tag:", "tag: needs a tag name"),
    ("attention author:", "author: needs a name"),
    ('"unclosed', "a quote is not closed: searching up to the end"),
])
def test_search_refuses_a_query_with_a_hint(capsys, libpath, query, message):
    assert run(capsys, libpath, "search", query) == (
        2, "", f"refmanager: search: {message}; nothing listed (see `refmanager search --help`)\n")


def test_colons_not_like_a_qualifier_are_searched_without_a_hint(capsys, libpath):
    run(capsys, libpath, "note", "4", "see https://arxiv.org/abs/2408.00118 re:gemma")
    assert ids(capsys, libpath, "search", "https://arxiv.org") == [4]
    assert ids(capsys, libpath, "search", "re:gemma") == [4]
    assert ids(capsys, libpath, "search", "author:vaswani") == [1]


# ------------------------------------------------------------------------- the marks' legend
def test_the_legend_follows_a_listing_on_a_terminal_when_a_mark_was_shown(capsys, libpath, monkeypatch):
    run(capsys, libpath, "read", "1", "2", "3", "4")
    code, out, _ = run(capsys, libpath, "list")
    assert code == 0 and len(out.splitlines()) == 5  # piped: one line per paper, no legend
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    lines = run(capsys, libpath, "list")[1].splitlines()
    assert len(lines) == 6 and lines[-1] == "• unread"
    assert lines[4].startswith("     5 • 2020  ")
    run(capsys, libpath, "star", "2")
    assert run(capsys, libpath, "list")[1].splitlines()[-1] == "* starred   • unread"
    run(capsys, libpath, "read", "5")
    assert run(capsys, libpath, "search", "deep")[1].splitlines()[-1] == "* starred"
    run(capsys, libpath, "unstar", "2")
    lines = run(capsys, libpath, "list")[1].splitlines()
    assert len(lines) == 5 and lines[-1].startswith("     5   2020  Quokkas")  # (no mark: no legend)


def test_help_of_the_new_commands(capsys):
    for cmd, usage in ((["collection"], "collection"), (["collection", "create"], "collection create [-h] [--library PATH] PATH"),
                       (["collection", "move"], "collection move"), (["saved-search"], "saved-search"),
                       (["saved-search", "update"], "saved-search update"), (["tags"], "tags"),
                       (["tags", "colour"], "tags colour"), (["tags", "color"], "tags colour")):
        with pytest.raises(SystemExit) as e:
            main([*cmd, "--help"])
        assert e.value.code == 0
        assert "usage: refmanager " + usage in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "    collection    Collections: create, rename, move, delete, add papers," in out
    assert "    tags          List the tags with their paper counts" in out
