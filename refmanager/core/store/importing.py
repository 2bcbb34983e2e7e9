"""Writing an import: one action, one transaction, each file inside a savepoint.

``Importer.run`` takes the messages of ``import_stream`` (parsed here, or in
a second process for a large import) and hands them to one ``ImportSession``,
which owns everything an import remembers while it writes: the report, the
papers it added or merged into (and their state before, for undo), the
fingerprints it has seen, the sources and names waiting to be written as a
batch, the matcher's shortcuts, and the search index it defers.  A file
rejected half-way is rolled back to its savepoint and leaves nothing; Cancel
raises ``ImportCancelled`` inside the transaction, which rolls it all back.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import ImportCancelled
from ..fields import dumps
from ..import_stream import (
    Entries,
    FileEnded,
    FileReport,
    FileStarted,
    ImportReport,
    Message,
    Rejected,
    input_size,
    messages,
)
from ..rows import Prepared
from .alternatives import Alternatives
from .collections import Collections, SavedSearches, clean_name, split_path
from .db import Db, chunks, now_iso
from .entry_merge import EntryMerge
from .fts import DeferredIndex, Fts
from .history import History
from .import_groups import apply_groups
from .matching import ImportKeys, Matcher
from .papers import INSERT_NAME_SQL, Papers
from .snapshots import Snapshot, Snapshots
from .sources import INSERT_SOURCE_SQL, Sources
from .tags import Tags

log = logging.getLogger(__name__)

#: During a large import, the new papers are indexed for search every this many
#: (in one statement each: FTS5 writes a segment per statement, or more when its
#: terms outgrow ``hashsize``), while the next entries are still being parsed.
#: Fewer segments are less merging: at 10,000 a 100,000-paper import of a large
#: vocabulary reached FTS5's 16 segments and merged them all at its end (~2.5 s).
FTS_CHUNK = 25_000
#: The smallest chunk, near the end: what is left to index after the last entry is
#: work nothing else overlaps, so the chunks halve with what is left to write.
END_CHUNK = 2_500


def next_chunk(left: int) -> int:
    """Papers to index in the next chunk, with ``left`` entries expected still: half of
    them near the end, down to ``END_CHUNK`` (a few statements more, not one per 2,500)."""
    return min(FTS_CHUNK, max(END_CHUNK, left // 2))

Progress = Callable[[int, int], None] | None
Cancelled = Callable[[], bool] | None
Inputs = list[tuple[str, "str | bytes | os.PathLike[str]"]]


class _NothingChanged(Exception):
    """An import that added and merged nothing: its transaction rolls back."""


class Importer:
    """Runs import actions (``run``); each gets an ``ImportSession`` of its own."""

    #: Shortcuts for a first import (off in a test, which checks that an import
    #: gives the same library either way): no SQL lookup of fingerprints in a
    #: library without sources, no match lookups for keys no paper has.
    skip_empty_lookups = True

    def __init__(
        self, db: Db, papers: Papers, tags: Tags, alternatives: Alternatives, fts: Fts, snapshots: Snapshots,
        history: History, collections: Collections, sources: Sources,
    ) -> None:
        self.collections = collections
        self.sources = sources
        self.db = db
        self.papers = papers
        self.tags = tags
        self.alternatives = alternatives
        self.fts = fts
        self.snapshots = snapshots
        self.history = history

    def run(self, inputs: Iterable[tuple[str, Any]], *, progress: Progress = None, cancelled: Cancelled = None,
            label: str | None = None, collection: int | str | None = None) -> ImportReport:
        """Parse and write every input in one transaction (or not at all); a file
        that cannot be parsed is rejected on its own, the others are imported."""
        inputs = list(inputs)
        report = ImportReport()
        if isinstance(collection, str):
            for name in split_path(collection) or [""]:
                clean_name(name)  # (a bad path is refused before anything is read)
        elif collection is not None:
            self.collections.need(collection)
        sizes = [input_size(src) for _, src in inputs]
        path = None if self.db.in_memory else self.db.path
        # SQLite copies the WAL into the library file (a checkpoint) inside the
        # commit that makes the WAL large: ~1 GB, 1.6 s, for 100,000 papers, 9 GB at
        # a million.  The import's commit does not wait for it: the app's import
        # process runs ``Db.checkpoint()`` after sending its report, the command
        # line when it closes the library.
        with self.db.pragma("wal_autocheckpoint", 0), \
                messages(inputs, path, self.papers.is_known_name, cancelled) as msgs:
            for msg in msgs:  # rejections before anything parses need no transaction
                if isinstance(msg, Rejected):
                    report.rejected.append(msg)
                    continue
                try:
                    with self.db.transaction(), self.fts.deferred() as index:
                        session = self._session(report, index, sizes, progress, cancelled)
                        # (a path: the collection is made in the import's own action, so one
                        # undo takes back both, and a failed import leaves no empty collection)
                        session.into = (self.collections.ensure_path(collection) if isinstance(collection, str)
                                        else collection)
                        session.write(_chain(msg, msgs))
                        session.finish(label)
                except _NothingChanged:
                    report.import_id = None
                break
        return report

    def _session(self, report: ImportReport, index: DeferredIndex, sizes: list[int], progress: Progress,
                 cancelled: Cancelled) -> ImportSession:
        skip = self.skip_empty_lookups
        empty = skip and self.db.one("SELECT 1 FROM papers LIMIT 1") is None
        matcher = Matcher(
            self.db, self.alternatives, keys=ImportKeys() if empty else None,
            aliases=not skip or self.alternatives.exist_for_titles(),
        )
        no_sources = skip and self.db.one("SELECT 1 FROM sources LIMIT 1") is None
        return ImportSession(self, report, index, matcher, no_sources=no_sources, sizes=sizes, progress=progress,
                             cancelled=cancelled)


def _chain(first: Message, rest: Iterator[Message]) -> Iterator[Message]:
    yield first
    yield from rest


#: Author names an import remembers having written, at most (~100 bytes each).
NAMES_REMEMBERED = 200_000
#: Papers an entry was kept apart from that its note names (the rest are counted).
APART_NOTES = 3


class ImportSession:
    """Everything one import remembers while it writes (see the module's docstring)."""

    def __init__(
        self, importer: Importer, report: ImportReport, index: DeferredIndex, matcher: Matcher, *,
        no_sources: bool, sizes: list[int], progress: Progress, cancelled: Cancelled,
    ) -> None:
        self.db = importer.db
        self.papers = importer.papers
        self.tags = importer.tags
        self.snapshots = importer.snapshots
        self.history = importer.history
        self.report = report
        self.index = index
        self.matcher = matcher
        self.tags_later: set[int] = set()
        self.merge = EntryMerge(self.db, self.papers, self.tags, importer.alternatives, matcher, self.tags_later)
        #: the library held no sources when the import started: every fingerprint
        #: is then in ``seen``, and none is looked up
        self.no_sources = no_sources
        self.sources = importer.sources
        #: the library's listing entries were fingerprinted by their split (an older version;
        #: None: not asked yet)
        self.split_fps: bool | None = None
        self.sizes, self.progress, self.cancelled = sizes, progress, cancelled
        self.at = now_iso()
        #: the tag rows, collections and saved searches before the import (its undo record
        #: says which it made)
        self.tags_before = self.snapshots.tag_rows()
        self.rows_before = self.snapshots.table_rows()
        self.collections = importer.collections
        self.saved_searches = SavedSearches(self.db, self.history)
        #: the collection every paper of the import goes into (None: none)
        self.into: int | None = None
        #: collections made, memberships added and saved searches made by the files' groups
        self.grouped = 0
        #: when the current file describes collections: (line, citation key) -> the papers its
        #: entries became (added, merged into or already there)
        self.file_refs: dict[tuple[int, str], list[int]] | None = None
        self.import_id: int = self.db.execute("INSERT INTO imports(at, label) VALUES (?, ?)", (self.at, "import")).lastrowid  # type: ignore[assignment]
        report.import_id = self.import_id
        #: the papers this import changed, as they were before (None: added by it)
        self.before: dict[int, Snapshot | None] = {}
        #: fingerprint -> paper, for entries repeated in this import
        self.seen: dict[str, int] = {}
        #: sources and author names of the current batch, written with one
        #: ``executemany`` each when the batch is done (nothing reads them before)
        self.pending_sources: list[tuple[Any, ...]] = []
        self.pending_names: list[tuple[str]] = []
        #: the names this import has written (authors recur: 450,000 of 100,000 papers were
        #: 20,000 names, each sent to SQLite again); forgotten with a file rolled back
        self.names_written: set[str] = set()
        #: citation keys made unique: the suffix to try first per base key (``Papers.free_key``)
        self.key_memo: dict[str, int] = {}
        self.file: FileReport | None = None
        #: papers the current file made or merged into, with their records' citation keys
        self.file_keys: dict[int, str] = {}
        self.marks: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)  # where the current file started
        self.done = 0  # entries written
        self.known_total = 0  # estimated entries of the files started
        self.started = len(report.rejected)  # inputs started (or rejected)
        self.indexed = 0  # papers added when the search index last caught up
        self.chunk = FTS_CHUNK

    # ------------------------------------------------------------ messages
    def write(self, msgs: Iterator[Message]) -> None:
        for msg in msgs:
            if isinstance(msg, Entries):
                self._entries(msg)
            elif isinstance(msg, FileStarted):
                self._file_started(msg)
            elif isinstance(msg, FileEnded):
                assert self.file is not None
                if msg.groups is not None:  # (inside the file's savepoint: a part of the import)
                    self.grouped += apply_groups(
                        msg.groups, db=self.db, collections=self.collections, saved_searches=self.saved_searches,
                        refs=self.file_refs or {}, file=self.file, before=self._snapshot_before)
                self.db.execute("RELEASE import_file")
                self.file.warnings.extend(msg.warnings)
                self.file.skipped = [{"line": line, "reason": reason} for line, reason in msg.skipped]
                self.report.files.append(self.file)
                self.file = None
            elif isinstance(msg, Rejected):
                self._rejected(msg)
        if self.progress is not None:
            self.progress(self.done, self.done)

    def _file_started(self, msg: FileStarted) -> None:
        self.file = FileReport(file=msg.name, format=msg.format, warnings=list(msg.warnings))
        self.started += 1
        self.known_total += msg.estimate
        self.chunk = next_chunk(self._expected() - self.done)  # (an import smaller than FTS_CHUNK too)
        r = self.report
        self.marks = (len(r.added_ids), len(r.merged_ids), len(self.before), len(self.seen), self.done)
        self.file_keys = {}
        self.file_refs = {} if msg.groups else None
        self.db.execute("SAVEPOINT import_file")

    def _rejected(self, msg: Rejected) -> None:
        self.report.rejected.append(msg)
        if self.file is None:
            self.started += 1
            return
        # Rejected half-way: drop what was written of it.  (Between batches:
        # nothing is pending, the last batch was flushed.)
        self.db.execute("ROLLBACK TO import_file")
        self.db.execute("RELEASE import_file")
        n_added, n_merged, n_before, n_seen, self.done = self.marks
        self.indexed = min(self.indexed, n_added)
        self.report.added_ids.truncate(n_added)
        self.report.merged_ids.truncate(n_merged)
        for k in list(self.before)[n_before:]:
            del self.before[k]
        for fp in list(self.seen)[n_seen:]:
            del self.seen[fp]
        self.key_memo.clear()  # (the file's keys are free again: the first free suffix is looked for anew)
        self.names_written.clear()  # (its names went with it)
        self.file = None

    def _expected(self) -> int:
        """Entries of the whole import, estimated: the files not started yet have
        as many entries per byte as those started."""
        s = self.sizes
        return self.known_total + int(sum(s[self.started:]) * self.known_total / max(1, sum(s[: self.started])))

    def _entries(self, msg: Entries) -> None:
        fr, report = self.file, self.report
        assert fr is not None
        for values in msg.rows:
            if self.cancelled is not None and self.done % 200 == 0 and self.cancelled():
                raise ImportCancelled("import cancelled; the library is unchanged")
            outcome, pid, note = self._entry(Prepared(values), fr.file)
            if self.file_refs is not None:
                self.file_refs.setdefault((values.line, values.citekey or ""), []).append(pid)
            if outcome == "added":
                fr.added += 1
                report.added_ids.append(pid)
            elif outcome == "merged":
                fr.merged += 1
                report.merged_ids.append(pid)
            else:
                fr.unchanged += 1
            if note:
                fr.notes.append(note)
            fr.entries += 1
            self.done += 1
            if len(report.added_ids) - self.indexed >= self.chunk:
                self.index.index_new()
                self.indexed = len(report.added_ids)
                self.chunk = next_chunk(self._expected() - self.done)
            if self.progress is not None and self.done % 500 == 0:
                self.progress(self.done, max(self.done, self._expected()))
        if self.pending_sources:
            self.db.executemany(INSERT_SOURCE_SQL, self.pending_sources)
            self.pending_sources.clear()
        if self.pending_names:
            self.db.executemany(INSERT_NAME_SQL, self.pending_names)
            self.pending_names.clear()

    # ------------------------------------------------------------- entries
    def _snapshot_before(self, pid: int) -> None:
        if pid not in self.before:
            self.before[pid] = self.snapshots.take_one(pid)

    def _entry(self, e: Prepared, file: str) -> tuple[str, int, str | None]:
        """Write one entry: "added", "merged" or "unchanged", its paper, a note for the report."""
        fp, v = e.fingerprint(), e.values
        seen = self.seen
        if fp in seen and not (v.tags or v.note):
            return "unchanged", seen[fp], None  # the same entry again in this import
        if self.no_sources:
            known = seen.get(fp)
        else:
            known = self.db.value("SELECT paper_id FROM sources WHERE fingerprint = ? LIMIT 1", (fp,))
            if known is None and v.row.raw_line:
                known = self._known_by_split(e, fp)
        if known is not None:
            seen[fp] = known
            outcome = "unchanged"
            if v.tags or v.note:
                self._snapshot_before(known)
                if self.merge.user_data(known, e.entry):
                    outcome = "merged"
            return outcome, known, self.merge.unchanged_note(known, e.entry)
        if self.matcher.nothing_to_find(e):  # (most entries of a first import: a new paper, no note)
            pid = self._add(e)
            if v.citekey:
                self.file_keys.setdefault(pid, v.citekey)
            self.pending_sources.append((pid, self.import_id, file, v.line, v.kind, fp, v.data, self.at))
            seen[fp] = pid
            return "added", pid, None
        match = self.matcher.find(e, self.file_keys)
        pid = match.pid
        notes = [f"line {v.line}: kept apart from paper {other} ({why}); Find duplicates lists the pair"
                 for other, why in match.apart[:APART_NOTES]]
        if len(match.apart) > APART_NOTES:
            notes.append(f"line {v.line}: and from {len(match.apart) - APART_NOTES} more papers with the same title")
        if pid is None:
            if match.arxiv_taken_by is not None:
                aid = e.without_arxiv_id()
                notes.append(f"line {v.line}: arXiv:{aid} belongs to paper {match.arxiv_taken_by}; this entry is "
                             "another paper: its arXiv id is kept as an alternative value")
            if match.ambiguous:
                e.flag_for_review()
                notes.append(
                    f"line {v.line}: matches {len(match.ambiguous)} papers ({', '.join(map(str, match.ambiguous))}); "
                    "kept as a separate paper, flagged for review"
                )
            pid = self._add(e)
            outcome = "added"
            if match.arxiv_taken_by is not None:
                self.merge.alternatives.add(pid, "arxiv_id", aid)
        else:
            self._snapshot_before(pid)
            changed, kept = self.merge.into(pid, e.entry)
            if kept:
                notes.append(f"line {e.values.line}: kept your edit of {', '.join(kept)}")
            outcome = "merged"
            if not changed and self._same_file_again(pid, file, v.line, fp):
                outcome = "unchanged"  # (this file was imported before: its entry is known, with an older fingerprint)
        if v.citekey:
            self.file_keys.setdefault(pid, v.citekey)
        note = "; ".join(notes) or None
        if outcome == "unchanged":
            seen[fp] = pid
            return outcome, pid, note
        # A new paper's source may leave its JSON to the paper row (rows.row_holds_entry,
        # schema v6); an entry merged into another paper keeps its own.
        data = e.values.data if outcome == "added" else e.entry_json()
        self.pending_sources.append((pid, self.import_id, file, e.values.line, e.values.kind, fp, data, self.at))
        seen[fp] = pid
        return outcome, pid, note

    def _known_by_split(self, e: Prepared, fp: str) -> int | None:
        """The paper of a listing entry an older version imported, fingerprinted by its split
        (looked up only in a library it wrote): its sources take the new fingerprint."""
        if self.split_fps is None:
            self.split_fps = self.sources.split_fingerprints_stored()
        old = e.split_fingerprint() if self.split_fps else None
        if old is None:
            return None
        known = self.db.value("SELECT paper_id FROM sources WHERE fingerprint = ? LIMIT 1", (old,))
        if known is not None:
            self.db.execute("UPDATE sources SET fingerprint = ? WHERE fingerprint = ?", (fp, old))
        return known

    def _same_file_again(self, pid: int, file: str, line: int, fp: str) -> bool:
        """The paper has a source from this file at this line: the entry was imported
        before (a fingerprint made by an older version differs); it takes the new one."""
        sid = self.db.value("SELECT id FROM sources WHERE paper_id = ? AND file = ? AND line = ?", (pid, file, line))
        if sid is None:
            return False
        self.db.execute("UPDATE sources SET fingerprint = ? WHERE id = ?", (fp, sid))
        return True

    def _add(self, e: Prepared) -> int:
        """A new paper; its authors become known names, its tags are given."""
        v = e.values
        pid = self.papers.insert(e.row_to_write(), self.at, self.key_memo)
        self.before[pid] = None
        self.matcher.added(e)
        written = self.names_written
        if len(written) > NAMES_REMEMBERED:
            written.clear()  # (bounded: a name sent again is only ignored)
        for k in e.name_keys():
            if k not in written:
                written.add(k)
                self.pending_names.append((k,))
        if v.tags and self.tags.attach(pid, v.tags, refresh=False):
            self.tags_later.add(pid)
        return pid

    # -------------------------------------------------------------- the end
    def _into_collection(self) -> int:
        """Every paper of the import (added, merged into or already there) into the collection
        asked for; the papers that were there before are snapshotted first (undo takes them out
        again).  How many were put in it."""
        if self.into is None or not self.report.files:
            return 0
        ids = sorted(set(self.seen.values()))
        fresh = [pid for (pid,) in self.db.q(
            "SELECT value FROM json_each(?) WHERE value NOT IN "
            "(SELECT paper_id FROM collection_papers WHERE collection_id = ?)", (dumps(ids), self.into))]
        for pid in fresh:
            self._snapshot_before(pid)
        n = self.collections.put(self.into, fresh)
        if n:
            path = self.collections.need(self.into).path
            self.report.files[-1].notes.append(f"{n} paper{'s' if n != 1 else ''} put in collection {path!r}")
        return n


    def finish(self, label: str | None) -> None:
        """The import's label, report and undo record; tags_text refreshed once."""
        self.tags.refresh_text(sorted(self.tags_later))
        report = self.report
        collected = self._into_collection() + self.grouped
        if not (report.added or report.merged or collected):
            raise _NothingChanged
        names = [Path(f.file).name for f in report.files]
        label = label or (f"import of {names[0]}" if len(names) == 1 else f"import of {len(names)} files")
        self.db.execute(
            "UPDATE imports SET label = ?, report = ? WHERE id = ?", (label, dumps(report.to_json()), self.import_id)
        )
        n = report.added + report.merged
        merged = {pid: snap for pid, snap in self.before.items() if snap is not None}
        added = [pid for pid, snap in self.before.items() if snap is None]
        versions: dict[int, int] = {}
        for marks, chunk in chunks(added):
            versions.update(self.db.q(f"SELECT id, version FROM papers WHERE id IN ({marks})", chunk))
        if not self.history.record(
            f"{label}: {n} paper{'s' if n != 1 else ''}", merged, self.snapshots.take(list(merged)),
            self.tags_before, self.snapshots.tag_rows(), imported=versions, import_id=self.import_id,
            rows_before=self.rows_before, rows_after=self.snapshots.table_rows(),
        ):
            report.files[-1].notes.append(
                f"this import changed too many papers to be undone ({len(self.before):,} "
                "merged into); the undo history was cleared"
            )
