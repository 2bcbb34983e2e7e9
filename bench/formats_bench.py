"""Structured imports at scale: BibTeX, RIS and CSL-JSON of 10,000 and 100,000 entries.

    .venv/bin/python -m bench.formats_bench [--sizes 10k,100k] [--old PATH]

The data: the real BibTeX entries of ``tests/data/real/bibtex`` and
``tests/data/formats`` (JabRef, Better BibTeX, biblatex, Mendeley, Google
Scholar exports), repeated with a distinct key, title and DOI each time so
that every entry is its own paper; the RIS and CSL-JSON files are refmanager's
exports of a library made from that BibTeX file (under ``bench/out/formats``).
Also a 3.5 MB BibTeX file with one unclosed brace near its start.

Each measurement runs in a fresh interpreter, so its peak RSS is its own:

* ``parse``    ``formats.parse_path`` alone (the file read, decoded, parsed)
* ``import``   ``Library.import_paths`` into a new library (parse, match, write), as
               ``refmanager import`` runs it (the garbage collector paused)
* ``limit``    ``bibtexparser.parse_string`` with its default middlewares (BibTeX
               only: what reading the file with the library costs, the limit)
* ``splitter`` ``bibtexparser.parse_string(parse_stack=[])`` (its splitter alone)

``--old PATH`` also runs ``parse``/``import`` with the refmanager checkout at PATH
(``git worktree add PATH <commit>``, or ``git archive <commit> | tar -x -C PATH``),
for a before/after in one sitting.
Results: a table and ``bench/out/formats.json``; ``docs/benchmarks.md`` keeps them.

``--repeated 40,100,400`` instead measures the peak memory of importing a full listing
of one paper repeated to that many MB (issue 16 item 12; the promise in
``docs/reliability.md`` is about this file): the first paper of
``seeds/000_*.txt`` as it is (Latin-1 text: one byte a character in Python) and with
an ellipsis at the end of its abstract, as listing pages cut them (``…``, past
Latin-1: the whole text takes two bytes a character).  ``--bombs`` times the tiny
hostile files of ``tests/test_resource_bombs.py`` at full size (each in its own
interpreter, its peak RSS its own).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out" / "formats"
SOURCES = [*sorted((ROOT / "tests/data/real/bibtex").glob("*.bib*")), *sorted((ROOT / "tests/data/formats").glob("*.bib"))]
SIZES = {"10k": 10_000, "100k": 100_000}
_ENTRY = re.compile(r"(?=^@)", re.MULTILINE)
_KIND = re.compile(r"^@(?!string|comment|preamble|set\b|xdata)[A-Za-z]+\s*\{", re.IGNORECASE)


def _entries() -> tuple[str, list[str]]:
    """The @string blocks (each name once) and the entries of the real files."""
    strings: dict[str, str] = {}
    entries: list[str] = []
    for src in SOURCES:
        if "malformed" in src.name:
            continue
        if "latin1" in src.name:
            continue  # (a Latin-1 file: its entries are in the others too)
        for block in _ENTRY.split(src.read_text(encoding="utf-8")):
            m = re.match(r"@string\s*[{(]\s*([^=\s]+)", block, re.IGNORECASE)
            if m:
                strings.setdefault(m.group(1).lower(), block.split("\n\n")[0].rstrip() + "\n")
            elif _KIND.match(block) and re.search(r"\btitle\s*=", block, re.IGNORECASE):
                entries.append(block.rstrip() + "\n\n")
    return "".join(strings.values()), entries


def _variant(entry: str, n: int) -> str:
    """Entry ``n``: its own key, title, DOI; no arXiv id (each would be one paper's)."""
    e = re.sub(r"^(@\w+\s*\{\s*)([^,\s]*)", lambda m: f"{m.group(1)}{m.group(2) or 'k'}-{n}", entry, count=1)
    e = re.sub(r"(\btitle\s*=\s*[{\"])", rf"\g<1>[{n}] ", e, count=1, flags=re.IGNORECASE)
    e = re.sub(r"(\bdoi\s*=\s*[{\"][^}\"]+)", rf"\g<1>.{n}", e, count=1, flags=re.IGNORECASE)
    return re.sub(r"^\s*(eprint|arxivid)\s*=.*\n", "", e, flags=re.IGNORECASE | re.MULTILINE)


def make_data(n: int, label: str) -> dict[str, Path]:
    """The BibTeX, RIS and CSL-JSON files of ``n`` entries (made once)."""
    OUT.mkdir(parents=True, exist_ok=True)
    files = {fmt: OUT / f"{label}.{fmt}" for fmt in ("bib", "ris", "json")}
    if all(p.exists() for p in files.values()):
        return files
    strings, entries = _entries()
    files["bib"].write_text(strings + "".join(_variant(entries[i % len(entries)], i) for i in range(n)),
                            encoding="utf-8")
    db = OUT / f"{label}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    cli = [sys.executable, "-m", "refmanager", "--library", str(db)]
    subprocess.run([*cli, "import", str(files["bib"])], check=True, capture_output=True, cwd=ROOT)
    for fmt, name in (("ris", "ris"), ("json", "csljson")):
        subprocess.run([*cli, "export", "--format", name, "-o", str(files[fmt])], check=True, capture_output=True,
                       cwd=ROOT)
    return files


def make_broken() -> Path:
    """3.5 MB of real BibTeX entries, the tenth one's title never closed."""
    path = OUT / "broken-3.5MB.bib"
    if not path.exists():
        strings, entries = _entries()
        out, size, i = [strings], len(strings), 0
        while size < 3_500_000:
            e = _variant(entries[i % len(entries)], i)
            if i == 9:
                e = re.sub(r"(\btitle\s*=\s*\{)", r"\1{", e, count=1, flags=re.IGNORECASE)
            out.append(e)
            size += len(e)
            i += 1
        path.write_text("".join(out), encoding="utf-8")
    return path


# ------------------------------------------------------------- measurements
def _measure(what: str, path: str, root: str) -> dict[str, Any]:
    """In this (fresh) interpreter: one measurement, as a dict."""
    sys.path.insert(0, root)
    t0, c0 = time.perf_counter(), time.process_time()
    out: dict[str, Any] = {}
    if what == "parse":
        from refmanager.core import formats

        try:
            pf, _ = formats.parse_path(path)
            out.update(entries=len(pf.entries), skipped=len(getattr(pf, "skipped", [])))
        except Exception as e:  # noqa: BLE001 - the old code rejects a file whole: say so
            out.update(error=str(e)[:200])
    elif what == "import":
        import tempfile
        from contextlib import nullcontext

        from refmanager.core import import_child
        from refmanager.core.library import Library

        collector_paused = getattr(import_child, "collector_paused", nullcontext)  # (older versions: none)

        # (as `refmanager import` and the app's import process run it: the collector paused)
        with tempfile.TemporaryDirectory() as d, Library(Path(d) / "l.db") as lib, collector_paused():
            r = lib.import_paths([path])
            out.update(added=r.added, merged=r.merged, skipped=getattr(r, "skipped", 0),
                       rejected=[str(x)[:200] for x in r.rejected])
    elif what in ("limit", "splitter"):
        import bibtexparser

        text = Path(path).read_text(encoding="utf-8")
        lib = bibtexparser.parse_string(text) if what == "limit" else bibtexparser.parse_string(text, parse_stack=[])
        out.update(entries=len(lib.entries), failed=len(lib.failed_blocks))
    out.update(seconds=round(time.perf_counter() - t0, 2), cpu=round(time.process_time() - c0, 2),
               peak_rss_mb=_high_water_mb())
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if children:
        out["parser_peak_rss_mb"] = round(children, 1)  # (the import's parsing process)
    return out


def _high_water_mb() -> float:
    """This process's own peak RSS (``VmHWM``: ``ru_maxrss`` may carry its parent's over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def measure(what: str, path: Path, root: Path = ROOT, timeout: float | None = None) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "bench.formats_bench", "--child", what, str(path), str(root)],
            check=False, cwd=ROOT, capture_output=True, text=True, env=env, timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------- repeated listing, bombs
def make_repeated(mb: int, wide: bool) -> Path:
    """A full listing of the seeds' first paper repeated to ``mb`` MB (made once)."""
    path = OUT / f"repeated-{mb}MB{'-wide' if wide else ''}.txt"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        seed = next(ROOT.glob("seeds/000_*.txt")).read_text(encoding="utf-8").split("\n")
        entry = "\n".join(seed[:3]) + ("\u2026" if wide else "") + "\n"
        n = -(-mb * 2**20 // len(entry.encode()))
        with path.open("w", encoding="utf-8") as f:
            for done in range(0, n, 1000):
                f.write(entry * min(1000, n - done))
    return path


def repeated(sizes: list[int], old: Path | None) -> tuple[dict[str, Any], list[tuple[str, ...]]]:
    results: dict[str, Any] = {}
    rows: list[tuple[str, ...]] = []
    for mb in sizes:
        for wide in (False, True):
            path = make_repeated(mb, wide)
            label = f"{mb} MB{' (wide)' if wide else ''}"
            for version, root in (("new", ROOT), *((("old", old),) if old else ())):
                res = measure("import", path, root)
                peak = max(res.get("peak_rss_mb", 0), res.get("parser_peak_rss_mb", 0))
                res["ratio"] = round(peak * 2**20 / path.stat().st_size, 2)
                results[f"repeated {label} {version}"] = res
                rows.append((label, "listing, one paper", "import", version, f"{_cell(res)}, {res['ratio']}x"))
    return results, rows


def make_bombs() -> dict[str, Path]:
    """The hostile files of ``tests/test_resource_bombs.py``, at full size."""
    from tests import test_resource_bombs as tb

    d = OUT / "bombs"
    d.mkdir(parents=True, exist_ok=True)
    files = {"bib @string doubling x40": tb.gen_doubling(d), "bib @string fan-out": tb.gen_fanout(d)}
    for fmt in ("ris", "bib", "csl.json", "json", "nbib", "isi", "xml"):
        files[f"{fmt}: 100,000 authors"] = tb.gen_authors(fmt, d)[0]
    words = "".join(f"      {f}\n" for _, f in tb.names(tb.N_AUTHORS))
    cont = d / "continuation.ris"
    cont.write_text(f"TY  - JOUR\nTI  - Long\nAB  - start\n{words}ER  - \n")
    files["ris: 100,000 continuation lines"] = cont
    deep = d / "deep.xml"
    deep.write_text(tb._atom_summary("<a>\n" * 1_000_000 + "</a>\n" * 1_000_000))
    files["atom: nested 1,000,000 deep"] = deep
    deep_json = d / "deep.json"
    deep_json.write_text("[\n" * 1_000_000 + "]\n" * 1_000_000)
    files["json: nested 1,000,000 deep"] = deep_json
    return files


def bombs(old: Path | None) -> tuple[dict[str, Any], list[tuple[str, ...]]]:
    results: dict[str, Any] = {}
    rows: list[tuple[str, ...]] = []
    for label, path in make_bombs().items():
        size = f"{path.stat().st_size / 1024:,.0f} KB"
        for version, root in (("new", ROOT), *((("old", old),) if old else ())):
            res = measure("parse", path, root, timeout=120)
            results[f"bomb {label} {version}"] = res
            rows.append((size, label, "parse", version, _cell(res)))
    return results, rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10k,100k")
    ap.add_argument("--old", type=Path, help="an older refmanager checkout to measure beside this one")
    ap.add_argument("--repeated", help="MB sizes of a listing of one paper repeated (e.g. 40,100,400)")
    ap.add_argument("--bombs", action="store_true", help="the tiny hostile files of tests/test_resource_bombs.py")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_measure(*args.child)))
        return 0
    if args.repeated or args.bombs:
        results, rows = repeated([int(x) for x in args.repeated.split(",")], args.old) if args.repeated else ({}, [])
        if args.bombs:
            more, more_rows = bombs(args.old)
            results.update(more)
            rows += more_rows
        for row in rows:
            print("  ".join(f"{c:<24}" for c in row))
        (HERE / "out").mkdir(exist_ok=True)
        (HERE / "out" / "resources.json").write_text(json.dumps(results, indent=2))
        return 0
    results = {}
    rows = []
    for label in args.sizes.split(","):
        files = make_data(SIZES[label], label)
        for fmt, path in files.items():
            kinds = ["parse", "import"] + (["limit", "splitter"] if fmt == "bib" else [])
            for what in kinds:
                res = measure(what, path)
                results[f"{label} {fmt} {what}"] = res
                rows.append((label, fmt, what, "new", _cell(res)))
                if args.old and what in ("parse", "import"):
                    old = measure(what, path, args.old)
                    results[f"{label} {fmt} {what} old"] = old
                    rows.append((label, fmt, what, "old", _cell(old)))
    broken = make_broken()
    for what in ("parse", "import"):
        res = measure(what, broken)
        results[f"broken {what}"] = res
        rows.append(("3.5 MB", "bib, one unclosed brace", what, "new", _cell(res)))
        if args.old:
            old = measure(what, broken, args.old)
            results[f"broken {what} old"] = old
            rows.append(("3.5 MB", "bib, one unclosed brace", what, "old", _cell(old)))
    for row in rows:
        print("  ".join(f"{c:<24}" for c in row))
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "formats.json").write_text(json.dumps(results, indent=2))
    return 0


def _cell(res: dict[str, Any]) -> str:
    if "error" in res and "seconds" not in res:
        return f"failed: {res['error'][:60]}"
    extra = f", {res['error'][:50]}" if "error" in res else ""
    parser = f" (+ parser {res['parser_peak_rss_mb']} MB)" if "parser_peak_rss_mb" in res else ""
    return f"{res['seconds']} s, {res['peak_rss_mb']} MB{parser}{extra}"


if __name__ == "__main__":
    raise SystemExit(main())
