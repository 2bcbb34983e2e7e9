"""``export --format bibtex`` and ``--format csljson`` write as they read (issue 20): the text of
``to_bibtex``/``to_csljson`` of all the papers at once, citation keys made over all of them
(suffixes across chunks, never another paper's own key), the groups' comment, refusals."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from refmanager.cli import listing, main
from refmanager.core import export
from refmanager.core.export import ExportRefused, check_values, to_bibtex, to_csljson, to_ris
from refmanager.core.export.common import citation_keys, made_keys, streamed_keys
from refmanager.core.fields import Paper
from refmanager.core.library import Library

from .conftest import cli_on as run

N = 2500
CHUNK = 100  # 25 chunks
#: papers without a key of their own (a key no export can use): their keys are made
NOTES = (50, 150, 1250, 2450)  # Lovelace 1843 "Notes ...": base key lovelace1843notes
NOTESB = 2499  # Lovelace 1843 "Notesb ...": base key lovelace1843notesb, read in the last chunk
PASSAGES = (10, 20)  # Babbage 1864 "Passages ...": base key babbage1864passages
#: own keys a made key would otherwise take, read in later chunks
OWN = {2300: "Lovelace1843NotesA", 1800: "babbage1864passages"}


def _entry(i: int) -> dict:
    if i in NOTES:
        return {"title": f"Notes on the Analytical Engine, part {i}", "authors": ["Ada Lovelace"], "date": "1843"}
    if i == NOTESB:
        return {"title": "Notesb of a translator", "authors": ["Ada Lovelace"], "date": "1843-07"}
    if i in PASSAGES:
        return {"title": f"Passages from the Life of a Philosopher, volume {i}", "authors": ["Charles Babbage"],
                "date": "1864"}
    family = "".join("abcdefghij"[int(d)] for d in str(i)).title()  # (a key of its own when imported)
    return {"title": f"Ordinary paper {i}", "authors": [f"Ann {family}", "Bo Lee"], "date": "2020-05-01",
            "doi": f"10.1000/p{i}"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """2,500 papers (ids 1..2,500 in this order), two in a collection, a saved search."""
    tmp = tmp_path_factory.mktemp("streaming")
    src, path = tmp / "papers.json", tmp / "lib.db"
    src.write_text(json.dumps([_entry(i) for i in range(1, N + 1)]), encoding="utf-8")
    assert main(["--library", str(path), "import", str(src)]) == 0
    assert main(["--library", str(path), "collection", "create", "Thesis/Related"]) == 0
    assert main(["--library", str(path), "collection", "add", "Thesis/Related", "50", "2450"]) == 0
    assert main(["--library", str(path), "saved-search", "create", "Recent", "year:2023.."]) == 0
    with Library(path) as lib:
        assert lib.all_ids() == list(range(1, N + 1))
        with lib.transaction():  # own keys own1, own2...; a key an export cannot use: the paper has none of its own
            lib.db.execute("UPDATE papers SET citekey = 'own' || id")
            lib.db.executemany("UPDATE papers SET citekey = ? WHERE id = ?",
                               [(f"not a key {i}", i) for i in (*NOTES, NOTESB, *PASSAGES)])
            lib.db.executemany("UPDATE papers SET citekey = ? WHERE id = ?", [(k, i) for i, k in OWN.items()])
    return path


@pytest.fixture
def libpath(built: Path, tmp_path: Path, capsys, monkeypatch) -> str:
    path = tmp_path / "lib.db"
    with Library(built) as lib:
        lib.save_copy(path)
    capsys.readouterr()
    monkeypatch.setattr(listing, "CHUNK", CHUNK)
    return str(path)


def whole(libpath: str, fmt: str, ids: list[int] | None = None) -> str:
    """What the export wrote before it streamed: every paper read, then the whole-list writer."""
    with Library(Path(libpath), readonly=True) as lib:  # (read-only: keys missing stay missing)
        ids = lib.all_ids() if ids is None else ids
        papers = lib.get_many(ids)
        if fmt == "bibtex":
            return to_bibtex(papers, export.DEFAULT_KEY_PATTERN, groups=lib.export_groups(ids))
        return to_csljson(papers)


#: The keys made, written by hand: in paper-id order, the lowest id keeps the bare key; a
#: suffix is never another paper's own key (a: paper 2,300's, "babbage1864passages": paper
#: 1,800's), nor another made key's base (b: paper 2,499's, read in the last chunk).
MADE = {50: "lovelace1843notes", 150: "lovelace1843notesc", 1250: "lovelace1843notesd",
        2450: "lovelace1843notese", NOTESB: "lovelace1843notesb",
        10: "babbage1864passagesa", 20: "babbage1864passagesb"}


def _bibtex_keys(text: str) -> list[str]:
    return re.findall(r"^@\w+\{([^,]+),$", text, flags=re.MULTILINE)


def test_bibtex_streamed_is_the_whole_list_text(capsys, libpath, tmp_path):
    expected = whole(libpath, "bibtex")
    keys = _bibtex_keys(expected)
    assert len(keys) == N and {i: keys[i - 1] for i in MADE} == MADE  # (the whole-list writer agrees)
    assert keys[2299] == "Lovelace1843NotesA" and keys[1799] == "babbage1864passages" and keys[0] == "own1"
    assert expected.endswith("}\n\n@Comment{jabref-meta: grouping:\n0 AllEntriesGroup:;\n"
                             "1 StaticGroup:Thesis\\;2\\;1\\;\\;\\;\\;;\n2 StaticGroup:Related\\;2\\;1\\;\\;\\;\\;;\n"
                             "1 SearchGroup:Recent\\;0\\;year:2023..\\;0\\;0\\;1\\;\\;\\;refmanager query: "
                             "year:2023..\\;;\n}\n")
    assert "\n}\n\n@misc{lovelace1843notes,\n  title = {Notes on the " in expected
    code, out, err = run(capsys, libpath, "export", "--format", "bibtex")
    assert code == 0 and err == "" and out == expected
    target = tmp_path / "out.bib"
    code, _, err = run(capsys, libpath, "export", "--format", "bibtex", "-o", str(target))
    assert code == 0 and err == f"exported {N} papers to {target}\n"
    assert target.read_text(encoding="utf-8") == expected
    entry_2450 = expected[expected.index("{lovelace1843notese,"):]
    assert entry_2450[: entry_2450.index("\n}\n")].endswith("  groups = {Related},")


def test_csljson_streamed_is_the_whole_list_text(capsys, libpath):
    expected = whole(libpath, "csljson")
    items = json.loads(expected)
    assert len(items) == N and {i: items[i - 1]["id"] for i in MADE} == MADE
    assert expected.startswith('[\n  {\n    "id": "own1",\n    "type": ')
    assert expected.endswith('\n    "DOI": "10.1000/p2500"\n  }\n]\n')
    code, out, err = run(capsys, libpath, "export", "--format", "csljson")
    assert code == 0 and err == "" and out == expected


@pytest.mark.parametrize("fmt", ["bibtex", "csljson"])
def test_keys_follow_paper_ids_not_the_order_written(libpath, fmt, capsys):
    """The export's order is the caller's: the lowest id keeps the bare key even when written last."""
    ids = list(range(N, 0, -1))
    with Library(Path(libpath)) as lib:
        text = "".join(listing.export_chunks(lib, fmt, ids, export.DEFAULT_KEY_PATTERN))
    assert text == whole(libpath, fmt, ids)
    keys = _bibtex_keys(text) if fmt == "bibtex" else [i["id"] for i in json.loads(text)]
    assert {i: keys[N - i] for i in MADE} == MADE


@pytest.mark.parametrize("fmt", ["bibtex", "csljson"])
def test_a_library_without_stored_keys_read_only(libpath, fmt):
    """A library from before keys were stored, opened read-only (its keys not filled in)."""
    with Library(Path(libpath)) as lib, lib.transaction():
        lib.db.execute("UPDATE papers SET citekey = NULL WHERE citekey LIKE 'not a key %'")
    expected = whole(libpath, fmt)
    lib = Library(Path(libpath), readonly=True)
    try:
        assert lib.get(50).citekey is None
        text = "".join(listing.export_chunks(lib, fmt, lib.all_ids(), export.DEFAULT_KEY_PATTERN))
    finally:
        lib.close()
    assert text == expected
    keys = _bibtex_keys(text) if fmt == "bibtex" else [i["id"] for i in json.loads(text)]
    assert {i: keys[i - 1] for i in MADE} == MADE


@pytest.mark.parametrize("fmt", ["bibtex", "csljson"])
@pytest.mark.parametrize("keyless", [True, False])
def test_never_the_whole_list(capsys, libpath, monkeypatch, fmt, keyless):
    """Papers are read a chunk at a time; a second reading only when a paper has no key of its own."""
    if not keyless:
        with Library(Path(libpath)) as lib, lib.transaction():
            lib.db.execute("UPDATE papers SET citekey = 'given' || id WHERE citekey LIKE 'not a key %'")
    sizes: list[int] = []
    get_many = Library.get_many

    def counted(self, ids):
        sizes.append(len(ids))
        return get_many(self, ids)

    def refuse(*_a, **_k):
        raise AssertionError("the whole list")

    monkeypatch.setattr(Library, "get_many", counted)
    for name in ("to_bibtex", "to_csljson", "citation_keys", "csl_items", "check_values"):
        monkeypatch.setattr(export, name, refuse)
    monkeypatch.setattr(export.bibtex, "citation_keys", refuse)
    monkeypatch.setattr(export.csl, "citation_keys", refuse)
    monkeypatch.setitem(export.EXPORT_FORMATS, fmt, export.ExportFormat("x", ".x", "x", refuse))
    code, out, err = run(capsys, libpath, "export", "--format", fmt)
    assert code == 0 and err == ""
    assert sizes == [CHUNK] * (N // CHUNK) * (2 if keyless else 1)
    assert (out.count("@article{") + out.count("@misc{") if fmt == "bibtex" else len(json.loads(out))) == N


def _spoil(libpath: str) -> None:
    """Values a library written before they were checked may hold, in four chunks."""
    with Library(Path(libpath)) as lib, lib.transaction():
        for sql, args in (("UPDATE papers SET category = ? WHERE id = ?", ("cs.CL}", 120)),
                          ("UPDATE papers SET doi = ? WHERE id = ?", ("10.1000/x}, title={Injected", 1500)),
                          ("UPDATE papers SET doi = ? WHERE id = ?", ("10.1000/y\n", 2400)),
                          ("UPDATE papers SET date = ? WHERE id = ?", ("2024-13", 2450))):
            lib.db.execute(sql, args)


REFUSAL = ("refmanager: cannot export: paper 120: category 'cs.CL}' is not an arXiv category; "
           "paper 1500: doi '10.1000/x}, title={Injected' is not a DOI; paper 2400: doi '10.1000/y\\n' is not a DOI "
           "(and 1 more). Correct the value (refmanager edit ID --doi/--arxiv-id/--category/--date, or clear it "
           "with '') and export again\n")


@pytest.mark.parametrize("fmt", ["bibtex", "ris"])
def test_a_refused_value_is_refused_as_before(capsys, libpath, tmp_path, fmt):
    _spoil(libpath)
    with Library(Path(libpath)) as lib, pytest.raises(ExportRefused) as before:
        check_values(lib.get_many(lib.all_ids()))
    assert f"refmanager: {before.value}\n" == REFUSAL  # (the whole-list check says the same)
    target = tmp_path / "out.bib"
    code, out, err = run(capsys, libpath, "export", "--format", fmt, "-o", str(target))
    assert (code, out, err) == (1, "", REFUSAL)
    assert not target.exists() and [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    code, out, err = run(capsys, libpath, "export", "--format", fmt)
    assert (code, err) == (1, REFUSAL)
    if fmt == "bibtex":  # paper 10 has no key of its own: every paper read, and checked, before any is written
        assert out == ""
    else:  # standard output: the first chunk, checked, then the refusal of the second
        assert out.count("ER  - ") == CHUNK and "TI  - Ordinary paper 100\n" in out and "Ordinary paper 101" not in out
    assert run(capsys, libpath, "export", "--format", "csljson")[0] == 0  # (CSL-JSON writes them as strings)


def test_a_refusal_further_on(capsys, libpath):
    """Every paper with its own key: BibTeX is written chunk by chunk, checked before each is
    written; the refusal counts the values refused in the chunks after the first one found."""
    _spoil(libpath)
    with Library(Path(libpath)) as lib, lib.transaction():
        lib.db.execute("UPDATE papers SET citekey = 'given' || id WHERE citekey LIKE 'not a key %'")
    code, out, err = run(capsys, libpath, "export", "--format", "bibtex")
    assert (code, err) == (1, REFUSAL)
    assert _bibtex_keys(out) == [f"given{i}" if i in (10, 20, 50) else f"own{i}" for i in range(1, CHUNK + 1)]


def test_empty_library(capsys, tmp_path):
    empty = str(tmp_path / "empty.db")
    Library(Path(empty)).close()
    assert run(capsys, empty, "export", "--format", "bibtex") == (0, "", "")
    assert run(capsys, empty, "export", "--format", "csljson") == (0, "[]\n", "")
    assert to_csljson([]) == "[]\n" and to_bibtex([]) == "" and to_ris([]) == ""


def test_made_keys_is_the_rule_in_one_place():
    """(paper id, position, base key) in, keys in paper-id order out; ``taken`` gets them.  A
    suffix is neither an own key (a) nor a base key (b: paper 4's, which it keeps)."""
    taken = {"smith2020a", "x"}
    out = made_keys([(3, 0, "smith2020"), (1, 1, "smith2020"), (4, 2, "smith2020b"), (None, 3, "smith2020"),
                     (5, 4, "x")], taken)
    assert out == [(1, 1, "smith2020"), (3, 0, "smith2020c"), (4, 2, "smith2020b"), (5, 4, "xa"),
                   (None, 3, "smith2020d")]
    assert taken == {"smith2020", "smith2020a", "smith2020b", "smith2020c", "smith2020d", "x", "xa"}


def test_streamed_keys_past_two_letters():
    """Past "zz" a suffix is a number: an own key "LEE20201" is skipped too, though only the
    own keys a made key could be are kept (``_may_be_made``: "lee2020" then digits)."""
    lees = [Paper(id=i, title="x", authors=["Ada Lee"], date="2020") for i in range(1, 706)]
    papers = [*lees, Paper(id=706, title="y", citekey="LEE20201"), Paper(id=707, title="z", citekey="lee2020b"),
              Paper(id=708, title="w", citekey="lee2021")]
    chunks = [papers[i : i + 100] for i in range(0, len(papers), 100)]
    made = streamed_keys(chunks, "{author}{year}")
    assert [made[i] for i in (1, 2, 3, 26, 27, 702, 703, 704, 705)] == [
        "lee2020", "lee2020a", "lee2020c", "lee2020z", "lee2020aa", "lee2020zz", "lee20202", "lee20203", "lee20204"]
    assert len(made) == 705 and [made[p.id] for p in lees] == citation_keys(papers, "{author}{year}")[:705]
