"""Issue 4 in the app: export menus, copy citation, Find on arXiv (recorded responses only)."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QApplication

from refmanager.core import arxiv_api as A

from ..test_arxiv_lookup import (
    LISTING,
    MURRAY_TITLE,
    FakeClock,
    FakeFetcher,
    murray_routes,
)
from .test_main_window import GEMMA, select_title


def test_export_menu_writes_each_format(window, dialog_log, tmp_path):
    for fmt, ext in (("bibtex", ".bib"), ("ris", ".ris"), ("csljson", ".csl.json"), ("json", ".json")):
        out = tmp_path / f"lib{ext}"
        dialog_log.save_path = str(out)
        window.actions[f"export_library_{fmt}"].trigger()
        assert out.exists(), fmt
    bib = (tmp_path / "lib.bib").read_text()
    assert bib.count("@") == 21
    assert "title = {Gemma: {Open Models Based} on {Gemini Research} and {Technology}}" in bib
    data = json.loads((tmp_path / "lib.json").read_text())
    assert len(data) == 21
    csl = json.loads((tmp_path / "lib.csl.json").read_text())
    assert len(csl) == 21 and all("title" in item or item.get("type") for item in csl)
    assert (tmp_path / "lib.ris").read_text().count("TY  - ") == 21


def test_export_selection_and_current_view(window, qtbot, dialog_log, tmp_path):
    select_title(window, qtbot, GEMMA)
    out = tmp_path / "sel.json"
    dialog_log.save_path = str(out)
    window.actions["export_selection_json"].trigger()
    assert [p["title"] for p in json.loads(out.read_text())] == [GEMMA]
    qtbot.keyClicks(window.search, "author:bengio")
    qtbot.waitUntil(lambda: window.view.model.rowCount() == 2, timeout=2000)
    out2 = tmp_path / "view.json"
    dialog_log.save_path = str(out2)
    window.actions["export_view_json"].trigger()
    assert sorted(p["title"] for p in json.loads(out2.read_text())) == [
        "STDP as presynaptic activity times rate of change of postsynaptic activity",
        "Towards Biologically Plausible Deep Learning",
    ]


def test_copy_citation_as_bibtex(window, qtbot):
    select_title(window, qtbot, GEMMA)
    window.actions["copy_bibtex"].trigger()
    text = QApplication.clipboard().text()
    assert text.startswith("@")
    assert "2024" in text and "Mesnard" in text
    assert window.actions["copy_bibtex"].shortcut().toString() == "Ctrl+Shift+C"
    window.actions["copy_reference"].trigger()
    ref = QApplication.clipboard().text()
    assert "(2024)" in ref and "Gemma: Open Models Based on Gemini Research and Technology" in ref


def test_find_on_arxiv_fills_the_id(window, qtbot):
    window.lib.import_text(LISTING, "murray.txt")
    window.view.refresh()
    select_title(window, qtbot, MURRAY_TITLE)
    pid = window.detail.paper.id
    window.lib.add_tags([pid], ["bethe"])
    fetcher = FakeFetcher(murray_routes())
    clock = FakeClock()
    window.lookups.fetcher_factory = lambda: fetcher
    window.lookups.clock_factory = lambda: clock
    with qtbot.waitSignal(window.lookups.finished, timeout=20000) as blocker:
        window.actions["find_arxiv"].trigger()
    report = blocker.args[0]
    assert report.summary() == "1 matched, 0 not found, 0 ambiguous, 0 failed (2 requests to arXiv)"
    p = window.lib.get(pid)
    assert p.arxiv_id == "1111.2011" and p.tags == ["bethe"]
    assert window.detail.pdf_button.isEnabled()
    assert window.statusBar().currentMessage().startswith("arXiv lookup: 1 matched")


def test_lookup_offline_fails_gently(window, qtbot):
    window.lib.import_text(LISTING, "murray.txt")
    window.view.refresh()
    select_title(window, qtbot, MURRAY_TITLE)
    from ..conftest import dump

    before = dump(window.lib)
    fetcher = FakeFetcher({A.title_query_url(MURRAY_TITLE): A.LookupFailed("cannot reach arXiv (offline)")})
    window.lookups.fetcher_factory = lambda: fetcher
    window.lookups.clock_factory = lambda: FakeClock()
    with qtbot.waitSignal(window.lookups.finished, timeout=20000):
        window.actions["find_arxiv"].trigger()
    assert "arXiv lookup stopped: cannot reach arXiv (offline)" in window.statusBar().currentMessage()
    assert dump(window.lib) == before


def test_copy_bibtex_uses_the_papers_key_and_regenerate_follows_the_preference(window, qtbot):
    """A key never changes by itself (issue 17): the preference's pattern makes new keys only
    when asked (Paper → Regenerate citation key); the old key is kept as an alias."""
    window.settings.setValue("prefs/citation_key", "{author}{year}")
    select_title(window, qtbot, GEMMA)
    window.actions["copy_bibtex"].trigger()
    assert QApplication.clipboard().text().startswith("@misc{gemmateam2024gemmaa,")  # (given at import)
    window.actions["regenerate_key"].trigger()
    window.actions["copy_bibtex"].trigger()
    assert QApplication.clipboard().text().startswith("@misc{gemmateam2024,")
    p = window.lib.get(window.view.selected_ids()[0])
    assert p.citekey == "gemmateam2024" and p.citekey_aliases == ["gemmateam2024gemmaa"]
    window.actions["undo"].trigger()
    assert window.lib.get(p.id).citekey == "gemmateam2024gemmaa"


def test_the_column_chooser_offers_the_record(window, qtbot):
    """Type, citation key, venue, volume, pages, publisher and DOI, hidden until chosen."""
    from PySide6.QtWidgets import QMenu

    from refmanager.gui.table_model import COL

    menu = QMenu()
    window.fill_columns_menu(menu)
    labels = [a.text() for a in menu.actions()]
    assert labels[-8:-1] == ["Type", "Key", "Venue", "Volume", "Pages", "Publisher", "DOI"]
    assert labels[-1] == "Has note"
    assert all(window.table.isColumnHidden(COL[k]) for k in ("type", "key", "venue", "doi"))
    menu.actions()[labels.index("Key")].setChecked(True)
    assert not window.table.isColumnHidden(COL["key"])
    m = window.view.model
    select_title(window, qtbot, GEMMA)
    row = window.view.selected_rows()[0]
    assert m.data(m.index(row, COL["key"])) == "gemmateam2024gemmaa"
    assert m.data(m.index(row, COL["type"])) == "Preprint"
