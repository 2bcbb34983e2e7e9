"""CSL-JSON import: Zotero, Pandoc and doi.org output (golden), detection against refmanager JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refmanager.core import formats
from refmanager.core.errors import ParseError
from refmanager.core.formats import csljson, jsonexport

from .formats_golden import check_golden, golden_inputs


@pytest.mark.parametrize("src", golden_inputs("_csl.json"), ids=lambda p: p.name)
def test_golden(src: Path) -> None:
    check_golden(src)


def test_golden_files_are_all_there() -> None:
    assert {p.name for p in golden_inputs("_csl.json")} == {"doi_org_csl.json", "pandoc_csl.json",
                                                          "zotero_csl.json"}


def test_only_csl_json_is_claimed() -> None:
    csl = '[{"type": "article", "title": "T"}]'
    ours = '[{"id": 1, "title": "T", "authors": ["A B"], "abstract": null}]'
    other = '[{"foo": 1}]'
    assert csljson.detect(csl) and formats.detect_format(csl) is csljson
    assert not csljson.detect(ours) and formats.detect_format(ours) is jsonexport
    assert not csljson.detect(other) and formats.detect_format(other) is jsonexport
    assert not csljson.detect('{"type": "article"}')  # a type but no CSL field
    assert not csljson.detect("[]")
    assert not csljson.detect("@misc{x, title={T}}")


def test_other_json_is_still_rejected_by_the_refmanager_reader() -> None:
    with pytest.raises(ParseError) as e:
        formats.parse_text('[{"foo": 1}]', "x.json")
    assert str(e.value).startswith("x.json:1: this JSON is not a refmanager export")


def test_a_bad_item_is_skipped_with_its_line_and_the_rest_imports() -> None:
    text = '[\n  {"type": "article", "title": "A"},\n  {"type": "article", "title": "B", "author": "Doe"}\n]\n'
    pf = formats.parse_text(text, "refs.json")
    assert [e.title for e in pf.entries] == ["A"]
    assert [str(p) for p in pf.skipped] == ["line 3: field 'author' must be a list of names"]
    text = '[\n  {"type": "article", "title": "A"},\n  "just a string"\n]\n'
    pf = formats.parse_text(text, "refs.json")
    assert [str(p) for p in pf.skipped] == ["line 3: each element of a CSL-JSON list must be an object (a CSL item)"]
    text = '[\n  {"type": "article", "author": "Doe"}\n]\n'
    with pytest.raises(ParseError) as e:
        formats.parse_text(text, "refs.json")
    assert str(e.value) == "refs.json:2: field 'author' must be a list of names"


def test_items_without_type_are_csl_by_their_fields() -> None:
    text = ('[{"id": "a", "title": "T", "author": [{"family": "Doe", "given": "Jane"}], '
            '"issued": {"date-parts": [[2020, 5]]}, "container-title": "J", "volume": "3", "page": "1-9"}]')
    assert formats.detect_format(text) is csljson
    (e,) = formats.parse_text(text, "x.json").entries
    assert (e.title, e.authors, e.date, e.journal, e.volume, e.pages) == ("T", ["Jane Doe"], "2020-05", "J", "3", "1-9")
    ours = '[{"title": "T", "authors": ["Jane Doe"], "date": "2020"}]'
    assert formats.detect_format(ours) is jsonexport


def test_dates_names_and_arxiv_in_their_csl_shapes() -> None:
    items = [
        {"type": "article", "title": "A", "issued": {"raw": "2019-05"},
         "author": [{"given": "Ludwig", "dropping-particle": "van", "family": "Beethoven", "suffix": "Jr."},
                    {"literal": "et al."}],
         "number": "arXiv:1905.00001 [cs.LG]", "keyword": ["x", "y"], "categories": ["y", "z"]},
        {"type": "article", "title": "B", "issued": {"date-parts": [["2020", "2", "30"]]},
         "archive": "arXiv", "archive_location": "hep-th", "DOI": "https://doi.org/10.48550/arXiv.2002.00002"},
        {"type": "article", "title": "C", "issued": "2021-03-04", "note": "arXiv:2103.00003\nmy own words"},
    ]
    a, b, c = csljson.parse(json.dumps(items)).entries
    assert (a.authors, a.et_al, a.date, a.arxiv_id, a.category, a.tags) == (
        ["Ludwig van Beethoven Jr."], True, "2019-05", "1905.00001", "cs.LG", ["x", "y", "z"]
    )
    assert (b.date, b.doi, b.arxiv_id, b.category) == ("2020-02", "10.48550/arXiv.2002.00002", "2002.00002", "hep-th")
    assert (c.date, c.arxiv_id, c.note) == ("2021-03-04", "2103.00003", "my own words")


def test_import_through_the_library(lib) -> None:
    from .formats_golden import FORMATS_DIR

    report = lib.import_paths([FORMATS_DIR / "pandoc_csl.json"])
    assert [(f.format, f.added) for f in report.files] == [("CSL-JSON", 3)]
    tsne = next(p for p in lib.export_json() if p["title"] == "Visualizing data using t-SNE")
    assert tsne["authors"] == ["Laurens van der Maaten", "Geoffrey Hinton"]
