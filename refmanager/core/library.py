"""The library: a front over the parts of the store, for the GUI, the CLI and tests.

``Library`` opens one ``Db`` and composes the parts (``store/``), each of which
takes the handle and the parts below it in its constructor; its methods hand
each call to the part that does it.  The parts are attributes too
(``lib.views``, ``lib.history`` ...) for code that needs more than the front
offers.  How the parts fit together: ``docs/design.md``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from .fields import JSON_FIELDS, PageRow, Paper, paper_json
from .import_stream import ImportReport
from .models import Entry, LibraryGroups
from .store import backup
from .store.alternatives import Alternatives
from .store.annotations import Annotation, Annotations
from .store.arxiv import ArxivRecords
from .store.attachments import Attachments
from .store.citekeys import CiteKeys
from .store.collections import Collection, Collections, SavedSearch, SavedSearches
from .store.db import Db
from .store.duplicates import Duplicates
from .store.editing import Edited, Editor
from .store.files import AttachmentFiles
from .store.fts import Fts
from .store.fulltext import FileState, FullText, FullTextStatus, Hit, PendingFile
from .store.history import History, Undone
from .store.importing import Importer
from .store.marking import Marking
from .store.merging import Merger
from .store.papers import Papers
from .store.query import SECTIONS, SORTS, CompiledView, View, compile_view, compiled
from .store.snapshots import Snapshots
from .store.sources import Sources
from .store.splitting import Splitter
from .store.tags import Tags, clean_tag
from .store.views import Views

__all__ = ["SECTIONS", "SORTS", "Collection", "CompiledView", "ImportReport", "Library", "SavedSearch", "View"]

Progress = Callable[[int, int], None] | None
Cancelled = Callable[[], bool] | None


class Library:
    """A refmanager library file (or ``:memory:``)."""

    def __init__(
        self, path: str | os.PathLike[str], *, create: bool = True, readonly: bool = False,
        exclusive_if_full: bool = False,
    ) -> None:
        self.db = db = Db(path, create=create, readonly=readonly, exclusive_if_full=exclusive_if_full)
        self.tags = Tags(db)
        self.alternatives = Alternatives(db)
        self.files = AttachmentFiles(db)
        self.papers = Papers(db, self.tags, self.alternatives, self.files)
        self.sources = Sources(db, self.papers)
        self.snapshots = Snapshots(db, self.tags)
        self.history = History(db, self.snapshots)
        self.fts = Fts(db)
        self.views = Views(db)
        self.marking = Marking(db, self.tags, self.history, self.papers)
        self.editor = Editor(self.papers, self.alternatives, self.history)
        self.collections = Collections(db, self.papers, self.history)
        self.saved_searches = SavedSearches(db, self.history)
        self.merger = Merger(self.papers, self.tags, self.alternatives, self.snapshots, self.history,
                             self.collections)
        self.splitter = Splitter(self.papers, self.tags, self.alternatives, self.sources, self.snapshots, self.history)
        self.duplicates = Duplicates(self.papers, self.history)
        self.attacher = Attachments(db, self.papers, self.files, self.history)
        self.fulltext = FullText(db, self.files)
        self.annotator = Annotations(db, self.papers, self.history, self.marking)
        self.arxiv = ArxivRecords(self.papers, self.sources, self.history)
        self.importer = Importer(db, self.papers, self.tags, self.alternatives, self.fts, self.snapshots, self.history,
                                 self.collections, self.sources)
        self.citekeys = CiteKeys(db, self.history)
        if not db.readonly and not db.exclusive and self.citekeys.missing():
            self.citekeys.fill_missing()  # (a library made before keys were stored: once)

    # ------------------------------------------------------------- the file
    @property
    def path(self) -> Path:
        return self.db.path

    @property
    def readonly(self) -> bool:
        return self.db.readonly

    @property
    def created(self) -> bool:
        """This call made the library file (a new library is seeded by the app)."""
        return self.db.created

    @property
    def schema_version(self) -> int:
        return self.db.schema_version

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> AbstractContextManager[None]:
        """One transaction (nested: a savepoint), for a caller's several writes."""
        return self.db.transaction()

    def checkpoint(self) -> None:
        self.db.checkpoint()

    def backup(self, reason: str = "manual") -> Path:
        """A copy of the library in its backup folder (``store/backup.py``)."""
        return backup.make_backup(self.db.conn, self.path, reason)

    def daily_backup(self) -> Path | None:
        return backup.daily_backup(self.db.conn, self.path)

    # -------------------------------------------------------------- papers
    def get(self, pid: int) -> Paper | None:
        return self.papers.get(pid)

    def get_many(self, ids: Sequence[int]) -> list[Paper]:
        return self.papers.get_many(ids)

    def exists(self, pid: int) -> bool:
        return self.papers.exists(pid)

    def tags_of(self, ids: Sequence[int]) -> dict[int, list[str]]:
        return self.tags.of(ids)

    def json_texts(self, ids: Sequence[int], fields: Sequence[str] | None = None) -> list[str]:
        return self.papers.json_texts(ids, fields or JSON_FIELDS)

    def export_json(self, ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
        """refmanager JSON of these papers (default: every paper outside the trash)."""
        ids = self.all_ids() if ids is None else ids
        return [paper_json(p) for i in range(0, len(ids), 1000) for p in self.get_many(ids[i : i + 1000])]

    def export_groups(self, ids: Sequence[int]) -> LibraryGroups:
        """What an export of these papers keeps besides them (``export.EXPORT_FORMATS``'s
        ``groups``): every collection (empty ones too), each paper's, every saved search, annotations."""
        return LibraryGroups([c.path for c in self.collections.tree(counts=False)], self.collections.of(ids, empty=False),
                             [(s.name, s.query) for s in self.saved_searches.list()], self.annotator.json_of(ids))

    def paper_sources(self, pid: int) -> list[dict[str, Any]]:
        return self.sources.of(pid)

    def merge_history(self, pid: int) -> list[dict[str, Any]]:
        return self.sources.merges(pid)

    # --------------------------------------------------------------- views
    def compile(self, view: View) -> CompiledView:
        """The view made ready once for ``page``, ``count`` and ``note_hits``."""
        return compile_view(view)

    def page(self, view: View | CompiledView, offset: int, limit: int) -> list[PageRow]:
        return self.views.page(view, offset, limit)

    def count(self, view: View | CompiledView) -> int:
        return self.views.count(view)

    def ids(self, view: View | CompiledView, limit: int | None = None, offset: int = 0, *, compact: bool = False) -> Sequence[int]:
        return self.views.ids(view, limit, offset, compact=compact)

    def row_of(self, view: View | CompiledView, pid: int) -> int | None:
        return self.views.row_of(view, pid)

    def row_ranges(self, view: View | CompiledView, ids: Sequence[int]) -> list[tuple[int, int]]:
        return self.views.row_ranges(view, ids)

    def note_hits(self, view: View | CompiledView, ids: Sequence[int]) -> set[int]:
        return self.views.note_hits(view, ids)

    def search_hint(self, view: View) -> str | None:
        return compile_view(view).hint

    def search(self, query: str, *, trash: bool = False) -> tuple[list[Paper], str | None]:
        """Papers matching a search, newest first (for the command line), and a hint."""
        cv = compile_view(View(section="trash" if trash else "all", search=query))
        return self.get_many(self.ids(cv)), cv.hint

    def all_ids(self, *, trash: bool = False, compact: bool = False) -> Sequence[int]:
        return self.ids(View(section="trash" if trash else "all", sort="added", descending=False), compact=compact)

    def counts(self) -> dict[str, int]:
        return self.views.counts()

    # ---------------------------------------------------------------- tags
    clean_tag = staticmethod(clean_tag)

    def tag_counts(self) -> list[tuple[str, int, str | None]]:
        return self.tags.counts()

    def tag_list(self) -> list[tuple[str, str | None]]:
        return self.tags.listing()

    def tag_names(self) -> list[str]:
        return self.tags.names()

    def tag_colors(self) -> dict[str, str]:
        return self.tags.colors()

    def add_tags(self, ids: Sequence[int], tags: Sequence[str]) -> int:
        return self.marking.add_tags(ids, tags)

    def remove_tags(self, ids: Sequence[int], tags: Sequence[str]) -> int:
        return self.marking.remove_tags(ids, tags)

    def rename_tag(self, old: str, new: str) -> None:
        self.marking.rename_tag(old, new)

    def merge_tag(self, source: str, target: str) -> None:
        self.marking.merge_tag(source, target)

    def delete_tag(self, name: str) -> None:
        self.marking.delete_tag(name)

    def set_tag_color(self, name: str, color: str | None) -> None:
        self.marking.set_tag_color(name, color)

    # --------------------------------------------- collections, saved searches
    def collection_tree(self, *, counts: bool = True) -> list[Collection]:
        return self.collections.tree(counts=counts)

    def find_collection(self, path: str) -> int | None:
        return self.collections.find(path)

    def create_collection(self, name: str, parent: int | None = None) -> int:
        return self.collections.create(name, parent)

    def rename_collection(self, cid: int, name: str) -> None:
        self.collections.rename(cid, name)

    def move_collection(self, cid: int, parent: int | None) -> None:
        self.collections.move(cid, parent)

    def delete_collection(self, cid: int) -> None:
        self.collections.delete(cid)

    def add_to_collection(self, cid: int, ids: Sequence[int]) -> int:
        return self.collections.add(cid, ids)

    def remove_from_collection(self, cid: int, ids: Sequence[int]) -> int:
        return self.collections.remove(cid, ids)

    def collections_of(self, ids: Sequence[int]) -> dict[int, list[str]]:
        return self.collections.of(ids)

    def saved_search_list(self) -> list[SavedSearch]:
        return self.saved_searches.list()

    def save_search(self, name: str, query: str) -> int:
        return self.saved_searches.create(name, query)

    def update_saved_search(self, sid: int, *, name: str | None = None, query: str | None = None) -> None:
        self.saved_searches.update(sid, name=name, query=query)

    def delete_saved_search(self, sid: int) -> None:
        self.saved_searches.delete(sid)

    # ------------------------------------------------------ notes and flags
    def set_note(self, pid: int, text: str, *, session: str | None = None, expected: str | None = None,
                 undoable: bool | None = None) -> str:
        """Save a note (``marking.Marking.set_note``; ``undoable`` is kept for old callers:
        every note change is undoable)."""
        del undoable
        return self.marking.set_note(pid, text, session=session, expected=expected)

    def set_read(self, ids: Sequence[int], read: bool = True) -> int:
        return self.marking.set_read(ids, read)

    def set_starred(self, ids: Sequence[int], starred: bool = True) -> int:
        return self.marking.set_starred(ids, starred)

    def trash(self, ids: Sequence[int]) -> int:
        return self.marking.trash(ids)

    def restore(self, ids: Sequence[int]) -> int:
        return self.marking.restore(ids)

    def empty_trash(self) -> int:
        n = self.marking.empty_trash()
        self.fulltext.forget_detached()  # (their files' text)
        return n

    def delete_papers(self, ids: Sequence[int], *, label: str | None = None) -> int:
        n = self.marking.delete_papers(ids, label=label)
        self.fulltext.forget_detached()
        return n

    # ------------------------------------------------------------- history
    def undo(self, expect: str | None = None) -> Undone | None:
        done = self.history.undo(expect)
        self.fulltext.forget_detached()  # (an attach undone: its file's text goes too)
        return done

    def redo(self, expect: str | None = None) -> Undone | None:
        done = self.history.redo(expect)
        self.fulltext.forget_detached()
        return done

    # ------------------------------------------------------- citation keys
    def regenerate_keys(self, ids: Sequence[int]) -> dict[int, str]:
        """New citation keys for these papers from the library's pattern (undoable)."""
        return self.citekeys.regenerate(ids)

    def key_pattern(self) -> str:
        return self.citekeys.pattern()

    def set_key_pattern(self, pattern: str) -> None:
        self.citekeys.set_pattern(pattern)

    def file_problem(self) -> str | None:
        """Why the library file can no longer be written (deleted, replaced, emptied), or None."""
        return self.db.file_problem()

    def save_copy(self, dest: str | os.PathLike[str]) -> Path:
        """Everything this library holds, into a new library file (after its file was deleted
        or replaced: what was done since is saved there)."""
        return self.db.save_copy(dest)

    def data_version(self) -> int:
        """Changes when another connection (another program) commits to the library:
        cheap enough to poll (``PRAGMA data_version``)."""
        return int(self.db.value("PRAGMA data_version"))

    def undo_label(self) -> str | None:
        return self.history.undo_label()

    def redo_label(self) -> str | None:
        return self.history.redo_label()

    # ------------------------------------------------------------ importing
    def import_inputs(self, inputs: Iterable[tuple[str, str | bytes | os.PathLike[str]]], *,
                      progress: Progress = None, cancelled: Cancelled = None, label: str | None = None,
                      collection: int | str | None = None) -> ImportReport:
        """One import action: every input in one transaction (``store/importing.py``);
        ``collection``: every paper of the input is put in that collection too (an id, or a
        path, made by the import when missing)."""
        return self.importer.run(inputs, progress=progress, cancelled=cancelled, label=label, collection=collection)

    def import_paths(self, paths: Iterable[str | os.PathLike[str]], *, progress: Progress = None,
                     cancelled: Cancelled = None, label: str | None = None,
                     collection: int | str | None = None) -> ImportReport:
        return self.import_inputs([(str(p), Path(p)) for p in paths], progress=progress, cancelled=cancelled,
                                  label=label, collection=collection)

    def import_text(self, text: str, name: str = "pasted text", **kw: Any) -> ImportReport:
        return self.import_inputs([(name, text)], **kw)

    # ------------------------------------------------------ fixing by hand
    def edit_paper(self, pid: int, *, expected: dict[str, Any] | None = None, **fields: Any) -> Edited:
        return self.editor.edit(pid, expected=expected, **fields)

    def review_options(self, pid: int) -> dict[str, Any]:
        return self.editor.review_options(pid)

    def pick_split(self, pid: int, index: int) -> None:
        self.editor.pick_split(pid, index)

    def accept_review(self, pid: int) -> bool:
        return self.editor.accept_review(pid)

    def merge_candidates_fields(self, ids: Sequence[int]) -> dict[str, list[tuple[int, Any]]]:
        return self.merger.candidates(ids)

    def default_merge_choice(self, ids: Sequence[int], keep: int | None = None) -> dict[str, int]:
        return self.merger.default_choice(ids, keep)

    def merge_papers(self, ids: Sequence[int], choices: dict[str, int] | None = None, *, keep: int | None = None) -> int:
        return self.merger.merge(ids, choices, keep=keep)

    def split_paper(self, pid: int) -> list[int]:
        return self.splitter.split(pid)

    def find_duplicates(self, limit: int | None = 200) -> list[tuple[int, int, str]]:
        return self.duplicates.find(limit)

    def mark_not_duplicate(self, a: int, b: int) -> None:
        self.duplicates.mark_not_duplicate(a, b)

    # ---------------------------------------------------------- attachments
    def attachments_dir(self) -> Path | None:
        return self.files.folder()

    def attachments(self, pid: int) -> list[dict[str, Any]]:
        return self.attacher.list(pid)

    def attach_file(self, pid: int, path: str | os.PathLike[str], mode: str = "copy") -> dict[str, Any]:
        return self.attacher.attach(pid, path, mode)

    def detach(self, pid: int, attachment_id: int) -> None:
        self.attacher.detach(pid, attachment_id)
        self.fulltext.forget_detached()  # (the file's text goes with it; an undo reads it again)

    # ------------------------------------------------ full text (schema v12)
    def fulltext_pending(self, paper_ids: Sequence[int] | None = None) -> list[PendingFile]:
        return self.fulltext.pending(paper_ids)

    def fulltext_store(self, attachment_id: int, pages: Sequence[str], state: FileState,
                       message: str | None = None) -> bool:
        return self.fulltext.store(attachment_id, pages, state, message)

    def fulltext_failed(self, attachment_id: int, state: FileState, message: str) -> bool:
        return self.fulltext.failed(attachment_id, state, message)

    def fulltext_status(self) -> FullTextStatus:
        return self.fulltext.status()

    def fulltext_hits(self, view: View | CompiledView, ids: Sequence[int]) -> dict[int, Hit]:
        """Where the view's full-text words occur in these papers' PDFs (pages from 1, a snippet)."""
        return self.fulltext.hits(compiled(view), ids)

    def attachment_path_allowed(self, path: str | os.PathLike[str]) -> bool:
        return self.files.path_allowed(path)

    # ------------------------------------- annotations of PDFs (schema v13: store/annotations.py)
    def annotations(self, pid: int, file: str | None = None) -> list[Annotation]:
        return self.annotator.of(pid, file)

    def add_annotation(self, pid: int, **fields: Any) -> int:
        return self.annotator.add(pid, **fields)

    def edit_annotation(self, aid: int, **fields: Any) -> bool:
        return self.annotator.edit(aid, **fields)

    def delete_annotation(self, aid: int) -> None:
        self.annotator.delete(aid)

    # ---------------------------------------------------------------- arXiv
    def apply_arxiv_metadata(self, pid: int, meta: Entry) -> tuple[list[str], list[str]]:
        return self.arxiv.apply_metadata(pid, meta)

    def arxiv_cache_get(self, url: str) -> tuple[str, str] | None:
        return self.arxiv.cache_get(url)

    def arxiv_cache_put(self, url: str, body: str, *, fetched_at: str, prune_before: str | None = None) -> None:
        self.arxiv.cache_put(url, body, fetched_at=fetched_at, prune_before=prune_before)

    def missing_arxiv_ids(self) -> list[int]:
        return self.arxiv.missing_ids()
