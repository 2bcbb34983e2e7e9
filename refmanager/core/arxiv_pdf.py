"""Paper → Fetch PDF: download a paper's PDF from arXiv, keep it beside the library, attach it.

Through the lookup's client (``arxiv_api.ArxivClient``: the same fetcher, the same rate
limit of one request every 3 seconds per clock, so a lookup and a fetch running one after
the other share it), never cached.  ``PDF_URL`` is where arXiv serves PDFs
(``https://arxiv.org/pdf/<id>``: the newest version); tests point it at a local server.

What comes back must be a PDF: ``%PDF-`` in its first KB and ``%%EOF`` in its last 8 KB
(a download cut short is refused), at most ``MAX_PDF_BYTES``.  A web page (arXiv's "PDF
unavailable" page, a captive portal) is refused with its title in the message.  The file
is written as ``<library>.files/<paper id>/<id>.pdf`` (``safe_name``: the id without its
version, ``/`` of an old-style id made ``_``; 0600 in a 0700 folder, through a ``.part``
file, never over another file) and attached as a copy: one undoable action per paper.  A
paper that already has its arXiv PDF attached (a file named by its id, any version: also one
dropped as ``2408.00118v2.pdf``) is not fetched again.

Cancel is asked between papers and every ``POLL`` seconds of a download: the download runs
in a helper thread, and a cancelled one is cut off (its socket shut down) and left to end by
itself; nothing of it is written.  A failure that concerns one paper (404, not a PDF) is
reported for it and the next is fetched; one that will recur (offline, arXiv down) stops
the run, as a lookup does.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import arxiv_api
from .arxiv_api import ArxivClient, Clock, LookupFailed
from .arxivid import normalise
from .errors import RefManagerError

if TYPE_CHECKING:
    from .library import Library

log = logging.getLogger(__name__)

#: Where arXiv serves a paper's PDF (read when a run starts: tests point it at 127.0.0.1).
PDF_URL = "https://arxiv.org/pdf/"
#: Largest PDF fetched (arXiv's own limit for a submission is 50 MB).
MAX_PDF_BYTES = 100 * 2**20
#: How often (s) a download looks at the Cancel flag.
POLL = 0.1
#: HTTP answers that concern this paper only (the run goes on with the next).
_PAPER_CODES = frozenset({400, 403, 404, 410})

FETCHED = "fetched"
ALREADY = "already attached"
NO_ID = "no arXiv id"
FAILED = "failed"

_HTML_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


class DownloadCancelled(RefManagerError):
    """The run was cancelled while a PDF was being downloaded (nothing of it is kept)."""


@dataclass
class FetchOutcome:
    """What Fetch PDF did for one paper."""

    pid: int
    status: str
    message: str = ""
    arxiv_id: str | None = None
    #: the attachment made (``Attachments.attach``'s dict) when fetched
    attachment: dict[str, Any] | None = None

    def line(self) -> str:
        return f"{self.pid:>6}  {self.status:<16} {self.message}".rstrip()

    def to_json(self) -> dict[str, Any]:
        return {"paper": self.pid, "status": self.status, "message": self.message, "arxiv_id": self.arxiv_id,
                "attachment": self.attachment}


@dataclass
class FetchReport:
    outcomes: list[FetchOutcome] = field(default_factory=list)
    requests: int = 0
    #: why the run stopped early (offline, arXiv down...)
    aborted: str | None = None
    cancelled: bool = False
    not_attempted: list[int] = field(default_factory=list)

    def with_status(self, status: str) -> list[FetchOutcome]:
        return [o for o in self.outcomes if o.status == status]

    def summary(self) -> str:
        parts = [f"{len(self.with_status(FETCHED))} fetched"]
        for status in (ALREADY, NO_ID, FAILED):
            if n := len(self.with_status(status)):
                parts.append(f"{n} {status}")
        if self.not_attempted:
            parts.append(f"{len(self.not_attempted)} not fetched")
        s = ", ".join(parts)
        return s + (" (cancelled)" if self.cancelled else "")

    def to_json(self) -> dict[str, Any]:
        return {"outcomes": [o.to_json() for o in self.outcomes], "requests": self.requests,
                "aborted": self.aborted, "cancelled": self.cancelled, "not_attempted": self.not_attempted,
                "summary": self.summary()}


def safe_name(arxiv_id: str) -> str:
    """The file name of a paper's arXiv PDF: ``2408.00118.pdf``, ``hep-th_9901001.pdf``."""
    aid = normalise(arxiv_id) or arxiv_id
    return re.sub(r"[^A-Za-z0-9.\-]", "_", aid) + ".pdf"


def pdf_url(arxiv_id: str, base: str | None = None) -> str:
    return (base or PDF_URL).rstrip("/") + "/" + urllib.parse.quote(arxiv_id, safe="/.-")


def is_arxiv_pdf_of(name: str, arxiv_id: str) -> bool:
    """Whether an attachment's file name names this arXiv id (any version, ``(2)`` copies)."""
    stem = re.sub(r"\s*\(\d+\)$", "", Path(name).stem) if name.lower().endswith(".pdf") else ""
    return bool(stem) and normalise(stem.replace("_", "/")) == arxiv_id


def check_pdf(data: bytes, max_bytes: int = MAX_PDF_BYTES) -> str | None:
    """Why these bytes are not a PDF to keep (None: they are)."""
    if len(data) > max_bytes:
        return f"larger than {max_bytes // 2**20} MB"
    if b"%PDF-" in data[:1024]:
        return None if b"%%EOF" in data[-8192:] else "the PDF is cut short (no end of file)"
    head = data[:4096].lstrip()
    if head[:1] == b"<" or b"<html" in head.lower():
        m = _HTML_TITLE.search(head)
        title = " ".join(m.group(1).decode("utf-8", "replace").split())[:80] if m else ""
        return "arXiv sent a web page, not a PDF" + (f" (\u201c{title}\u201d)" if title else "")
    return "what came back is not a PDF" if data else "arXiv sent an empty answer"


def attached_pdf(lib: Library, pid: int, arxiv_id: str) -> dict[str, Any] | None:
    """The paper's attached arXiv PDF that is still on disk, if any."""
    for a in lib.attachments(pid):
        if a["exists"] and is_arxiv_pdf_of(a["name"], arxiv_id):
            return a
    return None


def _shut(resp: Any) -> None:
    """Cut a download off from another thread (its blocked read returns at once)."""
    try:
        s = socket.fromfd(resp.fileno(), socket.AF_INET, socket.SOCK_STREAM)
    except (OSError, ValueError, AttributeError):
        return
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        s.close()  # (a duplicate of the descriptor: the response still owns its own)


def download(client: ArxivClient, url: str, *, max_bytes: int = MAX_PDF_BYTES,
             cancelled: Callable[[], bool] = lambda: False) -> bytes:
    """GET ``url`` through the client's rate limit and fetcher; ``DownloadCancelled`` as soon
    as ``cancelled()`` says so (the helper thread is cut off and ends by itself)."""
    client.limiter.wait()
    if cancelled():
        raise DownloadCancelled("cancelled")
    client.requests += 1
    log.info("GET %s", url)
    box: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            box["data"] = client.fetcher.fetch_bytes(  # type: ignore[attr-defined]
                url, accept="application/pdf", max_bytes=max_bytes, chunk=1 << 16,
                on_open=lambda resp: box.__setitem__("resp", resp))[0]
        except BaseException as e:  # (handed to the waiting thread)
            box["error"] = e
        finally:
            done.set()

    threading.Thread(target=run, name="arxiv-pdf-download", daemon=True).start()
    while not done.wait(POLL):
        if cancelled():
            if "resp" in box:
                _shut(box["resp"])
            raise DownloadCancelled("cancelled")
    if "error" in box:
        e = box["error"]
        if isinstance(e, LookupFailed):
            raise e
        raise LookupFailed(f"cannot reach arXiv ({e})") from None
    return box["data"]


def _free_target(folder: Path, name: str, data: bytes) -> tuple[Path, bool]:
    """Where to write ``data`` as ``name`` (or ``name (2).pdf`` ...): (path, already there)."""
    stem, suffix = os.path.splitext(name)
    for n in range(1, 1000):
        target = folder / (name if n == 1 else f"{stem} ({n}){suffix}")
        if not target.exists():
            return target, False
        try:
            if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
                return target, True
        except OSError:
            pass
    raise RefManagerError(f"{folder}: too many files named {name}")


def save_and_attach(lib: Library, pid: int, arxiv_id: str, data: bytes) -> dict[str, Any]:
    """Write the PDF into the paper's folder of the library's files and attach it (undoable)."""
    root = lib.attachments_dir()
    if root is None:
        raise RefManagerError("an in-memory library cannot keep files")
    folder = root / str(pid)
    made: Path | None = None
    try:
        for d in (root, folder):
            d.mkdir(mode=0o700, exist_ok=True)
        target, there = _free_target(folder, safe_name(arxiv_id), data)
        if not there:
            tmp = folder / f".{target.name}.part"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.replace(tmp, target)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            made = target
    except OSError as e:
        raise RefManagerError(f"cannot save the PDF into {folder}: {e.strerror or e}") from None
    try:
        return lib.attach_file(pid, target, "copy")  # (the file is in place: attach keeps it there)
    except BaseException:
        if made is not None:
            made.unlink(missing_ok=True)
        raise


def _fetch_one(lib: Library, client: ArxivClient, pid: int, base: str | None, max_bytes: int,
               cancelled: Callable[[], bool]) -> FetchOutcome:
    p = lib.get(pid)
    if p is None:
        return FetchOutcome(pid, FAILED, f"no paper with id {pid}")
    if not p.arxiv_id:
        return FetchOutcome(pid, NO_ID, "the paper has no arXiv id (Find on arXiv may find it)")
    aid = p.arxiv_id
    have = attached_pdf(lib, pid, aid)
    if have is not None:
        return FetchOutcome(pid, ALREADY, f"arXiv:{aid}: {have['name']} is attached already", aid)
    try:
        data = download(client, pdf_url(aid, base), max_bytes=max_bytes, cancelled=cancelled)
    except LookupFailed as e:
        if e.code in _PAPER_CODES:
            why = f"arXiv has no PDF of it ({e.message.removeprefix('arXiv answered ')})"
            return FetchOutcome(pid, FAILED, f"arXiv:{aid}: {why}", aid)
        if not e.fatal:
            return FetchOutcome(pid, FAILED, f"arXiv:{aid}: {e.message}", aid)
        raise
    why = check_pdf(data, max_bytes)
    if why is not None:
        return FetchOutcome(pid, FAILED, f"arXiv:{aid}: {why}; nothing was attached", aid)
    a = save_and_attach(lib, pid, aid, data)
    return FetchOutcome(pid, FETCHED, f"arXiv:{aid}: attached {a['name']} ({len(data) // 1024:,} KB)", aid, a)


def fetch_pdfs(
    lib: Library,
    ids: Sequence[int],
    fetcher: arxiv_api.Fetcher,
    clock: Clock,
    *,
    base_url: str | None = None,
    max_bytes: int = MAX_PDF_BYTES,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> FetchReport:
    """Fetch and attach the arXiv PDF of each paper, one undoable action per paper."""
    client = ArxivClient(lib, fetcher, clock)
    stop = cancelled or (lambda: False)
    report = FetchReport()
    # (saving or attaching failed: this paper only)
    arxiv_api.run_each(ids, lambda pid: _fetch_one(lib, client, pid, base_url, max_bytes, stop), report,
                       lambda pid, why: FetchOutcome(pid, FAILED, why), progress=progress, cancelled=stop,
                       cancel_errors=(DownloadCancelled,), paper_errors=(RefManagerError,))
    report.requests = client.requests
    log.info("fetch PDF: %s", report.summary())
    return report
