"""``list``, ``search`` and ``export`` write as they read (issue 20): --json streamed, --jsonl,
--pretty, --fields, --ids, --limit; the same papers, in the same order, as the whole-list output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refmanager.cli import listing, main
from refmanager.core.export import to_json, to_ris
from refmanager.core.fields import paper_json
from refmanager.core.library import Library, View

from .conftest import FULL_SEED
from .conftest import cli_on as run

LIST_IDS = list(range(1, 20))  # the seed's 19 papers, oldest first
MODEL_IDS = [17, 16, 15, 13, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]  # `search model`, newest first


@pytest.fixture
def libpath(tmp_path: Path, capsys, monkeypatch) -> str:
    path = str(tmp_path / "stream.db")
    assert main(["--library", path, "import", str(FULL_SEED)]) == 0
    capsys.readouterr()
    monkeypatch.setattr(listing, "CHUNK", 4)  # several chunks, a short last one
    return path


def whole(libpath: str, view: View) -> list[dict]:
    """What ``list --json`` printed before it streamed: every paper read, then one json.dump."""
    lib = Library(Path(libpath))
    try:
        return [paper_json(p) for p in lib.get_many(lib.ids(view))]
    finally:
        lib.close()


def test_json_is_one_valid_array_of_the_same_papers(capsys, libpath):
    code, out, _ = run(capsys, libpath, "list", "--json")
    assert code == 0
    assert out.startswith('[{"id":1,"title":"Gemma 2: Improving Open Language Models at a Practical Size"')
    assert out.endswith("}]\n") and out.count("\n") == 19  # one element a line, no indentation
    assert json.loads(out) == whole(libpath, View(sort="added", descending=False))
    code, out, _ = run(capsys, libpath, "search", "model", "--json")
    assert [p["id"] for p in json.loads(out)] == MODEL_IDS
    assert json.loads(out) == whole(libpath, View(search="model", sort="added", descending=True))


def test_pretty_is_the_indented_json_of_before(capsys, libpath):
    code, out, _ = run(capsys, libpath, "list", "--json", "--pretty")
    expected = whole(libpath, View(sort="added", descending=False))
    assert code == 0 and out == json.dumps(expected, ensure_ascii=False, indent=2) + "\n"
    assert run(capsys, libpath, "search", "nothingmatchesthis", "--json", "--pretty")[1] == "[]\n"
    assert run(capsys, libpath, "search", "nothingmatchesthis", "--json")[1] == "[]\n"


def test_jsonl_one_object_a_line(capsys, libpath):
    code, out, _ = run(capsys, libpath, "list", "--jsonl")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 19 and out.endswith("}\n")
    assert [json.loads(line) for line in lines] == whole(libpath, View(sort="added", descending=False))
    assert run(capsys, libpath, "search", "nothingmatchesthis", "--jsonl")[1] == ""


def test_fields_in_the_order_asked(capsys, libpath):
    code, out, _ = run(capsys, libpath, "search", "author:jarrett", "--jsonl", "--fields", "id,title,date")
    assert code == 0
    assert out == ('{"id":2,"title":"Curiosity in Hindsight: Intrinsic Exploration in Stochastic Environments",'
                   '"date":"2022-11-18"}\n')
    code, out, _ = run(capsys, libpath, "list", "--json", "--fields", "starred,id,starred", "--limit", "3")
    assert out == '[{"starred":false,"id":1},\n{"starred":false,"id":2},\n{"starred":false,"id":3}]\n'


def test_ids_in_the_order_of_the_full_output(capsys, libpath):
    code, out, _ = run(capsys, libpath, "list", "--ids")
    assert code == 0 and out == "".join(f"{i}\n" for i in LIST_IDS)
    code, out, _ = run(capsys, libpath, "search", "model", "--ids")
    assert [int(x) for x in out.split()] == MODEL_IDS
    code, out, _ = run(capsys, libpath, "search", "model")  # the text listing: the same order
    assert [int(line.split()[0]) for line in out.splitlines()] == MODEL_IDS
    code, out, _ = run(capsys, libpath, "search", "model", "--ids", "--json")
    assert json.loads(out) == MODEL_IDS and out.startswith("[17,\n16,\n")
    assert run(capsys, libpath, "list", "--ids", "--json", "--pretty", "--limit", "2")[1] == "[\n  1,\n  2\n]\n"
    assert run(capsys, libpath, "list", "--ids", "--jsonl", "--limit", "2")[1] == "1\n2\n"


def test_limit(capsys, libpath):
    assert run(capsys, libpath, "search", "model", "--ids", "--limit", "5")[1] == "17\n16\n15\n13\n11\n"
    code, out, _ = run(capsys, libpath, "list", "--limit", "2")
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == ["1", "2"]
    assert run(capsys, libpath, "list", "--json", "--limit", "0")[1] == "[]\n"
    assert [p["id"] for p in json.loads(run(capsys, libpath, "list", "--json", "--limit", "100")[1])] == LIST_IDS


def test_text_listing_unchanged(capsys, libpath):
    code, out, _ = run(capsys, libpath, "list")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 19  # not a terminal: no legend
    assert lines[0] == "     1 • 2024  Gemma 2: Improving Open Language Models at a Practical Size — Gemma Team et al."


@pytest.mark.parametrize(("args", "message"), [
    (("list", "--json", "--fields", "title,year"), "refmanager: --fields: unknown field year; the fields are id,title,"),
    (("search", "model", "--jsonl", "--fields", ","), "refmanager: --fields: no field; the fields are id,"),
    (("list", "--fields", "title"), "refmanager: --fields goes with --json or --jsonl"),
    (("list", "--jsonl", "--pretty"), "refmanager: --pretty goes with --json"),
])
def test_usage_errors(capsys, libpath, args, message):
    code, out, err = run(capsys, libpath, *args)
    assert code == 2 and out == "" and err.startswith(message)


@pytest.mark.parametrize("args", [("list", "--json", "--jsonl"), ("list", "--ids", "--fields", "id"),
                                  ("list", "--limit", "-1"), ("list", "--limit", "x")])
def test_argparse_refuses(capsys, libpath, args):
    with pytest.raises(SystemExit) as e:
        main(["--library", libpath, *args])
    assert e.value.code == 2


def test_unknown_field_names_the_allowed_ones(capsys, libpath):
    err = run(capsys, libpath, "list", "--json", "--fields", "id,nope")[2]
    assert "attachments" in err and "citekey" in err and "nope" in err


def _library_text(libpath: str, fmt: str) -> str:
    lib = Library(Path(libpath))
    try:
        ids = lib.all_ids()
        papers = lib.get_many(ids)
        return to_ris(papers) if fmt == "ris" else to_json(papers, lib.export_groups(ids))
    finally:
        lib.close()


@pytest.mark.parametrize("fmt", ["json", "ris"])
@pytest.mark.parametrize("grouped", [False, True])
def test_streamed_export_is_the_text_of_before(capsys, libpath, tmp_path, fmt, grouped):
    if grouped:  # refmanager JSON is then an object, its papers listing their collections
        assert run(capsys, libpath, "collection", "create", "Thesis/Related")[0] == 0
        assert run(capsys, libpath, "collection", "add", "Thesis/Related", "2", "5")[0] == 0
        assert run(capsys, libpath, "saved-search", "create", "Recent", "year:2023..")[0] == 0
    expected = _library_text(libpath, fmt)
    assert ('"collections": [\n    "Thesis",\n    "Thesis/Related"\n  ]' in expected) == (grouped and fmt == "json")
    code, out, _ = run(capsys, libpath, "export", "--format", fmt)
    assert code == 0 and out == expected
    target = tmp_path / f"out.{fmt}"
    code, _, err = run(capsys, libpath, "export", "--format", fmt, "-o", str(target))
    assert code == 0 and target.read_text(encoding="utf-8") == expected
    assert err == f"exported 19 papers to {target}\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_export_of_nothing(capsys, tmp_path):
    empty = str(tmp_path / "empty.db")
    Library(Path(empty)).close()
    for fmt in ("json", "ris"):
        lib = Library(Path(empty))
        try:
            ids = lib.all_ids()
            expected = to_ris([]) if fmt == "ris" else to_json([], lib.export_groups(ids))
        finally:
            lib.close()
        assert run(capsys, empty, "export", "--format", fmt)[1] == expected
