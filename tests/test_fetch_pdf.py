"""Paper → Fetch arXiv PDF (issue 19, part 3), against a local HTTP server on 127.0.0.1 that
serves a PDF the test makes, an HTML error page, a 404, a 503, a PDF cut short and a slow
answer (Cancel); the rate limit runs on a fake clock."""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from refmanager.cli import main
from refmanager.core import arxiv_api as A
from refmanager.core import arxiv_pdf as P
from refmanager.core.library import Library

from . import pdfs
from .test_arxiv_lookup import FakeClock

HTML = (b"<!DOCTYPE html><html><head><title>PDF unavailable for 2101.00002</title></head>"
        b"<body>Sorry.</body></html>")


class Arxiv(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, pdf: bytes) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.pdf = pdf
        self.requests: list[tuple[str, str, str]] = []  # (path, user agent, accept)
        self.slow_started = threading.Event()
        self.slow_cut = threading.Event()
        self.release = threading.Event()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/pdf/"


class Handler(BaseHTTPRequestHandler):
    server: Arxiv

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, code: int, body: bytes, ctype: str = "application/pdf") -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        s = self.server
        s.requests.append((self.path, self.headers.get("User-Agent", ""), self.headers.get("Accept", "")))
        if self.path in ("/pdf/2408.00118", "/pdf/2101.00001", "/pdf/hep-th/9901001"):
            self._send(200, s.pdf)
        elif self.path == "/pdf/2101.00002":
            self._send(200, HTML, "text/html; charset=utf-8")
        elif self.path == "/pdf/2101.00007":  # (no Content-Length: the end of the connection ends it)
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.end_headers()
            self.wfile.write(s.pdf)
        elif self.path == "/pdf/2101.00006":
            self._send(200, s.pdf[: len(s.pdf) // 2])
        elif self.path == "/pdf/2101.00005":
            self._send(503, b"<html>down for maintenance</html>", "text/html")
        elif self.path == "/pdf/2101.00004":  # slow: a little now, the rest never (until released)
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", str(len(s.pdf)))
            self.end_headers()
            try:
                self.wfile.write(s.pdf[:100])
                self.wfile.flush()
                s.slow_started.set()
                for _ in range(400):  # (at most 20 s)
                    if s.release.wait(0.05):
                        return
                    self.wfile.write(b" ")
                    self.wfile.flush()
            except OSError:
                s.slow_cut.set()  # (the client shut the connection)
        else:
            self._send(404, b"<html><title>Not Found</title></html>", "text/html")


@pytest.fixture(scope="module")
def pdf_bytes(tmp_path_factory, qapp) -> bytes:
    return pdfs.make_pdf(tmp_path_factory.mktemp("fetch") / "served.pdf", 2, {1: "Served by the test"}).read_bytes()


@contextmanager
def serving(server: Arxiv) -> Iterator[Arxiv]:
    """The fake arXiv answering on 127.0.0.1 while in the block (a request held back is released)."""
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        t.join(10)


@pytest.fixture
def arxiv(pdf_bytes):
    with serving(Arxiv(pdf_bytes)) as server:
        yield server


def paper(lib: Library, arxiv_id: str | None, title: str = "A Paper") -> int:
    eprint = f", eprint={{{arxiv_id}}}, archivePrefix={{arXiv}}" if arxiv_id else ""
    r = lib.import_text(f"@article{{k{len(lib.all_ids())}, title={{{title} {len(lib.all_ids())}}}, "
                        f"author={{Doe, Jo}}, year={{2021}}{eprint}}}", "seed.bib")
    return r.added_ids[0]


def fetch(lib: Library, ids: list[int], arxiv: Arxiv, clock: FakeClock | None = None, **kw):
    return P.fetch_pdfs(lib, ids, A.UrllibFetcher(timeout=10), clock or FakeClock(), base_url=arxiv.base, **kw)


# ------------------------------------------------------------------ fetched
def test_the_pdf_is_saved_beside_the_library_and_attached(lib, arxiv, pdf_bytes):
    pid = paper(lib, "2408.00118")
    report = fetch(lib, [pid], arxiv)
    (o,) = report.outcomes
    assert (o.status, o.message) == ("fetched", f"arXiv:2408.00118: attached 2408.00118.pdf ({len(pdf_bytes) // 1024:,} KB)")
    assert report.summary() == "1 fetched" and report.requests == 1
    target = lib.attachments_dir() / str(pid) / "2408.00118.pdf"
    assert target.read_bytes() == pdf_bytes and stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert [(a["name"], a["mode"], a["path"]) for a in lib.attachments(pid)] == [("2408.00118.pdf", "copy", str(target))]
    assert arxiv.requests == [("/pdf/2408.00118", A.user_agent(), "application/pdf")]
    assert sorted(p.name for p in target.parent.iterdir()) == ["2408.00118.pdf"]  # (no .part left)
    assert lib.undo() == "Attach '2408.00118.pdf' to 'A Paper 0'"
    assert lib.attachments(pid) == []


def test_an_arxiv_pdf_attached_already_is_not_fetched_again(lib, arxiv, tmp_path, pdf_bytes):
    pid = paper(lib, "2408.00118")
    fetch(lib, [pid], arxiv)
    other = paper(lib, "2101.00001")
    dropped = tmp_path / "2101.00001v2.pdf"
    dropped.write_bytes(pdf_bytes)
    lib.attach_file(other, dropped)
    report = fetch(lib, [pid, other], arxiv)
    assert [o.line() for o in report.outcomes] == [
        f"{pid:>6}  already attached arXiv:2408.00118: 2408.00118.pdf is attached already",
        f"{other:>6}  already attached arXiv:2101.00001: 2101.00001v2.pdf is attached already",
    ]
    assert len(arxiv.requests) == 1 and report.requests == 0


def test_an_old_style_id_gets_a_safe_file_name(lib, arxiv, pdf_bytes):
    pid = paper(lib, "hep-th/9901001")
    (o,) = fetch(lib, [pid], arxiv).outcomes
    assert o.status == "fetched" and o.attachment["name"] == "hep-th_9901001.pdf"
    assert arxiv.requests[0][0] == "/pdf/hep-th/9901001"


# ------------------------------------------------------------------ refused
def test_a_web_page_is_refused_with_its_title_and_the_run_goes_on(lib, arxiv):
    html, missing, good = paper(lib, "2101.00002"), paper(lib, "2101.00003"), paper(lib, "2408.00118")
    report = fetch(lib, [html, missing, good], arxiv)
    assert [(o.pid, o.status, o.message) for o in report.outcomes] == [
        (html, "failed", "arXiv:2101.00002: arXiv sent a web page, not a PDF (\u201cPDF unavailable for "
                         "2101.00002\u201d); nothing was attached"),
        (missing, "failed", "arXiv:2101.00003: arXiv has no PDF of it (HTTP 404 Not Found)"),
        (good, "fetched", report.outcomes[2].message),
    ]
    assert report.summary() == "1 fetched, 2 failed"
    assert lib.attachments(html) == lib.attachments(missing) == []
    assert not (lib.attachments_dir() / str(html)).exists()


def test_a_pdf_cut_short_and_one_too_large_are_refused(lib, arxiv):
    cut, big = paper(lib, "2101.00006"), paper(lib, "2408.00118")
    (o,) = fetch(lib, [cut], arxiv).outcomes
    assert o.message == "arXiv:2101.00006: the PDF is cut short (no end of file); nothing was attached"
    unsized = paper(lib, "2101.00007")
    report = fetch(lib, [big, unsized], arxiv, max_bytes=1000)
    assert [o.message for o in report.outcomes] == ["arXiv:2408.00118: arXiv's answer is larger than 1,000 bytes",
                                                    "arXiv:2101.00007: arXiv's answer is larger than 1,000 bytes"]
    assert report.aborted is None and lib.attachments(unsized) == []
    assert lib.attachments(cut) == lib.attachments(big) == []


def test_arxiv_down_stops_the_run(lib, arxiv):
    down, rest = paper(lib, "2101.00005"), paper(lib, "2408.00118")
    report = fetch(lib, [down, rest], arxiv)
    assert report.aborted == "arXiv answered HTTP 503 Service Unavailable"
    assert report.not_attempted == [rest] and report.summary() == "0 fetched, 1 failed, 1 not fetched"


def test_a_paper_without_an_arxiv_id_is_not_asked_for(lib, arxiv):
    pid = paper(lib, None)
    (o,) = fetch(lib, [pid], arxiv).outcomes
    assert (o.status, o.message) == ("no arXiv id", "the paper has no arXiv id (Find on arXiv may find it)")
    assert arxiv.requests == []


def test_the_network_switch_still_guards_every_other_host(lib, monkeypatch):
    monkeypatch.setenv(A.NO_NETWORK_ENV, "1")
    pid = paper(lib, "2408.00118")
    report = P.fetch_pdfs(lib, [pid], A.UrllibFetcher(), FakeClock(), base_url="http://arxiv.invalid/pdf/")
    assert report.aborted == "network access is switched off (REFMANAGER_NO_NETWORK is set)"


# ------------------------------------------------------- cancel, rate limit
def test_cancel_cuts_a_slow_download_off_and_keeps_nothing(lib, arxiv):
    slow, after = paper(lib, "2101.00004"), paper(lib, "2408.00118")
    report = fetch(lib, [slow, after], arxiv, cancelled=arxiv.slow_started.is_set)
    assert report.cancelled and report.outcomes == [] and report.not_attempted == [slow, after]
    assert report.summary() == "0 fetched, 2 not fetched (cancelled)"
    assert arxiv.slow_cut.wait(15), "the slow download was not cut off"
    assert lib.attachments(slow) == [] and not (lib.attachments_dir() / str(slow)).exists()


def test_one_request_every_three_seconds(lib, arxiv):
    ids = [paper(lib, "2408.00118"), paper(lib, "2101.00001"), paper(lib, "2101.00003")]
    clock = FakeClock()
    report = fetch(lib, ids, arxiv, clock)
    assert report.requests == 3 and clock.sleeps == [3.0, 3.0]  # (time stands still: each waits it all)
    progress: list[tuple[int, int]] = []
    clock.t += 1.0
    fetch(lib, [paper(lib, "hep-th/9901001")], arxiv, clock, progress=lambda d, t: progress.append((d, t)))
    assert clock.sleeps == [3.0, 3.0, 2.0] and progress == [(1, 1)]  # (the limit holds across runs)


# ------------------------------------------------------------------- pieces
def test_what_is_a_pdf():
    assert P.check_pdf(b"%PDF-1.4\n...\n%%EOF\n") is None
    assert P.check_pdf(b"\xef\xbb\xbf%PDF-1.7 x %%EOF") is None  # (bytes before the header)
    assert P.check_pdf(b"%PDF-1.4\n... cut") == "the PDF is cut short (no end of file)"
    assert P.check_pdf(b"") == "arXiv sent an empty answer"
    assert P.check_pdf(b"\x89PNG\r\n") == "what came back is not a PDF"
    assert P.check_pdf(b"  <html><body>no title</body></html>") == "arXiv sent a web page, not a PDF"


def test_names_and_urls():
    assert P.safe_name("2408.00118v2") == "2408.00118.pdf"
    assert P.safe_name("hep-th/9901001") == "hep-th_9901001.pdf"
    assert P.pdf_url("hep-th/9901001") == "https://arxiv.org/pdf/hep-th/9901001"
    assert P.pdf_url("2408.00118", "http://127.0.0.1:8/x") == "http://127.0.0.1:8/x/2408.00118"
    assert P.is_arxiv_pdf_of("2408.00118v2 (2).pdf", "2408.00118")
    assert P.is_arxiv_pdf_of("hep-th_9901001.pdf", "hep-th/9901001")
    assert not P.is_arxiv_pdf_of("2408.00119.pdf", "2408.00118")
    assert not P.is_arxiv_pdf_of("2408.00118.txt", "2408.00118")


# ------------------------------------------------------------ command line
def test_cli_fetch_pdf(tmp_path, arxiv, monkeypatch, capsys):
    monkeypatch.setattr(P, "PDF_URL", arxiv.base)
    monkeypatch.setattr(A, "default_clock", FakeClock)
    library = tmp_path / "cli.db"
    with Library(library) as lib:
        good, bad = paper(lib, "2408.00118"), paper(lib, "2101.00003")
    code = main(["--library", str(library), "fetch-pdf", str(good), str(bad)])
    out, err = capsys.readouterr()
    assert code == 1 and err == ""
    assert out.splitlines()[1:] == [f"{bad:>6}  failed           arXiv:2101.00003: arXiv has no PDF of it (HTTP 404 Not Found)",
                                    "Total: 1 fetched, 1 failed"]
    code = main(["--library", str(library), "fetch-pdf", str(good), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["summary"] == "0 fetched, 1 already attached"
    assert data["outcomes"][0]["status"] == "already attached"
    assert main(["--library", str(library), "fetch-pdf", "99"]) == 1
    assert capsys.readouterr().err == "refmanager: no paper with id 99\n"
    with Library(library) as lib:
        assert [a["name"] for a in lib.attachments(good)] == ["2408.00118.pdf"]
        assert Path(lib.attachments(good)[0]["path"]).is_file()
