"""Getting papers out: File → Export (whole library, current view or selection, in
every format of ``export.EXPORT_FORMATS``), and copying BibTeX.  (References in a citation
style, copied or exported: ``cite_controller``.)"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu

from ..core import export
from ..core.fields import Paper
from . import dialogs
from .controller import Controller

#: What an export takes, with its menu's name.
SCOPES = (("library", "Whole library"), ("view", "Current view"), ("selection", "Selected papers"))


class ExportController(Controller):
    def fill_export_menu(self, menu: QMenu) -> None:
        """A submenu per scope, an action per format (``export_<scope>_<format>``)."""
        w = self.window
        for scope, scope_label in SCOPES:
            sub = menu.addMenu(scope_label)
            for fmt, f in export.EXPORT_FORMATS.items():
                a = w.actions[f"export_{scope}_{fmt}"] = QAction(f.label + "…", w)
                a.triggered.connect(lambda _=False, s=scope, fm=fmt: self.export_dialog(s, fm))
                sub.addAction(a)
        w.actions["export_library_bibtex"].setShortcut(QKeySequence("Ctrl+E"))

    def _ids(self, scope: str) -> list[int]:
        return self.view.ids_in(scope)

    def _papers(self, ids: list[int]) -> list[Paper]:
        lib = self.session.lib
        return [p for i in range(0, len(ids), 1000) for p in lib.get_many(ids[i : i + 1000])]

    def export_dialog(self, scope: str = "library", fmt: str = "bibtex") -> None:
        """Export the library, the current view or the selection in one of the formats."""
        ids = self._ids(scope)
        w = self.window
        if not ids:
            w.statusBar().showMessage("Nothing to export", 4000)
            return
        f = export.EXPORT_FORMATS[fmt]
        # ("collection": the one shown, named after it; ``ViewController.ids_in``)
        shown = self.view.current_collection() if scope == "collection" else None
        stem = shown.name if shown is not None else self.session.lib.path.stem
        path = dialogs.get_save_file(w, "Export", f.files, f"{stem}{f.suffix}")
        if not path:
            return
        papers = self._papers(ids)
        try:
            text = f.write(papers, self.key_pattern(), groups=self.session.lib.export_groups(ids))
        except export.ExportRefused as e:  # an identifier that is none (a library from before they were checked)
            dialogs.warn(w, "Export refused", str(e))
            return
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as e:
            dialogs.warn(w, "Export failed", f"{path}: {e.strerror}")
            return
        w.statusBar().showMessage(f"Exported {len(papers)} papers to {path}", 5000)

    def key_pattern(self) -> str:
        pattern = self.window.settings.value("prefs/citation_key", export.DEFAULT_KEY_PATTERN)
        return str(pattern or export.DEFAULT_KEY_PATTERN)

    def copy_bibtex(self, scope: str = "selection") -> None:
        """BibTeX of the selected papers (or of a scope: "collection", the one shown) to the clipboard."""
        papers = self._papers(self._ids(scope))
        if papers:
            try:
                text = export.to_bibtex(papers, self.key_pattern())
            except export.ExportRefused as e:
                dialogs.warn(self.window, "Copy refused", str(e))
                return
            QApplication.clipboard().setText(text)
            n = len(papers)
            self.status(f"Copied {n} BibTeX entr{'ies' if n != 1 else 'y'}", 4000)
