"""The author column (issue 18, item 6): "Kingma" for one author, "Kingma & Ba" for two,
"Kingma et al." for three or more or a cut list; family names as ``names.split_name`` cuts them.
One function (``names.short_authors``) for the table and for ``list``/``search``; the table's
tool tip names every author.  Expected values are written by hand from the data."""

from __future__ import annotations

from pathlib import Path

import pytest

from refmanager.cli import main
from refmanager.core.library import Library, View
from refmanager.core.names import family_of, short_authors

BIB = r"""
@article{one, title = {Adam Alone}, author = {Kingma, Diederik P.}, year = 2014}
@article{two, title = {Adam: A Method for Stochastic Optimization},
  author = {Kingma, Diederik P. and Ba, Jimmy}, year = 2014}
@article{three, title = {Visualizing Data using t-SNE},
  author = {van der Maaten, Laurens and Hinton, Geoffrey and Roweis, Sam}, year = 2008}
@article{cut, title = {Two Named, More Cut}, author = {Smith, Jr., John and de Vries, Anna and others}, year = 2020}
@misc{team, title = {Gemma 2}, author = {{Gemma Team} and Riviere, Morgane}, year = 2024}
"""

#: title -> what the author column shows
SHORT = {
    "Adam Alone": "Kingma",
    "Adam: A Method for Stochastic Optimization": "Kingma & Ba",
    "Visualizing Data using t-SNE": "van der Maaten et al.",
    "Two Named, More Cut": "Smith et al.",
    "Gemma 2": "Gemma Team & Riviere",
}


@pytest.mark.parametrize("authors,et_al,count,shown", [
    (["Diederik P. Kingma"], False, None, "Kingma"),
    (["Diederik P. Kingma", "Jimmy Ba"], False, None, "Kingma & Ba"),
    (["Diederik P. Kingma", "Jimmy Ba", "Someone Else"], False, None, "Kingma et al."),
    (["Diederik P. Kingma", "Jimmy Ba"], True, None, "Kingma et al."),  # the listing said et al.
    (["Diederik P. Kingma"], True, None, "Kingma et al."),
    (["Laurens van der Maaten", "Geoffrey Hinton"], False, None, "van der Maaten & Hinton"),
    (["Gemma Team", "Morgane Riviere"], False, None, "Gemma Team & Riviere"),
    (["OpenAI"], False, None, "OpenAI"),
    (["John Smith Jr.", "Anna de Vries"], False, None, "Smith & de Vries"),
    (["Jan van der Berg", None], False, 1, "van der Berg"),  # a table row: two read, one there
    (["Diederik P. Kingma", "Jimmy Ba"], False, 7, "Kingma et al."),  # a row: two read of seven
    (["Diederik P. Kingma", None], False, 2, "Kingma et al."),  # (a second name the row lacks)
    ([], False, None, ""),
    ([None, None], True, 0, ""),
])
def test_short_authors(authors, et_al, count, shown):
    assert short_authors(authors, et_al, count) == shown


def test_family_names_keep_particles_and_teams_whole():
    assert [family_of(n) for n in ("Diederik P. Kingma", "Laurens van der Maaten", "de Vries", "Gemma Team",
                                   "Martin Luther King Jr.", "Plato")] == [
        "Kingma", "van der Maaten", "de Vries", "Gemma Team", "King", "Plato"]


@pytest.fixture
def bib_lib(lib: Library) -> Library:
    report = lib.import_text(BIB, "authors.bib")
    assert report.added == 5, report.problems()
    return lib


def test_a_page_row_holds_the_second_author(bib_lib: Library):
    rows = {r.title: r for r in bib_lib.page(View(), 0, 10)}
    assert [(r.first_author, r.second_author, r.n_authors, r.et_al) for r in (
        rows["Adam Alone"], rows["Adam: A Method for Stochastic Optimization"],
        rows["Visualizing Data using t-SNE"], rows["Two Named, More Cut"])] == [
        ("Diederik P. Kingma", None, 1, 0), ("Diederik P. Kingma", "Jimmy Ba", 2, 0),
        ("Laurens van der Maaten", "Geoffrey Hinton", 3, 0), ("John Smith Jr.", "Anna de Vries", 2, 1)]


def test_cli_list_and_search_show_the_short_author_list(tmp_path: Path, capsys):
    path = str(tmp_path / "cli.db")
    with Library(path) as lib:
        lib.import_text(BIB, "authors.bib")
    assert main(["--library", path, "list"]) == 0
    out = capsys.readouterr().out
    for title, shown in SHORT.items():
        assert f"  {title} — {shown}\n" in out, (title, out)
    assert main(["--library", path, "search", "adam"]) == 0
    out = capsys.readouterr().out
    assert "  Adam: A Method for Stochastic Optimization — Kingma & Ba\n" in out
    assert "  Adam Alone — Kingma\n" in out


def test_the_table_shows_the_short_list_and_its_tooltip_every_author(bib_lib: Library, qapp):
    from PySide6.QtCore import Qt

    from refmanager.gui.session import LibrarySession
    from refmanager.gui.table_model import COL, PaperTableModel

    session = LibrarySession(bib_lib)
    try:
        m = PaperTableModel(session)
        by_title = {m.data(m.index(r, COL["title"])): r for r in range(m.rowCount())}
        assert {t: m.data(m.index(r, COL["authors"])) for t, r in by_title.items()} == SHORT
        tip = {t: m.data(m.index(r, COL["authors"]), Qt.ItemDataRole.ToolTipRole) for t, r in by_title.items()}
        assert "Laurens van der Maaten, Geoffrey Hinton, Sam Roweis" in tip["Visualizing Data using t-SNE"]
        assert "John Smith Jr., Anna de Vries et al." in tip["Two Named, More Cut"]
        assert "Diederik P. Kingma, Jimmy Ba<" in tip["Adam: A Method for Stochastic Optimization"]
        # the sort stays by the first author's name as stored: "Diederik P. Kingma" (twice), "Gemma
        # Team", "John Smith Jr.", "Laurens van der Maaten"; not by the family name shown
        m.sort(COL["authors"], Qt.SortOrder.AscendingOrder)
        shown = [m.data(m.index(r, COL["authors"])) for r in range(m.rowCount())]
        assert sorted(shown[:2]) == ["Kingma", "Kingma & Ba"]
        assert shown[2:] == ["Gemma Team & Riviere", "Smith et al.", "van der Maaten et al."]
    finally:
        session.shutdown()


def test_a_very_long_author_list_is_cut_in_the_tooltip(lib: Library, qapp):
    import json

    from PySide6.QtCore import Qt

    from refmanager.gui.session import LibrarySession
    from refmanager.gui.table_model import COL, PaperTableModel

    authors = [f"Author{i} Family{i}" for i in range(60)]
    assert lib.import_text(json.dumps([{"title": "ATLAS", "authors": authors}]), "atlas.json").added == 1
    session = LibrarySession(lib)
    try:
        m = PaperTableModel(session)
        assert m.data(m.index(0, COL["authors"])) == "Family0 et al."
        tip = m.data(m.index(0, COL["authors"]), Qt.ItemDataRole.ToolTipRole)
        assert "Author0 Family0, Author1 Family1," in tip and "Author49 Family49, … (60 authors)" in tip
        assert "Author50" not in tip
    finally:
        session.shutdown()
