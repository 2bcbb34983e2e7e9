"""Library files: new, open, open recent (the window shows another library), back up
now, and restore a backup."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu

from ..core.errors import RefManagerError
from ..core.library import Library
from ..core.store import backup
from . import dialogs
from .session import LibrarySession
from .window_parts import WindowParts
from .workers import wait_all

#: Libraries remembered in Open recent.
RECENT = 8


class LibraryFilesController(QObject):
    def __init__(self, window: WindowParts, session: LibrarySession) -> None:
        super().__init__(window)
        self.window = window
        self.session = session

    def switch_library(self, path: Path, *, create: bool = False) -> bool:
        """Show another library in this window (File → Open / New / Recent)."""
        path = Path(path)
        w = self.window
        if not create and not path.exists():
            dialogs.warn(w, "Open library", f"{path}: no such library")
            return False
        try:
            lib = Library(path)
        except RefManagerError as e:
            dialogs.warn(w, "Cannot open the library", str(e))
            return False
        w.detail.flush_note()
        old = self.session.switch(lib)
        w.setWindowTitle(f"{lib.path.name} — refmanager")
        self.add_recent(lib.path)
        if old is not lib:
            try:
                old.close()
            except Exception:  # already closed (restore)
                pass
        return True

    def add_recent(self, path: Path) -> None:
        here = str(path.resolve())
        items = [here] + [p for p in self.recent_libraries() if p != here]
        self.window.settings.setValue("recent/libraries", items[:RECENT])

    def recent_libraries(self) -> list[str]:
        v = self.window.settings.value("recent/libraries", [])
        if isinstance(v, str):
            v = [v]
        return [str(x) for x in (v or [])]

    def fill_recent_menu(self, menu: QMenu) -> None:
        menu.clear()
        for p in self.recent_libraries():
            a = menu.addAction(p)
            a.triggered.connect(lambda _=False, path=p: self.switch_library(Path(path)))
        if not self.recent_libraries():
            menu.addAction("(none)").setEnabled(False)

    def new_library_dialog(self) -> None:
        path = dialogs.get_save_file(self.window, "New library", "refmanager libraries (*.db)", "library.db")
        if not path:
            return
        if Path(path).exists():
            dialogs.warn(self.window, "New library", f"{path} already exists: choose a new name, or use Open library.")
            return
        self.switch_library(Path(path), create=True)

    def open_library_dialog(self) -> None:
        path = dialogs.get_open_library(self.window)
        if path:
            self.switch_library(Path(path))

    def backup_now(self) -> None:
        path = self.session.lib.backup("manual")
        self.window.statusBar().showMessage(f"Backed up to {path}", 6000)

    def restore_backup_dialog(self) -> None:
        """Replace the library with one of its backups (the current state is backed up first)."""
        w, lib = self.window, self.session.lib
        backups = backup.list_backups(lib.path)
        if not backups:
            dialogs.inform(w, "Restore a backup", f"There are no backups of {lib.path} yet.")
            return
        names = [b.name for b in backups]
        choice = dialogs.get_text(w, "Restore a backup", "Backup to restore (newest first):", items=names)
        if not choice or choice not in names:
            return
        chosen = backups[names.index(choice)]
        if not dialogs.confirm(
            w, "Restore a backup", f"Replace the library with {chosen.name}? The library as it is now is backed up first.",
        ):
            return
        w.detail.flush_note()
        wait_all()
        path = lib.path
        lib.close()
        try:
            backup.restore_backup(path, chosen)
        except RefManagerError as e:
            dialogs.warn(w, "Restore failed", str(e))
        self.switch_library(path)
        w.statusBar().showMessage(f"Restored {path.name} from {chosen.name}", 8000)
