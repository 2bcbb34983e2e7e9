"""The real main window, driven with pytest-qt, offscreen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QHeaderView

from refmanager.gui.table_model import COL, plain_tooltip

from ..conftest import FULL_SEED, dump

GEMMA = "Gemma: Open Models Based on Gemini Research and Technology"


def titles_in_table(win) -> list[str]:
    m = win.view.model
    return [m.data(m.index(r, COL["title"])) for r in range(m.rowCount())]


def row_of_title(win, title: str) -> int:
    return titles_in_table(win).index(title)


def select_title(win, qtbot, title: str) -> None:
    win.table.selectRow(row_of_title(win, title))
    qtbot.waitUntil(lambda: win.detail.paper is not None and win.detail.paper.title == title)


def test_first_run_shows_the_21_seed_papers(window):
    assert window.view.model.rowCount() == 21
    assert window.windowTitle() == "library.db — refmanager"
    assert window.status_label.text() == "21 papers · 0 selected"
    assert window.sidebar.section_count("all") == 21
    assert window.sidebar.section_count("incomplete") == 2
    assert sum(1 for t in titles_in_table(window) if t.startswith("[no title] ")) == 2


def test_existing_library_is_never_reseeded(make_window, tmp_path):
    from refmanager.core.library import Library

    path = tmp_path / "empty.db"
    Library(path).close()  # exists, empty
    win = make_window(path)
    assert win.view.model.rowCount() == 0


@pytest.mark.parametrize(
    "column,ascending_first,descending_first",
    [
        ("title", "Counterfactual Credit Assignment in Model-Free Reinforcement Learning",
         "VaultGemma: A Differentially Private Gemma Model"),
        ("year", None, "VaultGemma: A Differentially Private Gemma Model"),
        ("date", None, "VaultGemma: A Differentially Private Gemma Model"),
        # sorted by the first author's name ("Aleksandar Botev"), shown by family name (issue 18)
        ("authors", "Botev et al.", "Guo et al."),
        ("category", None, "stat.ML"),
    ],
)
def test_sorting_by_column(window, column, ascending_first, descending_first):
    col = COL[column]
    window.table.sortByColumn(col, Qt.SortOrder.AscendingOrder)
    m = window.view.model
    first_asc = m.data(m.index(0, col if column in ("authors", "category") else COL["title"]))
    if ascending_first is not None:
        assert first_asc == ascending_first
    window.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    first_desc = m.data(m.index(0, col if column in ("authors", "category") else COL["title"]))
    assert first_desc == descending_first
    assert m.rowCount() == 21


def test_sorting_by_year_ascending_starts_with_untitled_then_2015(window):
    window.table.sortByColumn(COL["year"], Qt.SortOrder.AscendingOrder)
    m = window.view.model
    years = [m.data(m.index(r, COL["year"])) for r in range(21)]
    assert years[:2] == ["", ""]  # the two incomplete papers have no date
    assert years[2:4] == ["2015", "2015"]
    assert years[-1] == "2025"


def test_sort_by_star_read_and_tags(window):
    window.lib.set_starred([3], True)
    window.lib.add_tags([4], ["aaa"])
    window.view.refresh()
    window.table.sortByColumn(COL["starred"], Qt.SortOrder.DescendingOrder)
    assert titles_in_table(window)[0] == GEMMA
    window.table.sortByColumn(COL["tags"], Qt.SortOrder.DescendingOrder)
    assert titles_in_table(window)[0] == "Gemma 3 Technical Report"
    window.lib.set_read([1], True)
    window.view.refresh()
    window.table.sortByColumn(COL["read"], Qt.SortOrder.DescendingOrder)
    assert titles_in_table(window)[0] == "Gemma 2: Improving Open Language Models at a Practical Size"


def test_selecting_fills_the_detail_pane(window, qtbot):
    select_title(window, qtbot, GEMMA)
    d = window.detail
    assert d.title.text() == GEMMA
    assert d.authors.text() == "Gemma Team, Thomas Mesnard, Cassidy Hardin et al."
    assert d.orgs.text() == "deepmind"
    assert d.meta.text() == "2024-03-13  ·  cs.CL (Computation and Language)"
    assert d.ids.text() == "No arXiv id yet"
    assert d.abstract.text().startswith("This work introduces Gemma, a family of lightweight")
    assert d.pdf_button.isEnabled() is False
    assert window.status_label.text() == "21 papers · 1 selected"


def test_adding_and_removing_a_tag_through_the_ui(window, qtbot):
    select_title(window, qtbot, GEMMA)
    qtbot.keyClicks(window.detail.tag_edit, "open models")
    qtbot.keyClick(window.detail.tag_edit, Qt.Key.Key_Return)
    pid = window.detail.paper.id
    assert window.lib.get(pid).tags == ["open models"]
    assert window.sidebar.tag_count("open models") == 1
    assert window.detail.tag_chips() == ["open models"]
    # remove it with the chip's button
    chip = window.detail.tags_layout.itemAt(0).widget()
    qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    assert window.lib.get(pid).tags == []
    assert window.sidebar.tag_count("open models") == 0


def test_ctrl_t_tags_several_selected_papers(window, qtbot, dialog_log):
    window.table.setFocus()
    window.table.selectRow(2)
    window.table.selectionModel().select(
        window.view.model.index(3, 0),
        window.table.selectionModel().SelectionFlag.Select | window.table.selectionModel().SelectionFlag.Rows,
    )
    ids = window.view.selected_ids()
    assert len(ids) == 2
    assert window.detail.many_label.text() == "2 papers selected"
    dialog_log.texts.append("bio")
    window.actions["tag"].trigger()
    assert window.sidebar.tag_count("bio") == 2
    assert all(p.tags == ["bio"] for p in window.lib.get_many(ids))
    assert QApplication.instance() is not None
    assert window.actions["tag"].shortcut().toString() == "Ctrl+T"


def test_tag_filter_and_search_narrow_the_table(window, qtbot):
    window.lib.add_tags([13, 14], ["credit"])
    window.lib.add_tags([14, 15], ["neuro"])
    window.view.refresh()
    window.sidebar.select_tags(["credit"])
    assert window.view.model.rowCount() == 2
    window.sidebar.select_tags(["credit", "neuro"])  # several tags: papers with all of them
    assert window.view.model.rowCount() == 1
    window.sidebar.select_section("all")
    assert window.view.model.rowCount() == 21
    qtbot.keyClicks(window.search, "author:mesnard year:2019..2020")
    qtbot.waitUntil(lambda: window.view.model.rowCount() == 3, timeout=2000)
    assert set(titles_in_table(window)) == {
        "Hindsight Credit Assignment",
        "Counterfactual Credit Assignment in Model-Free Reinforcement Learning",
        "Ghost Units Yield Biologically Plausible Backprop in Deep Neural Networks",
    }
    assert window.status_label.text() == "3 papers · 0 selected"
    # Esc clears it
    window.search.setFocus()
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.search.text() == ""
    assert window.view.model.rowCount() == 21


def test_bad_query_shows_a_hint(window, qtbot):
    qtbot.keyClicks(window.search, "year:soon")
    qtbot.waitUntil(lambda: window.hint.isVisible(), timeout=2000)
    assert window.hint.text() == "year: expects 2020, 2020..2024, ..2019 or 2021.. (not 'soon')"
    assert window.view.model.rowCount() == 21


def test_ctrl_f_focuses_search(window, qtbot):
    window.table.setFocus()
    window.actions["find"].trigger()
    assert window.search.hasFocus()
    assert window.actions["find"].shortcut().toString() == "Ctrl+F"


def test_note_survives_close_and_reopen(make_window, qtbot, tmp_path):
    win = make_window()
    select_title(win, qtbot, GEMMA)
    pid = win.detail.paper.id
    win.detail.note.setFocus()
    qtbot.keyClicks(win.detail.note, "Read section 3 again")
    # the autosave timer fires shortly after typing stops
    with qtbot.waitSignal(win.marking.noteSaved, timeout=3000):
        pass
    qtbot.keyClicks(win.detail.note, "!")  # typed just before closing: saved on close
    win.close()
    win.lib.close()
    win2 = make_window(tmp_path / "library.db")
    assert win2.lib.get(pid).note == "Read section 3 again!"
    select_title(win2, qtbot, GEMMA)
    assert win2.detail.note.toPlainText() == "Read section 3 again!"


def test_note_saved_on_selection_change(window, qtbot):
    select_title(window, qtbot, GEMMA)
    pid = window.detail.paper.id
    window.detail.note.setFocus()
    qtbot.keyClicks(window.detail.note, "quick")
    window.table.selectRow(0)
    assert window.lib.get(pid).note == "quick"


def test_note_search_hit_is_visible_in_the_table(window, qtbot):
    window.lib.set_note(4, "compare tokenizer with llama")
    window.view.refresh()
    qtbot.keyClicks(window.search, "tokenizer llama")
    qtbot.waitUntil(lambda: window.view.model.rowCount() == 1, timeout=2000)
    m = window.view.model
    from refmanager.gui.table_model import NoteHitRole

    assert m.data(m.index(0, COL["title"]), NoteHitRole) is True
    assert "(the search matches this paper&#x27;s note)" in m.data(m.index(0, COL["title"]), Qt.ItemDataRole.ToolTipRole)
    assert not m.data(m.index(0, COL["title"]), Qt.ItemDataRole.DecorationRole).isNull()  # a note icon


def test_open_on_arxiv_and_pdf_without_id(window, qtbot, opened_urls):
    select_title(window, qtbot, GEMMA)
    qtbot.mouseClick(window.detail.arxiv_button, Qt.MouseButton.LeftButton)
    assert opened_urls == [
        "https://arxiv.org/search/?query=Gemma%3A+Open+Models+Based+on+Gemini+Research+and+Technology&searchtype=title"
    ]
    assert not window.detail.pdf_button.isEnabled()
    window.papers.open_pdf()
    assert len(opened_urls) == 1


def test_open_on_arxiv_and_pdf_with_id(window, qtbot, opened_urls):
    window.lib.db.conn.execute("UPDATE papers SET arxiv_id = '2403.08295' WHERE title = ?", (GEMMA,))
    window.lib.db.conn.commit()
    window.view.refresh()
    select_title(window, qtbot, GEMMA)
    qtbot.mouseClick(window.detail.arxiv_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.detail.pdf_button, Qt.MouseButton.LeftButton)
    # Enter on the row and a double-click do the same as "Open on arXiv"
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    assert opened_urls == [
        "https://arxiv.org/abs/2403.08295",
        "https://arxiv.org/pdf/2403.08295",
        "https://arxiv.org/abs/2403.08295",
    ]


def test_untitled_paper_opens_abstract_search(window, qtbot, opened_urls):
    row = next(i for i, t in enumerate(titles_in_table(window)) if t.startswith("[no title] The Credit"))
    window.table.selectRow(row)
    window.papers.open_on_arxiv()
    assert opened_urls == [
        "https://arxiv.org/search/?query=The+Credit+Assignment+Problem+%28CAP%29+refers+to+the+longstanding"
        "+challenge+of+Reinforcement&searchtype=abstract"
    ]


def test_url_opener_refuses_anything_but_https_arxiv_and_doi(opened_urls, caplog):
    from refmanager.gui.links import open_url

    assert open_url("javascript:alert(1)") is False
    assert open_url("file:///etc/passwd") is False
    assert open_url("http://arxiv.org/abs/1234.5678") is False
    assert open_url("https://arxiv.org.evil.com/abs/1") is False
    assert open_url("https://doi.org/10.1000/182") is True
    assert opened_urls == ["https://doi.org/10.1000/182"]
    assert "refused to open 'javascript:alert(1)'" in caplog.text


def test_import_through_file_dialog_adds_papers_and_shows_summary(make_window, qtbot, tmp_path, dialog_log):
    from refmanager.core.library import Library

    path = tmp_path / "fresh.db"
    Library(path).close()
    win = make_window(path)
    assert win.view.model.rowCount() == 0
    dialog_log.open_files = [str(FULL_SEED)]
    with qtbot.waitSignal(win.imports.finished, timeout=20000):
        win.actions["import"].trigger()
    assert win.view.model.rowCount() == 19
    assert dialog_log.of("import_summary")[-1][:2] == ("Import finished", "19 added, 0 merged, 0 unchanged")
    assert len(win.view.selected_ids()) == 19  # the new papers are selected
    assert win.actions["import"].shortcut().toString() == "Ctrl+O"


def test_skipped_records_are_listed_in_the_summary(window, qtbot, tmp_path, dialog_log):
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{ok, title = {A Good Entry}}\n@article{bad,\n  title = {Never closed,\n"
                   "@article{dup, title = {Twice}, title = {Again}}\n")
    dialog_log.open_files = [str(bib)]
    with qtbot.waitSignal(window.imports.finished, timeout=20000):
        window.actions["import"].trigger()
    title, text, _details, problems = dialog_log.of("import_summary")[-1]
    assert title == "Import finished with problems"
    assert text.startswith("2 added, 0 merged, 0 unchanged, 1 record skipped")
    assert problems == [
        f"{bib}:2: skipped: entry @article{{bad: an opening brace or quote is never closed before the next entry (line 4)",
        f"{bib}: warning: line 4: field title given twice in @article{{dup}}; kept the first",
    ]
    assert problems[0] in text  # the skipped record is in the summary itself


def test_bad_file_shows_its_error_and_changes_nothing(window, qtbot, tmp_path, dialog_log):
    bad = tmp_path / "broken.txt"
    bad.write_text("CLJul 31, 2024\nA TitleJohn Smith\nAbstract.\nCLFeb 30, 2024\nB TitleJane Doe\nAbstract two.\n")
    before = dump(window.lib)
    dialog_log.open_files = [str(bad)]
    with qtbot.waitSignal(window.imports.finished, timeout=20000):
        window.actions["import"].trigger()
    title, text, _details, problems = dialog_log.of("import_summary")[-1]
    assert title == "Import finished with problems"
    assert problems == [f"{bad}:4: impossible date 'CLFeb 30, 2024'"]
    assert f"Rejected {bad}:4: impossible date 'CLFeb 30, 2024'" in text
    assert dump(window.lib) == before
    assert window.view.model.rowCount() == 21


def test_drop_and_paste_import(window, qtbot, tmp_path):
    text = "CLJan 2, 2026\nA Brand New Paper About ThingsAda Lovelace, Alan Turing\nWe study things.\n"
    QApplication.clipboard().setText(text)
    window.table.setFocus()
    with qtbot.waitSignal(window.imports.finished, timeout=60000):
        qtbot.keyClick(window.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
        assert window.tasks.worker is not None, "Ctrl+V on the table did not start an import"
    assert window.view.model.rowCount() == 22
    f = tmp_path / "drop.txt"
    f.write_text("CLJan 3, 2026\nAnother PaperGrace Hopper\nCompilers.\n")
    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile(str(f))])
    ev = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, md, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.imports.finished, timeout=20000):
        window.dropEvent(ev)
    assert window.view.model.rowCount() == 23
    assert window.lib.search("author:hopper")[0][0].title == "Another Paper"


def test_cancelled_import_leaves_library_unchanged(window, qtbot, tmp_path):
    before = dump(window.lib)
    window.imports.import_inputs([(str(FULL_SEED), FULL_SEED)])
    window.tasks.worker.cancel()
    with qtbot.waitSignal(window.imports.finished, timeout=20000) as blocker:
        pass
    assert blocker.args == [None] or blocker.args[0].added == 0
    assert dump(window.lib) == before


def test_undo_restores_a_deleted_paper_with_tags_and_note(window, qtbot):
    select_title(window, qtbot, GEMMA)
    pid = window.detail.paper.id
    window.lib.add_tags([pid], ["keep"])
    window.lib.set_note(pid, "precious")
    window.view.refresh()
    window.table.setFocus()
    window.actions["trash"].trigger()
    assert window.view.model.rowCount() == 20
    assert window.sidebar.section_count("trash") == 1
    assert window.actions["undo"].text() == "&Undo Move 1 paper to the trash"
    window.actions["undo"].trigger()
    assert window.view.model.rowCount() == 21
    p = window.lib.get(pid)
    assert p.trashed is False and p.tags == ["keep"] and p.note == "precious"


def test_tag_rename_merge_colour_delete_from_sidebar(window, dialog_log):
    window.lib.add_tags([1], ["ml"])
    window.lib.add_tags([2], ["machine-learning"])
    window.view.refresh()
    dialog_log.texts.append("ML")
    window.marking.tag_action("rename", "ml")
    assert [t for t, _, _ in window.lib.tag_counts()] == ["machine-learning", "ML"]
    dialog_log.texts.append("ML")
    window.marking.tag_action("merge", "machine-learning")
    assert window.lib.tag_counts() == [("ML", 2, None)]
    window.marking.tag_action("color", "ML")
    assert window.lib.tag_colors() == {"ml": "#d9534f"}
    window.marking.tag_action("delete", "ML")
    assert dialog_log.of("confirm")[-1][0] == "Delete tag"
    assert window.lib.tag_counts() == []
    window.marking.undo()
    assert window.lib.tag_counts() == [("ML", 2, "#d9534f")]


def test_toggle_read_and_star_keys(window, qtbot):
    select_title(window, qtbot, GEMMA)
    pid = window.detail.paper.id
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_S)
    assert window.lib.get(pid).starred is True
    qtbot.keyClick(window.table, Qt.Key.Key_M)
    assert window.lib.get(pid).read is True
    assert window.sidebar.section_count("starred") == 1
    assert window.sidebar.section_count("unread") == 20


def test_selecting_for_a_while_marks_read(window, qtbot):
    select_title(window, qtbot, GEMMA)
    pid = window.detail.paper.id
    assert window.marking.read_timer.isActive()
    assert window.marking.read_timer.interval() == 2000  # (Preferences → Mark as read: 2 s by default)
    assert window.lib.get(pid).read is False
    window.marking.read_timer.timeout.emit()
    assert window.lib.get(pid).read is True


def test_html_in_titles_is_shown_as_plain_text(window, qtbot):
    title = '<img src="file:///etc/passwd"><b>Bold</b><script>alert(1)</script>'
    window.lib.import_text(f"CLJan 2, 2026\n{title}Eve Hacker\n<a href=\"javascript:alert(1)\">x</a>\n", "h.txt")
    window.view.refresh()
    select_title(window, qtbot, title)
    assert window.detail.title.textFormat() == Qt.TextFormat.PlainText
    assert window.detail.title.text() == title
    assert window.detail.abstract.text() == '<a href="javascript:alert(1)">x</a>'
    tip = window.view.model.data(window.view.model.index(row_of_title(window, title), COL["title"]), Qt.ItemDataRole.ToolTipRole)
    assert tip == plain_tooltip(title)
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in tip


def test_window_state_is_remembered(make_window, qtbot, tmp_path):
    win = make_window()
    win.resize(1100, 700)
    win.table.setColumnHidden(COL["tags"], True)
    win.table.sortByColumn(COL["year"], Qt.SortOrder.AscendingOrder)
    win.splitter.setSizes([150, 600, 350])
    sizes = win.splitter.sizes()
    win.close()
    win.lib.close()
    win2 = make_window(tmp_path / "library.db")
    assert win2.size().width() == 1100 and win2.size().height() == 700
    assert win2.table.isColumnHidden(COL["tags"])
    assert win2.view.model.view.sort == "year" and win2.view.model.view.descending is False
    assert win2.splitter.sizes() == sizes


def test_no_horizontal_clipping_at_1280x800(window, qtbot):
    window.resize(1280, 800)
    qtbot.wait(50)
    hh = window.table.horizontalHeader()
    assert hh.sectionResizeMode(COL["title"]) == QHeaderView.ResizeMode.Stretch
    assert not window.table.horizontalScrollBar().isVisible()


def test_about_names_version_and_library(window, dialog_log):
    from refmanager import __version__

    window.actions["about"].trigger()
    title, text, _ = dialog_log.of("inform")[-1]
    assert title == "About refmanager"
    assert f"refmanager {__version__}" in text and str(window.lib.path) in text


def big_library(path: Path, n: int) -> Path:
    """A library of ``n`` plain papers ("Paper number 1" ...), written straight in SQL
    (importing that many would take the test a while)."""
    from refmanager.core.library import Library

    with Library(path) as lib:
        lib.db.conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO papers(title, authors, authors_text, added_at, modified_at, sort_title, sort_author) "
            "SELECT 'Paper number ' || i, '[\"Author ' || i || '\"]', 'Author ' || i, "
            "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', 'paper number ' || i, 'author ' || i FROM n",
            (n,),
        )
        lib.db.conn.commit()
    return path


@pytest.mark.slow  # (seconds: the full run and .ci/run have it, not the fast loop)
def test_model_is_lazy_with_100k_papers(make_window, qtbot, tmp_path):
    path = big_library(tmp_path / "big.db", 100000)
    win = make_window(path)
    qtbot.waitUntil(lambda: win.view.model.loaded_rows() > 0)  # the first paint fetches the visible rows
    assert win.session.big  # counts run in the background for a library this size
    qtbot.waitUntil(lambda: win.view.model.rowCount() == 100000, timeout=10000)
    qtbot.waitUntil(lambda: win.sidebar.section_count("all") == 100000, timeout=10000)
    assert win.status_label.text() == "100,000 papers · 0 selected"
    assert 0 < win.view.model.loaded_rows() <= 1000
    win.table.scrollToBottom()
    QApplication.processEvents()
    assert win.view.model.loaded_rows() <= 2000
    m = win.view.model
    assert m.data(m.index(99999, COL["title"])) in ("Paper number 1", "Paper number 100000")


def test_follows_system_light_and_dark(window, qtbot):
    from PySide6.QtGui import QGuiApplication, QPalette

    from refmanager.gui import icons, theme

    app = QApplication.instance()
    theme.follow_system("system")
    hints = QGuiApplication.styleHints()
    try:
        hints.setColorScheme(Qt.ColorScheme.Dark)
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)  # offscreen Qt does not emit it itself
        assert app.palette().color(QPalette.ColorRole.Window).lightness() < 80
        assert app.palette().color(QPalette.ColorRole.Text).lightness() > 200
        # icons are drawn in the palette's text colour
        assert icons.icon("star").cacheKey() == icons._icon("star", "#e6e6e6").cacheKey()
        hints.setColorScheme(Qt.ColorScheme.Light)
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        assert app.palette().color(QPalette.ColorRole.Window).lightness() > 200
    finally:
        hints.unsetColorScheme()
        theme.apply_scheme(Qt.ColorScheme.Light)


def test_every_tooltip_with_imported_text_is_escaped(window, qtbot, tmp_path):
    """Qt renders a tool tip as rich text when it looks like HTML: ours never let it."""
    evil = '<img src="file:///etc/passwd">'
    window.lib.import_text(f"CLJan 2, 2026\n{evil}What Is AIMax\nAbstract.\n", "h.txt")
    window.view.refresh()
    pid = window.lib.search("author:max")[0][0].id
    window.lib.add_tags([pid], ["<b>bold</b>"])
    pdf = tmp_path / "<i>x<i>.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    window.lib.attach_file(pid, pdf)
    window.view.refresh()
    window.view.select_ids([pid])
    qtbot.waitUntil(lambda: window.detail.paper is not None and window.detail.paper.id == pid)
    from PySide6.QtWidgets import QWidget

    tips = [w.toolTip() for w in window.detail.findChildren(QWidget) if w.toolTip()]
    assert any("&lt;b&gt;bold&lt;/b&gt;" in t for t in tips)
    for t in tips:
        if "<" in t.replace("<p style='white-space:pre-wrap'>", "").replace("</p>", ""):
            raise AssertionError(f"unescaped markup in a tool tip: {t!r}")


@pytest.mark.slow  # (seconds: the full run and .ci/run have it, not the fast loop)
def test_note_hits_of_a_big_library_come_from_the_worker(make_window, qtbot, tmp_path):
    """A big library marks note hits from the worker thread (the table does not wait);
    the mark still arrives, on the right paper."""
    from refmanager.core.library import Library
    from refmanager.gui.table_model import NoteHitRole

    path = big_library(tmp_path / "big.db", 60000)
    with Library(path) as lib:
        lib.set_note(30000, "quokka habitats, compare with paper 12")
        lib.set_note(30001, "nothing to see")
    win = make_window(path)
    assert win.session.big
    qtbot.keyClicks(win.search, "quokka")
    qtbot.waitUntil(lambda: win.view.model.rowCount() == 1, timeout=5000)
    m = win.view.model
    assert m.data(m.index(0, COL["title"])) == "Paper number 30000"
    qtbot.waitUntil(lambda: m.data(m.index(0, COL["title"]), NoteHitRole) is True, timeout=5000)


@pytest.mark.slow  # (seconds: the full run and .ci/run have it, not the fast loop)
def test_a_big_librarys_new_papers_are_selected_from_the_worker(make_window, qtbot, tmp_path):
    """After an import into a big library, finding the new papers' rows runs on the worker
    thread (seconds at a million papers); they end up selected all the same."""
    path = big_library(tmp_path / "big.db", 60000)
    win = make_window(path)
    assert win.session.big
    win.view.select_ids([5, 6, 59999])
    assert win.view.selected_ids() == []  # not yet: the worker finds the rows
    qtbot.waitUntil(lambda: sorted(win.view.selected_ids()) == [5, 6, 59999], timeout=10000)
    assert win.view.model.rowCount() == 60000


def test_cells_answer_each_role_a_repaint_asks_for(window):
    """A repaint asks every visible cell for seven roles; the ones the column alone
    decides are answered without reading the row, with the same answers."""
    window.lib.set_starred([3], True)
    window.view.refresh()
    m = window.view.model
    row = row_of_title(window, GEMMA)
    cell = {key: m.index(row, COL[key]) for key in ("title", "authors", "year", "starred", "read")}
    role = Qt.ItemDataRole
    for index in cell.values():
        assert m.data(index, role.CheckStateRole) is None and m.data(index, role.BackgroundRole) is None
    assert m.data(cell["year"], role.TextAlignmentRole) == int(Qt.AlignmentFlag.AlignCenter)
    assert m.data(cell["title"], role.TextAlignmentRole) is None
    assert m.data(cell["starred"], role.ForegroundRole).color().name() == "#e0a100"
    assert m.data(cell["authors"], role.ForegroundRole) is None
    assert m.data(cell["authors"], role.DecorationRole) is None
    assert m.data(cell["starred"], role.DisplayRole) == "★" and m.data(cell["read"], role.DisplayRole) == "●"
    assert m.data(cell["title"], role.FontRole).bold()  # unread
    window.lib.set_read([3], True)
    window.view.refresh()
    assert not m.data(m.index(row_of_title(window, GEMMA), COL["title"]), role.FontRole).bold()


@pytest.mark.slow  # (seconds: the full run and .ci/run have it, not the fast loop)
def test_a_big_librarys_tag_counts_come_from_the_worker(make_window, qtbot, tmp_path, dialog_log):
    """Counting every tag over a big library runs on the worker thread: the tags are listed
    at once, their counts follow; unchanged tags are not rebuilt at each refresh."""
    from refmanager.core.library import Library

    path = big_library(tmp_path / "big.db", 60000)
    with Library(path) as lib:
        lib.add_tags([1, 2, 3], ["alpha"])
        lib.add_tags([4], ["beta"])
    win = make_window(path)
    assert win.session.big
    qtbot.waitUntil(lambda: win.sidebar.tag_count("alpha") == 3 and win.sidebar.tag_count("beta") == 1, timeout=10000)
    alpha = win.sidebar.tag_item("alpha")
    win.lib.add_tags([5, 6], ["alpha"])
    win.view.refresh()
    assert win.sidebar.tag_item("alpha") is alpha  # same tags: the items stay, the count follows
    qtbot.waitUntil(lambda: win.sidebar.tag_count("alpha") == 5, timeout=10000)
    win.lib.add_tags([7], ["gamma"])
    win.view.refresh()
    assert win.sidebar.tag_item("gamma") is not None  # a new tag is listed at once
    qtbot.waitUntil(lambda: win.sidebar.tag_count("gamma") == 1, timeout=10000)
    assert win.sidebar.tag_count("alpha") == 5 and win.detail.tag_edit.completer().model().stringList() == [
        "alpha", "beta", "gamma"
    ]


def test_objects_made_at_start_are_kept_out_of_the_collectors_way(window):
    """A full garbage collection walked every Qt wrapper and module of the app (~20 ms,
    more during an import); run_app freezes what exists once the window is up."""
    import gc

    from refmanager.gui.app import freeze_startup_objects

    try:
        freeze_startup_objects()
        assert gc.get_freeze_count() > 10_000  # (the modules, Qt and the window)
        assert gc.isenabled()  # objects made from now on are collected as usual
    finally:
        gc.unfreeze()


def test_copy_problems_puts_the_list_on_the_clipboard(qtbot):
    """The real summary dialog (not the test seam): its "Copy problems" button."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    from refmanager.gui import dialogs

    def click_copy() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        (button,) = [b for b in box.buttons() if b.text() == "Copy problems"]
        button.click()

    QTimer.singleShot(0, click_copy)
    dialogs.import_summary(None, "Import finished with problems", "1 added", "details",
                           ["refs.bib:2: skipped: entry @article{bad: ...", "refs.bib: warning: line 4: ..."])
    assert QApplication.clipboard().text() == "refs.bib:2: skipped: entry @article{bad: ...\nrefs.bib: warning: line 4: ..."


def test_many_tags_counts_fit_their_column_once(window, qtbot):
    """3,000 tags' counts: the counts' column is fitted once (fitting it after each count
    froze the window 10 s in a 100,000-paper library), and still fits the widest count."""
    sb = window.sidebar
    tags = [(f"tag {i:04d}", None) for i in range(3000)]
    sb.show_tags(tags)
    header = sb.header()
    modes = []
    real = header.setSectionResizeMode

    def spy(*args):  # (section, mode): record what the counts' column is set to
        modes.append(args[-1])
        return real(*args)

    header.setSectionResizeMode = spy
    try:
        sb.set_tag_counts([(name, 1_000_000 + i, None) for i, (name, _) in enumerate(tags)])
    finally:
        del header.setSectionResizeMode
    assert modes == [header.ResizeMode.Interactive, header.ResizeMode.ResizeToContents]
    assert header.sectionResizeMode(1) == header.ResizeMode.ResizeToContents
    assert sb.tag_count("tag 2999") == 1_002_999
    assert header.sectionSize(1) >= sb.fontMetrics().horizontalAdvance("1002999")
