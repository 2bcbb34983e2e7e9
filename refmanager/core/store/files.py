"""The attachments table and folder, read only: which files a paper has, and
which paths the app may open (``attachments.Attachments`` writes them)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .db import Db, chunks


class AttachmentFiles:
    """The attachments table and folder, read only."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def folder(self) -> Path | None:
        """``<library>.files`` beside the library file (None for an in-memory library)."""
        if self.db.in_memory:
            return None
        return self.db.path.with_name(self.db.path.name + ".files")

    def abspath(self, path: str, mode: str) -> Path:
        if mode == "copy":
            root = self.folder()
            return (root / path) if root is not None else Path(path)
        return Path(path)

    def of(self, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        """Each paper's files: id, name, path, exists (a missing file is not an error), mode, added_at."""
        out: dict[int, list[dict[str, Any]]] = {}
        for marks, chunk in chunks(ids):
            for aid, pid, name, path, mode, added_at in self.db.q(
                f"SELECT id, paper_id, name, path, mode, added_at FROM attachments WHERE paper_id IN ({marks}) "
                "ORDER BY id",
                chunk,
            ):
                full = self.abspath(path, mode)
                out.setdefault(pid, []).append({
                    "id": aid, "name": name, "path": str(full), "exists": full.is_file(), "mode": mode,
                    "added_at": added_at,
                })
        return out

    def path_allowed(self, path: str | os.PathLike[str]) -> bool:
        """May the app open this file?  Only inside the attachments folder, or a file the user
        linked (symbolic links are followed first, so none leads out)."""
        try:
            target = Path(path).expanduser().resolve()
        except (OSError, RuntimeError, ValueError):
            return False
        root = self.folder()
        if root is not None:
            base = root.resolve()
            if target != base and target.is_relative_to(base):
                return True
        return self.db.one("SELECT 1 FROM attachments WHERE mode = 'link' AND path = ?", (str(target),)) is not None
