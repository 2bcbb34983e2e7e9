"""Starting the desktop app: QApplication, the library, first-run seeding."""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from ..core import backup
from ..core.errors import LibraryError
from ..core.library import Library, default_library_path, seed_files
from . import dialogs
from .icons import app_icon
from . import theme
from .main_window import MainWindow

log = logging.getLogger(__name__)

ORG = "refmanager"
APP = "refmanager"


def open_library(path: Path) -> Library:
    """Open (or create) a library; a newly created one is filled with the bundled seeds."""
    lib = Library(path)
    if lib.created:
        seeds = seed_files()
        if seeds:
            report = lib.import_paths(seeds, label="import of the bundled seeds")
            log.info("seeded new library %s: %s", path, report.summary())
    return lib


def create_window(path: Path, settings: QSettings | None = None) -> MainWindow:
    lib = open_library(path)
    try:
        backup.daily_backup(lib)
    except Exception:  # a failed backup must not stop the app
        log.warning("daily backup failed", exc_info=True)
    win = MainWindow(lib, settings)
    app = QGuiApplication.instance()
    if app is not None:
        app.commitDataRequest.connect(lambda _m: win.save_all())  # session end
        app.aboutToQuit.connect(win.save_all)
    return win


def _install_sigterm(app: QApplication, win: MainWindow) -> None:
    """SIGTERM asks the event loop to save and quit (Python handlers run between events)."""

    def handler(_sig: int, _frame: object) -> None:
        QTimer.singleShot(0, lambda: (win.save_all(), app.quit()))

    signal.signal(signal.SIGTERM, handler)
    timer = QTimer(app)  # let the interpreter run signal handlers
    timer.start(250)
    timer.timeout.connect(lambda: None)
    app._sig_timer = timer  # type: ignore[attr-defined]


def run_app(library: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    app.setApplicationDisplayName("refmanager")
    app.setDesktopFileName("refmanager")
    app.setWindowIcon(app_icon())
    theme.follow_system(QSettings().value("prefs/theme", "system"))
    path = Path(library) if library else default_library_path()
    try:
        win = create_window(path)
    except LibraryError as e:
        dialogs.warn(None, "Cannot open the library", str(e))
        return 1
    _install_sigterm(app, win)  # type: ignore[arg-type]
    win.show()
    return app.exec()
