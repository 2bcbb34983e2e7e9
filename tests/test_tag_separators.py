"""One rule for tag separators (issue 18, item 2): the comma separates tags in what the user types
and in a format's keyword list; a keyword a file gives whole stays one tag; every format's round
trip keeps a library's tags exactly.  Expected values are written by hand from the inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refmanager.cli import main
from refmanager.core.errors import RefManagerError
from refmanager.core.export import EXPORT_FORMATS, to_bibtex, to_csljson, to_json, to_ris
from refmanager.core.fields import clean_tag, split_tags, tag_key, unique_tags
from refmanager.core.formats import parse_text
from refmanager.core.formats.common import split_unbraced
from refmanager.core.library import Library

from .conftest import examples

PAPER = "TY  - JOUR\nTI  - A paper about tags\nAU  - Kingma, Diederik P.\nER  - \n"


def one_paper(lib: Library, text: str = PAPER, name: str = "paper.ris") -> int:
    before = set(lib.all_ids())
    report = lib.import_text(text, name)
    assert report.added == 1, report.problems()
    (pid,) = set(lib.all_ids()) - before
    return pid


def tags_of(text: str, name: str) -> list[str]:
    (e,) = parse_text(text, name).entries
    return e.tags


# ------------------------------------------------------------------ the rule
def test_a_typed_text_is_one_tag_per_comma_separated_part():
    assert split_tags("nlp, pretraining") == ["nlp", "pretraining"]
    assert split_tags("  nlp ,,  pre   training , ") == ["nlp", "pre training"]
    assert split_tags("rl; bandits, C++") == ["rl; bandits", "C++"]  # a ";" is part of a tag
    assert split_tags("NLP, nlp, Nlp") == ["NLP"]  # the library's names compare without case
    assert split_tags("") == [] and split_tags(None) == [] and split_tags(" , ") == []


def test_tag_names_compare_as_the_tags_table_does():
    # COLLATE NOCASE folds ASCII letters only: "É" and "é" are two tags in the library
    assert tag_key("ÉTÉ Ab") == "ÉtÉ ab"
    assert unique_tags(["É", "é", "E", "e", "  x\u00a0 y\n"]) == ["É", "é", "E", "x y"]
    assert clean_tag(" Colitis,\tUlcerative ") == "Colitis, Ulcerative"


def test_a_braced_bibtex_group_is_one_part():
    assert split_unbraced(r"a, {b, c}; d\%e, \{x\}", ",;") == ["a", " {b, c}", " d\\%e", r" \{x\}"]
    # JabRef's escaped separator ("c\,d") is a braced one, so that LaTeX does not read a thin space
    assert split_unbraced(r"c\,d, e", ",;") == ["c{,}d", " e"]
    assert split_unbraced("", ",;") == [""]


# ------------------------------------------------------- typed in the app and the CLI
def test_add_tags_splits_what_the_user_typed(lib: Library):
    pid = one_paper(lib)
    assert lib.add_tags([pid], ["nlp, pretraining"]) == 2
    assert lib.get(pid).tags == ["nlp", "pretraining"]
    assert lib.undo_label() == "Add 2 tags"
    lib.remove_tags([pid], ["Pretraining , nlp"])
    assert lib.get(pid).tags == []
    lib.add_tags([pid], ["rl; bandits"])
    assert lib.get(pid).tags == ["rl; bandits"]
    assert lib.undo_label() == "Add tag 'rl; bandits'"


def test_the_detail_pane_and_tag_dialog_go_through_add_tags(lib: Library):
    # (gui/detail_pane.py's tag field and gui/marking_controller.py's dialog hand the text as typed)
    pid = one_paper(lib)
    lib.add_tags([pid], ["to read,", ",,"])
    assert lib.get(pid).tags == ["to read"]


def test_the_detail_pane_tag_field_adds_one_tag_per_part(lib: Library, qtbot):
    from PySide6.QtCore import Qt

    from refmanager.gui.detail_pane import DetailPane

    pid = one_paper(lib)
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.addTag.connect(lambda text: lib.add_tags([pid], [text]))  # (main_window's connection)
    assert pane.tag_edit.placeholderText() == "Add tags, separated by commas…"
    qtbot.keyClicks(pane.tag_edit, "nlp, pretraining")
    qtbot.keyClick(pane.tag_edit, Qt.Key.Key_Return)
    assert lib.get(pid).tags == ["nlp", "pretraining"] and pane.tag_edit.text() == ""


def test_cli_tag_command_splits_at_commas(tmp_path: Path, capsys):
    path = str(tmp_path / "cli.db")
    with Library(path) as lib:
        pid = one_paper(lib)
    assert main(["--library", path, "tag", str(pid), "nlp, pretraining", "rl; bandits"]) == 0
    assert capsys.readouterr().out == f"{pid}: tags: nlp, pretraining, rl; bandits\n"
    assert main(["--library", path, "untag", str(pid), "nlp,pretraining"]) == 0
    assert capsys.readouterr().out == f"{pid}: tags: rl; bandits\n"


def test_a_tag_cannot_be_renamed_to_a_name_with_the_separator(lib: Library):
    pid = one_paper(lib)
    lib.add_tags([pid], ["nlp"])
    with pytest.raises(RefManagerError, match="cannot hold ','"):
        lib.rename_tag("nlp", "nlp, pretraining")
    with pytest.raises(RefManagerError, match="cannot hold ','"):
        lib.merge_tag("nlp", "a, b")
    assert lib.tag_names() == ["nlp"]
    lib.rename_tag("nlp", "nlp; pretraining")
    assert lib.get(pid).tags == ["nlp; pretraining"]


# ------------------------------------------------- tags holding a comma (made before the rule)
def test_a_tag_made_before_the_rule_is_kept_and_still_named_whole(lib: Library):
    pid = one_paper(lib)
    other = one_paper(lib, PAPER.replace("about tags", "about names"))
    with lib.transaction():  # what an older version made of "nlp, pretraining" typed in the tag field
        lib.tags.attach(pid, ["nlp, pretraining"])
    assert lib.get(pid).tags == ["nlp, pretraining"]
    # picked from the completer (its exact name): that tag, not two new ones
    lib.add_tags([other], ["NLP, pretraining"])
    assert lib.get(other).tags == ["nlp, pretraining"] and lib.tag_names() == ["nlp, pretraining"]
    # a chip removes it by its name
    lib.remove_tags([other], ["nlp, pretraining"])
    assert lib.get(other).tags == []
    # renaming it to a name without the comma is how a user mends it; its own name stays allowed
    lib.rename_tag("nlp, pretraining", "NLP, pretraining")
    assert lib.get(pid).tags == ["NLP, pretraining"]
    lib.rename_tag("NLP, pretraining", "nlp pretraining")
    assert lib.get(pid).tags == ["nlp pretraining"]


def test_a_comma_tag_travels_whole_where_the_format_can_hold_it(tmp_path: Path):
    with Library(tmp_path / "old.db") as lib:
        pid = one_paper(lib)
        with lib.transaction():
            lib.tags.attach(pid, ["nlp, pretraining", "rl"])
        (paper,) = lib.get_many([pid])
    bib = to_bibtex([paper], "[auth][year]")
    assert "  keywords = {{nlp, pretraining}, rl},\n" in bib
    ris = to_ris([paper])
    assert "KW  - nlp, pretraining\nKW  - rl\n" in ris
    assert json.loads(to_csljson([paper], "[auth][year]"))[0]["keyword"] == "nlp, pretraining, rl"
    assert json.loads(to_json([paper]))[0]["tags"] == ["nlp, pretraining", "rl"]
    back = {
        "bibtex": tags_of(bib, "x.bib"), "ris": tags_of(ris, "x.ris"),
        "json": tags_of(to_json([paper]), "x.json"),
        # CSL's keyword is one string: the comma separates there (docs: a limit of CSL-JSON)
        "csljson": tags_of(to_csljson([paper], "[auth][year]"), "x.json"),
    }
    assert back == {"bibtex": ["nlp, pretraining", "rl"], "ris": ["nlp, pretraining", "rl"],
                    "json": ["nlp, pretraining", "rl"], "csljson": ["nlp", "pretraining", "rl"]}


# ------------------------------------------------------------------ the readers
def test_ris_keywords_are_one_tag_a_line():
    text = ("TY  - JOUR\nTI  - T\nKW  - Colitis, Ulcerative/*therapy\nKW  - rl; bandits\n"
            "KW  - first line\n      second line\nKW  - RL; BANDITS\nER  - \n")
    assert tags_of(text, "x.ris") == ["Colitis, Ulcerative/*therapy", "rl; bandits", "first line", "second line"]


def test_bibtex_keywords_split_at_commas_and_semicolons_outside_braces():
    text = r"@article{k, title={T}, keywords={a, {Colitis, Ulcerative}; b;c, d\,e, {x;y}, r{\'e}seau, A}}"
    assert tags_of(text, "x.bib") == ["a", "Colitis, Ulcerative", "b", "c", "d,e", "x;y", "réseau"]


def test_better_bibtex_braces_a_zotero_tag_with_a_comma_and_it_stays_one_tag():
    path = Path(__file__).parent / "data" / "real" / "bibtex" / "bbt-collections-jabref-groups-901.bibtex"
    entries = {e.citekey: e for e in parse_text(path.read_text(encoding="utf-8"), path.name).entries}
    # keywords = {{Bunge, Mario},Philosophy,Science}
    assert entries["Agassi-1982-Scientificphilosophytoday"].tags == ["Bunge, Mario", "Philosophy", "Science"]


def test_csl_keyword_string_splits_at_commas_a_list_item_is_one_tag():
    item = {"type": "article", "title": "T", "keyword": "rl; bandits, curiosity",
            "categories": ["Neoplasms, Experimental", "curiosity"]}
    assert tags_of(json.dumps([item]), "x.json") == ["rl; bandits", "curiosity", "Neoplasms, Experimental"]


def test_medline_and_web_of_science_terms_keep_their_commas():
    nbib = "PMID- 1\nTI  - T\nOT  - Neoplasms, Experimental\nOT  - mice; rats\n\n"
    assert tags_of(nbib, "x.nbib") == ["Neoplasms, Experimental", "mice", "rats"]
    wos = "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI T\nDE Smith, J; deep learning\nER\n\nEF\n"
    assert tags_of(wos, "x.txt") == ["Smith, J", "deep learning"]


def test_refmanager_json_tags_are_read_as_listed():
    data = [{"title": "T", "authors": [], "tags": ["nlp, pretraining", "rl; bandits"]}]
    assert tags_of(json.dumps(data), "x.json") == ["nlp, pretraining", "rl; bandits"]


# ------------------------------------------------------------------ the writers
def test_the_writers_write_one_tag_each(lib: Library):
    pid = one_paper(lib)
    lib.add_tags([pid], ["a;b, 50% {off}, Zoë"])
    (p,) = lib.get_many([pid])
    assert p.tags == ["50% {off}", "a;b", "Zoë"]
    assert r"  keywords = {50\% \{off\}, {a;b}, Zoë}," in to_bibtex([p], "[auth][year]")
    assert "KW  - 50% {off}\nKW  - a;b\nKW  - Zoë\n" in to_ris([p])
    assert json.loads(to_csljson([p], "[auth][year]"))[0]["keyword"] == "50% {off}, a;b, Zoë"
    assert json.loads(to_json([p]))[0]["tags"] == ["50% {off}", "a;b", "Zoë"]


# ------------------------------------------------------- library -> format -> library
_PIECES = [";", " ", '"', "'", "{", "}", "{}", "\\", "%", "$", "$x$", "&", "#", "_", "~", "^", "@", "--", "``",
           "''", "<b>", "&amp;", "é", "É", "ß", "Ж", "日本", "😀", "\u00a0", "TY  - JOUR", "ER  - ", "and", "others"]
_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters=",")
#: a tag as the library holds it: cleaned, no separator
_TAG = (st.lists(st.sampled_from(_PIECES) | st.text(_CHARS, max_size=3), min_size=1, max_size=6)
        .map("".join).map(clean_tag).filter(bool))
_TAG_SETS = st.lists(_TAG, min_size=1, max_size=6, unique_by=tag_key)


@settings(max_examples=examples(60), suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(_TAG_SETS)
def test_every_format_gives_back_the_library_s_tags_exactly(tmp_path_factory, tags: list[str]) -> None:
    d = tmp_path_factory.mktemp("tags")
    with Library(d / "source.db") as lib:
        pid = one_paper(lib)
        lib.add_tags([pid], tags)
        (paper,) = lib.get_many([pid])
    assert sorted(paper.tags) == sorted(tags)  # (typed without a comma: one tag each, as given)
    for fmt in ("bibtex", "ris", "csljson", "json"):
        text = EXPORT_FORMATS[fmt].write([paper], "[auth][year]")
        with Library(d / f"{fmt}.db") as back:
            pid = one_paper(back, text, f"export.{fmt}")
            assert sorted(back.get(pid).tags) == sorted(tags), (fmt, text)
