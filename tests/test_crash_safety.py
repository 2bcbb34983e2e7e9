"""Crash safety (issue 6): ``refmanager import`` killed with SIGKILL at random moments.

After every kill the library file must pass ``PRAGMA integrity_check`` (and the full-text index its
own check), open normally, and hold the import either wholly or not at all: exactly the papers it
had before, or those plus all N new ones; never a part.

The kill times are seeded random, in three kinds taken in turn: anywhere in the run (start-up,
parsing, writing, commit, close); after the write transaction has spilled uncommitted pages into the
write-ahead log (what recovery must undo) plus a random delay; and late in the run, around the
commit and the close.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from refmanager.core.library import Library

from .conftest import FULL_SEED

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL"),
]

N = 8000  # new papers in the listing: a few seconds of import
KILLS = 9  # three of each kind
SEED = 20261125
WORDS = "Learning Neural Sparse Graphs Credit Agents Models Vision Policy Robust".split()
NAMES = "Ada Alan Grace Edsger Barbara Donald Karl Imre Emmy Kurt".split()


def write_listing(path: Path) -> None:
    out = []
    for i in range(N):
        w = " ".join(WORDS[(i // 10**k) % 10] for k in range(4))
        first = f"{NAMES[i % 10]} {NAMES[(i // 10) % 10]}son"
        out.append(
            f"LGMar {1 + i % 28}, 20{10 + i % 15}\n"
            f"Study {i} of {w}{first}, Alan Turing, Grace Hopper et al.\n"
            f"Abstract number {i}: we look at {w.lower()} and report results on benchmarks.\n"
        )
    path.write_text("".join(out), encoding="utf-8")


def state(path: Path) -> tuple[int, int, int]:
    """(papers, sources, imports) after checking the file is sound."""
    c = sqlite3.connect(path)
    try:
        assert c.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        c.execute("INSERT INTO papers_fts(papers_fts) VALUES('integrity-check')")  # raises if the index is off
        return tuple(
            c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("papers", "sources", "imports")
        )  # type: ignore[return-value]
    finally:
        c.close()


def fresh_copy(pristine: Path, dest: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    shutil.copy(pristine, dest)


def wal_size(db: Path) -> int:
    try:
        return os.path.getsize(f"{db}-wal")
    except OSError:
        return 0


def processes_naming(path: Path) -> list[str]:
    """Running processes whose command line names ``path`` (Linux /proc)."""
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(path) in cmd:
            out.append(f"{d.name}: {cmd}")
    return out


def test_sigkill_during_import_leaves_all_or_nothing(tmp_path: Path):
    listing = tmp_path / "big.txt"
    write_listing(listing)
    pristine = tmp_path / "pristine.db"
    with Library(pristine) as lib:
        lib.import_paths([FULL_SEED])
    before = state(pristine)
    assert before[0] == 19
    db = tmp_path / "library.db"
    cmd = [sys.executable, "-m", "refmanager", "--library", str(db), "import", str(listing)]

    # One run to the end: how long it takes, and what "wholly present" looks like.
    fresh_copy(pristine, db)
    t0 = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    duration = time.monotonic() - t0
    assert done.returncode == 0, done.stderr
    after = state(db)
    assert after[0] == before[0] + N
    assert after[1] == before[1] + N and after[2] == before[2] + 1

    rng = random.Random(SEED)
    log = []
    for i in range(KILLS):
        fresh_copy(pristine, db)
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        t0 = time.monotonic()
        if i % 3 == 0:  # anywhere
            delay = rng.uniform(0.05, 1.05) * duration
            how = f"at {delay:.2f}s"
        elif i % 3 == 2:  # around the commit
            delay = rng.uniform(0.85, 1.1) * duration
            how = f"late, at {delay:.2f}s"
        else:  # wait for uncommitted pages in the WAL, then a little more
            while proc.poll() is None and wal_size(db) < 512 * 1024 and time.monotonic() - t0 < duration * 2:
                time.sleep(0.005)
            delay = time.monotonic() - t0 + rng.uniform(0.0, 0.4) * duration
            how = f"WAL {wal_size(db) // 1024} KiB, at {delay:.2f}s"
        try:
            proc.wait(timeout=max(0.0, delay - (time.monotonic() - t0)))
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        proc.stderr.close()  # type: ignore[union-attr]
        got = state(db)
        log.append(f"kill {i}: {how}: exit {proc.returncode}, papers {got[0]}")
        assert got in (before, after), "\n".join(log)
        if proc.returncode == 0:
            assert got == after, "\n".join(log)
        with Library(db) as lib:  # it opens, and says the same
            assert len(lib.all_ids()) == got[0]
    # No process is left behind: the parser (a second process for a file this size)
    # ends as soon as it finds the killed writer gone.
    if Path("/proc").is_dir():
        deadline = time.monotonic() + 20
        while (left := processes_naming(db)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not left, left
    print(f"full run {duration:.2f}s", *log, sep="\n")  # shown with -s, or on failure
    killed = [line for line in log if "exit -9" in line]
    assert killed, "no kill landed while the import ran:\n" + "\n".join(log)
    # A killed import can simply be run again: it completes.
    last = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert last.returncode == 0 and state(db) == after
