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
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import ParseError
from ..models import ParsedFile
from . import jsonexport, listing_full, listing_profile

log = logging.getLogger(__name__)

#: Tried in this order.  More specific formats come first.
FORMATS: list[ModuleType] = [jsonexport, listing_full, listing_profile]

#: Limits (documented in docs/reliability.md).
MAX_FILE_BYTES = 512 * 1024 * 1024
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
_CONTROL = {c: None for c in range(32) if c not in (9, 10, 13)}
_CONTROL[127] = None


def decode(data: bytes, name: str) -> tuple[str, list[str]]:
    """Bytes to text, or ParseError for what is not text; also return warnings."""
    warnings: list[str] = []
    for sig, what in _BINARY_SIGNATURES.items():
        if data.startswith(sig):
            raise ParseError(f"this is {what}, not a text file", line=1, file=name)
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        text = data.decode("utf-32")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise ParseError(f"invalid UTF-16 text: {e.reason}", line=1, file=name) from None
        warnings.append("read as UTF-16")
    else:
        nul = data.find(b"\x00")
        if nul >= 0:
            line = data.count(b"\n", 0, nul) + 1
            raise ParseError("binary data (a NUL byte), not a text file", line=line, file=name)
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
    if text.startswith("\ufeff"):
        text = text[1:]
    stripped = text.translate(_CONTROL)
    if len(stripped) != len(text):
        warnings.append(f"removed {len(text) - len(stripped)} control character(s)")
        text = stripped
    return text, warnings


def check_limits(text: str, name: str) -> None:
    start = 0
    lineno = 1
    n = len(text)
    while start < n:
        end = text.find("\n", start)
        if end < 0:
            end = n
        if end - start > MAX_LINE_CHARS:
            raise ParseError(
                f"line is {end - start:,} characters long; the limit is {MAX_LINE_CHARS:,}",
                line=lineno,
                file=name,
            )
        start = end + 1
        lineno += 1


def detect_format(text: str) -> ModuleType | None:
    for fmt in FORMATS:
        if fmt.detect(text):
            return fmt
    return None


def _unknown_message(text: str) -> str:
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html")) or "<body" in head or "<head" in head:
        return "this is an HTML page, not a listing: copy the page's text instead of saving its HTML"
    return (
        "not a recognised format: expected a full listing (first line like 'CLJul 31, 2024'), "
        "a profile listing (an author's name, then one abstract per line), or refmanager JSON"
    )


def parse_text(text: str, name: str = "<input>", **context: Any) -> ParsedFile:
    """Parse text already decoded; errors name ``name`` and the line."""
    try:
        check_limits(text, name)
        if not text.strip():
            raise ParseError(
                "the file is empty" if not text else "the file holds only blank lines", line=1
            )
        fmt = detect_format(text)
        if fmt is None:
            first = next((i + 1 for i, ln in enumerate(text.split("\n")) if ln.strip()), 1)
            raise ParseError(_unknown_message(text), line=first)
        parsed = fmt.parse(text, **context)
    except ParseError as e:
        e.file = name
        raise
    except RecursionError:
        raise ParseError("the file is nested too deeply to read", line=1, file=name) from None
    return parsed


def read_file(path: str | os.PathLike[str]) -> tuple[str, list[str]]:
    p = Path(path)
    name = str(path)
    try:
        size = p.stat().st_size
    except OSError as e:
        raise ParseError(f"cannot read the file: {e.strerror}", file=name) from None
    if p.is_dir():
        raise ParseError("this is a folder, not a file", file=name)
    if size > MAX_FILE_BYTES:
        raise ParseError(
            f"the file is {size / 2**20:,.0f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB",
            file=name,
        )
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ParseError(f"cannot read the file: {e.strerror}", file=name) from None
    return decode(data, name)


def parse_path(path: str | os.PathLike[str], **context: Any) -> tuple[ParsedFile, list[str]]:
    text, warnings = read_file(path)
    return parse_text(text, str(path), **context), warnings
