"""Export to BibTeX, RIS, CSL-JSON and JSON; round trips through an empty library; citations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refmanager.cli import main
from refmanager.core.export import (
    DEFAULT_KEY_PATTERN,
    EXPORT_FORMATS,
    citation_keys,
    latex_escape,
    to_bibtex,
    to_csljson,
    to_ris,
)
from refmanager.core.fields import Paper
from refmanager.core.library import Library

ROUND_TRIP_FIELDS = ("title", "authors", "et_al", "date", "category", "arxiv_id", "doi", "journal", "abstract",
                     "tags", "note")

TRICKY = {
    "title": "Tricky: 50% of $x_1^{2}$ & LLMs -- ``q'' {braces} ~tilde^ caret \\ back #hash _u",
    "authors": ["Jan van der Berg", "Gemma Team", "José Müller Jr.", "Zoë d'Arc"],
    "et_al": False,
    "date": "2024-07",
    "category": "cs.CL",
    "arxiv_id": "2408.00118",
    "doi": "10.1000/xyz_1",
    "journal": "J. Mach. Learn. Res.",
    "abstract": "Para one -- with `ticks`, 'quotes', !` and ?`.\n\nPara two @ home.",
    "tags": ["Curiosity", "rl & planning"],
    "note": "line one\n@start of line\n  indented & 100% {x}",
}
OLD_STYLE = {
    "title": "The Large N Limit of Superconformal Field Theories and Supergravity",
    "authors": ["Juan M. Maldacena"],
    "et_al": False,
    "date": None,
    "category": "hep-th",
    "arxiv_id": "hep-th/9711200",
    "doi": None,
    "journal": None,
    "abstract": None,
    "tags": [],
    "note": None,
}

GEMMA2 = Paper(**{
    "id": 7,
    "title": "Gemma 2: Improving Open Language Models at a Practical Size",
    "authors": ["Gemma Team", "Morgane Riviere", "Shreya Pathak"],
    "et_al": True,
    "date": "2024-07-31",
    "category": "cs.CL",
    "arxiv_id": "2408.00118",
    "doi": None,
    "journal": None,
    "abstract": "We introduce Gemma 2 -- from 2B to 27B.",
    "tags": ["LLMs", "open models"],
    "note": "Read §3 & §4.",
})


def _fields(library: Library) -> list[dict]:
    papers = [{k: p[k] for k in ROUND_TRIP_FIELDS} for p in library.export_json()]
    return sorted(papers, key=lambda p: (p["title"] or "", p["abstract"] or ""))


@pytest.fixture
def source(seeded: Library) -> Library:
    """The two seeds (21 papers, two of them untitled) plus papers full of special characters."""
    report = seeded.import_text(json.dumps([TRICKY, OLD_STYLE]), "tricky.json")
    assert report.added == 2
    seeded.add_tags([1, 2], ["rl", "C++"])
    seeded.set_note(3, "first\n\n  second paragraph -- 50% done")
    return seeded


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csljson", "json"])
def test_round_trip_into_an_empty_library(source: Library, tmp_path: Path, fmt: str) -> None:
    text = EXPORT_FORMATS[fmt].write(source.get_many(source.all_ids()), DEFAULT_KEY_PATTERN)
    with Library(tmp_path / "other.db") as other:
        report = other.import_text(text, f"export.{fmt}")
        assert report.rejected == [] and report.added == 23
        assert _fields(other) == _fields(source)
        by_title = {p["title"]: p for p in other.export_json()}
        assert {k: by_title[TRICKY["title"]][k] for k in ROUND_TRIP_FIELDS} == TRICKY
        assert {k: by_title[OLD_STYLE["title"]][k] for k in ROUND_TRIP_FIELDS} == OLD_STYLE
        gemma = by_title["Gemma 2: Improving Open Language Models at a Practical Size"]
        assert (gemma["authors"], gemma["et_al"], gemma["tags"]) == (
            ["Gemma Team", "Morgane Riviere", "Shreya Pathak"], True, ["C++", "rl"]
        )
        assert by_title["Gemma: Open Models Based on Gemini Research and Technology"]["note"] == (
            "first\n\n  second paragraph -- 50% done"
        )
        assert sum(p["title"] is None for p in other.export_json()) == 2


def test_reimport_into_the_same_library_changes_nothing(source: Library) -> None:
    before = _fields(source)
    for fmt in ("bibtex", "ris", "csljson"):
        report = source.import_text(EXPORT_FORMATS[fmt].write(source.get_many(source.all_ids()), DEFAULT_KEY_PATTERN), f"again.{fmt}")
        assert report.added == 0 and report.rejected == []
    assert _fields(source) == before


def test_bibtex_entry() -> None:
    rlaif = Paper(id=8, title="RLAIF vs. RLHF: Scaling LLMs with GPT-4", authors=["Harrison Lee"],
                  et_al=False, date="2023", journal="Proc. ICML", doi="10.5555/123")
    assert to_bibtex([GEMMA2, rlaif]) == (
        "@misc{gemmateam2024gemma,\n"  # (a team written first names the key)
        "  title = {Gemma 2: {Improving Open Language Models} at a {Practical Size}},\n"
        "  author = {{Gemma Team} and Riviere, Morgane and Pathak, Shreya and others},\n"
        "  year = {2024},\n"
        "  month = jul,\n"
        "  date = {2024-07-31},\n"
        "  eprint = {2408.00118},\n"
        "  archivePrefix = {arXiv},\n"
        "  primaryClass = {cs.CL},\n"
        "  url = {https://arxiv.org/abs/2408.00118},\n"
        "  abstract = {We introduce Gemma 2 -{}- from 2B to 27B.},\n"
        "  keywords = {LLMs, open models},\n"
        "  annote = {Read §3 \\& §4.},\n"
        "}\n"
        "\n"
        "@article{lee2023rlaif,\n"
        "  title = {{RLAIF} vs. {RLHF: Scaling LLMs} with {GPT-4}},\n"
        "  author = {Lee, Harrison},\n"
        "  year = {2023},\n"
        "  date = {2023},\n"
        "  journal = {Proc. ICML},\n"
        "  doi = {10.5555/123},\n"
        "}\n"
    )


def test_ris_record() -> None:
    assert to_ris([GEMMA2]) == (
        "TY  - GEN\n"
        "TI  - Gemma 2: Improving Open Language Models at a Practical Size\n"
        "AU  - Gemma Team\n"
        "AU  - Riviere, Morgane\n"
        "AU  - Pathak, Shreya\n"
        "AU  - et al.\n"
        "PY  - 2024\n"
        "DA  - 2024/07/31/\n"
        "AB  - We introduce Gemma 2 -- from 2B to 27B.\n"
        "UR  - https://arxiv.org/abs/2408.00118\n"
        "AN  - arXiv:2408.00118\n"
        "DB  - arXiv\n"
        "CN  - cs.CL\n"
        "KW  - LLMs\n"
        "KW  - open models\n"
        "N1  - Read §3 & §4.\n"
        "ER  - \n"
    )
    multi = to_ris([Paper(title="T", note="a\n\n  b", date="2020-05")])
    assert multi == "TY  - GEN\nTI  - T\nPY  - 2020\nDA  - 2020/05//\nN1  - a\n      \n        b\nER  - \n"


def test_csljson_item() -> None:
    assert json.loads(to_csljson([GEMMA2])) == [
        {
            "id": "gemmateam2024gemma",
            "type": "article",
            "title": "Gemma 2: Improving Open Language Models at a Practical Size",
            "author": [
                {"literal": "Gemma Team"},
                {"family": "Riviere", "given": "Morgane"},
                {"family": "Pathak", "given": "Shreya"},
                {"literal": "others"},
            ],
            "issued": {"date-parts": [[2024, 7, 31]]},
            "publisher": "arXiv",
            "number": "arXiv:2408.00118",
            "URL": "https://arxiv.org/abs/2408.00118",
            "archive": "arXiv",
            "archive_location": "cs.CL",
            "abstract": "We introduce Gemma 2 -- from 2B to 27B.",
            "keyword": "LLMs, open models",
            "note": "Read §3 & §4.",
        }
    ]


def test_citation_keys() -> None:
    papers = [
        Paper(**{"id": 3, "title": "Gemma: Open Models", "authors": ["Gemma Team", "Thomas Mesnard"], "date": "2024-03-13"}),
        Paper(**{"id": 1, "title": "Gemma Scope", "authors": ["Thomas Mesnard"], "date": "2024-08"}),
        Paper(**{"id": 2, "title": "The Gemma Cookbook", "authors": ["Gemma Team"], "date": "2024"}),
        Paper(**{"id": 4, "title": "Über 3 Netze", "authors": ["Günther Straße"], "date": "2019"}),
        Paper(**{"id": 5, "title": "On the Søren Problem", "authors": ["Søren Østergaard", "A B"], "date": None}),
        Paper(**{"id": 6, "title": None, "authors": [], "date": None}),
        Paper(**{"id": 9, "title": "Gemma Scope 2", "authors": ["Thomas Mesnard"], "date": "2024"}),
        Paper(**{"id": 10, "title": "Attention", "authors": ["Jan van der Berg"], "date": "2017"}),
    ]
    assert citation_keys(papers) == [
        "gemmateam2024gemmaa",  # a team written first names the key (issue 17)
        "mesnard2024gemma",
        "gemmateam2024gemma",  # the lowest id keeps the bare key
        "strasse2019uber",
        "ostergaardsoren",
        "anon",
        "mesnard2024gemmaa",
        "vanderberg2017attention",  # the particle belongs to the family name
    ]


def test_latex_escape() -> None:
    assert latex_escape("50% & $5 #1 a_b {x} ~ ^ \\") == (
        "50\\% \\& \\$5 \\#1 a\\_b \\{x\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{}"
    )
    assert latex_escape("a -- b --- ``c'' !` ?`") == "a -{}- b -{}-{}- `{}`c'{}' !{}` ?{}`"
    assert latex_escape("@home\n  @x and a@b") == "{@}home\n  {@}x and a@b"
    assert latex_escape("cost $O(n^2)$ and $5 or $6") == "cost $O(n^2)$ and \\$5 or \\$6"
    assert latex_escape("RLAIF vs. RLHF: Scaling LLMs with GPT-4 (2B)", protect_case=True) == (
        "{RLAIF} vs. {RLHF}: Scaling {LLMs} with {GPT-4} ({2B})"
    )




def test_cli_export_formats(capsys, tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    src = Path(__file__).parent / "data" / "formats" / "arxiv.bib"
    assert main(["--library", db, "import", str(src)]) == 0
    capsys.readouterr()
    out = tmp_path / "refs.bib"
    assert main(["--library", db, "export", "--format", "bibtex", "-o", str(out)]) == 0
    assert capsys.readouterr().err == f"exported 3 papers to {out}\n"
    assert out.read_text(encoding="utf-8").startswith("@misc{gemmateam2024gemma2improvingopen,\n")  # (the file's key)
    assert main(["--library", db, "export", "--format", "ris"]) == 0
    ris = capsys.readouterr().out
    assert ris.count("TY  - GEN\n") == 3 and "AN  - arXiv:hep-th/9711200\n" in ris
    assert main(["--library", db, "export", "--format", "csljson"]) == 0
    assert [i["id"] for i in json.loads(capsys.readouterr().out)] == [
        "gemmateam2024gemma2improvingopen", "hinton2015distillingknowledgeneuralnetwork",
        "maldacena1997largenlimitsuperconformal",
    ]
    assert main(["--library", db, "export"]) == 0  # json stays the default, as before
    default = capsys.readouterr().out
    with Library(db) as lib:
        assert default == EXPORT_FORMATS["json"].write(lib.get_many(lib.all_ids()), DEFAULT_KEY_PATTERN)
    assert json.loads(default)[2]["arxiv_id"] == "hep-th/9711200"
    with pytest.raises(SystemExit) as e:
        main(["--library", db, "export", "--format", "docx"])
    assert e.value.code == 2


def test_citation_key_pattern():
    from refmanager.core.export import citation_keys

    papers = [
        Paper(**{"id": 1, "authors": ["Thomas Mesnard"], "date": "2024-03-13", "title": "Gemma: Open Models"}),
        Paper(**{"id": 2, "authors": ["Thomas Mesnard"], "date": "2024-05-01", "title": "Gemma Again"}),
    ]
    assert citation_keys(papers) == ["mesnard2024gemma", "mesnard2024gemmaa"]
    assert citation_keys(papers, "{author}:{year}") == ["mesnard:2024", "mesnard:2024a"]
    assert citation_keys(papers, "no fields at all") == ["mesnard2024gemma", "mesnard2024gemmaa"]
