"""RIS import: real-world exports (golden), junk lines, continuation lines, malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from refmanager.core import formats
from refmanager.core.errors import ParseError
from refmanager.core.formats import ris

from .formats_golden import FORMATS_DIR, check_golden, golden_inputs

MALFORMED = FORMATS_DIR / "malformed_no_er.ris"


@pytest.mark.parametrize("src", golden_inputs(".ris"), ids=lambda p: p.name)
def test_golden(src: Path) -> None:
    check_golden(src)


def test_golden_files_are_all_there() -> None:
    assert {p.name for p in golden_inputs(".ris")} == {"mendeley.ris", "pubmed.ris", "wos.ris", "zotero.ris"}


def test_detect() -> None:
    assert ris.detect("\ufeffProvider: X\n\nTY  - JOUR\nTI  - T\nER  - \n")
    assert ris.detect("TY - JOUR\n")
    assert not ris.detect("AU  - Doe, Jane\nER  - \n")
    assert not ris.detect("TYPE  - not a tag\n")
    assert formats.detect_format("TY  - JOUR\nER  - \n") is ris


def test_a_record_without_er_ends_where_the_next_starts(lib) -> None:
    pf, _ = formats.parse_path(MALFORMED)
    assert [e.title for e in pf.entries] == ["A complete record", "A record that is never closed", "The record after it"]
    assert [str(w) for w in pf.warnings] == [
        "line 7: this record has no 'ER  -' line before the next one (line 12); read up to there"
    ]
    report = lib.import_paths([MALFORMED])
    assert report.added == 3 and report.rejected == []
    assert report.files[0].warnings == [
        "line 7: this record has no 'ER  -' line before the next one (line 12); read up to there"
    ]


def test_record_open_at_end_of_file() -> None:
    pf = formats.parse_text("TY  - JOUR\nTI  - A\nER  - \n\nTY  - JOUR\nTI  - B\n", "x.ris")
    assert [e.title for e in pf.entries] == ["A", "B"]
    assert [str(w) for w in pf.warnings] == [
        "line 5: this record has no 'ER  -' line before the end of the file; read to the end"
    ]


def test_a_record_with_nothing_to_import_is_skipped_and_a_repeated_tag_keeps_the_first() -> None:
    pf = formats.parse_text("TY  - JOUR\nTI  - A\nTI  - B\nVL  - 3\nSP  - 1\nEP  - 9\nER  - \n"
                            "TY  - JOUR\nAU  - Doe, Jane\nER  - \n", "x.ris")
    assert [(e.title, e.volume, e.pages) for e in pf.entries] == [("A", "3", "1-9")]
    assert [str(w) for w in pf.warnings] == ["line 1: tag TI given twice in one record; kept the first"]
    assert [str(s) for s in pf.skipped] == ["line 8: RIS record with no title, identifier or abstract: nothing to import"]


def test_no_ty_record_is_an_error() -> None:
    with pytest.raises(ParseError) as e:
        ris.parse("AU  - Doe, Jane\nER  - \n")
    assert (e.value.line, e.value.message) == (1, "no RIS record: expected a line starting with 'TY  - '")
    with pytest.raises(ParseError) as e:
        formats.parse_text("AU  - Doe, Jane\nER  - \n", "x.ris")
    assert str(e.value).startswith("x.ris:1: not a recognised format")


def test_unknown_tags_continuations_and_et_al() -> None:
    text = (
        "TY  - CPAPER\nXY  - an unknown tag\nTI  - A long title that\n  goes on\nAU  - Doe, Jane\n"
        "AU  - Roe, Richard, III\nAU  - et al.\nPY  - 2020///\nKW  - rl; bandits\nKW  - rl\n"
        "N1  - first line\n      second line\n        indented\nN1  - another note\nER  - \n"
    )
    (e,) = ris.parse(text).entries
    assert (e.title, e.authors, e.et_al, e.date) == (
        "A long title that goes on", ["Jane Doe", "Richard Roe III"], True, "2020"
    )
    assert e.tags == ["rl; bandits", "rl"]  # a KW line is one tag, its ";" kept (issue 18)
    assert e.note == "first line\nsecond line\n  indented\n\nanother note"


def test_arxiv_category_from_call_number_only_in_the_arxiv_database() -> None:
    text = (
        "TY  - GEN\nTI  - A\nDB  - arXiv\nCN  - cs.LG\nER  - \n"
        "TY  - BOOK\nTI  - B\nDB  - Library of Congress\nCN  - qa76.9\nER  - \n"
        "TY  - GEN\nTI  - C\nAN  - arXiv:2401.00001 [stat.ML]\nER  - \n"
    )
    got = [(e.title, e.arxiv_id, e.category) for e in ris.parse(text).entries]
    assert got == [("A", None, "cs.LG"), ("B", None, None), ("C", "2401.00001", "stat.ML")]


def test_import_through_the_library(lib) -> None:
    report = lib.import_paths([FORMATS_DIR / "zotero.ris", FORMATS_DIR / "pubmed.ris"])
    assert [(Path(f.file).name, f.format, f.added) for f in report.files] == [
        ("zotero.ris", "RIS", 2),
        ("pubmed.ris", "RIS", 2),
    ]
    papers = {p["title"]: p for p in lib.export_json()}
    assert papers["Human-level control through deep reinforcement learning"]["tags"] == [
        "Computer science", "Reinforcement learning"
    ]
