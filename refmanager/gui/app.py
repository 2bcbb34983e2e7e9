"""Starting the desktop app: QApplication, the library, first-run seeding, recovery."""

from __future__ import annotations

import gc
import logging
import signal
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from ..core.errors import LibraryError
from ..core.library import Library
from ..core.locations import default_library_path, seed_files
from ..core.store import backup
from . import dialogs, theme
from .icons import app_icon
from .main_window import MainWindow
from .single_instance import InstanceLock, InstanceServer, claim_or_hand_over

log = logging.getLogger(__name__)

ORG = "refmanager"
APP = "refmanager"

OPEN_ANOTHER = "Open another library…"
RESTORE = "Restore a backup"
CREATE_NEW = "Create a new library…"
LIBRARY_FILTER = "refmanager libraries (*.db);;All files (*)"


def open_library(path: Path) -> Library:
    """Open (or create) a library; one this call creates is filled with the bundled seeds."""
    lib = Library(path)
    if lib.created:
        seeds = seed_files()
        if seeds:
            report = lib.import_paths(seeds, label="import of the bundled seeds")
            log.info("seeded new library %s: %s", path, report.summary())
    return lib


def open_with_recovery(path: Path) -> Library | None:
    """Open a library; if it cannot be used, offer choices instead of failing.

    Unreadable, damaged, locked or newer-version files give a dialog: open
    another library, restore the newest backup, or create a new library.
    Returns None when the user gives up.
    """
    while True:
        try:
            return open_library(path)
        except LibraryError as e:
            log.warning("cannot open %s: %s", path, e)
            choices = [OPEN_ANOTHER, CREATE_NEW]
            backups = backup.list_backups(path)
            if backups:
                choices.insert(1, RESTORE)
            choice = dialogs.choose(
                None,
                "Cannot open the library",
                f"{e}\n\nWhat would you like to do?",
                choices,
            )
            if choice == OPEN_ANOTHER:
                other = dialogs.get_open_library(None)
                if not other:
                    return None
                path = Path(other)
            elif choice == RESTORE:
                try:
                    backup.restore_backup(path, backups[0])
                except LibraryError as err:
                    dialogs.warn(None, "Restore failed", str(err))
            elif choice == CREATE_NEW:
                new = dialogs.get_save_file(None, "Create a new library", LIBRARY_FILTER, str(path.with_name("library-new.db")))
                if not new:
                    return None
                path = Path(new)
                if path.exists():
                    dialogs.warn(None, "Create a new library", f"{path} already exists: choose a new file name.")
                    continue
            else:
                return None


def create_window(path: Path, settings: QSettings | None = None) -> MainWindow:
    lib = open_library(path)
    return _window_for(lib, settings)


def start_daily_backup(path: Path) -> threading.Thread:
    """The daily backup, in the background on its own connection.

    A big library takes seconds to copy; the window must not wait for it.
    """

    def run() -> None:
        try:
            with Library(path, create=False) as lib:
                lib.daily_backup()
        except Exception:  # a failed backup must not stop the app: the log says why
            log.warning("daily backup of %s failed", path, exc_info=True)

    t = threading.Thread(target=run, name="daily-backup", daemon=True)
    t.start()
    return t


def _window_for(lib: Library, settings: QSettings | None = None) -> MainWindow:
    win = MainWindow(lib, settings)
    win.backup_thread = start_daily_backup(lib.path)
    app = QGuiApplication.instance()
    if app is not None:
        app.commitDataRequest.connect(win.on_commit_data)  # session end (log out)
        app.aboutToQuit.connect(win.save_all)
    return win


#: Signals that ask the app to save and quit: SIGTERM (kill, a shutdown), SIGINT (Ctrl+C in
#: the terminal that started it) and SIGHUP (that terminal closed).
QUIT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name))


def install_signal_handlers(app: QApplication, win: MainWindow) -> None:
    """Each of ``QUIT_SIGNALS`` asks the event loop to save (the note being typed included)
    and quit, with exit status 0 (Python handlers run between events).  Without this, SIGHUP
    ended the app at once, losing what had not been saved yet, and SIGINT raised
    KeyboardInterrupt inside whatever slot was running.  SIGINT and SIGHUP stay ignored when
    the app was started with them ignored (``nohup``, or in the background of a script)."""

    def handler(_sig: int, _frame: object) -> None:
        QTimer.singleShot(0, lambda: (win.save_all(), app.quit()))

    for sig in QUIT_SIGNALS:
        if sig != signal.SIGTERM and signal.getsignal(sig) is signal.SIG_IGN:
            continue
        signal.signal(sig, handler)
    timer = QTimer(app)  # wake the interpreter regularly so the handler runs promptly
    timer.start(200)
    timer.timeout.connect(lambda: None)
    app._sig_timer = timer  # type: ignore[attr-defined]


def install_excepthook() -> None:
    """An unexpected error in a slot becomes a one-line dialog (and a log entry), never a traceback."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: object) -> None:
        from ..core.errors import RefManagerError

        log.error("unexpected error", exc_info=(exc_type, exc, tb))  # type: ignore[arg-type]
        if isinstance(exc, KeyboardInterrupt):
            QApplication.quit()
            return
        text = str(exc) if isinstance(exc, RefManagerError) else f"Something went wrong: {exc!r}"
        try:
            dialogs.warn(None, "refmanager", text + "\n\nYour library is unchanged by the failed action.")
        except Exception:  # no dialog possible (no display): the log has it
            pass

    sys.excepthook = hook


def activate(win: MainWindow) -> None:
    win.showNormal()
    win.raise_()
    win.activateWindow()


def freeze_startup_objects() -> None:
    """Move what exists once the window is up (modules, Qt wrappers, the window) out of
    the garbage collector's reach: it lives as long as the app, and a full collection
    walked it all (~20 ms, 60 ms seen during a large import, when both cores are busy)."""
    gc.collect()
    gc.freeze()


def _handed_over(path: Path, outcome: bool | None) -> int:
    """The exit status of a start that found ``path`` open in another instance."""
    if outcome is False:
        print(f"refmanager: {path} is already open: the open window was brought forward", file=sys.stderr)
        return 0
    print(f"refmanager: {path} is open in another refmanager, which does not answer", file=sys.stderr)
    return 1


def run_app(library: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    app.setApplicationDisplayName("refmanager")
    app.setDesktopFileName("refmanager")
    app.setWindowIcon(app_icon())
    theme.follow_system(str(QSettings().value("prefs/theme", "system")))
    preferred = QSettings().value("prefs/default_library", "")
    path = Path(library) if library else (Path(str(preferred)) if preferred else default_library_path())
    # The lock first (single_instance.py): of two starts at the same moment only one wins;
    # the other hands over to it.  The winner listens at once, before opening the library.
    lock = InstanceLock()
    outcome = claim_or_hand_over(lock, path)
    if outcome is not True:
        return _handed_over(path, outcome)
    shown: list[MainWindow] = []
    wanted = [False]  # a later start asked for the window before it was shown

    def on_activate() -> None:
        if shown:
            activate(shown[0])
        else:
            wanted[0] = True

    server = InstanceServer(on_activate, app)
    server.listen(lock.keys)
    app._instance_server = server  # type: ignore[attr-defined]
    app._instance_lock = lock  # type: ignore[attr-defined]
    lib = open_with_recovery(path)
    if lib is None:
        return 1
    # The library opened may be another one (chosen in the recovery dialog) or a new file:
    # its keys now, and only its keys.
    outcome = claim_or_hand_over(lock, lib.path)
    if outcome is not True:
        lib.close()
        return _handed_over(lib.path, outcome)
    lock.keep_only(lib.path)
    server.listen(lock.keys)
    win = _window_for(lib)
    win.session.libraryChanged.connect(lambda: _follow_library(lock, server, win))
    install_signal_handlers(app, win)  # type: ignore[arg-type]
    install_excepthook()
    win.show()
    shown.append(win)
    if wanted[0]:
        activate(win)
    freeze_startup_objects()
    return app.exec()


def _follow_library(lock: InstanceLock, server: InstanceServer, win: MainWindow) -> None:
    """The window shows another library (File → Open, New, a restore): hold its keys instead."""
    path = win.lib.path
    other = lock.claim(path)
    if other is not None:
        log.warning("%s is open in another refmanager too", path)
        return
    lock.keep_only(path)
    server.listen(lock.keys)
