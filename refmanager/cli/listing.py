"""What ``list`` and ``search`` print, and ``export``'s writing, streamed (issue 20).

Output is written as it is read: the view's ids first (``Library.ids``: one int each, about
36 MB at 1,000,000 papers), then the papers ``CHUNK`` at a time (``Library.get_many``), each
chunk written before the next is read, so memory stays bounded whatever the library's size
(the ids are an ``array``: 8 bytes each).  JSON is compact, each paper's written by SQLite
(``Library.json_texts``), unless ``--pretty`` asks for it indented; ``--json`` is one array,
streamed element by element (elements one a line), ``--jsonl`` one object a line.  ``--ids`` reads no paper at all; ``--fields`` keeps
the documented JSON fields asked for (``fields.JSON_FIELDS``), in the order asked.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..core.fields import JSON_FIELDS, Paper, paper_json
from .organising import UsageError

if TYPE_CHECKING:
    from ..core.library import Library, View

#: Papers read (and written) at a time.
CHUNK = 1000


def _limit(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"not a number of papers: {text!r}")
    return n


def add_output_options(sp: argparse.ArgumentParser) -> None:
    """``list`` and ``search``: --json, --jsonl, --pretty, --fields, --ids, --limit."""
    form = sp.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print a JSON array (one element a line)")
    form.add_argument("--jsonl", action="store_true", help="print JSON Lines: one object a line")
    sp.add_argument("--pretty", action="store_true", help="with --json: indent it (2 spaces; slower)")
    what = sp.add_mutually_exclusive_group()
    what.add_argument("--fields", metavar="A,B,...",
                      help="with --json or --jsonl: only these fields, in this order (" + ",".join(JSON_FIELDS) + ")")
    what.add_argument("--ids", action="store_true",
                      help="only the ids: one a line (with --json: a JSON array of numbers)")
    sp.add_argument("--limit", type=_limit, metavar="N", help="at most N papers (the first N of the order)")


def parse_fields(text: str) -> list[str]:
    """``--fields title,authors``: the fields asked, each once; an unknown one is a usage error."""
    asked = list(dict.fromkeys(f.strip() for f in text.split(",") if f.strip()))
    unknown = [f for f in asked if f not in JSON_FIELDS]
    if unknown or not asked:
        what = f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}" if unknown else "no field"
        raise UsageError(f"--fields: {what}; the fields are {','.join(JSON_FIELDS)}")
    return asked


def check_options(args: argparse.Namespace) -> list[str] | None:
    """The options' combinations a listing refuses (exit 2); the fields asked, if any."""
    if args.pretty and not args.json:
        raise UsageError("--pretty goes with --json")
    if args.fields is not None and not (args.json or args.jsonl):
        raise UsageError("--fields goes with --json or --jsonl")
    return parse_fields(args.fields) if args.fields is not None else None


def chunked(ids: Sequence[int], size: int | None = None) -> Iterator[Sequence[int]]:
    size = size or CHUNK
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def papers_of(lib: Library, ids: Sequence[int], size: int | None = None) -> Iterator[list[Paper]]:
    """The papers of ``ids``, in their order, a chunk at a time."""
    for chunk in chunked(ids, size):
        yield lib.get_many(chunk)


def write_array(out: IO[str], chunks: Iterable[list[str]], pretty: bool = False) -> None:
    """A JSON array of the already encoded ``chunks``' elements, written chunk by chunk.
    ``pretty``: as ``json.dump(..., indent=2)`` writes it (every element's lines indented)."""
    first = True
    out.write("[")
    for chunk in chunks:
        if not chunk:
            continue
        if pretty:
            text = ",\n  ".join(s.replace("\n", "\n  ") for s in chunk)  # (JSON strings hold no newline)
            out.write(("\n  " if first else ",\n  ") + text)
        else:
            out.write(("" if first else ",\n") + ",\n".join(chunk))
        first = False
    out.write(("]" if first or not pretty else "\n]") + "\n")


def print_listing(lib: Library, view: View, args: argparse.Namespace, line: Callable[[Paper], str],
                  legend: Callable[[bool, bool], None]) -> None:
    """``list`` and ``search``: the view's papers (or ids) as text, JSON or JSON Lines, streamed."""
    fields = check_options(args)
    ids = lib.ids(view, args.limit, compact=True) if args.limit is not None else lib.ids(view, compact=True)
    out = sys.stdout
    indent = 2 if args.pretty else None
    if args.ids:
        id_chunks = ([str(i) for i in c] for c in chunked(ids, 10 * CHUNK))
        if args.json:
            write_array(out, id_chunks, args.pretty)
        else:
            for c in id_chunks:
                out.write("\n".join(c) + "\n")
        return

    def obj(p: Paper) -> dict[str, Any]:
        return paper_json(p) if fields is None else {n: getattr(p, n) for n in fields}

    if args.json or args.jsonl:
        if args.pretty:
            encoded: Iterable[list[str]] = ([json.dumps(obj(p), ensure_ascii=False, indent=indent) for p in papers]
                                            for papers in papers_of(lib, ids))
        else:  # (compact: SQLite writes each paper's JSON)
            encoded = (lib.json_texts(chunk, fields) for chunk in chunked(ids))
        if args.json:
            write_array(out, encoded, args.pretty)
        else:
            for c in encoded:
                if c:
                    out.write("\n".join(c) + "\n")
        return
    starred = unread = False
    for papers in papers_of(lib, ids):
        out.write("".join(line(p) + "\n" for p in papers))
        starred = starred or any(p.starred for p in papers)
        unread = unread or any(not p.read for p in papers)
    legend(starred, unread)


# ------------------------------------------------------------------------------ export
#: Formats ``export`` writes a chunk at a time, by name.  BibTeX's and CSL-JSON's citation keys
#: are those of all the papers at once (``export.citation_keys``): a paper's own key is known
#: from it, and the first paper without one has every paper read once more for the keys made
#: (``export.keyed_chunks``: only those papers' base keys and the own keys, compactly, kept).
STREAMED_EXPORTS = ("json", "ris", "bibtex", "csljson")


def _json_export_chunks(lib: Library, ids: Sequence[int], groups: Any) -> Iterator[str]:
    """``export --format json``, the same text ``export.to_json`` returns, a chunk at a time."""
    notes = groups.annotations if groups is not None else {}

    def paper(p: Paper) -> dict[str, object]:
        d = {**paper_json(p), **({"annotations": notes[p.id or 0]} if notes.get(p.id or 0) else {})}
        if groups:
            d["collections"] = groups.of.get(p.id or 0, [])
        return d

    pad = "\n    " if groups else "\n  "  # the elements' indentation: in "papers" of an object, or at the top
    first = True
    yield '{\n  "papers": [' if groups else "["
    for papers in papers_of(lib, ids):
        if not papers:
            continue
        text = ("," + pad).join(json.dumps(paper(p), ensure_ascii=False, indent=2).replace("\n", pad)
                                for p in papers)
        yield ("" if first else ",") + pad + text
        first = False
    close = ("" if first else pad[:-2]) + "]"
    if not groups:
        yield close + "\n"
        return
    rest = json.dumps({"collections": list(groups.paths),
                       "saved_searches": [{"name": n, "query": q} for n, q in groups.searches]},
                      ensure_ascii=False, indent=2)
    yield close + ",\n" + rest[2:] + "\n"  # (the rest's "{\n" dropped: it goes on the object begun)


def _ris_export_chunks(lib: Library, ids: Sequence[int], groups: Any) -> Iterator[str]:
    from ..core.export import checked, ris_records

    first = True
    for papers in checked(papers_of(lib, ids)):  # (a refusal: the message of all the papers at once)
        if papers:
            yield ("" if first else "\n") + ris_records(papers)
            first = False


def _keyed_chunks(lib: Library, ids: Sequence[int], key_pattern: str,
                  check: bool) -> Iterator[tuple[Sequence[Paper], list[str]]]:
    """The papers of ``ids`` a chunk at a time, each with its citation key among all of them."""
    from ..core.export import keyed_chunks

    return keyed_chunks(papers_of(lib, ids), lambda: papers_of(lib, ids), key_pattern, check=check)


def export_chunks(lib: Library, fmt: str, ids: Sequence[int], key_pattern: str) -> Iterator[str]:
    """``export``'s text in pieces: streamed for ``STREAMED_EXPORTS``, else whole (one piece);
    the same text as ``EXPORT_FORMATS[fmt].write`` of all the papers at once.  A refused value
    (BibTeX, RIS) stops it where it is found, with the message of all the papers at once."""
    from ..core.export import EXPORT_FORMATS, bibtex_pieces, csljson_pieces

    if fmt == "json":
        return _json_export_chunks(lib, ids, lib.export_groups(ids))
    if fmt == "ris":
        return _ris_export_chunks(lib, ids, None)
    if fmt == "bibtex":
        return bibtex_pieces(_keyed_chunks(lib, ids, key_pattern, check=True), lib.export_groups(ids))
    if fmt == "csljson":
        return csljson_pieces(_keyed_chunks(lib, ids, key_pattern, check=False))
    papers = [p for chunk in papers_of(lib, ids) for p in chunk]
    return iter([EXPORT_FORMATS[fmt].write(papers, key_pattern, groups=lib.export_groups(ids))])


def write_export(pieces: Iterable[str], output: str | None) -> None:
    """To standard output, or to ``output`` through a temporary file beside it, renamed over it
    when all is written: a refused or interrupted export leaves no half-written file."""
    if not output:
        for piece in pieces:
            sys.stdout.write(piece)
        return
    target = Path(output)
    if target.exists() and not target.is_file():  # /dev/stdout, a pipe: written straight
        with open(target, "w", encoding="utf-8") as f:
            for piece in pieces:
                f.write(piece)
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for piece in pieces:
                f.write(piece)
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        if e.filename is None:  # (a write failed: the message names the file the user asked for)
            raise OSError(e.errno, e.strerror, str(target)) from e
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
