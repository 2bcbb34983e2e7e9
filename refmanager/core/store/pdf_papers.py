"""PDFs that become papers (issue 19): a dropped PDF (or a folder of them) is matched to the
paper it is and attached to it, or becomes a new paper with its file attached.

What a PDF says (its arXiv id, DOI, title and authors, read by ``refmanager.pdf.metadata``
in a reader process) arrives here as an ``Entry``.  Which paper it is follows the import's
identity rules: the same ``matching.Matcher`` (arXiv id of any version, DOI, then the title
when nothing contradicts it), never a rule of its own.  A match gets the file attached and
nothing else: a title guessed from a page never overwrites what the library knows.  A new
paper is made from the entry (flagged for review when the pdf layer found the reading
uncertain), with a source of kind ``pdf`` that keeps what was read and how sure it was.

The whole drop is one action: one transaction and one undo record (papers made are deleted
by the undo, attachments made are taken back; copied files stay on disk, as a detach's do,
so a redo finds them).  Cancel between files rolls everything back, and the copies this run
made are removed.  Files that were not read (``PdfInput.entry`` None) are listed as skipped
with their reason; they never stop the others.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ImportCancelled, RefManagerError
from ..fields import dumps
from ..models import Entry
from ..rows import Prepared, fingerprint
from .alternatives import Alternatives
from .attachments import Attachments
from .collections import Collections
from .db import Db, now_iso
from .history import History
from .matching import Matcher
from .papers import Papers
from .snapshots import Snapshot, Snapshots
from .sources import Sources

log = logging.getLogger(__name__)

ADDED = "added"
ATTACHED = "attached"
UNCHANGED = "already attached"
SKIPPED = "skipped"
#: How the matcher found a paper, in the report's words.
_HOW = {"arxiv_id": "arXiv id", "doi": "DOI", "title": "title", "abstract": "abstract"}


def _weak_title(e: Entry) -> bool:
    """The entry's title could be anyone's: it came from the file name, or no author was read
    (the identity rules then have nothing that could contradict a title match)."""
    read = (e.extra or {}).get("pdf", {}).get("title")
    from_name = isinstance(read, (list, tuple)) and len(read) >= 3 and read[2] == "the file name"
    return from_name or not e.authors


@dataclass
class PdfInput:
    """One PDF to add: the file, what was read from it (None: it could not be used, and
    ``problem`` says why), and notes on the reading for the report."""

    path: str
    entry: Entry | None
    problem: str | None = None
    #: what was read and from where ("arXiv id from the stamp", ...)
    read: str = ""
    #: why the reading is uncertain (the new paper is flagged for review)
    doubt: str | None = None


@dataclass
class PdfOutcome:
    """What became of one file."""

    file: str
    status: str
    paper: int | None = None
    flagged: bool = False
    message: str = ""

    def line(self) -> str:
        return f"{Path(self.file).name}: {self.status}" + (f" \u2014 {self.message}" if self.message else "")

    def to_wire(self) -> dict[str, Any]:
        return {"file": self.file, "status": self.status, "paper": self.paper, "flagged": self.flagged,
                "message": self.message}


@dataclass
class PdfImportReport:
    """What a drop of PDFs did, file by file."""

    outcomes: list[PdfOutcome] = field(default_factory=list)
    #: PDFs found in the folders but left out (``pdf.intake.MAX_FILES``)
    left_out: int = 0
    cancelled: bool = False
    #: the collection every paper of the drop was put in (its path), if asked
    collection: str | None = None

    def _with(self, status: str) -> list[PdfOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def added(self) -> int:
        return len(self._with(ADDED))

    @property
    def attached(self) -> int:
        return len(self._with(ATTACHED))

    @property
    def unchanged(self) -> int:
        return len(self._with(UNCHANGED))

    @property
    def skipped(self) -> list[PdfOutcome]:
        return self._with(SKIPPED)

    @property
    def flagged(self) -> int:
        return sum(o.flagged for o in self.outcomes if o.status == ADDED)

    @property
    def paper_ids(self) -> list[int]:
        """The papers the files went to (made, attached to, or already holding them)."""
        return list(dict.fromkeys(o.paper for o in self.outcomes if o.paper is not None))

    def summary(self) -> str:
        s = f"{self.added} added"
        if self.flagged:
            s += f" ({self.flagged} flagged for review)"
        s += f", {self.attached} attached to existing papers"
        if self.unchanged:
            s += f", {self.unchanged} already attached"
        if self.skipped:
            s += f", {len(self.skipped)} skipped"
        if self.left_out:
            s += f"; {self.left_out} more PDF{'s' if self.left_out != 1 else ''} left out"
        if self.collection and self.paper_ids:
            s += f"; in collection {self.collection!r}"
        return s

    def lines(self) -> list[str]:
        return [o.line() for o in self.outcomes]

    def problems(self) -> list[str]:
        return [o.line() for o in self.skipped]

    def to_wire(self) -> dict[str, Any]:
        return {"outcomes": [o.to_wire() for o in self.outcomes], "left_out": self.left_out,
                "cancelled": self.cancelled, "collection": self.collection, "summary": self.summary()}

    @classmethod
    def from_wire(cls, obj: dict[str, Any]) -> PdfImportReport:
        outs = [PdfOutcome(str(o.get("file", "")), str(o.get("status", SKIPPED)), o.get("paper"),
                           bool(o.get("flagged")), str(o.get("message") or "")) for o in obj.get("outcomes") or []]
        return cls(outs, int(obj.get("left_out") or 0), bool(obj.get("cancelled")), obj.get("collection") or None)


class _NotAttached(Exception):
    """A new paper's file could not be attached: its savepoint is rolled back."""


class PdfPapers:
    """Adds PDFs as papers, or to the papers they are: one undoable action per call."""

    def __init__(self, attachments: Attachments, alternatives: Alternatives, sources: Sources,
                 collections: Collections) -> None:
        self.attachments = attachments
        self.db: Db = attachments.db
        self.papers: Papers = attachments.papers
        self.history: History = attachments.history
        self.snapshots: Snapshots = attachments.history.snapshots
        self.alternatives = alternatives
        self.sources = sources
        self.collections = collections

    def add(self, inputs: Sequence[PdfInput], mode: str = "copy", *, label: str | None = None,
            progress: Callable[[int, int], None] | None = None, cancelled: Callable[[], bool] | None = None,
            collection: int | str | None = None) -> PdfImportReport:
        """Match or make a paper for each file and attach the file (``mode``: "copy" or
        "link"), in one transaction and one undo record; ``ImportCancelled`` rolls it back.
        ``collection`` (an id, or a path made when missing): every paper of the drop goes in it."""
        report = PdfImportReport()
        made: list[Path] = []
        try:
            with self.db.transaction():
                tags_before, rows_before = self.snapshots.tag_rows(), self.snapshots.table_rows()
                before: dict[int, Snapshot | None] = {}
                matcher = Matcher(self.db, self.alternatives, keys=None, aliases=self.alternatives.exist_for_titles())
                at = now_iso()
                for n, inp in enumerate(inputs, 1):
                    if cancelled is not None and cancelled():
                        raise ImportCancelled("cancelled: nothing was added")
                    report.outcomes.append(self._one(inp, mode, matcher, before, made, at))
                    if progress is not None:
                        progress(n, len(inputs))
                if collection is not None and report.paper_ids:
                    self._into(collection, report, before)
                names = [Path(o.file).name for o in report.outcomes if o.status != SKIPPED]
                label = label or (f"add PDF {names[0]}" if len(names) == 1 else f"add {len(names)} PDFs")
                self.history.record(label, before, self.snapshots.take(list(before)), tags_before,
                                    self.snapshots.tag_rows(), rows_before=rows_before,
                                    rows_after=self.snapshots.table_rows())
        except BaseException:
            for f in made:  # (the copies of a run rolled back)
                f.unlink(missing_ok=True)
                try:
                    f.parent.rmdir()  # (the folder of a paper that no longer exists, when empty)
                except OSError:
                    pass
            raise
        log.info("PDFs added: %s", report.summary())
        return report

    def _into(self, collection: int | str, report: PdfImportReport, before: dict[int, Snapshot | None]) -> None:
        cid = (self.collections.ensure_path(collection) if isinstance(collection, str)
               else self.collections.need(collection).id)
        for pid in report.paper_ids:
            if pid not in before:
                before[pid] = self.snapshots.take_one(pid)
        self.collections.put(cid, report.paper_ids)
        report.collection = self.collections.need(cid).path

    def _one(self, inp: PdfInput, mode: str, matcher: Matcher, before: dict[int, Snapshot | None],
             made: list[Path], at: str) -> PdfOutcome:
        if inp.entry is None:
            return PdfOutcome(inp.path, SKIPPED, message=inp.problem or "not read")
        src = Path(inp.path)
        if not src.is_file():
            return PdfOutcome(inp.path, SKIPPED, message="the file is missing" if not src.exists() else "not a file")
        e = inp.entry
        match = matcher.find(Prepared.of(e))
        notes = [f"kept apart from paper {other} ({why})" for other, why in match.apart[:2]]
        if match.pid is not None and match.how not in ("arxiv_id", "doi") and _weak_title(e):
            # A title nothing could contradict (read from the file name, or without any author)
            # never joins a paper by itself: two different "fulltext.pdf" were one paper.
            notes.append(f"the title is paper {match.pid}'s too; not attached to it, as the reading was uncertain")
            match = dataclasses.replace(match, pid=None, how=None)
        if match.pid is not None:
            pid = match.pid
            if pid not in before:
                before[pid] = self.snapshots.take_one(pid)
            done = self._attach(pid, src, mode, made)
            if isinstance(done, PdfOutcome):
                return done
            p = self.papers.need(pid)
            where = f"paper {pid}" + (" (in the trash)" if p.trashed else "")
            if not done:
                return PdfOutcome(inp.path, UNCHANGED, pid, message=f"{where} has this file already")
            how = _HOW.get(match.how or "", match.how or "")
            return PdfOutcome(inp.path, ATTACHED, pid, message="; ".join([f"to {where}, found by its {how}", *notes]))
        doubts = [inp.doubt] if inp.doubt else []
        taken = None
        if match.arxiv_taken_by is not None and e.arxiv_id:
            taken, e.arxiv_id = e.arxiv_id, None
            notes.append(f"arXiv:{taken} belongs to paper {match.arxiv_taken_by} (another DOI): kept as an "
                         "alternative value")
        if match.ambiguous:
            doubts.append(f"it matches {len(match.ambiguous)} papers ({', '.join(map(str, match.ambiguous))})")
        e.needs_review = bool(doubts)
        try:
            with self.db.transaction():  # (a savepoint: a file that cannot be attached leaves no paper)
                pid = self.papers.add(e, at)
                if taken:
                    self.alternatives.add(pid, "arxiv_id", taken)
                self.sources.add(pid, inp.path, "pdf", fingerprint(e), dumps(e.to_json()), at)
                done = self._attach(pid, src, mode, made)
                if isinstance(done, PdfOutcome):
                    raise _NotAttached(done.message)
        except _NotAttached as why:
            return PdfOutcome(inp.path, SKIPPED, message=str(why))
        before[pid] = None
        msg = [f"new paper {pid}" + (f" ({inp.read})" if inp.read else "")]
        if doubts:
            msg.append("flagged for review: " + "; ".join(doubts))
        return PdfOutcome(inp.path, ADDED, pid, bool(doubts), "; ".join(msg + notes))

    def _attach(self, pid: int, src: Path, mode: str, made: list[Path]) -> bool | PdfOutcome:
        """Attach the file (in the caller's action): True when attached now, False when the
        paper had it already; an outcome when it cannot be attached."""
        had = {a["id"] for a in self.attachments.list(pid)}
        folder = self.attachments.files.folder()
        there = set((folder / str(pid)).iterdir()) if folder is not None and (folder / str(pid)).is_dir() else set()
        try:
            a = self.attachments.attach(pid, src, mode, record=False)
        except RefManagerError as err:
            return PdfOutcome(str(src), SKIPPED, message=str(err))
        if mode == "copy" and Path(a["path"]) not in there:
            made.append(Path(a["path"]))
        return a["id"] not in had
