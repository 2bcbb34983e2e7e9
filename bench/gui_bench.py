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
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from refmanager.gui.app import create_window, freeze_startup_objects
    from refmanager.gui.table_model import COL, COLUMNS

    settings_path = Path("/tmp") / f"refmanager-bench-{os.getpid()}.ini"
    win = create_window(library, QSettings(str(settings_path), QSettings.Format.IniFormat))
    win.resize(1280, 800)
    win.show()
    freeze_startup_objects()  # as run_app does
    # The table fetches rows only while painting them: the first fetched page marks the
    # first painted table.  (An event filter would be more direct, but a Python
    # eventFilter called for every event trips a PySide6 reference-count bug.)
    while win.view.model.loaded_rows() == 0:
        app.processEvents()
    win.table.viewport().repaint()
    t_painted = time.perf_counter()
    first_paint_ms = round((t_painted - t_main) * 1000, 2)
    process_ms = round((t_painted - T_PROCESS) * 1000, 2)
    rows = win.view.model.rowCount()

    def repaint() -> None:
        win.table.viewport().repaint()

    # keystroke -> table, both ways: the query is issued when the debounce timer fires
    # (its slot runs the query inside processEvents, so the time is taken in the slot)
    from_key, from_query = [], []
    fired: list[float] = []
    win.view.search_timer.timeout.disconnect(win.view.apply_search)
    win.view.search_timer.timeout.connect(lambda: (fired.append(time.perf_counter()), win.view.apply_search()))
    for q in SEARCHES:
        win.search.clear()
        win.view.apply_search()
        win.search.setFocus()
        # let the previous view finish (its deferred count, its paint) as it would between
        # a person's keystrokes: else its repaint was timed as part of the next query's
        while win.view.model.count_pending or win.view.search_timer.isActive():
            app.processEvents()
        repaint()
        for _ in range(5):
            app.processEvents()
        QTest.keyClicks(win.search, q)
        t_key_last = time.perf_counter()
        # the debounce timer fires, then the query runs and the table repaints
        n_fired = len(fired)
        while win.view.search_timer.isActive() or len(fired) == n_fired:
            app.processEvents()
        t_query = fired[-1]
        repaint()
        from_query.append(_ms(t_query))
        from_key.append(round((time.perf_counter() - t_key_last) * 1000, 2))
    win.search.clear()
    win.view.apply_search()

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
        "debounce_ms": win.view.search_timer.interval(),
        "keystroke_per_query_ms": dict(zip(SEARCHES, from_key)),
        "sort_ms": sorts,
        "sort_max_ms": max(sorts.values()),
        "scroll_to_end_ms": scroll_end,
        "select_to_detail_ms": {"p50": statistics.median(select), "max": max(select)},
        "tag_filter_ms": {"p50": statistics.median(tag_filter) if tag_filter else None,
                          "max": max(tag_filter) if tag_filter else None},
        "peak_rss_mb": rss_mb,
    }


def import_responsiveness(files: list[Path], workdir: Path, cancel_after_s: float = 2.0) -> dict[str, Any]:
    """Import through the app: how long the UI thread is ever blocked, and Cancel leaves no trace.

    A 5 ms timer ticks on the UI thread during the import; the longest gap
    between ticks is the longest the UI could not respond.
    """
    from PySide6.QtCore import QElapsedTimer, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from refmanager.core.library import Library
    from refmanager.gui import dialogs
    from refmanager.gui.app import freeze_startup_objects
    from refmanager.gui.main_window import MainWindow

    dialogs.inform = lambda *a, **k: None  # no modal summary in a benchmark
    workdir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {}
    for mode in ("full", "cancel"):
        path = workdir / f"responsive-{mode}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        lib = Library(path)
        win = MainWindow(lib, QSettings(str(workdir / "s.ini"), QSettings.Format.IniFormat))
        win.show()
        freeze_startup_objects()  # as run_app does
        gaps: list[float] = []
        clock = QElapsedTimer()
        clock.start()
        last = [clock.elapsed()]

        def tick() -> None:
            now = clock.elapsed()
            gaps.append(now - last[0])
            last[0] = now

        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(tick)
        timer.start()
        done: list[Any] = []
        win.imports.finished.connect(lambda r: done.append(r))
        t0 = time.perf_counter()
        win.imports.import_inputs([(str(f), f) for f in files])
        cancelled = False
        while not done:
            app.processEvents()
            if mode == "cancel" and not cancelled and time.perf_counter() - t0 > cancel_after_s:
                win.tasks.worker.cancel()
                cancelled = True
            time.sleep(0.001)
        timer.stop()
        wall = time.perf_counter() - t0
        # the last gap holds the UI's own work at the end (refresh, selecting the new
        # papers, the summary), reported apart from the import itself
        finish_ms = gaps.pop() if gaps else None
        n = lib.db.conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        ok = lib.db.conn.execute("PRAGMA integrity_check").fetchone()[0]
        out[mode] = {
            "seconds": round(wall, 2),
            "papers_after": n,
            "max_ui_gap_during_import_ms": max(gaps) if gaps else None,
            "finish_handling_ms": finish_ms,
            "p99_ui_gap_ms": sorted(gaps)[int(len(gaps) * 0.99)] if gaps else None,
            "integrity": ok,
        }
        win.close()
        lib.close()
    out["cancel_leaves_no_trace"] = out["cancel"]["papers_after"] == 0 and out["cancel"]["integrity"] == "ok"
    return out


def main() -> None:
    """``python -m bench.gui_bench LIBRARY [--load N]`` (N busy processes competing, as
    ``bench.run --load``), or ``--import FILE...``."""
    if len(sys.argv) > 2 and sys.argv[1] == "--import":
        res = import_responsiveness([Path(a) for a in sys.argv[2:]], Path("bench/out/work/responsive"))
    else:
        from bench.run import BusyLoad

        load = BusyLoad(int(sys.argv[sys.argv.index("--load") + 1]) if "--load" in sys.argv else 0)
        load.start()
        try:
            res = measure(Path(sys.argv[1]))
        finally:
            load.stop()
        res["busy_processes"] = load.n
    print(json.dumps(res, indent=2), flush=True)
    os._exit(0)  # skip interpreter teardown of live Qt objects (a PySide6 exit-time crash)


if __name__ == "__main__":
    main()
