"""Golden files for the bibliography formats: ``name.ext`` + ``name.expected.json``.

The expected files are written by hand from the inputs; the test compares
every field of every entry, so a change in what a parser reads shows up as
the one field that moved.
"""

from __future__ import annotations

import json
from pathlib import Path

from refmanager.core import formats

FORMATS_DIR = Path(__file__).resolve().parent / "data" / "formats"
FIELDS = ("line", "title", "authors", "et_al", "date", "category", "abstract", "arxiv_id", "doi", "journal",
          "volume", "issue", "pages",
          "tags", "note")
#: The record (issue 17): checked when an expected file lists them (the RIS and CSL-JSON ones do).
RECORD_FIELDS = ("type", "publisher", "record", "extras", "citekey")


def golden_inputs(suffix: str) -> list[Path]:
    """Inputs with this suffix that have an expected file beside them."""
    return sorted(
        p for p in FORMATS_DIR.glob(f"*{suffix}")
        if not p.name.endswith(".expected.json") and expected_path(p).exists()
    )


def expected_path(src: Path) -> Path:
    return src.with_name(src.name[: -len(src.suffix)] + ".expected.json")


def check_golden(src: Path) -> None:
    want = json.loads(expected_path(src).read_text(encoding="utf-8"))
    parsed, warnings = formats.parse_path(src)
    assert parsed.format == want["format"]
    assert warnings == want["warnings"]
    assert len(parsed.entries) == len(want["entries"])
    for entry, expected in zip(parsed.entries, want["entries"]):
        assert set(FIELDS) <= set(expected) <= set(FIELDS + RECORD_FIELDS), (
            f"{src.name}: expected file must list every field")
        for f in FIELDS + tuple(f for f in RECORD_FIELDS if f in expected):
            assert getattr(entry, f) == expected[f], f"{src.name}, entry at line {expected['line']}: {f}"
