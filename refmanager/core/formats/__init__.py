"""Input formats: one module per format, each with ``detect`` and ``parse``.

The contract (as in papis's importers): ``detect(text) -> bool`` looks at the
content only; ``parse(text, **context) -> ParsedFile`` returns plain data or
raises ``ParseError`` naming the line.  Formats are tried in ``FORMATS``
order; the first whose ``detect`` says yes parses the file.

Reading bytes into text (encodings, binary files, limits) happens here once,
so every format gets the same tolerance of what copy-paste produces.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from .. import arxivid
from ..errors import ParseError
from ..models import Entry, ParsedFile, Parsing, Problem
from ..validation import check_ids
from . import arxiv_atom, bibtex, csljson, jsonexport, listing_full, listing_profile, medline, ris, wos

log = logging.getLogger(__name__)

#: Every input format (``detect_format`` says which one a text is).  CSL-JSON
#: claims only JSON that looks like CSL, so it comes before refmanager JSON.
FORMATS: list[ModuleType] = [
    csljson, jsonexport, arxiv_atom, bibtex, ris, wos, medline, listing_full, listing_profile,
]

#: Limits (documented in docs/reliability.md; the entry-size limits of the
#: title/author split are ``listing_full.MAX_TITLE_CHARS`` and ``MAX_SPLIT_POINTS``).
#: A file larger than this is refused before it is read.
MAX_FILE_BYTES = 512 * 1024 * 1024
#: A line longer than this (in characters, after decoding) is refused.
MAX_LINE_CHARS = 500_000

_BINARY_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or an office document)",
    b"\x1f\x8b": "a gzip archive",
    b"SQLite format 3\x00": "an SQLite database",
    b"\x7fELF": "a program (ELF binary)",
}
#: C0 control characters but tab, line feed and carriage return; and DEL.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_EITHER_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")  # one scan of 50 MB, not two


def normalise_text(
    text: str, *, controls: bool | None = None, surrogates: bool = True
) -> tuple[str, list[str]]:
    """What every input gets however it arrived (file, paste): no BOM, no
    control characters, no lone surrogates (SQLite cannot store them).

    ``decode`` knows more than the text shows: whether the bytes held control
    characters (``controls``; None: look) and that a strict decoder never
    makes lone surrogates; each scan of a 150 MB text costs ~0.5 s.
    """
    warnings: list[str] = []
    if text.startswith("\ufeff"):
        text = text[1:]
    if controls is None and surrogates:
        if not _EITHER_RE.search(text):
            return text, warnings
        controls = True
    if controls is not False and _CONTROL_RE.search(text):
        text, n = _CONTROL_RE.subn("", text)
        warnings.append(f"removed {n} control character(s)")
    if surrogates and not text.isascii() and _SURROGATE_RE.search(text):
        text, n = _SURROGATE_RE.subn("\ufffd", text)
        warnings.append(f"replaced {n} invalid character(s) (lone surrogates) with U+FFFD")
    return text, warnings


def _line_at(data: bytes, pos: int, codec: str) -> int:
    """1-based line of byte offset ``pos`` in ``data`` read as ``codec``."""
    return data[:pos].decode(codec, errors="replace").count("\n") + 1


def _utf16_without_bom(data: bytes) -> str | None:
    """The codec when text looks like BOM-less UTF-16 (a NUL in every other byte)."""
    sample = data[:4096]
    if len(sample) < 4 or len(data) % 2:
        return None
    for codec, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        if zeros.count(0) >= 0.9 * len(zeros):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                return None
            return codec if "\x00" not in text else None
    return None


_BOM_CODECS = (
    ((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"), "utf-32"),
    ((b"\xff\xfe", b"\xfe\xff"), "utf-16"),
)


def decode(data: bytes, name: str) -> tuple[str, list[str]]:
    """Bytes to text, or ParseError for what is not text; also return warnings."""
    warnings: list[str] = []
    for sig, what in _BINARY_SIGNATURES.items():
        if data.startswith(sig):
            raise ParseError(f"this is {what}, not a text file", line=1, file=name)
    # UTF-32 first: its little-endian BOM begins with UTF-16's
    bom_codec = next((c for boms, c in _BOM_CODECS if data.startswith(boms)), None)
    nul = -1
    if bom_codec is not None:
        try:
            text = data.decode(bom_codec)
        except UnicodeDecodeError as e:
            raise ParseError(
                f"invalid {bom_codec.upper()} text: {e.reason}", line=_line_at(data, e.start, bom_codec), file=name
            ) from None
        warnings.append(f"read as {bom_codec.upper()}")
    else:
        nul = data.find(b"\x00")
        if nul >= 0:
            codec = _utf16_without_bom(data)
            if codec is None:
                line = data.count(b"\n", 0, nul) + 1
                raise ParseError("binary data (a NUL byte), not a text file", line=line, file=name)
            text = data.decode(codec)
            warnings.append(f"read as UTF-16 {codec[-2:].upper()} (no byte-order mark)")
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as e:
                line = data.count(b"\n", 0, e.start) + 1
                try:
                    text = data.decode("cp1252")
                    enc = "Windows-1252"
                except UnicodeDecodeError:
                    text = data.decode("latin-1")
                    enc = "Latin-1"
                warnings.append(f"not valid UTF-8 (first at line {line}); read as {enc}")
    # Strict decoders never make lone surrogates; with the ASCII-compatible ones
    # (UTF-8, Windows-1252, Latin-1) a control character is a control byte.
    ascii_compatible = bom_codec is None and nul < 0
    controls = _has_control_bytes(data) if ascii_compatible else None
    text, more = normalise_text(text, controls=controls, surrogates=False)
    return text, warnings + more


def _has_control_bytes(data: bytes, step: int = 1 << 22) -> bool:
    """Whether ``data`` holds a control byte, looked for 4 MB at a time (one
    ``translate`` of the whole would copy it: a 400 MB file held twice)."""
    for i in range(0, len(data), step):
        chunk = data[i : i + step]
        if len(chunk.translate(None, _CONTROL_BYTES)) != len(chunk):
            return True
    return False


def _size(n: int) -> str:
    """``1,001 bytes``, ``536,870,913 bytes (512 MB)``: exact, and readable when large."""
    if n < 2**20:
        return f"{n:,} bytes"
    return f"{n:,} bytes ({n / 2**20:,.1f}".removesuffix(".0") + " MB)"


def check_limits(text: str, name: str) -> None:
    """Refuse a line over ``MAX_LINE_CHARS``, naming it.

    Jumps from window to window (the last line end within ``MAX_LINE_CHARS``
    of a line's start) instead of visiting every line: a 150 MB listing is
    checked in a few hundred steps, not 300,000 (0.2 s before its first entry).
    """
    start = 0
    n = len(text)
    while n - start > MAX_LINE_CHARS:
        end = text.rfind("\n", start, start + MAX_LINE_CHARS + 1)
        if end < 0:  # the line starting here is longer than the limit
            end = text.find("\n", start)
            length = (n if end < 0 else end) - start
            raise ParseError(
                f"line is {length:,} characters long; the limit is {MAX_LINE_CHARS:,}",
                line=text.count("\n", 0, start) + 1,
                file=name,
            )
        start = end + 1


#: Tagged and record formats, by the line that starts a record (``MARKER``).
#: A file is the format whose marker comes first: a BibTeX export whose note
#: holds a line starting ``TY  - `` is still BibTeX, because its first entry
#: starts before that line, and a RIS file whose abstract quotes ``@article{``
#: is RIS for the same reason.
_RECORD_FORMATS: tuple[ModuleType, ...] = (bibtex, ris, wos, medline)
#: Where the first record marker is looked for (a header of comments or
#: provider lines comes before the first record; a whole listing is not scanned).
_MARKER_WINDOW = 1 << 20


def normalise_line_ends(text: str) -> str:
    """CR LF and lone CR (old Mac files) become LF, for every format."""
    if "\r" in text:
        # (the caller still holds the text: one copy at a time, not re.sub's million pieces)
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            text = text.replace("\r", "\n")
    return text


_NOT_BLANK = re.compile("[^\ufeff \t\n]")


def _first_char(text: str) -> str:
    """``text.lstrip("\\ufeff \\t\\n")[:1]`` without copying the text."""
    m = _NOT_BLANK.search(text)
    return m.group() if m else ""


def detect_format(text: str) -> ModuleType | None:
    """The format of ``text`` (line ends already LF), by its shape."""
    if listing_full.starts_with_header(text):
        return listing_full
    head = _first_char(text)
    if head in ("[", "{"):
        return next((f for f in (csljson, jsonexport) if f.detect(text)), None)
    if head == "<":
        return arxiv_atom if arxiv_atom.detect(text) else None
    window = text[:_MARKER_WINDOW]
    firsts = [(m.start(), i) for i, f in enumerate(_RECORD_FORMATS) if (m := f.MARKER.search(window))]
    for _pos, i in sorted(firsts):
        if _RECORD_FORMATS[i].detect(text):
            return _RECORD_FORMATS[i]
    for fmt in (listing_full, listing_profile):
        if fmt.detect(text):
            return fmt
    return None


def _unknown_message(text: str) -> str:
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html")) or "<body" in head or "<head" in head:
        return "this is an HTML page, not a listing: copy the page's text instead of saving its HTML"
    lines = [ln.strip() for ln in text[:100_000].split("\n") if ln.strip()]
    if lines and all(arxivid.id_line(ln) for ln in lines):
        return (
            f"the file holds only arXiv identifiers ({len(lines)} line{'s' if len(lines) != 1 else ''}), "
            "no titles or abstracts: import a listing or an arXiv API response instead"
        )
    if lines and listing_profile._looks_like_owner(lines[0]) and all(
        arxivid.id_line(ln) for ln in lines[1:]
    ):
        return (
            f"only a name ({lines[0]!r}): a profile listing needs one abstract per line "
            "after the author's name"
        )
    return (
        "not a recognised format: expected a full listing (first line like 'CLJul 31, 2024'), "
        "a profile listing (an author's name, then one abstract per line), BibTeX, RIS, CSL-JSON, "
        "Web of Science, PubMed/MEDLINE, an arXiv API response or refmanager JSON"
    )


def _format_for(text: str, name: str) -> tuple[ModuleType, str]:
    """The format that will parse ``text``, and the text with LF line ends;
    ParseError for text none can parse."""
    text = normalise_line_ends(text)
    check_limits(text, name)
    if not text or text.isspace():  # (not strip(): a copy of the whole text)
        raise ParseError("the file is empty" if not text else "the file holds only blank lines", line=1)
    fmt = detect_format(text)
    if fmt is None:
        first = next((i + 1 for i, ln in enumerate(text.split("\n")) if ln.strip()), 1)
        raise ParseError(_unknown_message(text), line=first)
    return fmt, text


@contextmanager
def _naming(name: str) -> Iterator[None]:
    """Errors inside name the input."""
    try:
        yield
    except ParseError as e:
        e.file = name
        raise
    except RecursionError:
        raise ParseError("the file is nested too deeply to read", line=1, file=name) from None


def parse_text(text: str, name: str = "<input>", **context: Any) -> ParsedFile:
    """Parse text already decoded; errors name ``name`` and the line."""
    with _naming(name):
        fmt, text = _format_for(text, name)
        pf = fmt.parse(text, **context)
    pf.entries = list(_checked(pf.entries, pf.skipped, pf.warnings))
    return pf


def _checked(entries: Iterable[Entry], skipped: list[Problem], warnings: list[Problem]) -> Iterator[Entry]:
    """Every format's entries with their identifiers held to ``edit``'s rules
    (``validation.check_ids``): one that is none is left out, with a warning, and kept
    with the paper's source; an entry left with nothing to import is skipped."""
    for e in entries:
        problems = check_ids(e)
        if problems:
            warnings.extend(Problem(e.line, p) for p in problems)
            if not (e.title or e.doi or e.arxiv_id or e.abstract or e.raw_line):
                skipped.append(Problem(e.line, "a record with no title, identifier or abstract: nothing to import"))
                continue
        yield e


def iter_parse_text(text: str, name: str = "<input>", **context: Any) -> Parsing:
    """``parse_text`` for a large import, which writes the first entries while
    later ones are still parsed.

    A format with ``iter_parse`` (the full listing and BibTeX: the ones whose
    files are large and slow to parse) yields entries as it goes, and fills in
    its skipped records and warnings as it does; the others are parsed whole
    first.  A ``ParseError`` may come from the iterator too, naming ``name``.
    """
    with _naming(name):
        fmt, text = _format_for(text, name)
        if not hasattr(fmt, "iter_parse"):
            pf = fmt.parse(text, **context)
            entries = list(_checked(pf.entries, pf.skipped, pf.warnings))
            return Parsing(pf.format, len(entries), iter(entries), pf.skipped, pf.warnings)
        parsing: Parsing = fmt.iter_parse(text, **context)
    parsing.entries = _named_entries(_checked(parsing.entries, parsing.skipped, parsing.warnings), name)
    return parsing


def _named_entries(it: Iterator[Entry], name: str) -> Iterator[Entry]:
    with _naming(name):
        yield from it


def read_file(path: str | os.PathLike[str]) -> tuple[str, list[str]]:
    p = Path(path)
    name = str(path)
    try:
        st = p.stat()
    except OSError as e:
        raise ParseError(f"cannot read the file: {e.strerror}", file=name) from None
    if stat.S_ISDIR(st.st_mode):
        raise ParseError("this is a folder, not a file", file=name)
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
        raise ParseError("this is a device or a socket, not a file", file=name)
    if st.st_size > MAX_FILE_BYTES:
        raise ParseError(
            f"the file is {_size(st.st_size)}; the limit is {_size(MAX_FILE_BYTES)}", file=name
        )
    try:
        with open(p, "rb") as f:
            if stat.S_ISREG(st.st_mode):
                data = f.read()
            else:  # a pipe has no size: read in chunks, up to one past the limit
                chunks, n = [], 0
                while n <= MAX_FILE_BYTES and (chunk := f.read(1 << 20)):
                    chunks.append(chunk)
                    n += len(chunk)
                data = b"".join(chunks)
    except OSError as e:
        raise ParseError(f"cannot read the file: {e.strerror}", file=name) from None
    if len(data) > MAX_FILE_BYTES:
        raise ParseError(f"the file is larger than the limit of {_size(MAX_FILE_BYTES)}", file=name)
    return decode(data, name)


def parse_path(path: str | os.PathLike[str], **context: Any) -> tuple[ParsedFile, list[str]]:
    text, warnings = read_file(path)
    return parse_text(text, str(path), **context), warnings
