"""Citation styles in the window (issue 17): Copy citation / Copy bibliography, the style
chooser of Preferences, File → Export bibliography…, the detail pane's reference."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from refmanager.gui import dialogs
from refmanager.gui.preferences import PreferencesDialog

from .test_main_window import GEMMA, select_title
from .test_plain_text import paper_titled

GEMMA_APA = ("Gemma Team, Mesnard, T., Hardin, C., et al. (2024). Gemma: Open Models Based on Gemini Research "
             "and Technology. arXiv (cs.CL).")
#: the same in HTML: APA italicises a preprint's title
GEMMA_APA_HTML = ("Gemma Team, Mesnard, T., Hardin, C., et al. (2024). <i>Gemma: Open Models Based on Gemini Research "
                  "and Technology</i>. arXiv (cs.CL).")
#: a style citeproc-py cannot render: its bibliography asks for citation-label, a variable
#: citeproc-py does not generate (tests/test_cite.py has more)
BROKEN = "din-1505-2-alphanumeric"


def test_copy_citation_and_bibliography_put_text_and_html_on_the_clipboard(window, qtbot):
    select_title(window, qtbot, GEMMA)
    window.actions["copy_citation"].trigger()
    data = QApplication.clipboard().mimeData()
    assert data.hasText() and data.hasHtml()
    assert data.text() == "(Gemma Team et al., 2024)"
    assert data.html() == "(Gemma Team et al., 2024)"
    window.actions["copy_reference"].trigger()
    data = QApplication.clipboard().mimeData()
    assert data.text() == GEMMA_APA
    assert '<div class="csl-entry">' + GEMMA_APA_HTML + "</div>" in data.html()
    assert window.actions["copy_reference"].text() == "Copy b&ibliography"
    assert window.actions["copy_reference"].shortcut().toString() == "Ctrl+Alt+C"  # (the old "Copy reference"'s)
    assert "APA Style 7th edition" in window.statusBar().currentMessage()


def test_copy_follows_the_chosen_style(window, qtbot):
    window.settings.setValue("prefs/citation_style", "ieee")
    select_title(window, qtbot, GEMMA)
    window.actions["copy_reference"].trigger()
    assert QApplication.clipboard().mimeData().text().startswith("[1] Gemma Team, T. Mesnard, C. Hardin, et al.,")
    window.actions["copy_citation"].trigger()
    assert QApplication.clipboard().mimeData().text() == "[1]"


def test_many_papers_are_copied_in_the_background(window, qtbot, monkeypatch):
    from refmanager.gui import cite_controller

    monkeypatch.setattr(cite_controller, "UI_THREAD_MAX", 5)
    window.table.selectAll()
    qtbot.waitUntil(lambda: len(window.view.selected_ids()) == 21)
    with qtbot.waitSignal(window.cites.finished, timeout=20000):
        window.actions["copy_reference"].trigger()
    data = QApplication.clipboard().mimeData()
    lines = data.text().split("\n")
    assert len(lines) == 21 and lines[0].startswith("Bengio, Y., Lee, D.-H., Bornschein, J., et al. (2015).")
    assert data.html().count('<div class="csl-entry">') == 21
    assert window.tasks.worker is None  # (the task ended: the next may start)


def test_preferences_chooser_filters_and_saves(window, qtbot, monkeypatch):
    seen = {}

    def choose(dlg) -> bool:
        if isinstance(dlg, PreferencesDialog):
            c = dlg.style_chooser
            qtbot.addWidget(dlg)
            seen["first"] = c.visible_names()[:6]
            seen["chosen"] = c.selected_name()
            c.search.setText("cite them right")
            seen["found"] = c.visible_names()
            c.select("harvard-cite-them-right")
            c.search.setText("nature")  # (the chosen style stays chosen while the search hides it)
            seen["after"] = c.selected_name()
        return True

    monkeypatch.setattr(dialogs, "exec_dialog", choose)
    select_title(window, qtbot, GEMMA)
    window.actions["prefs"].trigger()
    assert seen["first"] == ["apa", "chicago-author-date", "ieee", "nature", "association-for-computing-machinery",
                             "harvard-cite-them-right"]
    assert seen["chosen"] == "apa"
    assert "harvard-cite-them-right" in seen["found"] and "apa" not in seen["found"]
    assert seen["after"] == "harvard-cite-them-right"
    assert window.settings.value("prefs/citation_style") == "harvard-cite-them-right"
    # the detail pane shows the paper in the new style
    qtbot.waitUntil(lambda: window.detail.reference.html.startswith("Gemma Team <i>et al.</i> (2024)"))


def test_chooser_user_pick_is_saved(window, qtbot):
    dlg = PreferencesDialog(window.settings, window)
    qtbot.addWidget(dlg)
    c = dlg.style_chooser
    c.search.setText("association computing machinery")
    row = c.visible_names().index("association-for-computing-machinery")
    c.list.setCurrentIndex(c.proxy.index(row, 0))  # as a click does
    assert c.current.text() == "Chosen: Association for Computing Machinery (association-for-computing-machinery)"
    assert c.current.textFormat() == Qt.TextFormat.PlainText
    dlg.save()
    assert window.settings.value("prefs/citation_style") == "association-for-computing-machinery"


def test_export_bibliography_writes_the_file(window, qtbot, dialog_log, tmp_path):
    out = tmp_path / "refs.md"
    dialog_log.bibliography = ("library", "markdown")
    dialog_log.save_path = str(out)
    with qtbot.waitSignal(window.cites.finished, timeout=20000):
        window.actions["export_bibliography"].trigger()
    (scopes, style_title), = dialog_log.of("bibliography")
    assert [s for s, _ in scopes] == ["view", "library"]  # (nothing selected: no "Selected papers")
    assert style_title == "APA Style 7th edition"
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Bibliography: library (APA Style 7th edition)\n\nBengio, Y., Lee, D.-H.")
    assert text.count("\n\n") == 21
    assert GEMMA_APA_HTML.replace("<i>", "*").replace("</i>", "*") in text
    assert not (tmp_path / "refs.md.part").exists()
    assert window.statusBar().currentMessage() == f"Exported 21 references to {out}"


def test_export_bibliography_of_the_selection_as_html(window, qtbot, dialog_log, tmp_path):
    pid = paper_titled(window, "<b>BOLD</b> & <img src=x>")
    window.view.select_ids([pid])
    qtbot.waitUntil(lambda: window.view.selected_ids() == [pid])
    out = tmp_path / "refs.html"
    dialog_log.bibliography = ("selection", "html")
    dialog_log.save_path = str(out)
    with qtbot.waitSignal(window.cites.finished, timeout=20000):
        window.actions["export_bibliography"].trigger()
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.count('<div class="csl-entry">') == 1
    assert "Hacker, E. (2026). <i>&lt;b&gt;BOLD&lt;/b&gt; &amp; &lt;img src=x&gt;</i>." in text
    assert "<img" not in text


def test_cancelled_export_dialog_writes_nothing(window, dialog_log, tmp_path):
    dialog_log.bibliography = None
    dialog_log.save_path = str(tmp_path / "never.txt")
    window.actions["export_bibliography"].trigger()
    assert dialog_log.of("save") == [] and not (tmp_path / "never.txt").exists()


def test_detail_pane_shows_the_reference(window, qtbot):
    select_title(window, qtbot, GEMMA)
    ref = window.detail.reference
    qtbot.waitUntil(lambda: ref.html == GEMMA_APA_HTML)
    assert ref.text.textFormat() == Qt.TextFormat.RichText
    assert ref.isVisibleTo(window.detail)


def test_detail_pane_reference_escapes_a_hostile_title(window, qtbot):
    pid = paper_titled(window, "<b>BOLD</b> & <img src=x>")
    window.view.select_ids([pid])
    ref = window.detail.reference
    qtbot.waitUntil(lambda: "BOLD" in ref.html)
    assert ref.html == "Hacker, E. (2026). <i>&lt;b&gt;BOLD&lt;/b&gt; &amp; &lt;img src=x&gt;</i>. arXiv (cs.CL)."
    assert "<img" not in ref.text.text() and "<b>" not in ref.text.text()


def test_a_style_the_processor_cannot_render_warns(window, qtbot, dialog_log):
    window.settings.setValue("prefs/citation_style", BROKEN)
    select_title(window, qtbot, GEMMA)
    window.actions["copy_reference"].trigger()
    ((title, text, _details),) = dialog_log.of("warn")
    assert title == "Not copied"
    assert text.startswith(f"citation style {BROKEN!r} (") and "choose another style" in text
    assert "Traceback" not in text and "\n" not in text
    ref = window.detail.reference
    qtbot.waitUntil(lambda: ref.text.text().startswith(f"citation style {BROKEN!r}"))
    assert ref.text.textFormat() == Qt.TextFormat.PlainText and ref.html == ""


def test_an_unknown_style_in_the_settings_warns(window, qtbot, dialog_log):
    window.settings.setValue("prefs/citation_style", "gone-style")
    select_title(window, qtbot, GEMMA)
    window.actions["copy_citation"].trigger()
    assert dialog_log.of("warn") == [
        ("Citation style", "no citation style 'gone-style'. Choose another style in Preferences.", "")]
