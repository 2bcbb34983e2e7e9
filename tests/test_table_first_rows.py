"""The table reads a screenful of rows before it first paints (``FIRST_ROWS``), the rest of
its first page when shown: every row is the paper SQLite's own sorted query gives there."""

from __future__ import annotations

import json
from pathlib import Path

from refmanager.core.library import Library, View


def test_rows_past_the_first_screenful_are_the_right_papers(tmp_path: Path, qapp, monkeypatch):
    from PySide6.QtCore import Qt

    from refmanager.gui import table_model
    from refmanager.gui.session import LibrarySession
    from refmanager.gui.table_model import COL, FIRST_ROWS, PAGE_SIZE, PaperTableModel

    lib = Library(tmp_path / "lib.db")
    papers = [{"title": f"Paper {i:03d} on models", "authors": [f"Ann Author{i}"], "issued": {"date-parts": [[2000 + i % 20]]}}
              for i in range(450)]
    assert lib.import_text(json.dumps(papers), "many.json").added == 450
    reads: list[tuple[int, int]] = []
    real = lib.page

    def page(cv, offset, limit):  # (what the model reads)
        reads.append((offset, limit))
        return real(cv, offset, limit)

    monkeypatch.setattr(lib, "page", page)
    session = LibrarySession(lib)
    try:
        m = PaperTableModel(session)
        m.set_view(View(search="models", sort="title", descending=False))
        assert reads[-1] == (0, FIRST_ROWS)
        m.finish_count()
        assert m.rowCount() == 450
        titles = [m.data(m.index(r, COL["title"])) for r in range(450)]
        assert titles == [f"Paper {i:03d} on models" for i in range(450)]
        # (the first page completed after its first rows, not read again: a row shown stays its paper)
        assert reads[-3:] == [(FIRST_ROWS, PAGE_SIZE - FIRST_ROWS), (PAGE_SIZE, PAGE_SIZE), (2 * PAGE_SIZE, PAGE_SIZE)]
        assert m.ids_in_rows(FIRST_ROWS - 2, FIRST_ROWS + 1) == [
            m.data(m.index(r, COL["title"]), table_model.IdRole) for r in range(FIRST_ROWS - 2, FIRST_ROWS + 2)]
        # a view with fewer matches than a screenful: counted at once, no second read
        reads.clear()
        m.set_view(View(search="\"Paper 007\"", sort="title"))
        assert m.rowCount() == 1 and not m.count_pending and reads == [(0, FIRST_ROWS)]
        assert m.data(m.index(0, COL["title"]), Qt.ItemDataRole.DisplayRole) == "Paper 007 on models"
    finally:
        session.shutdown()


def test_a_row_shown_stays_its_paper_when_the_rest_of_the_first_page_is_read(tmp_path: Path, qapp):
    """Another program adds a paper that sorts first after the first rows were read: rows already
    shown keep their papers until the view is reloaded (they were read again and shifted)."""
    from refmanager.gui.session import LibrarySession
    from refmanager.gui.table_model import PaperTableModel

    lib = Library(tmp_path / "lib.db")
    papers = [{"title": f"Paper {i:03d}"} for i in range(300)]
    assert lib.import_text(json.dumps(papers), "many.json").added == 300
    session = LibrarySession(lib)
    try:
        m = PaperTableModel(session)
        m.set_view(View(sort="title", descending=False))
        m.finish_count()
        shown = [m.paper_id(r) for r in range(10)]
        other = Library(tmp_path / "lib.db")
        assert other.import_text(json.dumps([{"title": "Aardvark first"}]), "one.json").added == 1
        other.close()
        assert m.paper_id(100) is not None  # (the rest of the first page is read now)
        assert [m.paper_id(r) for r in range(10)] == shown == list(range(1, 11))
    finally:
        session.shutdown()
