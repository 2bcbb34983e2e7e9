"""Files attached to papers: copies in ``<library>.files/<paper id>/``, or links in place.

Copies are private (folders 0700, files 0600) and stored relative to the
folder; links are stored as resolved paths (``files.AttachmentFiles`` reads
them).  Attaching and detaching are undoable actions; a detached copy stays on
disk, so the detach can be undone.
"""

from __future__ import annotations

import filecmp
import logging
import os
import shutil
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from ..errors import RefManagerError, ValidationError
from ..fields import what
from .db import Db, now_iso
from .files import AttachmentFiles
from .history import History
from .papers import Papers

log = logging.getLogger(__name__)


#: A new attachment's id: never one that text or annotations of a detached file still carry
#: (SQLite gives the highest id + 1, so detaching the newest file and attaching another handed
#: the old file's full text to the new one, on whatever paper it was attached to).
_NEW_ID = (
    "SELECT max(coalesce((SELECT max(id) FROM attachments), 0), "
    "coalesce((SELECT max(attachment_id) FROM fulltext_state), 0), "
    "coalesce((SELECT max(attachment_id) FROM fulltext_pages), 0)) + 1"
)

class Attachments:
    """Attaching and detaching, each one undoable action."""

    def __init__(self, db: Db, papers: Papers, files: AttachmentFiles, history: History) -> None:
        self.db = db
        self.papers = papers
        self.files = files
        self.history = history

    def list(self, pid: int) -> list[dict[str, Any]]:
        """A paper's files (see ``AttachmentFiles.of``)."""
        self.papers.need(pid)
        return self.files.of([pid]).get(pid, [])

    def attach(self, pid: int, path: str | os.PathLike[str], mode: str = "copy", *,
               record: bool = True) -> dict[str, Any]:
        """Attach a file: copy it to ``<library>.files/<pid>/`` (private) or link it in place.
        ``record=False``: inside a caller's action, which records it (PDFs dropped as papers)."""
        p = self.papers.need(pid)
        if mode not in ("copy", "link"):
            raise ValidationError("mode", f"expected 'copy' or 'link', not {mode!r}")
        src = Path(path).expanduser()
        if not src.is_file():
            raise RefManagerError(f"{src}: {'not a file' if src.exists() else 'no such file'}")
        if not os.access(src, os.R_OK):
            raise RefManagerError(f"{src}: cannot read the file: permission denied")
        name = src.name
        made: Path | None = None
        if mode == "link":
            stored = str(src.resolve())
        else:
            root = self.files.folder()
            if root is None:
                raise RefManagerError("an in-memory library cannot keep copies of files: attach a link")
            folder = root / str(pid)
            try:
                for d in (root, folder):
                    d.mkdir(mode=0o700, exist_ok=True)
                    os.chmod(d, 0o700)
                target, made = _copy_into(src, folder)
            except OSError as e:
                raise RefManagerError(f"cannot copy {src} into {folder}: {e.strerror or e}") from None
            name = target.name
            stored = f"{pid}/{target.name}"
        full = self.files.abspath(stored, mode)
        for a in self.files.of([pid]).get(pid, []):
            if a["mode"] == mode and a["path"] == str(full):
                return {k: a[k] for k in ("id", "name", "path", "exists", "mode")}  # attached already
        try:
            with self.history.action(f"Attach {name!r} to {what(p)}", [pid]) if record else nullcontext():
                aid = self.db.execute(
                    f"INSERT INTO attachments(id, paper_id, name, path, mode, added_at) "
                    f"VALUES (({_NEW_ID}), ?, ?, ?, ?, ?)",
                    (pid, name, stored, mode, now_iso()),
                ).lastrowid
        except BaseException:
            if made is not None:
                made.unlink(missing_ok=True)
            raise
        log.info("attached %s to paper %d (%s)", full, pid, mode)
        return {"id": aid, "name": name, "path": str(full), "exists": full.is_file(), "mode": mode}

    def detach(self, pid: int, attachment_id: int) -> None:
        """Remove an attachment from a paper (undoable; a copied file stays on disk for the undo)."""
        p = self.papers.need(pid)
        name = self.db.value("SELECT name FROM attachments WHERE id = ? AND paper_id = ?", (attachment_id, pid))
        if name is None:
            raise RefManagerError(f"paper {pid} has no attachment {attachment_id}")
        with self.history.action(f"Detach {name!r} from {what(p)}", [pid]):
            self.db.execute("DELETE FROM attachments WHERE id = ?", (attachment_id,))


def _copy_into(src: Path, folder: Path) -> tuple[Path, Path | None]:
    """Copy ``src`` into ``folder`` (mode 0600); the same file there already is reused.
    Returns (target, the file created or None)."""
    stem, suffix = src.stem, src.suffix
    n = 1
    while True:
        target = folder / (src.name if n == 1 else f"{stem} ({n}){suffix}")
        if not target.exists():
            break
        if target.is_file() and filecmp.cmp(src, target, shallow=False):
            return target, None
        n += 1
    tmp = folder / f".{target.name}.part"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out, 1 << 20)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target, target
