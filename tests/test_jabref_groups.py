"""JabRef groups in and out of BibTeX (issue 18): static groups are collections, keyword and
search groups saved searches, the older ``groupstree`` too; the BibTeX export writes them back
as JabRef 5 writes them.  Golden files: ``tests/data/formats/jabref-groups/`` (ORIGIN.md there);
every expected value below is written by hand from the data."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refmanager.core import formats
from refmanager.core.export import EXPORT_FORMATS, to_bibtex
from refmanager.core.export.jabref_groups import written_names
from refmanager.core.formats import jabref_groups
from refmanager.core.formats.jabref_search import jabref_query, keyword_query
from refmanager.core.library import Library

GOLDEN = Path(__file__).resolve().parent / "data" / "formats" / "jabref-groups"
GOLDEN_FILES = sorted(GOLDEN.glob("*.bib"))


def tree(lib: Library) -> list[str]:
    return [c.path for c in lib.collection_tree(counts=False)]


def members(lib: Library) -> dict[str, list[str]]:
    """Citation key -> collections, for the papers in any."""
    papers = lib.get_many(lib.all_ids())
    of = lib.collections_of([p.id for p in papers])
    return {p.citekey: of[p.id] for p in papers if of[p.id]}


def searches(lib: Library) -> list[tuple[str, str]]:
    return [(s.name, s.query) for s in lib.saved_search_list()]


def export_bib(lib: Library) -> str:
    ids = lib.all_ids()
    return EXPORT_FORMATS["bibtex"].write(lib.get_many(ids), "{author}{year}", groups=lib.export_groups(ids))


def comment(lines: list[str]) -> str:
    return "@Comment{jabref-meta: grouping:\n" + "\n".join(lines) + "\n}\n"


# ------------------------------------------------------------------- golden files
def test_four_golden_files():
    assert [p.name for p in GOLDEN_FILES] == [
        "bbt_jabref_groupstree_901.bib", "jabref3_complex_groupstree.bib", "jabref5_chocolate.bib",
        "jabref5_owner_groups.bib"]


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=[p.name for p in GOLDEN_FILES])
def test_golden(path: Path, tmp_path: Path):
    want = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
    with Library(tmp_path / "l.db") as lib:
        report = lib.import_paths([path])
        assert not report.rejected
        assert len(lib.all_ids()) == want["papers"]
        got_tree = tree(lib)
        if "collections" in want:
            assert got_tree == want["collections"]
        else:
            assert len(got_tree) == want["collections_count"]
            assert set(want["collections_include"]) <= set(got_tree)
        got = members(lib)
        for key, paths in want["members"].items():
            assert got[key] == paths, key
        if want["members_complete"]:
            assert got == want["members"]
        assert searches(lib) == [tuple(s) for s in want["saved_searches"]]
        warnings = report.files[0].warnings
        for line, text in want["warnings"]:
            prefix = "" if line is None else f"line {line}: "
            assert any(w.startswith(prefix) and text in w for w in warnings), (line, text, warnings)
        # the members' ``groups`` field is a membership, not a field kept as it came too
        for p in lib.get_many(lib.all_ids()):
            if p.citekey in want["members"] and want["members_complete"]:
                assert "groups" not in (p.extras.get("bibtex") or {}), p.citekey


def test_writer_lines_are_jabref_5s_own(tmp_path: Path):
    """The export of the owner file's tree is line for line what JabRef 5 wrote in it (in
    refmanager's order, names sorted)."""
    src = GOLDEN / "jabref5_owner_groups.bib"
    jabref = src.read_text(encoding="utf-8").replace("\r\n", "\n")
    theirs = jabref[jabref.index("jabref-meta: grouping:\n") + 23:].split("\n}")[0].split("\n")
    with Library(tmp_path / "l.db") as lib:
        lib.import_paths([src])
        text = export_bib(lib)
    ours = text[text.index("jabref-meta: grouping:\n") + 23:].split("\n}")[0].split("\n")
    # (JabRef writes context 2 for these, as refmanager does)
    assert sorted(ours) == sorted(theirs)
    assert len(ours) == 7
    assert ours[:3] == ["0 AllEntriesGroup:;", "1 StaticGroup:Group1\\;2\\;1\\;\\;\\;\\;;",
                        "2 StaticGroup:Group1a\\;2\\;1\\;\\;\\;\\;;"]
    assert "  groups = {Group1a, Group2, jfd1:1},\n" in text


@pytest.mark.parametrize("name", ["jabref5_owner_groups.bib", "jabref3_complex_groupstree.bib",
                                  "bbt_jabref_groupstree_901.bib"])
def test_bibtex_library_bibtex_library_keeps_groups(name: str, tmp_path: Path):
    """The same tree, memberships and saved searches; a name that two groups have in different
    branches (seven in Better BibTeX's file) is written with its parent's name the second time,
    and from then on the file goes round unchanged."""
    with Library(tmp_path / "a.db") as a:
        a.import_paths([GOLDEN / name])
        names = written_names(tree(a))

        def renamed(path: str) -> str:
            parts = path.split("/")
            return "/".join(names["/".join(parts[: i + 1])] for i in range(len(parts)))

        want = (sorted(map(renamed, tree(a))), {k: sorted(map(renamed, v)) for k, v in members(a).items()},
                searches(a))
        text = export_bib(a)
    with Library(tmp_path / "b.db") as b:
        report = b.import_text(text, "again.bib")
        assert (sorted(tree(b)), {k: sorted(v) for k, v in members(b).items()}, searches(b)) == want
        # nothing about the groups is said twice or lost
        assert not [w for w in report.files[0].warnings if "group" in w]
        again = export_bib(b)
    if name != "bbt_jabref_groupstree_901.bib":
        assert again == text
    with Library(tmp_path / "c.db") as c:
        c.import_text(again, "third.bib")
        assert export_bib(c) == again


def test_the_renamed_names_of_better_bibtexs_file():
    """Seven names are used twice or three times; in tree order (depth first, names sorted
    without case: digits, then "_", then letters, then accented capitals) the first keeps its
    name.  Found by hand in the file's tree."""
    with Library(":memory:") as lib:
        lib.import_paths([GOLDEN / "bbt_jabref_groupstree_901.bib"])
        renamed = {p: n for p, n in written_names(tree(lib)).items() if n != p.rsplit("/", 1)[-1]}
    assert renamed == {
        "FM/Sciences conceptuelles/Philosophie des sciences/Physique": "Physique (Philosophie des sciences)",
        "FM/Sciences factuelles/Sciences naturelles/Physique": "Physique (Sciences naturelles)",
        "FM/Sciences conceptuelles/Philosophie des sciences/Psychologie": "Psychologie (Philosophie des sciences)",
        "FM/Sciences factuelles/Sciences sociales/Psychologie": "Psychologie (Sciences sociales)",
        "FM/Sciences conceptuelles/Philosophie des sciences/Sciences sociales":
            "Sciences sociales (Philosophie des sciences)",
        "FM/Sciences factuelles/Sciences sociales": "Sciences sociales (Sciences factuelles)",
        "FM/Sciences factuelles/Sciences naturelles/Biologie": "Biologie (Sciences naturelles)",
        "FM/Sciences formelles/Mathématiques": "Mathématiques (Sciences formelles)",
        "FM/Sciences factuelles/Sciences sociales/Économie": "Économie (Sciences sociales)",
        "FM/Sciences factuelles/Sciences sociales/Histoire": "Histoire (Sciences sociales)",
    }


# ------------------------------------------------------------------- the tree
BIB = """@article{a1,
  title = {Alpha paper},
  doi = {10.1000/alpha},
  groups = {Semi;colon, Back\\slash},
}

@article{b2,
  title = {Beta paper},
  doi = {10.1000/beta},
  groups = {Deep, Nowhere},
}

@Comment{jabref-meta: grouping:
0 AllEntriesGroup:;
1 StaticGroup:Top\\;0\\;1\\;\\;\\;\\;;
2 StaticGroup:Semi\\\\\\;colon\\;0\\;1\\;\\;\\;\\;;
3 StaticGroup:Deep\\;0\\;1\\;\\;\\;\\;;
2 StaticGroup:Back\\\\\\\\slash\\;0\\;1\\;\\;\\;\\;;
1 StaticGroup:Second\\;0\\;1\\;\\;\\;\\;;
1 KeywordGroup:NLP\\;0\\;keywords\\;nlp\\;0\\;0\\;1\\;\\;\\;\\;;
}
"""


def test_nesting_by_levels_and_escapes(lib: Library):
    """``\\;`` and ``\\\\`` inside names at both levels of quoting; a level 3 under a level 2, then
    back to 2 and to 1."""
    report = lib.import_text(BIB, "groups.bib")
    assert tree(lib) == ["Second", "Top", "Top/Back\\slash", "Top/Semi;colon", "Top/Semi;colon/Deep"]
    assert members(lib) == {"a1": ["Top/Back\\slash", "Top/Semi;colon"], "b2": ["Top/Semi;colon/Deep"]}
    assert searches(lib) == [("NLP", "tag:nlp")]  # (exact: no warning about it)
    (fr,) = report.files
    assert fr.warnings == ["1 entry names groups that are not static groups of this file ('Nowhere'): "
                           "kept as their 'groups' field"]
    assert fr.notes == ["5 collections made, 3 papers put in collections, 1 saved search made"]
    b2 = next(p for p in lib.get_many(lib.all_ids()) if p.citekey == "b2")
    assert b2.extras == {"bibtex": {"groups": "Nowhere"}}  # (a name no group has stays the entry's field)
    # and is written back after the collections' names
    assert "  groups = {Deep, Nowhere},\n" in export_bib(lib)


def test_a_file_without_a_tree_keeps_its_groups_field(lib: Library):
    lib.import_text("@article{k, title = {A title}, groups = {optimisation}}\n", "plain.bib")
    (p,) = lib.get_many(lib.all_ids())
    assert p.extras == {"bibtex": {"groups": "optimisation"}}
    assert tree(lib) == []


def test_malformed_lines_are_warnings_and_the_rest_imports(lib: Library):
    text = """@article{k1, title = {One}, groups = {Good}}
@article{k2, title = {Two}, groups = {Child}}
@Comment{jabref-meta: grouping:
0 AllEntriesGroup:;
1 StaticGroup:Good\\;0\\;1\\;\\;\\;\\;;
StaticGroup:no level\\;0\\;;
1 StaticGroup:Bad context\\;x\\;1\\;\\;\\;\\;;
2 StaticGroup:Child\\;0\\;1\\;\\;\\;\\;;
1 WeirdGroup:What\\;0\\;;
1 AutomaticKeywordGroup:Keywords\\;0\\;keywords\\;,\\;>\\;1\\;\\;\\;\\;;
1 StaticGroup:\\;0\\;1\\;\\;\\;\\;;
}
"""
    report = lib.import_text(text, "bad.bib")
    assert report.added == 2
    # the child of the group that could not be read goes to its parent (the top)
    assert tree(lib) == ["Child", "Good"]
    assert members(lib) == {"k1": ["Good"], "k2": ["Child"]}
    w = report.files[0].warnings
    assert w[0] == "line 6: JabRef group 'StaticGroup:no level;0;' not understood (expected 'LEVEL TYPE:...'); skipped"
    assert w[1] == "line 7: JabRef group 'Bad context': malformed (StaticGroup needs a name and a number); skipped"
    assert w[2] == "line 9: JabRef group 'What': unknown kind 'WeirdGroup'; skipped"
    assert w[3].startswith("line 10: JabRef group 'Keywords' is an automatic group (AutomaticKeywordGroup): "
                           "not imported")
    assert w[4] == "line 11: a JabRef StaticGroup without a name; skipped (its subgroups go to its parent)"
    assert len(w) == 5


def test_an_unclosed_comment_is_a_warning(lib: Library):
    text = "@article{k1, title = {One}, groups = {G}}\n@Comment{jabref-meta: grouping:\n0 AllEntriesGroup:;\n"
    report = lib.import_text(text, "cut.bib")
    assert report.added == 1
    assert "line 2: the JabRef 'grouping' comment is never closed; its groups are not read" in report.files[0].warnings
    assert tree(lib) == []


def test_grouping_wins_over_the_older_groupstree(lib: Library):
    text = """@article{k1, title = {One}, groups = {New}}
@Comment{jabref-meta: groupstree:
0 AllEntriesGroup:;
1 ExplicitGroup:Old\\;0\\;k1\\;;
}
@Comment{jabref-meta: grouping:
0 AllEntriesGroup:;
1 StaticGroup:New\\;0\\;1\\;\\;\\;\\;;
}
"""
    report = lib.import_text(text, "both.bib")
    assert tree(lib) == ["New"]
    assert members(lib) == {"k1": ["New"]}
    assert report.files[0].warnings == [
        "line 2: JabRef's older 'groupstree' is ignored: the file also has the 'grouping' that replaces it"]


def test_legacy_keys_missing_from_the_file_are_named(lib: Library):
    text = """@article{k1, title = {One}}
@Comment{jabref-meta: groupstree:
0 AllEntriesGroup:;
1 ExplicitGroup:Listed\\;0\\;k1\\;ghost\\;;
}
"""
    report = lib.import_text(text, "keys.bib")
    assert members(lib) == {"k1": ["Listed"]}
    assert report.files[0].warnings == [
        "line 4: JabRef group 'Listed' lists 1 citation key no imported entry of this file has (ghost)"]


def test_one_name_in_two_branches_puts_the_entry_in_both(lib: Library):
    text = """@article{k1, title = {One}, groups = {Related work}}
@Comment{jabref-meta: grouping:
0 AllEntriesGroup:;
1 StaticGroup:Thesis\\;0\\;1\\;\\;\\;\\;;
2 StaticGroup:Related work\\;0\\;1\\;\\;\\;\\;;
1 StaticGroup:Paper\\;0\\;1\\;\\;\\;\\;;
2 StaticGroup:Related work\\;0\\;1\\;\\;\\;\\;;
}
"""
    report = lib.import_text(text, "twice.bib")
    assert members(lib) == {"k1": ["Paper/Related work", "Thesis/Related work"]}
    assert report.files[0].warnings == [
        "the group name 'Related work' belongs to 'Thesis/Related work' and 'Paper/Related work': the entries "
        "naming it are put in each, as JabRef shows them"]


def test_same_name_in_two_branches_is_written_apart(lib: Library):
    """JabRef's ``groups`` field names groups by name only: the export gives the second one its
    parent's name, so JabRef (and the import) put each paper only where it was."""
    lib.import_text(json.dumps([{"title": "One paper"}, {"title": "Two paper"}]), "p.json")
    one, two = lib.all_ids()
    thesis, paper = lib.create_collection("Thesis"), lib.create_collection("Paper")
    lib.add_to_collection(lib.create_collection("Related work", thesis), [one])
    lib.add_to_collection(lib.create_collection("Related work", paper), [two])
    text = export_bib(lib)
    # tree order: Paper/Related work comes first and keeps the name
    assert "1 StaticGroup:Paper\\;2\\;1\\;\\;\\;\\;;\n2 StaticGroup:Related work\\;2\\;1\\;\\;\\;\\;;\n" in text
    assert "2 StaticGroup:Related work (Thesis)\\;2\\;1\\;\\;\\;\\;;\n" in text
    with Library(":memory:") as b:
        b.import_text(text, "x.bib")
        assert members_by_title(b) == {"One paper": ["Thesis/Related work (Thesis)"],
                                       "Two paper": ["Paper/Related work"]}


def members_by_title(lib: Library) -> dict[str, list[str]]:
    papers = lib.get_many(lib.all_ids())
    of = lib.collections_of([p.id for p in papers])
    return {p.title: of[p.id] for p in papers if of[p.id]}


def test_names_with_a_slash_get_the_lookalike(lib: Library):
    text = """@article{k1, title = {One}, groups = {a/b}}
@Comment{jabref-meta: grouping:
0 AllEntriesGroup:;
1 StaticGroup:a/b\\;0\\;1\\;\\;\\;\\;;
}
"""
    lib.import_text(text, "slash.bib")
    assert tree(lib) == ["a\u2215b"]
    assert members(lib) == {"k1": ["a\u2215b"]}


def test_wrapped_lines_of_jabref_2(lib: Library):
    text = ("@article{k1, title = {One}, groups = {Long name that was wrapped}}\n"
            "@Comment{jabref-meta: groupstree:\n0 AllEntriesGroup:;\n"
            "1 ExplicitGroup:Long name that was wr\napped\\;0\n\\;;\n}\n")
    lib.import_text(text, "wrapped.bib")
    assert members(lib) == {"k1": ["Long name that was wrapped"]}


def test_the_groups_field_as_jabref_and_refmanager_write_it():
    split = jabref_groups.split_groups_field
    assert split("A, B") == [("A", "A"), ("B", "B")]
    # refmanager escapes a "," and a "\\" it would read as an escape; JabRef writes a name as it is
    assert split("a\\, b, C:\\temp, x\\\\") == [("a\\, b", "a, b"), ("C:\\temp", "C:\\temp"), ("x\\\\", "x\\")]
    assert split("half \\textbraceleft{}open") == [("half \\textbraceleft{}open", "half {open")]


def test_trees_past_the_limits_are_not_read_whole(lib: Library, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(jabref_groups, "MAX_GROUPS", 3)
    units = "".join(f"1 StaticGroup:G{i}\\;0\\;1\\;\\;\\;\\;;\n" for i in range(5))
    text = f"@article{{k1, title = {{One}}, groups = {{G0, G4}}}}\n@Comment{{jabref-meta: grouping:\n{units}}}\n"
    report = lib.import_text(text, "big.bib")
    assert tree(lib) == ["G0", "G1", "G2"]
    assert members(lib) == {"k1": ["G0"]}
    assert "line 6: more than 3 JabRef groups; the rest are not read" in report.files[0].warnings
    monkeypatch.setattr(jabref_groups, "MAX_TREE_CHARS", 100)
    report = lib.import_text(text.replace("One", "Two"), "bigger.bib")
    # (a line end, then five lines of 32 characters: "1 StaticGroup:G0\\;0\\;1\\;\\;\\;\\;;" and its end)
    assert report.files[0].warnings[0] == ("line 2: the JabRef group tree is 161 characters long; the limit is 100: "
                                           "its groups are not read")
    two = next(p for p in lib.get_many(lib.all_ids()) if p.title == "Two")
    assert two.extras == {"bibtex": {"groups": "G0, G4"}}  # (kept as the field it is)


def test_a_crossref_child_does_not_take_its_parents_groups(lib: Library):
    text = """@inproceedings{child, title = {Child paper}, crossref = {conf}}
@proceedings{conf, title = {The Conference}, groups = {G}}
@Comment{jabref-meta: grouping:
0 AllEntriesGroup:;
1 StaticGroup:G\\;0\\;1\\;\\;\\;\\;;
}
"""
    lib.import_text(text, "cross.bib")
    assert tree(lib) == ["G"]
    assert members(lib) == {}


# ------------------------------------------------------------------- search groups
def test_a_keyword_group_on_keywords_is_exactly_a_tag():
    assert keyword_query("keywords", "nlp") == ("tag:nlp", [])
    assert keyword_query("keywords", "machine learning, rl") == ('tag:"machine learning" tag:rl', [])
    assert keyword_query("keywords", "nlp", case_sensitive=True) == ("tag:nlp", ["refmanager's search ignores case"])
    assert keyword_query("readstatus", "read") == (None, ["refmanager's search does not look at the field 'readstatus'"])


def test_search_expressions():
    assert jabref_query("keywords == nlp and year == 2020") == ("tag:nlp year:2020", [])
    assert jabref_query("citationkey == vaswani2017") == ("key:vaswani2017", [])
    assert jabref_query("not keywords == old") == ("-tag:old", [])
    assert jabref_query("author = smith") == ("author:smith", ["author contains 'smith' is searched as author:smith"])
    assert jabref_query('title = "graph neural"') == (
        '"graph neural"', ["title contains 'graph neural' is searched in title, authors, abstract, tags and notes"])
    assert jabref_query("entrytype = inproceedings")[0] == "type:paper-conference"
    assert jabref_query("year = 2020 or year = 2021") == (None, ["refmanager's search has no 'or'"])
    assert jabref_query("groups != .+", regex=True) == (None, ["the regular expression '.+'"])
    # a part that cannot be said is left out, and said so
    assert jabref_query("keywords == nlp and file = x") == (
        "tag:nlp", ["refmanager's search does not look at the field 'file'", "the rest of the condition is left out"])
    # what JabRef's grammar does not take is a search for its words
    assert jabref_query("deep learning") == ("deep learning", [
        "a word is searched at the start of the words of title, authors, abstract, tags and notes "
        "(JabRef: inside any field)"])
    assert jabref_query("((((" * 40) == (None, [])  # (bounded; nothing to say)


def test_search_groups_become_saved_searches(lib: Library):
    text = """@article{k1, title = {One}, keywords = {nlp}, groups = {Thesis}}
@Comment{jabref-meta: grouping:
0 AllEntriesGroup:;
1 StaticGroup:Thesis\\;0\\;1\\;\\;\\;\\;;
2 SearchGroup:Thesis NLP\\;1\\;keywords == nlp\\;0\\;0\\;1\\;\\;\\;\\;;
1 SearchGroup:Either\\;0\\;keywords == a or keywords == b\\;0\\;0\\;1\\;\\;\\;\\;;
1 KeywordGroup:Smith\\;0\\;author\\;smith\\;0\\;0\\;1\\;\\;\\;\\;;
}
"""
    report = lib.import_text(text, "s.bib")
    # a search group refining a static group: the papers of that collection only
    assert searches(lib) == [("Smith", "author:smith"), ("Thesis NLP", 'collection:/Thesis tag:nlp')]
    assert lib.search("collection:Thesis tag:nlp")[0][0].title == "One"
    assert report.files[0].warnings == [
        "line 6: JabRef search group 'Either' (keywords == a or keywords == b) cannot be said in refmanager's "
        "search language (refmanager's search has no 'or'); not imported",
        "line 7: JabRef keyword group 'Smith' (author contains 'smith') saved as the search 'author:smith', "
        "which is not exactly the same: author contains 'smith' is searched as author:smith",
    ]
    # a group that holds static subgroups but is not static itself is their folder
    assert tree(lib) == ["Thesis"]


def test_saved_searches_go_out_and_come_back_exactly(lib: Library):
    lib.import_text(json.dumps([{"title": "One paper"}]), "p.json")
    lib.save_search("Odd; name\\", 'tag:"machine learning" -author:smith year:2020..2021 {x')
    text = export_bib(lib)
    line = ('1 SearchGroup:Odd\\\\\\; name\\\\\\\\\\;0\\;keywords = "machine learning" and not author = "smith" and '
            '(year == 2020 or year == 2021) and "\\\\textbraceleft{}x"\\;0\\;0\\;1\\;\\;\\;refmanager query: '
            'tag:"machine learning" -author:smith year:2020..2021 \\\\textbraceleft{}x\\;;')
    assert text.endswith(comment(["0 AllEntriesGroup:;", line]))
    with Library(":memory:") as b:
        report = b.import_text(text, "s.bib")
        assert searches(b) == [("Odd; name\\", 'tag:"machine learning" -author:smith year:2020..2021 {x')]
        assert report.files[0].warnings == []


# ------------------------------------------------------------------- the export
def test_export_of_a_tree_with_escapes(lib: Library):
    lib.import_text(json.dumps([{"title": "Attention Is All You Need", "doi": "10.1000/att"}]), "p.json")
    (pid,) = lib.all_ids()
    thesis = lib.create_collection("Thesis")
    lib.add_to_collection(lib.create_collection("Related work; part 1", thesis), [pid])
    lib.add_to_collection(lib.create_collection("a, b"), [pid])
    lib.create_collection("C:\\temp")
    lib.create_collection("half {open")
    lib.save_search("NLP", "tag:nlp year:2020..2021")
    text = export_bib(lib)
    assert "  groups = {a\\, b, Related work; part 1},\n" in text
    assert text.endswith(comment([
        "0 AllEntriesGroup:;",
        "1 StaticGroup:a, b\\;2\\;1\\;\\;\\;\\;;",
        "1 StaticGroup:C:\\\\\\\\temp\\;2\\;1\\;\\;\\;\\;;",
        "1 StaticGroup:half \\\\textbraceleft{}open\\;2\\;1\\;\\;\\;\\;;",
        "1 StaticGroup:Thesis\\;2\\;1\\;\\;\\;\\;;",
        "2 StaticGroup:Related work\\\\\\; part 1\\;2\\;1\\;\\;\\;\\;;",
        '1 SearchGroup:NLP\\;0\\;keywords = "nlp" and (year == 2020 or year == 2021)\\;0\\;0\\;1\\;\\;\\;'
        "refmanager query: tag:nlp year:2020..2021\\;;",
    ]))
    with Library(":memory:") as b:
        b.import_text(text, "x.bib")
        assert tree(b) == ["a, b", "C:\\temp", "half {open", "Thesis", "Thesis/Related work; part 1"]
        assert members_by_title(b) == {"Attention Is All You Need": ["a, b", "Thesis/Related work; part 1"]}
        assert searches(b) == [("NLP", "tag:nlp year:2020..2021")]


def test_hostile_names_stay_data(lib: Library):
    """Names and queries that would end a value, a comment or an entry if written as they are."""
    lib.import_text(json.dumps([{"title": "Attention Is All You Need"}]), "p.json")
    (pid,) = lib.all_ids()
    for name in ["}, title = {Evil", "@article{evil, title = {Evil}}", "x\\", "a\\}b{", "%comment"]:
        lib.add_to_collection(lib.create_collection(name), [pid])
    lib.save_search("}", "@misc{evil2, title={x}} \\}")
    text = export_bib(lib)
    blocks = bibtexparser.parse_string(text).blocks
    assert [type(b).__name__ for b in blocks] == ["Entry", "ExplicitComment"]
    (entry,) = bibtexparser.parse_string(text).entries
    assert [f.key for f in entry.fields] == ["title", "groups"]
    with Library(":memory:") as b:
        report = b.import_text(text, "x.bib")
        assert (report.added, report.files[0].warnings) == (1, [])
        assert members_by_title(b) == members_by_title(lib)
        assert searches(b) == [("}", "@misc{evil2, title={x}} \\}")]


def test_no_collections_no_groups(lib: Library):
    """A library without collections or saved searches exports as before: no comment, no field."""
    lib.import_text(json.dumps([{"title": "Attention Is All You Need"}]), "p.json")
    papers = lib.get_many(lib.all_ids())
    assert export_bib(lib) == to_bibtex(papers, "{author}{year}")
    assert "jabref-meta" not in export_bib(lib)


# ------------------------------------------------------------------- the import's action
GROUPED = """@article{key1,
  title = {Known Paper},
  doi = {10.1000/known},
  groups = {G},
}

@article{key2,
  title = {New Paper},
  doi = {10.1000/new},
}

@Comment{jabref-meta: grouping:
0 AllEntriesGroup:;
1 StaticGroup:G\\;0\\;1\\;\\;\\;\\;;
1 StaticGroup:Empty\\;0\\;1\\;\\;\\;\\;;
1 KeywordGroup:NLP\\;0\\;keywords\\;nlp\\;0\\;0\\;1\\;\\;\\;\\;;
}
"""


def test_an_entry_merged_into_a_paper_joins_its_group_and_one_undo_takes_it_all_back(lib: Library):
    lib.import_text(json.dumps([{"title": "Known Paper", "doi": "10.1000/known"}]), "before.json")
    (known,) = lib.all_ids()
    report = lib.import_text(GROUPED, "grouped.bib")
    assert (report.added, report.merged + report.unchanged) == (1, 1)
    assert lib.collections_of([known]) == {known: ["G"]}
    assert tree(lib) == ["Empty", "G"]
    assert searches(lib) == [("NLP", "tag:nlp")]
    assert lib.undo_label() == "import of grouped.bib: 2 papers"
    lib.undo()
    assert tree(lib) == []
    assert searches(lib) == []
    assert lib.all_ids() == [known]
    assert lib.collections_of([known]) == {known: []}
    lib.redo()
    assert tree(lib) == ["Empty", "G"]
    assert lib.collections_of([known]) == {known: ["G"]}


def test_importing_again_changes_nothing_until_a_collection_is_gone(lib: Library):
    lib.import_text(GROUPED, "grouped.bib")
    again = lib.import_text(GROUPED, "grouped.bib")
    assert again.lines()[-1] == "Nothing changed: everything was already in the library."
    assert searches(lib) == [("NLP", "tag:nlp")]  # (the same name and query: one saved search)
    lib.delete_collection(lib.find_collection("G"))
    third = lib.import_text(GROUPED, "grouped.bib")
    assert third.files[0].notes == ["1 collection made, 1 paper put in collections, 0 saved searches made"]
    assert members(lib) == {"key1": ["G"]}


def test_groups_cross_from_the_parsing_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("REFMANAGER_PARSE_PROCESS", "1")
    with Library(tmp_path / "l.db") as lib:
        lib.import_paths([GOLDEN / "jabref5_owner_groups.bib"])
        assert members(lib) == {"Chau2020": ["Group2"], "Marvin2020": ["Group1"],
                                "Venkateshaiah2020": ["Group1/Group1a", "Group2", "Markings/jfd1:1"],
                                "Xie2020": ["Group1/Group1a"]}
        assert tree(lib) == ["Group1", "Group1/Group1a", "Group1/Group1b", "Group2", "Markings", "Markings/jfd1:1"]


def test_the_parser_gives_plain_data():
    pf = formats.parse_text(BIB, "groups.bib")
    assert pf.groups is not None
    assert pf.groups.collections == [
        (("Top",), 15), (("Top", "Semi;colon"), 16), (("Top", "Semi;colon", "Deep"), 17),
        (("Top", "Back\\slash"), 18), (("Second",), 19)]
    assert pf.groups.members == {(1, "a1", 0): [("Top", "Semi;colon"), ("Top", "Back\\slash")],
                                 (7, "b2", 0): [("Top", "Semi;colon", "Deep")]}
    assert pf.groups.searches == [("NLP", "tag:nlp", 20)]


# ------------------------------------------------------------------- any tree, there and back
#: Names as a user may type them: JabRef's separators and quote, a comma, braces, spaces,
#: accents and other scripts (no "/": it separates a path).
NAME = st.text(alphabet=st.sampled_from(list("ab;\\,{} é中-:'\"@%")), min_size=1, max_size=8).map(
    lambda s: " ".join(s.split())).filter(bool)


@st.composite
def libraries(draw: st.DrawFn) -> tuple[list[tuple[int | None, str]], list[list[int]], list[tuple[str, str]]]:
    """Collections (parent index, name) with names unique in the whole tree (a name in two
    branches is renamed on export: its own test), which papers are in each, saved searches."""
    names = draw(st.lists(NAME, min_size=1, max_size=6, unique_by=str.casefold))
    nodes: list[tuple[int | None, str]] = []
    for i, name in enumerate(names):
        parent = draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None
        nodes.append((parent, name))
    in_ = [draw(st.lists(st.integers(0, len(nodes) - 1), max_size=3, unique=True)) for _ in range(3)]
    queries = draw(st.lists(st.tuples(NAME, st.text(alphabet=st.sampled_from(list("ab;\\,{}: -\"é")), min_size=1,
                                                     max_size=12).filter(str.strip)),
                            max_size=3, unique_by=lambda t: t[0].casefold()))
    return nodes, in_, [(n, q.strip()) for n, q in queries]


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(libraries())
def test_any_tree_goes_through_bibtex_and_back(data):
    nodes, in_, saved = data
    with Library(":memory:") as a:
        a.import_text(json.dumps([{"title": f"Paper number {i}"} for i in range(3)]), "p.json")
        ids = a.all_ids()
        cids: list[int] = []
        for parent, name in nodes:
            cids.append(a.create_collection(name, None if parent is None else cids[parent]))
        for pid, cols in zip(ids, in_):
            for c in cols:
                a.add_to_collection(cids[c], [pid])
        for name, query in saved:
            a.save_search(name, query)
        want = (tree(a), members_by_title(a), searches(a))
        text = export_bib(a)
    with Library(":memory:") as b:
        report = b.import_text(text, "x.bib")
        assert not report.rejected
        assert (tree(b), members_by_title(b), searches(b)) == want
        assert len(b.all_ids()) == 3
