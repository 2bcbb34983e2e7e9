"""The full-text index at scale (issue 19): indexing N PDFs of P pages, the window's longest
stall while it runs, and full-text searches at that size.

    .venv/bin/python -m bench.pdf_bench [--pdfs 1000] [--pages 10] [--out DIR]

Every phase runs in a fresh child process (as ``bench/run.py`` does), so that each one's
peak RSS and CPU time are its own:

* ``make``     N PDFs of P A4 pages with QPdfWriter, deterministic (seed): a title, author
               and affiliation lines, an abstract, numbered sections of paragraphs whose words
               follow a Zipf law over ~30,000 words (a long tail of made-up technical words),
               a few words hyphenated across line ends, page numbers, references on the last
               page; and rare *marker* words put on known pages of known papers, so searches
               have known answers.  Cached in ``DIR/data/pdfs-N/`` (``manifest.json`` is
               written last: a folder with it is complete and is not made again).
* ``library``  a library with the N papers (``Library.import_paths`` of a generated refmanager
               JSON listing) and each one's PDF attached (``attach_file(..., mode="link")``),
               in ``DIR/work/pdfs-N/template.db``; each timed phase below gets a copy.
* ``index``    ``run_index(lib)``, as ``refmanager fulltext reindex`` runs it (in this process;
               each PDF read in the reader process): wall and CPU time (this process and the
               readers), papers and pages per second, peak RSS of this process and of the
               largest reader, and where the time goes (waiting for the reader, writing).
* ``search``   on the indexed library: ``fulltext:<marker>`` (known hits, checked), a common word
               with "Search full text too" (``View(fulltext=True)``), a two-letter prefix; the
               first page of 100 and the count (median of 5), and ``fulltext_hits`` for the
               papers of that page.
* ``gui``      the real window (``create_window``, offscreen) on a fresh copy with the
               background index on (``REFMANAGER_NO_BACKGROUND_INDEX`` removed), "Search full
               text too" on: it starts the index run by itself.  A 10 ms timer on the UI thread
               records the gaps between its fires during the whole run (a stall is a gap less
               10 ms); every second a key is typed in the search box and its time to the table
               repainted is taken (as ``gui_bench``: debounce included).

Results: a table on stdout and ``DIR/pdf-results.json`` (also ``pdf-results-pdfs-N.json``), with
the machine (cores, load average at the start and the end, the CPU other programs used during
each phase).
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from .generate import ABS_WORDS, ADJECTIVES, FIRST_NAMES, NOUNS, SURNAMES
from .run import machine, pct, peak_rss_mb

log = logging.getLogger("bench.pdf")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
SEED = 19
#: Version of what ``make`` writes (a change makes the PDFs again).
DATA_VERSION = 1
#: Marker words and how many papers have each (an int: that many; a float: that share of N).
MARKERS: tuple[tuple[str, int | float], ...] = (
    ("quokka", 1), ("axolotl", 3), ("pangolin", 10), ("narwhal", 0.01), ("okapi", 0.05), ("tardigrade", 0.10),
)
#: The marker searched with ``fulltext:`` in the search phase (rare, known hits).
RARE_MARKER = "pangolin"
#: A common word (in nearly every PDF) and a two-letter prefix, for the toggle.
COMMON_WORD = "model"
PREFIX = "mo"
#: Words typed in the search box during the GUI run, a key a second.
TYPED = ("model", "okapi", "learning", "pangolin", "network", "robust")
TICK_MS = 10

FUNCTION_WORDS = (
    "the of and to in a is that for we with as on by this are be from an which it at not or can our these "
    "their than has have also more such its each two one when all but however both between into using used "
    "based where only other while over most first new been may show shown thus then there here they them "
    "would could should under without within across after before because since through per via very much "
    "many some any same different given several further well"
).split()
DOMAIN_WORDS = (
    "model models learning data network networks training performance task tasks results method methods "
    "approach paper work propose proposed set function value values problem problems information time "
    "number state states input output case cases example examples figure table section algorithm "
    "algorithms process error test distribution space system systems image images text word words "
    "feature features parameter parameters sample samples loss weights classification prediction "
    "predictions observation observations study effect effects experiment experiments setting settings"
).split()
SECTIONS = ("Introduction", "Related Work", "Background", "Method", "Experimental Setup", "Results", "Analysis",
            "Discussion", "Limitations", "Conclusion")
AFFILIATIONS = ("Department of Computer Science, University of {}", "{} Institute of Technology",
                "School of Informatics, University of {}", "{} Research Laboratory")
PLACES = "Edinburgh Toronto Zurich Lausanne Amsterdam Montreal Kyoto Seoul Oxford Cambridge Helsinki Lisbon".split()
ONSETS = "b c d f g h k l m n p r s t v w z br cl cr dr fl gr pl pr sc sp st str tr ch sh th ph".split()
VOWELS = "a e i o u ae ia io ou ei".split()
CODAS = ["", "", "", "n", "r", "s", "l", "m", "t", "x", "nd", "st", "rt"]
SUFFIXES = ["", "", "", "ation", "ity", "ic", "al", "ive", "ism", "ence", "ous", "ing", "ed", "s", "er", "ology"]


# ------------------------------------------------------------------ utilities
def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 2)


def _cpu_times() -> tuple[float, float]:
    """Busy and total CPU seconds of the whole machine so far (``/proc/stat``)."""
    try:
        vals = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    hz = os.sysconf("SC_CLK_TCK")
    total = sum(vals[:8])
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
    return (total - idle) / hz, total / hz


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _self_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _hwm_mb(pid: int) -> float:
    """Peak RSS of a running process (``VmHWM``; 0 where unknown).  (Not ``RUSAGE_CHILDREN``'s
    ``ru_maxrss``: on Linux a child started by fork and exec keeps its parent's peak from before
    the exec, so a child of the 116 MB window would say 116 MB.)"""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except (OSError, ValueError):
        pass
    return 0.0


def _child_pids(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []


def run_child(phase: str, args: dict[str, Any]) -> dict[str, Any]:
    """One phase in a fresh interpreter (its log on our stderr); its last stdout line is JSON.
    Adds the phase's wall time, the CPU of its process tree, and what the rest of the machine
    used meanwhile (busy cores less ours)."""
    cmd = [sys.executable, "-m", "bench.pdf_bench", "--child", phase, "--child-args", json.dumps(args)]
    busy0, _ = _cpu_times()
    k0 = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    wall = time.perf_counter() - t0
    ours = _children_cpu() - k0
    busy1, _ = _cpu_times()
    if proc.returncode != 0:
        raise SystemExit(f"phase {phase} failed ({proc.returncode})")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["phase_wall_s"] = round(wall, 2)
    res["phase_cpu_s"] = round(ours, 2)
    res["others_cpu_cores"] = round(max(0.0, (busy1 - busy0) - ours) / wall, 2) if wall > 0 else None
    return res


def copy_library(src: Path, dst: Path) -> Path:
    """A fresh copy of a closed (checkpointed) library."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    shutil.rmtree(Path(str(dst) + ".backups"), ignore_errors=True)
    shutil.copyfile(src, dst)
    return dst


def marker_counts(n: int) -> dict[str, int]:
    return {w: min(n, c if isinstance(c, int) else max(1, round(c * n))) for w, c in MARKERS}


# --------------------------------------------------------------- the text
class Vocabulary:
    """~30,000 words in rank order with Zipf weights (rank ** -1.05, Mandelbrot's shift):
    function words, then the common words of papers, then a long tail of made-up words."""

    def __init__(self, seed: int, size: int = 30_000) -> None:
        rng = random.Random(f"{seed}:vocabulary")
        words: list[str] = []
        seen: set[str] = set()
        extra = [w.lower() for w in (*ABS_WORDS, *ADJECTIVES, *NOUNS) if w.isalpha()]
        markers = [m for m, _ in MARKERS]
        for w in (*FUNCTION_WORDS, *DOMAIN_WORDS, *extra):
            if w not in seen:
                seen.add(w)
                words.append(w)
        while len(words) < size:
            w = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)
                        for _ in range(rng.randint(2, 3))) + rng.choice(SUFFIXES)
            if w not in seen and 4 <= len(w) <= 16 and not any(w.startswith(m) for m in markers):
                seen.add(w)
                words.append(w)
        assert not any(w.startswith(m) for w in words for m in markers)
        self.words = words
        self.cum = list(itertools.accumulate(1.0 / (r + 2.7) ** 1.05 for r in range(1, len(words) + 1)))

    def sample(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum, k=k)


def sentence(vocab: Vocabulary, rng: random.Random) -> str:
    words = vocab.sample(rng, rng.randint(8, 28))
    for i in range(2, len(words) - 1):
        r = rng.random()
        if r < 0.06:
            words[i] += ","
        elif r < 0.075:
            words[i] = f"{rng.randint(1, 99)}.{rng.randint(0, 9)}%"
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def paragraph(vocab: Vocabulary, rng: random.Random, lo: int = 3, hi: int = 7) -> str:
    return " ".join(sentence(vocab, rng) for _ in range(rng.randint(lo, hi)))


def paper_record(i: int, vocab: Vocabulary, seed: int) -> dict[str, Any]:
    """Paper ``i``'s record (the PDF shows the same title, authors and abstract)."""
    rng = random.Random(f"{seed}:record:{i}")
    title_words = [w for w in vocab.sample(rng, 40) if w not in FUNCTION_WORDS][: rng.randint(5, 10)]
    title = " ".join(w if w in ("for", "of", "with") else w.capitalize() for w in title_words)
    authors = [f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}" for _ in range(rng.randint(2, 7))]
    return {
        "title": title,
        "authors": authors,
        "abstract": paragraph(vocab, rng, 5, 8),
        "date": f"{rng.randint(2012, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "doi": f"10.5555/rmbench.{i:06d}",
    }


# --------------------------------------------------------------- the PDFs
class PdfMaker:
    """Lays out and draws the PDFs (needs a QGuiApplication)."""

    def __init__(self) -> None:
        from PySide6.QtGui import QFont

        def font(size: float, bold: bool = False, italic: bool = False) -> QFont:
            f = QFont("DejaVu Serif")
            f.setPointSizeF(size)
            f.setBold(bold)
            f.setItalic(italic)
            return f

        # style -> (font, line height in points, characters per line)
        self.fonts = {"title": font(15, bold=True), "authors": font(11), "affil": font(9.5, italic=True),
                      "heading": font(11, bold=True), "body": font(10), "refs": font(8.5), "footer": font(9)}
        self.width, self.height, self.margin = 595.0, 842.0, 72.0
        self.metrics: dict[str, tuple[float, int]] = {}

    def _measure(self, writer: Any) -> None:
        from PySide6.QtGui import QFontMetricsF

        sample = "the model of learning data, network 12.5% performance task results method approach"
        for style, f in self.fonts.items():
            fm = QFontMetricsF(f, writer)
            per_char = fm.horizontalAdvance(sample) / len(sample)
            self.metrics[style] = (fm.lineSpacing() * (1.15 if style == "body" else 1.1),
                                   int((self.width - 2 * self.margin) / per_char * 0.93))

    def wrap(self, text: str, chars: int, rng: random.Random) -> list[str]:
        """Greedy wrap to ``chars``; a long lower-case word at a line end is now and then hyphenated."""
        lines: list[str] = []
        cur = ""
        for w in text.split():
            if not cur:
                cur = w
            elif len(cur) + 1 + len(w) <= chars:
                cur += " " + w
            else:
                room = chars - len(cur) - 2
                if len(w) >= 9 and w.isalpha() and w.islower() and room >= 4 and rng.random() < 0.3:
                    k = rng.randint(3, min(room, len(w) - 3))
                    lines.append(f"{cur} {w[:k]}-")
                    cur = w[k:]
                else:
                    lines.append(cur)
                    cur = w
        if cur:
            lines.append(cur)
        return lines

    def layout(self, rec: dict[str, Any], pages: int, vocab: Vocabulary, rng: random.Random
               ) -> list[list[tuple[str, float, str]]]:
        """The pages, each a list of (style, y, text) lines."""
        out: list[list[tuple[str, float, str]]] = [[]]
        top, bottom = self.margin, self.height - self.margin
        y = [top]
        refs = [False]

        def put(style: str, text: str, gap_before: float = 0.0) -> bool:
            """Place a block; False once the last page is full."""
            height, chars = self.metrics[style]
            y[0] += gap_before
            for line in self.wrap(text, chars, rng):
                if y[0] + height > bottom:
                    if len(out) == pages:
                        return False
                    out.append([])
                    y[0] = top
                y[0] += height
                out[-1].append((style, y[0], line))
            return True

        put("title", rec["title"])
        put("authors", ", ".join(rec["authors"]), 8)
        put("affil", rng.choice(AFFILIATIONS).format(rng.choice(PLACES)), 2)
        put("heading", "Abstract", 14)
        put("body", rec["abstract"], 2)
        sections = iter(enumerate(SECTIONS, 1))
        while True:
            if not refs[0] and len(out) == pages and y[0] > top + 0.35 * (bottom - top):
                refs[0] = True
                if not put("heading", "References", 12):
                    break
            if refs[0]:
                ref = (f"[{rng.randint(1, 60)}] {rng.choice(FIRST_NAMES)[0]}. {rng.choice(SURNAMES)} and "
                       f"{rng.choice(FIRST_NAMES)[0]}. {rng.choice(SURNAMES)}. "
                       f"{' '.join(vocab.sample(rng, rng.randint(5, 10))).capitalize()}. "
                       f"In Proceedings of {rng.choice(('ICML', 'NeurIPS', 'ACL', 'ICLR', 'CVPR'))}, "
                       f"{rng.randint(2010, 2025)}.")
                if not put("refs", ref, 3):
                    break
                continue
            if rng.random() < 0.12:
                n, name = next(sections, (None, None))
                if n is not None and not put("heading", f"{n} {name}", 10):
                    break
            if not put("body", paragraph(vocab, rng), 5):
                break
        return out

    @staticmethod
    def place_marker(page: list[tuple[str, float, str]], word: str, rng: random.Random) -> None:
        """``word`` in place of a word inside a body line of the page (never the last word,
        which may be hyphenated; the punctuation kept)."""
        lines = [k for k, (style, _y, text) in enumerate(page) if style == "body" and len(text.split()) >= 5]
        k = rng.choice(lines)
        style, y, text = page[k]
        words = text.split()
        j = rng.randint(1, len(words) - 2)
        tail = words[j][-1] if words[j][-1] in ".,%" else ""
        words[j] = word + ("" if tail == "%" else tail)
        page[k] = (style, y, " ".join(words))

    def draw(self, path: Path, rec: dict[str, Any], pages: list[list[tuple[str, float, str]]]) -> None:
        from PySide6.QtCore import QMarginsF, QPointF
        from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter

        w = QPdfWriter(str(path))
        w.setResolution(72)  # (painter units = PDF points)
        w.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                    QMarginsF(0, 0, 0, 0)))
        w.setTitle(rec["title"])
        w.setAuthor(", ".join(rec["authors"]))
        w.setCreator("refmanager bench")
        p = QPainter(w)
        for n, page in enumerate(pages, 1):
            if n > 1:
                w.newPage()
            style = None
            for s, y, text in page:
                if s != style:
                    p.setFont(self.fonts[s])
                    style = s
                p.drawText(QPointF(self.margin, y), text)
            p.setFont(self.fonts["footer"])
            p.drawText(QPointF(self.width / 2 - 6, self.height - 40), str(n))
        p.end()

    def make(self, path: Path, rec: dict[str, Any], pages: int, vocab: Vocabulary, seed: int, i: int,
             markers: dict[str, list[int]]) -> None:
        if not self.metrics:
            from PySide6.QtGui import QPdfWriter

            probe = QPdfWriter(str(path))
            probe.setResolution(72)  # (as ``draw``: points)
            self._measure(probe)
        rng = random.Random(f"{seed}:pdf:{i}")
        laid = self.layout(rec, pages, vocab, rng)
        for word, on in markers.items():
            for n in on:
                self.place_marker(laid[n - 1], word, rng)
        self.draw(path, rec, laid)


def data_dir(out: Path, n: int, pages: int) -> Path:
    return out / "data" / (f"pdfs-{n}" if pages == 10 else f"pdfs-{n}-p{pages}")


def phase_make(a: dict[str, Any]) -> dict[str, Any]:
    """The PDFs, the JSON listing of their papers, and the truth (``manifest.json``, last)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([])  # (QPdfWriter draws text)
    n, pages, seed, folder = a["pdfs"], a["pages"], a["seed"], Path(a["dir"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").unlink(missing_ok=True)
    t0 = time.perf_counter()
    vocab = Vocabulary(seed)
    # which papers have each marker, on which pages (from 1): the truth the searches check
    rng = random.Random(f"{seed}:markers:{n}:{pages}")
    truth: dict[str, dict[int, list[int]]] = {}
    for word, count in marker_counts(n).items():
        truth[word] = {i: sorted(rng.sample(range(1, pages + 1), min(pages, rng.choice((1, 1, 2)))))
                       for i in sorted(rng.sample(range(1, n + 1), count))}
    records = []
    maker = PdfMaker()
    size = 0
    for i in range(1, n + 1):
        rec = paper_record(i, vocab, seed)
        records.append(rec)
        path = folder / f"paper-{i:05d}.pdf"
        maker.make(path, rec, pages, vocab, seed, i, {w: t[i] for w, t in truth.items() if i in t})
        size += path.stat().st_size
        if i % 100 == 0 or i == n:
            log.warning("made %d/%d PDFs (%.0f s)", i, n, time.perf_counter() - t0)
    (folder / "papers.json").write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    seconds = time.perf_counter() - t0
    manifest = {"version": DATA_VERSION, "seed": seed, "pdfs": n, "pages": pages, "vocabulary": len(vocab.words),
                "bytes": size, "seconds": round(seconds, 1),
                "markers": {w: {str(i): p for i, p in t.items()} for w, t in truth.items()}}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    del app
    return {"pdfs": n, "pages": pages, "mb": round(size / 2**20, 1), "seconds": round(seconds, 1)}


def ensure_data(out: Path, n: int, pages: int, seed: int) -> tuple[Path, dict[str, Any], bool]:
    folder = data_dir(out, n, pages)
    mf = folder / "manifest.json"
    if mf.exists():
        m = json.loads(mf.read_text())
        if (m.get("version"), m.get("seed"), m.get("pdfs"), m.get("pages")) == (DATA_VERSION, seed, n, pages):
            return folder, m, False
    log.info("making %d PDFs of %d pages in %s ...", n, pages, folder)
    run_child("make", {"pdfs": n, "pages": pages, "seed": seed, "dir": str(folder)})
    return folder, json.loads(mf.read_text()), True


# --------------------------------------------------------------- the library
def phase_library(a: dict[str, Any]) -> dict[str, Any]:
    """N papers from the JSON listing, each with its PDF linked."""
    from refmanager.core.library import Library

    db = Path(a["db"])
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    shutil.rmtree(Path(str(db) + ".backups"), ignore_errors=True)
    folder = Path(a["dir"])
    t0 = time.perf_counter()
    lib = Library(db)
    rep = lib.import_paths([folder / "papers.json"])
    t_import = time.perf_counter() - t0
    ids = {doi.lower(): pid for pid, doi in lib.db.conn.execute("SELECT id, doi FROM papers")}
    t1 = time.perf_counter()
    for i in range(1, a["pdfs"] + 1):
        lib.attach_file(ids[f"10.5555/rmbench.{i:06d}"], folder / f"paper-{i:05d}.pdf", mode="link")
    t_attach = time.perf_counter() - t1
    lib.close()
    return {"papers": rep.added, "import_s": round(t_import, 2), "attach_s": round(t_attach, 2),
            "attach_ms_each": round(t_attach / max(1, a["pdfs"]) * 1000, 2)}


def paper_ids(lib: Any) -> dict[int, int]:
    """Generated paper number -> library id (by the DOI the generator gave it)."""
    out = {}
    for pid, doi in lib.db.conn.execute("SELECT id, doi FROM papers"):
        if doi and doi.lower().startswith("10.5555/rmbench."):
            out[int(doi.rsplit(".", 1)[1])] = pid
    return out


# ------------------------------------------------------------------ indexing
def phase_index(a: dict[str, Any]) -> dict[str, Any]:
    """``run_index`` over the whole library, as ``refmanager fulltext reindex`` runs it."""
    from refmanager.core.library import Library
    from refmanager.pdf.index_child import run_index
    from refmanager.pdf.worker import PdfReader

    reads: list[tuple[float, bool]] = []  # (seconds waiting for the reader, a new reader started)
    reader_hwm = [0.0]

    class TimedReader(PdfReader):
        """The run's reader, timed (the same process and protocol)."""

        def read(self, path: Any) -> Any:
            started, t = self.started, time.perf_counter()
            try:
                return super().read(path)
            finally:
                reads.append((time.perf_counter() - t, self.started != started))
                if self.proc is not None:  # (its peak so far: it only grows until the reader ends)
                    reader_hwm[0] = max(reader_hwm[0], _hwm_mb(self.proc.pid))

    lib = Library(Path(a["db"]), create=False)
    writes: list[float] = []
    store = lib.fulltext_store

    def timed_store(*args: Any, **kw: Any) -> bool:
        t = time.perf_counter()
        try:
            return store(*args, **kw)
        finally:
            writes.append(time.perf_counter() - t)

    lib.fulltext_store = timed_store  # type: ignore[method-assign]
    stamps: list[float] = []
    n_total = [0]

    def progress(done: int, total: int, _name: str | None) -> None:
        stamps.append(time.perf_counter())
        n_total[0] = total
        if done and (done % max(1, total // 10) == 0 or done == total):
            log.warning("indexed %d/%d PDFs (%.0f s)", done, total, stamps[-1] - stamps[0])

    prof = None
    if a.get("profile"):
        from pyinstrument import Profiler

        prof = Profiler(interval=0.005)
        prof.start()
    t0, c0, k0 = time.perf_counter(), time.process_time(), _children_cpu()
    reader = TimedReader()
    try:
        report = run_index(lib, progress=progress, reader=reader)
    finally:
        reader.close()
    wall = time.perf_counter() - t0
    cpu_run, cpu_readers = time.process_time() - c0, _children_cpu() - k0
    if prof is not None:
        prof.stop()
        Path(a["profile"]).write_text(prof.output_text(unicode=True, color=False, show_all=False))
    c = lib.db.conn
    chars = c.execute("SELECT coalesce(sum(length(text)), 0) FROM fulltext_pages").fetchone()[0]
    try:
        fts_mb = c.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'fulltext_%'").fetchone()[0] / 2**20
    except sqlite3.OperationalError:  # (no dbstat in this SQLite)
        fts_mb = None
    t_cp = time.perf_counter()
    lib.close()
    close_s = time.perf_counter() - t_cp
    per_file = [b - a_ for a_, b in itertools.pairwise(stamps)]
    cold = [s for s, new in reads if new]
    warm = [s for s, new in reads if not new]
    n = report.indexed or 1
    return {
        "files": report.total, "indexed": report.indexed, "failed": len(report.failures),
        "failures": report.failures[:5], "pages": report.pages,
        "seconds": round(wall, 2), "cpu_run_s": round(cpu_run, 2), "cpu_readers_s": round(cpu_readers, 2),
        "papers_per_s": round(report.indexed / wall, 1), "pages_per_s": round(report.pages / wall, 1),
        "papers_per_cpu_s": round(report.indexed / max(1e-9, cpu_run + cpu_readers), 1),
        "reader_wait_s": round(sum(s for s, _ in reads), 2), "write_s": round(sum(writes), 2),
        "other_s": round(wall - sum(s for s, _ in reads) - sum(writes), 2),
        "readers_started": reader.started,
        "read_ms": {"warm_p50": _ms(pct(warm, 50)), "warm_p95": _ms(pct(warm, 95)),
                    "new_reader_p50": _ms(pct(cold, 50)) if cold else None},
        "write_ms": {"p50": _ms(pct(writes, 50)), "p95": _ms(pct(writes, 95)), "max": _ms(max(writes or [0]))},
        "per_file_ms": {"p50": _ms(pct(per_file, 50)), "p95": _ms(pct(per_file, 95)), "max": _ms(max(per_file or [0]))},
        "ms_per_pdf": round(wall / n * 1000, 1),
        "peak_rss_run_mb": round(peak_rss_mb(), 1), "peak_rss_reader_mb": round(reader_hwm[0], 1),
        "text_mb": round(chars / 2**20, 1), "fulltext_tables_mb": round(fts_mb, 1) if fts_mb is not None else None,
        "db_mb": round(Path(a["db"]).stat().st_size / 2**20, 1), "close_s": round(close_s, 2),
    }


# -------------------------------------------------------------------- search
def phase_search(a: dict[str, Any]) -> dict[str, Any]:
    """First page, count and ``fulltext_hits`` of a page, at this size; the known answers checked."""
    from refmanager.core.library import Library, View

    lib = Library(Path(a["db"]), readonly=True)
    reps = int(a.get("repeat", 5))
    truth = {w: {int(i): p for i, p in t.items()} for w, t in json.loads(Path(a["manifest"]).read_text())["markers"].items()}
    ids = paper_ids(lib)

    def timed(fn: Any) -> float:
        runs = []
        for _ in range(reps):
            t = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t)
        return statistics.median(runs) * 1000.0

    queries = [
        (f"fulltext:{RARE_MARKER}", View(search=f"fulltext:{RARE_MARKER}")),
        (f"fulltext:{MARKERS[0][0]} (1 paper)", View(search=f"fulltext:{MARKERS[0][0]}")),
        (f"fulltext:{MARKERS[-1][0]}", View(search=f"fulltext:{MARKERS[-1][0]}")),
        (f"{COMMON_WORD} (toggle on)", View(search=COMMON_WORD, fulltext=True)),
        (f"{COMMON_WORD} (toggle off)", View(search=COMMON_WORD)),
        (f"fulltext:{COMMON_WORD}", View(search=f"fulltext:{COMMON_WORD}")),
        (f"{PREFIX} (toggle on)", View(search=PREFIX, fulltext=True)),
        (f"fulltext:{PREFIX}", View(search=f"fulltext:{PREFIX}")),
        (f'fulltext:"{COMMON_WORD} of" (phrase)', View(search=f'fulltext:"{COMMON_WORD} of"')),
        (f"{COMMON_WORD} {RARE_MARKER} (toggle on)", View(search=f"{COMMON_WORD} {RARE_MARKER}", fulltext=True)),
    ]
    rows = []
    checks: dict[str, Any] = {}
    for name, v in queries:
        first = lib.page(v, 0, 100)  # (warm, as a running app is)
        page_ids = [r.id for r in first]
        cv = lib.compile(v)
        vd = replace(v, sort="date")
        row = {
            "q": name,
            "hits": lib.count(v),
            "page_ms": round(timed(lambda v=v: lib.page(v, 0, 100)), 2),
            "page_date_ms": round(timed(lambda vd=vd: lib.page(vd, 0, 100)), 2),
            "count_ms": round(timed(lambda v=v: lib.count(v)), 2),
            "hits_page": len(page_ids),
            "fulltext_hits_ms": round(timed(lambda cv=cv, ids=page_ids: lib.fulltext_hits(cv, ids)), 2),
            # (what the detail pane asks for the paper shown)
            "fulltext_hits_one_ms": round(timed(lambda cv=cv, ids=page_ids[:1]: lib.fulltext_hits(cv, ids)), 2),
        }
        rows.append(row)
    # the known answers: every marker's papers, and the pages named for each
    for word, t in truth.items():
        v = View(search=f"fulltext:{word}")
        got = set(lib.ids(v))
        want = {ids[i] for i in t}
        hits = lib.fulltext_hits(v, sorted(got))
        pages_ok = all(hits.get(ids[i]) is not None and list(hits[ids[i]].pages) == p for i, p in t.items())
        checks[word] = {"expected": len(want), "found": len(got), "right": got == want, "pages_right": pages_ok}
    lib.close()
    return {"queries": rows, "checks": checks, "all_right": all(c["right"] and c["pages_right"] for c in checks.values()),
            "peak_rss_mb": round(peak_rss_mb(), 1)}


# ----------------------------------------------------------------------- gui
def phase_gui(a: dict[str, Any]) -> dict[str, Any]:
    """The window while its own background index run reads every PDF: the gaps of a 10 ms
    timer on the UI thread, and a keystroke a second in the search box."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.pop("REFMANAGER_NO_BACKGROUND_INDEX", None)
    from PySide6.QtCore import QSettings, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from refmanager.gui import dialogs
    from refmanager.gui.app import create_window, freeze_startup_objects
    from refmanager.gui.fulltext_controller import FULLTEXT_KEY, NO_AUTO_ENV

    assert not os.environ.get(NO_AUTO_ENV)
    dialogs.inform = lambda *a, **k: None  # (no modal dialog in a benchmark)
    settings_path = Path(a["db"]).with_suffix(".ini")
    settings_path.unlink(missing_ok=True)
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    settings.setValue(FULLTEXT_KEY, bool(a.get("fulltext", True)))
    t_open = time.perf_counter()
    win = create_window(Path(a["db"]), settings)
    win.resize(1280, 800)
    win.show()
    freeze_startup_objects()  # as run_app does
    assert win.fulltext.auto, "the background index is disabled"

    ticks: list[float] = []
    marks: list[tuple[str, float, float]] = []  # (what, start, end) of the UI's work, to name the stalls
    state: dict[str, Any] = {"start": None, "end": None, "report": None, "key_t": None, "word": 0, "typed": ""}
    keys: list[dict[str, Any]] = []
    sizes: list[tuple[float, int]] = []  # (time, rows in the table) after each keystroke

    refresh = win.view.refresh

    def timed_refresh(*args: Any, **kw: Any) -> Any:
        t = time.perf_counter()
        try:
            return refresh(*args, **kw)
        finally:
            marks.append(("refresh", t, time.perf_counter()))

    win.view.refresh = timed_refresh  # type: ignore[method-assign]

    def on_search_timer() -> None:
        t = time.perf_counter()
        win.view.apply_search()
        win.table.viewport().repaint()
        end = time.perf_counter()
        marks.append(("keystroke", t, end))
        if state["key_t"] is not None:
            keys.append({"text": win.search.text(), "from_key_ms": _ms(end - state["key_t"]),
                         "from_query_ms": _ms(end - t), "at_s": round(t - state["start"], 2)})
            sizes.append((end, win.view.model.rowCount()))
            state["key_t"] = None

    win.view.search_timer.timeout.disconnect(win.view.apply_search)
    win.view.search_timer.timeout.connect(on_search_timer)

    def tick() -> None:
        now = time.perf_counter()
        ticks.append(now)
        if state["start"] is None and win.fulltext.proc is not None:
            state["start"] = now
            keyer.start()

    def keystroke() -> None:
        word = TYPED[state["word"] % len(TYPED)]
        if state["typed"] == word:
            state["word"] += 1
            word = TYPED[state["word"] % len(TYPED)]
            state["typed"] = ""
            win.search.clear()
        ch = word[len(state["typed"])]
        win.search.setFocus()
        QTest.keyClick(win.search, ch)
        state["typed"] += ch
        state["key_t"] = time.perf_counter()

    hwm = {"index": 0.0, "reader": 0.0}

    def sample_memory() -> None:
        proc = win.fulltext.proc
        pid = proc.proc.processId() if proc is not None else 0
        if pid:
            hwm["index"] = max(hwm["index"], _hwm_mb(pid))
            hwm["reader"] = max([hwm["reader"], *(_hwm_mb(c) for c in _child_pids(pid))])

    def finished(report: Any) -> None:
        state["end"] = time.perf_counter()
        state["report"] = report.to_wire() if report is not None else None
        keyer.stop()
        QTimer.singleShot(a.get("tail_ms", 2000), app.quit)

    ticker = QTimer()
    ticker.setTimerType(Qt.TimerType.PreciseTimer)
    ticker.setInterval(TICK_MS)
    ticker.timeout.connect(tick)
    keyer = QTimer()
    keyer.setInterval(1000)
    keyer.timeout.connect(keystroke)
    keyer.timeout.connect(sample_memory)  # (once a second: a reader lives ~25 files, 2-3 s)
    win.fulltext.indexed.connect(finished)
    ticker.start()
    QTimer.singleShot(int(a.get("timeout_s", 3600) * 1000), app.quit)
    QTimer.singleShot(60_000, lambda: state["start"] is None and app.quit())  # (nothing to index?)
    prof = None
    if a.get("profile"):
        from pyinstrument import Profiler

        prof = Profiler(interval=0.001)
        prof.start()
    c0, k0 = _self_cpu(), _children_cpu()
    app.exec()
    ticker.stop()
    if prof is not None:
        prof.stop()
        Path(a["profile"]).write_text(prof.output_text(unicode=True, color=False, show_all=True))
    cpu_gui, cpu_index = _self_cpu() - c0, _children_cpu() - k0
    if state["start"] is None or state["end"] is None:
        raise SystemExit("the index run did not start or did not end in time")
    start, end = state["start"], state["end"]

    def gaps_between(lo: float, hi: float) -> list[tuple[float, float]]:
        return [(a_, b) for a_, b in itertools.pairwise(ticks) if b > lo and a_ < hi]

    during = gaps_between(start, end + 0.05)  # (the tick after the end: the finish's own work)
    tail = gaps_between(end + 0.5, ticks[-1])
    stalls = [max(0.0, b - a_ - TICK_MS / 1000) for a_, b in during]
    idle = [max(0.0, b - a_ - TICK_MS / 1000) for a_, b in tail]

    def named(gap: tuple[float, float]) -> dict[str, Any]:
        a_, b = gap
        what = sorted({w for w, s, e in marks if s < b and e > a_}) or ["other"]
        return {"stall_ms": _ms(b - a_ - TICK_MS / 1000), "at_s": round(a_ - start, 2), "during": "+".join(what)}

    worst = sorted(during, key=lambda g: g[0] - g[1])[:8]
    outside = [max(0.0, b - a_ - TICK_MS / 1000) for a_, b in during
               if not any(s < b and e > a_ for w, s, e in marks if w == "keystroke")]
    key_ms = [k["from_key_ms"] for k in keys]
    refreshes = [e - s for w, s, e in marks if w == "refresh" and start <= s <= end]
    rss = round(peak_rss_mb(), 1)
    rows = win.view.model.rowCount()
    win.close()
    settings_path.unlink(missing_ok=True)
    return {
        "fulltext_toggle": bool(a.get("fulltext", True)),
        "start_after_open_s": round(start - t_open, 2),
        "run_s": round(end - start, 2),
        "report": {k: v for k, v in (state["report"] or {}).items() if k != "failures"},
        "ticks": len(during),
        "stall_max_ms": _ms(max(stalls or [0])),
        "stall_p99_ms": _ms(pct(stalls, 99)),
        "stall_p50_ms": _ms(pct(stalls, 50)),
        "stalls_over_50ms": sum(s > 0.05 for s in stalls),
        "stalls_over_100ms": sum(s > 0.1 for s in stalls),
        "stall_max_without_keystrokes_ms": _ms(max(outside or [0])),
        "stall_p99_without_keystrokes_ms": _ms(pct(outside, 99)),
        "idle_after_max_ms": _ms(max(idle or [0])),
        "idle_after_p99_ms": _ms(pct(idle, 99)),
        "worst": [named(g) for g in worst],
        "keystrokes": len(keys),
        "keystroke_to_table_ms": {"p50": pct(key_ms, 50), "p95": pct(key_ms, 95), "max": max(key_ms or [0])},
        "keystroke_slowest": sorted(keys, key=lambda k: -k["from_key_ms"])[:5],
        "refreshes": len(refreshes),
        "refresh_ms": {"p50": _ms(pct(refreshes, 50)), "max": _ms(max(refreshes or [0]))},
        "rows_at_end": rows,
        "cpu_window_s": round(cpu_gui, 2),
        "cpu_index_and_readers_s": round(cpu_index, 2),
        "peak_rss_window_mb": rss,
        "peak_rss_index_child_mb": round(hwm["index"], 1),
        "peak_rss_reader_mb": round(hwm["reader"], 1),
    }


PHASES = {"make": phase_make, "library": phase_library, "index": phase_index, "search": phase_search,
          "gui": phase_gui}


# ---------------------------------------------------------------------- main
def table(r: dict[str, Any]) -> str:
    ix, g, m, d = r["index"], r.get("gui"), r["machine"], r["data"]
    rows: list[tuple[str, str]] = [
        ("index run (run_index, as `fulltext reindex`) (s)", f"{ix['seconds']:.1f}"),
        ("  PDFs / s, pages / s", f"{ix['papers_per_s']:.1f} / {ix['pages_per_s']:,.0f}"),
        ("  CPU: run / readers (s)", f"{ix['cpu_run_s']:.1f} / {ix['cpu_readers_s']:.1f}"),
        ("  waiting for the reader / writing / other (s)",
         f"{ix['reader_wait_s']:.1f} / {ix['write_s']:.1f} / {ix['other_s']:.1f}"),
        ("  a file: read p50, first of a new reader p50 (ms)",
         f"{ix['read_ms']['warm_p50']} , {ix['read_ms']['new_reader_p50']}"),
        ("  readers started", f"{ix['readers_started']}"),
        ("  per file p50 / p95 / max (ms)",
         f"{ix['per_file_ms']['p50']:.1f} / {ix['per_file_ms']['p95']:.1f} / {ix['per_file_ms']['max']:.1f}"),
        ("  peak RSS run / largest reader (MB)", f"{ix['peak_rss_run_mb']:.0f} / {ix['peak_rss_reader_mb']:.0f}"),
        ("  text / full-text tables / library (MB)", f"{ix['text_mb']:.1f} / {ix['fulltext_tables_mb']} / {ix['db_mb']:.1f}"),
        ("  other programs meanwhile (cores busy)", f"{ix['others_cpu_cores']}"),
    ]
    if g:
        rows += [
            ("", ""),
            ("window: its own background run (s)", f"{g['run_s']:.1f}"),
            ("  longest stall / p99 / p50 (ms)", f"{g['stall_max_ms']:.1f} / {g['stall_p99_ms']:.1f} / {g['stall_p50_ms']:.1f}"),
            ("  same, keystroke handling left out (ms)",
             f"{g['stall_max_without_keystrokes_ms']:.1f} / {g['stall_p99_without_keystrokes_ms']:.1f}"),
            ("  stalls over 50 / 100 ms", f"{g['stalls_over_50ms']} / {g['stalls_over_100ms']}"),
            ("  idle after the run: longest / p99 (ms)", f"{g['idle_after_max_ms']:.1f} / {g['idle_after_p99_ms']:.1f}"),
            ("  keystroke to table p50 / p95 / max (ms)", "{p50:.1f} / {p95:.1f} / {max:.1f}".format(
                **g["keystroke_to_table_ms"])),
            ("  refreshes (another writer): n, p50 / max (ms)",
             f"{g['refreshes']}, {g['refresh_ms']['p50']} / {g['refresh_ms']['max']}"),
            ("  CPU window / index+readers (s)", f"{g['cpu_window_s']:.1f} / {g['cpu_index_and_readers_s']:.1f}"),
            ("  peak RSS window / index child / reader (MB)",
             f"{g['peak_rss_window_mb']:.0f} / {g['peak_rss_index_child_mb']:.0f} / {g['peak_rss_reader_mb']:.0f}"),
            ("  other programs meanwhile (cores busy)", f"{g['others_cpu_cores']}"),
        ]
    w = max(len(k) for k, _ in rows) + 2
    lines = [(f"machine: {m['nproc']} cores ({m['cpu']}), load average at start {m['loadavg_start']}, "
              f"at end {m['loadavg_end']}"),
             f"data: {d['pdfs']:,} PDFs x {d['pages']} pages, {d['bytes'] / 2**20:,.1f} MB", ""]
    lines += [(k.ljust(w) + v).rstrip() for k, v in rows]
    head = f"search (median of {r['repeat']}; ms)"
    lines += ["", f"{head:44} {'hits':>6} {'page':>8} {'by date':>8} {'count':>8} {'hits of page':>16} "
                  f"{'of one':>8}"]
    for q in r["search"]["queries"]:
        lines.append(f"  {q['q']:42} {q['hits']:>6} {q['page_ms']:>8.2f} {q['page_date_ms']:>8.2f} "
                     f"{q['count_ms']:>8.2f} {q['fulltext_hits_ms']:>9.2f} ({q['hits_page']:>3}) "
                     f"{q['fulltext_hits_one_ms']:>8.2f}")
    ok = r["search"]["all_right"]
    lines.append(f"  known answers (every marker's papers and pages): {'all right' if ok else 'WRONG'}")
    if not ok:
        lines.append(f"  {json.dumps(r['search']['checks'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pdfs", type=int, default=1000, help="PDFs (papers) to make and index")
    ap.add_argument("--pages", type=int, default=10, help="pages per PDF")
    ap.add_argument("--out", type=Path, default=OUT, help="results, data/ and work/ go here")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--repeat", type=int, default=5, help="runs per search (the median is kept)")
    ap.add_argument("--skip-gui", action="store_true", help="no window run")
    ap.add_argument("--toggle-off", action="store_true", help="the window's 'Search full text too' off")
    ap.add_argument("--profile", action="store_true", help="pyinstrument profiles of the index run and the window -> OUT/")
    ap.add_argument("--child", choices=sorted(PHASES), help=argparse.SUPPRESS)
    ap.add_argument("--child-args", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        logging.basicConfig(level=logging.WARNING, format=f"%(asctime)s [{args.child}] %(message)s",
                            datefmt="%H:%M:%S")
        res = PHASES[args.child](json.loads(args.child_args))
        sys.stdout.write("\n" + json.dumps(res) + "\n")
        sys.stdout.flush()
        if args.child == "gui":
            os._exit(0)  # (skip the teardown of live Qt objects: a PySide6 exit-time crash)
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    mach = machine()
    mach["loadavg_start"] = [round(x, 2) for x in os.getloadavg()]
    folder, manifest, made = ensure_data(out, args.pdfs, args.pages, args.seed)
    work = out / "work" / folder.name
    work.mkdir(parents=True, exist_ok=True)
    template = work / "template.db"
    log.info("library: %d papers, each with its PDF linked ...", args.pdfs)
    res: dict[str, Any] = {"machine": mach, "command": " ".join(["python -m bench.pdf_bench", *(argv or sys.argv[1:])]),
                           "repeat": args.repeat,
                           "data": {k: manifest[k] for k in ("pdfs", "pages", "bytes", "vocabulary", "seed")}
                           | {"made_now": made, "make_s": manifest["seconds"]}}
    res["library"] = run_child("library", {"db": str(template), "dir": str(folder), "pdfs": args.pdfs})
    log.info("index run (run_index) ...")
    prof = str(out / f"profile-index-{folder.name}.txt") if args.profile else None
    index_db = copy_library(template, work / "index.db")
    res["index"] = run_child("index", {"db": str(index_db), "profile": prof})
    log.info("searches ...")
    res["search"] = run_child("search", {"db": str(index_db), "manifest": str(folder / "manifest.json"),
                                         "repeat": args.repeat})
    if not args.skip_gui:
        log.info("the window during its own index run ...")
        gui_db = copy_library(template, work / "gui.db")
        prof = str(out / f"profile-gui-{folder.name}.txt") if args.profile else None
        res["gui"] = run_child("gui", {"db": str(gui_db), "fulltext": not args.toggle_off, "profile": prof})
    mach["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    path = out / "pdf-results.json"
    path.write_text(json.dumps(res, indent=2, ensure_ascii=False))
    (out / f"pdf-results-{folder.name}.json").write_text(json.dumps(res, indent=2, ensure_ascii=False))
    print(table(res))
    print(f"\nJSON: {path}")
    return 0 if res["search"]["all_right"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
