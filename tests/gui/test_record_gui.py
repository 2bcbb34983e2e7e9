"""The edit form shows and edits the whole record (issue 17): the type, the key, the
fields that belong to the type, and every field kept as it came, by name."""

from __future__ import annotations

from ..test_record import INPROCEEDINGS
from .test_main_window import select_title

ADAM = "Adam: A Method for Stochastic Optimization"


def test_the_edit_form_shows_the_record_for_the_type(window, qtbot):
    window.lib.import_text(INPROCEEDINGS, "adam.bib")
    window.view.refresh()
    select_title(window, qtbot, ADAM)
    window.detail.edit_button.click()
    ed = window.detail.editor
    assert ed.type.currentData() == "paper-conference"
    assert ed.citekey.text() == "kingma2015adam"
    assert ed.publisher.text() == "OpenReview.net"
    assert ed.record_lines["editors"].text() == "Yoshua Bengio; Yann LeCun"
    assert ed.record_lines["isbn"].text() == "978-0-0000-0000-0"
    # (a conference paper has no chapter number; a field with a value always shows)
    assert ed.form.isRowVisible(ed.record_lines["isbn"])
    assert not ed.form.isRowVisible(ed.record_lines["chapter"])
    assert sorted(ed.extra_lines) == ["extras.bibtex.groups", "extras.bibtex.owner", "extras.bibtex.timestamp"]

    pid = window.detail.paper.id
    line = ed.extra_lines["extras.bibtex.groups"]
    line.setText("optimisation, deep learning")
    line.editingFinished.emit()
    assert window.lib.get(pid).extras["bibtex"]["groups"] == "optimisation, deep learning"
    ed = window.detail.editor
    ed.record_lines["edition"].setText("2nd")
    ed.record_lines["edition"].editingFinished.emit()
    assert window.lib.get(pid).record["edition"] == "2nd"
    ed.type.setCurrentIndex(ed.type.findData("chapter"))
    ed.type.activated.emit(ed.type.currentIndex())
    assert window.lib.get(pid).type == "chapter"
    assert window.detail.editor.form.isRowVisible(window.detail.editor.record_lines["chapter"])
    assert window.lib.get(pid).citekey == "kingma2015adam"  # (no edit changes the key)
