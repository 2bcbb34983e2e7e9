"""Desktop-app timings on a big library (issue 5), offscreen, in their own process.

    .venv/bin/python -m bench.gui_bench LIBRARY.db [--json]

Each timing ends when the table (or detail pane) has been repainted with the
new rows, i.e. what a user would see.  The search timing is reported twice,
as decided: from the keystroke (including the debounce) and from the moment
the query is issued.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

T_PROCESS = time.perf_counter()

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SEARCHES = ["g", "ge", "gem", "gemm", "gemma", "l", "la", "lan", "lang", "language", "t", "tr", "tra",
            "tran", "transformer", "author:a", "author:sm", "year:2019..2021", "cat:cs.CL", '"neural network"',
            "r", "re", "rei", "reinforcement", "m", "mo", "mod", "model", "d", "di", "dif", "diffusion"]


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)


def measure(library: Path) -> dict[str, Any]:
    t_main = time.perf_counter()
    from PySide6.QtCore import QEvent, QObject, QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from refmanager.gui.app import create_window
    from refmanager.gui.table_model import COL, COLUMNS

    painted: list[float] = []

    class PaintSpy(QObject):
        def eventFilter(self, obj: QObject, ev: QEvent) -> bool:  # noqa: N802
            if ev.type() == QEvent.Type.Paint:
                painted.append(time.perf_counter())
            return False

    settings_path = Path("/tmp") / f"refmanager-bench-{os.getpid()}.ini"
    win = create_window(library, QSettings(str(settings_path), QSettings.Format.IniFormat))
    spy = PaintSpy()
    win.table.viewport().installEventFilter(spy)
    win.resize(1280, 800)
    win.show()
    while not painted or win.model.loaded_rows() == 0:
        app.processEvents()
    first_paint_ms = round((painted[0] - t_main) * 1000, 2)
    process_ms = round((painted[0] - T_PROCESS) * 1000, 2)
    rows = win.model.rowCount()

    def repaint() -> None:
        win.table.viewport().repaint()

    # keystroke -> table, both ways
    from_key, from_query = [], []
    for q in SEARCHES:
        win.search.clear()
        win.apply_search()
        win.search.setFocus()
        QTest.keyClicks(win.search, q)
        t_key_last = time.perf_counter()
        # the debounce timer fires, then the query runs and the table repaints
        while win.search_timer.isActive():
            app.processEvents()
        t_query = time.perf_counter()
        win.apply_search()
        repaint()
        from_query.append(_ms(t_query))
        from_key.append(round((time.perf_counter() - t_key_last) * 1000, 2))
    win.search.clear()
    win.apply_search()

    sorts: dict[str, float] = {}
    for i, (key, _, _) in enumerate(COLUMNS):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            t0 = time.perf_counter()
            win.table.sortByColumn(i, order)
            repaint()
            sorts[f"{key} {'asc' if order == Qt.SortOrder.AscendingOrder else 'desc'}"] = _ms(t0)

    win.table.sortByColumn(COL["date"], Qt.SortOrder.DescendingOrder)
    t0 = time.perf_counter()
    win.table.scrollToBottom()
    repaint()
    scroll_end = _ms(t0)

    select = []
    for row in (0, 5, rows // 2, rows - 1):
        t0 = time.perf_counter()
        win.table.selectRow(row)
        win.detail.repaint()
        select.append(_ms(t0))

    tags = [n for n, c, _ in win.lib.tag_counts()][:20]
    tag_filter = []
    for t in tags:
        t0 = time.perf_counter()
        win.sidebar.select_tags([t])
        repaint()
        tag_filter.append(_ms(t0))
    win.sidebar.select_section("all")

    rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    win.close()
    settings_path.unlink(missing_ok=True)

    def pct(xs: list[float], p: float) -> float:
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else 0.0

    return {
        "rows": rows,
        "start_to_first_paint_ms": first_paint_ms,
        "process_start_to_first_paint_ms": process_ms,
        "keystroke_to_table_ms": {"p50": pct(from_key, 50), "p95": pct(from_key, 95), "max": max(from_key)},
        "query_to_table_ms": {"p50": pct(from_query, 50), "p95": pct(from_query, 95), "max": max(from_query)},
        "debounce_ms": win.search_timer.interval(),
        "sort_ms": sorts,
        "sort_max_ms": max(sorts.values()),
        "scroll_to_end_ms": scroll_end,
        "select_to_detail_ms": {"p50": statistics.median(select), "max": max(select)},
        "tag_filter_ms": {"p50": statistics.median(tag_filter) if tag_filter else None,
                          "max": max(tag_filter) if tag_filter else None},
        "peak_rss_mb": rss_mb,
    }


def main() -> None:
    res = measure(Path(sys.argv[1]))
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
