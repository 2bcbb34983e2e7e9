"""An import's two halves counted in instructions, not seconds (issue 20).

On a machine whose speed moves from minute to minute (this project's: ±30%, and two
vCPUs that are not two equal cores), a 5% change in an import's cost cannot be seen
in its time.  ``valgrind --tool=callgrind`` counts the instructions a process runs:
the same count for the same code and input whatever else the machine does.

    python -m bench.instructions bench/out/data/n10k-small-vocab

counts, each in a fresh interpreter under callgrind (about a minute each at 10,000
papers; valgrind slows a program ~50x):

``parser``  ``import_stream.produce`` over the directory's listing: what the parsing
            process runs (less the pickling of its messages);
``writer``  an import of the same messages into a new library, read from a file made
            first (what the writing process runs, unpickling included), the parse aside;

and subtracts from each the same run without its work (interpreter start, imports,
opening the library).  Instructions are not cycles: a change that copies instead of
branching (``fields.dumps``'s ASCII encoder) shows in seconds, not here.  Compare two
versions of the code with ``--root`` (a work tree of each, e.g. ``git worktree add``).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_COLLECTED = re.compile(r"Collected : (\d+)")


def _child(mode: str, listing: Path, blobs: Path, work: Path) -> None:
    """What is counted (``run``) or its baseline (``base``), in this process."""
    import gc

    from refmanager.core.import_stream.parse import produce

    gc.disable()
    what, run = mode.split("-")
    if what == "parser":
        if run == "run":
            for _msg in produce([(listing.name, listing)], lambda name: False):
                pass
        return
    from refmanager.core.library import Library
    from refmanager.core.store import importing

    data = pickle.loads(blobs.read_bytes())

    @contextmanager
    def sent(inputs: Any, path: Any, known: Any, cancelled: Any) -> Any:
        yield (pickle.loads(b) for b in data)

    importing.messages = sent  # type: ignore[assignment]  # (the messages as the pipe brings them)
    lib = Library(work / "library.db")
    if run == "run":
        lib.import_paths([listing])
    lib.close()


def _count(root: Path, mode: str, listing: Path, blobs: Path, work: Path) -> int:
    for name in ("library.db", "library.db-wal", "library.db-shm"):
        (work / name).unlink(missing_ok=True)
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
           "--child", mode, "--listing", str(listing), "--blobs", str(blobs), "--work", str(work)]
    # (this file run as a script: ``refmanager`` comes from ``root``, which may be another work tree)
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("REFMANAGER_PARSE_PROCESS", None)
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=env)
    m = _COLLECTED.search(proc.stderr)
    if proc.returncode != 0 or m is None:
        raise SystemExit(f"{mode} failed under valgrind ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return int(m.group(1))


def _messages(root: Path, listing: Path, blobs: Path) -> int:
    """The parser's messages, pickled one by one into ``blobs``; how many entries."""
    code = (
        "import pickle, sys; from pathlib import Path\n"
        "from refmanager.core.import_stream.parse import produce\n"
        "from refmanager.core.import_stream.messages import Entries\n"
        "p = Path(sys.argv[1]); msgs = list(produce([(p.name, p)], lambda name: False))\n"
        "Path(sys.argv[2]).write_bytes(pickle.dumps([pickle.dumps(m, 4) for m in msgs]))\n"
        "print(sum(len(m.rows) for m in msgs if isinstance(m, Entries)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(listing), str(blobs)], cwd=root, check=True,
                         capture_output=True, text=True).stdout
    return int(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", nargs="?", type=Path, help="a directory of bench/generate*.py (its listing-000.txt)")
    ap.add_argument("--root", type=Path, default=ROOT, help="the code to count (a work tree)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--listing", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--blobs", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child, args.listing, args.blobs, args.work)
        return 0
    if args.data is None:
        ap.error("the data directory is missing")
    if shutil.which("valgrind") is None:
        print(json.dumps({"skipped": "valgrind is not installed"}))
        return 0
    listing = (args.data / "listing-000.txt").resolve()
    root = args.root.resolve()
    with tempfile.TemporaryDirectory(prefix="refmanager-instructions-") as tmp:
        work = Path(tmp)
        blobs = work / "messages.pickle"
        n = _messages(root, listing, blobs)
        counts = {mode: _count(root, mode, listing, blobs, work)
                  for mode in ("parser-run", "parser-base", "writer-run", "writer-base")}
    res: dict[str, Any] = {"root": str(root), "papers": n}
    for part in ("parser", "writer"):
        total = counts[f"{part}-run"] - counts[f"{part}-base"]
        res[f"{part}_minstr"] = round(total / 1e6)
        res[f"{part}_instr_per_paper"] = round(total / max(1, n))
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
