"""Where an import's entries come from: parsed in this process, or in a second one.

Splitting a full listing's title/author lines costs about as much per paper
as writing the paper.  On a machine with two cores, a large import parses in
a child process while this one writes: a pipeline.  Only prepared values
cross (``rows.prepare``: keys, the paper row, the source JSON), so the writer
does little besides SQLite.  The pipe holds little, so a parser ahead of the
writer waits for it: memory stays bounded however large the import.

Both producers send the same messages (``messages.py``).

The parser sees the library as it was before the import in both cases (the
child reads it through its own read-only connection; the writer's transaction
is not committed before the end), so a name known from the library weighs the
same in the title/author split whichever way an import runs.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import multiprocessing.connection
import os
import queue
import signal
import sqlite3
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from .. import formats
from ..errors import ImportCancelled, ParseError, RefManagerError
from ..rows import EntryValues, prepare
from ..textnorm import person_key
from .messages import Entries, FileEnded, FileStarted, Message, Rejected

log = logging.getLogger(__name__)

Input = tuple[str, "str | bytes | os.PathLike[str]"]


# What the parsing process says besides the messages, and what the pipe's reader makes of its end.
class _Done:
    pass


class _Failed:
    def __init__(self, text: str) -> None:
        self.text = text


class _Eof:
    pass

#: Inputs smaller than this (characters or bytes, ~650 papers of a full
#: listing) are parsed in this process: starting a second one costs more.
PARALLEL_MIN_CHARS = 1_000_000
#: Entries per message.
BATCH = 200
#: Messages received and not written yet, at most (~1.3 MB each).  Enough for
#: the parser to keep going while the writer indexes a chunk for search (~1-2 s,
#: 25,000 papers): with 16, both processes sat idle 4-6 s of a 100,000-paper
#: import, the parser blocked on a full pipe, then the writer on an empty one.
QUEUE_BATCHES = 64
BEHIND_FROM = 12
BEHIND_UNTIL = 4


def _behind(waiting: int, was: bool) -> bool:
    """Whether the writer is behind, with ``waiting`` batches received and not written
    (``was``: what it was): from ``BEHIND_FROM`` waiting until ``BEHIND_UNTIL`` (a long
    queue at the end is writing that nothing overlaps; the batches that arrive while the
    writer indexes a chunk for search go beyond ``BEHIND_FROM``, into the queue's room).
    Meanwhile the parser makes the entries' fingerprints (~15 µs a paper); otherwise the writer
    makes them, and the generated citation keys and name keys of new papers (~9 µs).
    Which process is the busier depends on the data: many authors and a small
    vocabulary make the parser the busier, a large vocabulary to index the writer
    (docs/benchmarks.md, issue 20)."""
    if waiting >= BEHIND_FROM:
        return True
    if waiting <= BEHIND_UNTIL:
        return False
    return was


def input_size(src: str | bytes | os.PathLike[str]) -> int:
    if isinstance(src, (str, bytes)):
        return len(src)
    try:
        return os.stat(src).st_size
    except OSError:
        return 0  # the parser reports it


def _read(name: str, src: str | bytes | os.PathLike[str]) -> tuple[str, list[str]]:
    if isinstance(src, bytes):
        return formats.decode(src, name)
    if isinstance(src, str):  # pasted text: same clean-up as a file
        return formats.normalise_text(src)
    return formats.read_file(src)


def produce(inputs: Sequence[Input], known: Callable[[str], bool] | None,
            behind: Callable[[], bool] | None = None) -> Iterator[Message]:
    """Parse input by input; a file failing anywhere is rejected on its own.

    ``behind`` (a second process's parser), asked before each batch: whether the writer
    is behind.  Then this process makes the entries' fingerprints; else it leaves them,
    the generated citation keys and the name keys to the writer (``rows.prepare``).
    Without it (one process), the writer makes the fingerprints, as it does anyway."""
    for name, src in inputs:
        try:
            text, warnings = _read(name, src)
            parsing = formats.iter_parse_text(text, name, known=known)
            del text
            yield FileStarted(name, parsing.format, tuple(warnings), parsing.estimate, parsing.groups is not None)
            batch: list[EntryValues] = []
            with_fp, later = _shares(behind)
            for e in parsing.entries:
                batch.append(prepare(e, with_fp, later))
                if len(batch) == BATCH:
                    yield Entries(batch)
                    batch = []
                    with_fp, later = _shares(behind)
            if batch:
                yield Entries(batch)
            yield FileEnded(tuple(map(str, parsing.warnings)), tuple((p.line, p.message) for p in parsing.skipped),
                            parsing.groups)
        except ParseError as e:
            log.info("rejected %s", e)
            yield Rejected(name, e.line, e.message)


def _shares(behind: Callable[[], bool] | None) -> tuple[bool, bool]:
    """``prepare``'s (with_fp, keys_later) for the next batch: what ``behind`` says this
    process makes (see ``produce``)."""
    if behind is None:
        return False, False
    with_fp = behind()
    return with_fp, not with_fp


class _KnownNames:
    """``Library._is_known_name`` through a read-only connection of the child's own.

    The split asks about every candidate cut (~5 per paper, mostly strings that
    are no name); a library of up to ``LOAD_MAX`` names is read into a set
    once instead (~20 µs per question saved; 100 bytes per name).
    """

    LOAD_MAX = 300_000

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=30)
        self.keys: set[str] | None = None
        (n,) = self.conn.execute("SELECT count(*) FROM names").fetchone()
        if n <= self.LOAD_MAX:
            self.keys = {k for (k,) in self.conn.execute("SELECT key FROM names")}

    def __call__(self, name: str) -> bool:
        if self.keys is not None:
            # (an empty library, the first import: no key to compute, ~20 µs a
            # title line, whose candidate cuts are mostly strings seen once)
            return bool(self.keys) and person_key(name) in self.keys
        return self.conn.execute("SELECT 1 FROM names WHERE key = ?", (person_key(name),)).fetchone() is not None


class _Hints:
    """What the writer says of its queue (``_behind``), read before each batch: True while
    it is behind (this process then makes the fingerprints)."""

    def __init__(self, conn: multiprocessing.connection.Connection) -> None:
        self.conn = conn
        self.behind = False

    def __call__(self) -> bool:
        try:
            while self.conn.poll():
                self.behind = bool(self.conn.recv())
        except (EOFError, OSError):
            pass  # (the writer closed its end: it is done or gone)
        return self.behind


def _child_main(
    conn: multiprocessing.connection.Connection,
    other_end: multiprocessing.connection.Connection,
    hints: multiprocessing.connection.Connection,
    hints_other_end: multiprocessing.connection.Connection,
    inputs: Sequence[Input],
    library: str,
) -> None:
    # The ends of the writer came along (fork copies every descriptor): closed, so
    # that when the writer dies (killed, crashed) a send fails and this process ends,
    # instead of waiting forever on a pipe only it still holds open.
    other_end.close()
    hints_other_end.close()
    # Signal handlers came along too (the app's import process turns SIGTERM into
    # "cancel"): this process just ends on SIGTERM, and leaves Ctrl+C to the writer,
    # which rolls back and ends it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A process that lives for one import and makes no reference cycles: the
    # collector only walked the file's lines again and again (~15% of parsing).
    gc.disable()
    try:
        for msg in produce(inputs, _KnownNames(library), _Hints(hints)):
            conn.send(msg)
        conn.send(_Done())
    except BrokenPipeError:
        pass  # the writer stopped (cancelled, failed): nothing to tell
    except BaseException:  # a bug: the writer raises it with this text
        try:
            conn.send(_Failed(traceback.format_exc()))
        except OSError:
            pass
    finally:
        conn.close()
        hints.close()


def use_child(inputs: Sequence[Input], library: Path | None) -> bool:
    """A child process for a large import into a library file, on more than one core
    (``REFMANAGER_PARSE_PROCESS`` = 1 or 0 decides instead, for tests and measurements)."""
    if library is None:
        return False
    flag = os.environ.get("REFMANAGER_PARSE_PROCESS")
    if flag in ("0", "1"):
        return flag == "1"
    if (os.cpu_count() or 1) < 2:
        return False
    return sum(input_size(src) for _, src in inputs) >= PARALLEL_MIN_CHARS


@contextmanager
def messages(
    inputs: Sequence[Input],
    library: Path | None,
    known: Callable[[str], bool] | None,
    cancelled: Callable[[], bool] | None = None,
) -> Iterator[Iterator[Message]]:
    """The messages of an import, from a child process when it is worth one."""
    if not use_child(inputs, library):
        # Everything parsed before anything is written: the parser sees the
        # library as it was, as the child does.
        yield iter(list(produce(inputs, known)))
        return
    # fork: quick, and the child needs nothing but this module.  Not from a
    # process running threads (a lock held by one would stay held in the child).
    method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    recv, send = ctx.Pipe(duplex=False)
    hints_recv, hints_send = ctx.Pipe(duplex=False)  # (the other way: the writer's queue)
    proc = ctx.Process(target=_child_main, args=(send, recv, hints_recv, hints_send, list(inputs), str(library)),
                       name="refmanager-parse")
    proc.start()
    send.close()
    hints_recv.close()
    log.info("parsing %d input(s) in process %s (%s)", len(inputs), proc.pid, method)

    # A thread takes the messages off the pipe as they come: the parser does not
    # wait while the writer is busy with something longer (indexing a chunk for
    # search).  Bounded: at most ``QUEUE_BATCHES`` batches wait in memory.
    q: queue.Queue[Message | _Done | _Failed | _Eof] = queue.Queue(maxsize=QUEUE_BATCHES)
    stop = threading.Event()

    def pump() -> None:
        behind = False
        while not stop.is_set():
            try:
                msg = recv.recv()
            except (EOFError, OSError):
                msg = _Eof()
            while True:
                try:
                    q.put(msg, timeout=0.2)
                    break
                except queue.Full:
                    if stop.is_set():
                        return
            if isinstance(msg, (_Done, _Failed, _Eof)):
                return
            now = _behind(q.qsize(), behind)
            if now != behind:
                behind = now
                try:
                    hints_send.send(behind)
                except OSError:
                    pass  # (the parser ended: nothing to tell)

    reader = threading.Thread(target=pump, name="refmanager-parse-reader", daemon=True)
    reader.start()

    def receive() -> Iterator[Message]:
        while True:
            try:
                msg = q.get(timeout=0.1)
            except queue.Empty:
                # (a large file's first entries take a few seconds: Cancel works meanwhile)
                if cancelled is not None and cancelled():
                    raise ImportCancelled("import cancelled; the library is unchanged") from None
                continue
            if isinstance(msg, _Done):
                log.debug("the parsing process is done")
                return
            if isinstance(msg, _Eof):
                proc.join(5)
                raise RefManagerError(
                    f"the parsing process ended unexpectedly (exit code {proc.exitcode}); "
                    "the library is unchanged"
                )
            if isinstance(msg, _Failed):
                raise RuntimeError("parsing failed in the child process:\n" + msg.text)
            yield msg

    try:
        yield receive()
    finally:
        stop.set()
        if proc.is_alive():
            proc.terminate()
            proc.join(2)
            if proc.is_alive():
                proc.kill()
        proc.join(10)
        reader.join(10)
        recv.close()
        hints_send.close()
