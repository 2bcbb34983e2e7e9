"""Listings as copied from the web (CRLF, BOM, NBSP, blank lines, id lines) against hand-written JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refmanager.core import formats

GOLDEN = Path(__file__).resolve().parent / "data" / "golden"
FIELDS = ("line", "title", "authors", "et_al", "orgs", "date", "category", "abstract", "arxiv_id",
          "incomplete", "needs_review")
INPUTS = sorted(p for p in GOLDEN.glob("*.txt"))


@pytest.mark.parametrize("src", INPUTS, ids=[p.name for p in INPUTS])
def test_golden_listing(src: Path):
    want = json.loads(src.with_suffix(".expected.json").read_text(encoding="utf-8"))
    parsed, warnings = formats.parse_path(src)
    assert parsed.format == want["format"]
    assert warnings == want["warnings"]
    assert len(parsed.entries) == len(want["entries"])
    for entry, expected in zip(parsed.entries, want["entries"]):
        assert set(expected) == set(FIELDS)
        for f in FIELDS:
            assert getattr(entry, f) == expected[f], f"{src.name} line {expected['line']}: {f}"


def test_golden_inputs_really_have_the_copy_paste_noise():
    raw = (GOLDEN / "pasted_listing.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n\r\n" in raw and "\u00a0·\u00a0".encode() in raw
    assert b"segmentation.   \r\n" in raw  # trailing spaces
