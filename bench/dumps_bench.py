"""Command-line dumps and the other programs' times (issue 20), as phases of ``bench.run``.

``dumps``   ``refmanager list/search/export`` as a user runs them on the benchmark's
            library (interpreter start included), each with its wall time and peak memory
            (``os.wait4``: the command's own, not the largest of all children); beside them
            ``calibredb list`` on a calibre library of the same papers when calibre is on
            the PATH (skipped with a note otherwise).
``jabref``  JabRef's parse and write of the same papers as BibTeX
            (``jabref -n -i FILE.bib,bibtex -o out.bib``), when JabRef is on the PATH, beside
            ``refmanager import`` of the same file into a new library.

Commands run with the interpreter's bytecode cache on (as installed programs run): a
machine with ``PYTHONDONTWRITEBYTECODE`` set would compile every module at each start.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], *, stdout: Any = subprocess.DEVNULL, cwd: Path = ROOT) -> dict[str, Any]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one command, and its exit code."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd, env=env)
    _, status, ru = os.wait4(proc.pid, 0)
    dt = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"seconds": round(dt, 3), "cpu_s": round(ru.ru_utime + ru.ru_stime, 3),
            "peak_rss_mb": round(ru.ru_maxrss / 1024, 1), "exit": proc.returncode,
            **({"error": err.strip()[-300:]} if proc.returncode else {})}


def refmanager(db: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "refmanager", "--library", db, *args]


#: (label, arguments after ``--library DB``): what the issue measures.
DUMPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("list --json", ("list", "--json")),
    ("list --jsonl", ("list", "--jsonl")),
    ("list --json --fields id,title,authors,date", ("list", "--json", "--fields", "id,title,authors,date")),
    ("list --ids", ("list", "--ids")),
    ("search WORD --ids", ("search", "{word}", "--ids")),
    ("search WORD --json", ("search", "{word}", "--json")),
    ("export --format json", ("export", "--format", "json")),
    ("export --format ris", ("export", "--format", "ris")),
    ("export --format bibtex", ("export", "--format", "bibtex")),
    ("export --format csljson", ("export", "--format", "csljson")),
)


def common_word(db: str) -> tuple[str, int]:
    """The indexed word in the most papers (the issue's "95,000-hit search"), and its papers."""
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, papers_fts, row)")
        word, docs = conn.execute(
            "SELECT term, doc FROM temp.v WHERE length(term) >= 4 ORDER BY doc DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    return str(word), int(docs)


def phase_dumps(a: dict[str, Any]) -> dict[str, Any]:
    db = a["db"]
    word, hits = common_word(db)
    # (a first run fills the bytecode cache and the OS's page cache: not timed)
    timed(refmanager(db, "list", "--ids", "--limit", "1"))
    out: dict[str, Any] = {"word": word, "word_hits": hits, "commands": {}}
    for label, args in DUMPS:
        cmd = refmanager(db, *(x.format(word=word) for x in args))
        with tempfile.TemporaryFile() as sink:
            r = timed(cmd, stdout=sink)
            r["output_mb"] = round(sink.seek(0, 2) / 2**20, 1)
        out["commands"][label] = r
    calibredb = shutil.which("calibredb")
    if calibredb is None:
        out["calibredb"] = "skipped: calibredb is not on the PATH"
    elif a.get("calibre_library"):
        out["calibredb"] = timed([calibredb, "list", "--with-library", a["calibre_library"], "--fields", "all",
                                  "--for-machine"])
    else:
        out["calibredb"] = "skipped: no calibre library of these papers (--calibre-library)"
    return out


def phase_jabref(a: dict[str, Any]) -> dict[str, Any]:
    jabref = shutil.which("jabref")
    if jabref is None:
        return {"skipped": "JabRef is not on the PATH (jabref -n -i FILE.bib,bibtex -o out.bib)"}
    work = Path(a["work"])
    bib = work / "papers.bib"
    exported = timed(refmanager(a["db"], "export", "--format", "bibtex", "--output", str(bib)))
    if exported["exit"]:
        return {"skipped": f"export failed: {exported.get('error')}"}
    out_bib = work / "jabref-out.bib"
    res = {"jabref": timed([jabref, "-n", "-i", f"{bib},bibtex", "-o", str(out_bib)])}
    fresh = work / "from-bib.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{fresh}{suffix}").unlink(missing_ok=True)
    res["refmanager_import"] = timed(refmanager(str(fresh), "import", str(bib)))
    res["bib_mb"] = round(bib.stat().st_size / 2**20, 1)
    for p in (bib, out_bib):
        p.unlink(missing_ok=True)
    return res
