"""The PDF reader process (``extract.main``) as the index run sees it: one file at a time,
with a bound on each file's time and memory.

Why a process of its own, and not the index run's: a PDF that makes PDFium crash, hang or
grow takes only this process with it (the file fails with a message; the run goes on with a
new one), and ``getAllText``'s small leak is cleared by ending it every ``RECYCLE_FILES``
files.  While it reads, the run waits in short steps and kills it when the file takes longer
than ``FILE_SECONDS``, when it holds more than ``MAX_RSS_BYTES`` of memory, or when the run
is cancelled (``Cancelled``: that file is not written).  No Qt is imported here.
"""

from __future__ import annotations

import json
import logging
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Self

from .extract import Failed, Result, from_wire

log = logging.getLogger(__name__)

#: A file may take this long (s) before its reader is killed (the reader itself stops at
#: ``SOFT_SHARE`` of it and keeps the pages read).
FILE_SECONDS = 120.0
SOFT_SHARE = 0.75
#: The reader's resident memory may grow to this before it is killed.
MAX_RSS_BYTES = 1536 * 1024 * 1024
#: A new reader after this many files (``getAllText`` leaks on pages without text).
RECYCLE_FILES = 25
#: Longest answer read from the reader (``extract.MAX_CHARS`` of text, as JSON).
MAX_REPLY_BYTES = 96 * 1024 * 1024
#: How often (s) the wait looks at the clock, the memory and the cancel flag.
STEP = 0.1


class Cancelled(Exception):
    """The run was cancelled while a file was being read (nothing of it is written)."""


def _rss(pid: int) -> int:
    """Resident memory of a process (Linux; 0 where unknown)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class PdfReader:
    """Reads PDFs in a worker process, started when first needed and ended every
    ``recycle`` files, after any failure that may have left it in doubt, and by ``close``."""

    def __init__(self, *, seconds: float = FILE_SECONDS, max_rss: int = MAX_RSS_BYTES,
                 recycle: int = RECYCLE_FILES, cancelled: Callable[[], bool] | None = None,
                 command: list[str] | None = None) -> None:
        #: the reader's command line (``extract.main``; tests give a reader that hangs or crashes)
        self.command = command or [sys.executable, "-m", "refmanager.pdf.extract", str(os.getpid())]
        self.seconds = seconds
        self.max_rss = max_rss
        self.recycle = recycle
        self.cancelled = cancelled or (lambda: False)
        self.proc: subprocess.Popen[bytes] | None = None
        self._files = 0
        #: readers started so far (tests look at the recycling)
        self.started = 0

    #: the reader's answer as a result (``metadata.MetadataReader``: another reader, another answer)
    decode = staticmethod(from_wire)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> subprocess.Popen[bytes]:
        self.proc = subprocess.Popen(
            self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        self._files = 0
        self.started += 1
        return self.proc

    def close(self) -> None:
        """End the reader (it ends by itself when its input closes; killed if it does not)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            self._kill(proc)
        finally:
            if proc.stdout:
                proc.stdout.close()

    @staticmethod
    def _kill(proc: subprocess.Popen[bytes]) -> None:
        try:
            proc.kill()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired) as e:
            log.warning("the PDF reader %d did not end: %s", proc.pid, e)

    def _abandon(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            self._kill(proc)
            for stream in (proc.stdin, proc.stdout):
                try:
                    if stream:
                        stream.close()
                except OSError:
                    pass

    def read(self, path: str | os.PathLike[str]) -> Result:
        """The file's text (``extract.Extracted``) or why not (``extract.Failed``); raises
        ``Cancelled`` when the run is cancelled meanwhile."""
        if self.proc is not None and (self._files >= self.recycle or self.proc.poll() is not None):
            self.close()
        try:
            proc = self.proc or self._start()
        except OSError as e:
            return Failed(f"the PDF reader could not start ({e.strerror or e})")
        self._files += 1
        request = {"path": os.fspath(path), "seconds": self.seconds * SOFT_SHARE}
        try:
            assert proc.stdin is not None
            proc.stdin.write((json.dumps(request) + "\n").encode("utf-8", "replace"))
            proc.stdin.flush()
        except OSError:
            self._abandon()
            return Failed("the PDF reader could not start")
        try:
            line = self._answer(proc, Path(path).name)
        except Cancelled:
            self._abandon()
            raise
        if isinstance(line, Failed):
            self._abandon()
            return line
        try:
            return self.decode(json.loads(line))
        except ValueError:
            self._abandon()
            return Failed("the PDF reader gave no answer")

    def _answer(self, proc: subprocess.Popen[bytes], name: str) -> bytes | Failed:
        """The reader's next line, waited for in steps (clock, memory, cancel)."""
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        buf = bytearray()
        deadline = time.monotonic() + self.seconds
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while True:
                if self.cancelled():
                    raise Cancelled
                if sel.select(STEP):
                    chunk = os.read(fd, 1 << 20)
                    if not chunk:
                        code = proc.wait()
                        why = f"signal {-code}" if code < 0 else f"exit {code}"
                        log.warning("the PDF reader ended on %s (%s)", name, why)
                        return Failed(f"the PDF reader crashed on this file ({why})")
                    buf += chunk
                    end = buf.find(b"\n")
                    if end >= 0:
                        return bytes(buf[:end])
                    if len(buf) > MAX_REPLY_BYTES:
                        return Failed("too much text to index")
                if time.monotonic() > deadline:
                    log.warning("%s: reading took over %g s: the reader is stopped", name, self.seconds)
                    return Failed(f"took too long to read (over {self.seconds:g} s)")
                if self.max_rss and _rss(proc.pid) > self.max_rss:
                    log.warning("%s: the reader grew over %d MB: stopped", name, self.max_rss >> 20)
                    return Failed(f"needs too much memory to read (over {self.max_rss >> 20} MB)")

