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
from .plain import no_mnemonic, window_title
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
        self._asking = False

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
        w.setWindowTitle(window_title(f"{lib.path.name} — refmanager"))
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
            a = menu.addAction(no_mnemonic(p))
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

    def save_as_dialog(self) -> None:
        """File → Save library as…: a copy of the library in a new file, shown from then on
        (after its file was deleted or replaced: everything done since is in the copy)."""
        w, lib = self.window, self.session.lib
        path = dialogs.get_save_file(w, "Save library as", "refmanager libraries (*.db)", f"{lib.path.stem}-saved.db")
        if not path:
            return
        dest = Path(path)
        if dest.exists() and dest.resolve() == lib.path.resolve() and not lib.file_problem():
            dialogs.warn(w, "Save library as", f"{dest} is the library shown: choose a new name.")
            return
        w.detail.flush_note()
        wait_all()
        try:
            lib.save_copy(dest)
        except RefManagerError as e:
            dialogs.warn(w, "Not saved", str(e))
            return
        if self.switch_library(dest):
            w.banner.setVisible(False)
            w.statusBar().showMessage(f"Saved the library as {dest}; it is the library shown now", 8000)

    def file_gone(self, reason: str) -> None:
        """The library file was deleted or replaced: the app stops writing to it, says so,
        and offers to save what it holds (everything done so far) to a new file."""
        w = self.window
        w.show_banner(f"{reason}. Use File → Save library as… to keep everything shown here in a new file.")
        if self._asking:
            return
        self._asking = True
        try:
            choice = dialogs.choose(
                w, "Library file gone",
                f"{reason}.\n\nEverything the window shows, with your changes until now, is still here. "
                "Save it to a new library file and go on working there?",
                ["Save as…"],
            )
        finally:
            self._asking = False
        if choice == "Save as…":
            self.save_as_dialog()

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
