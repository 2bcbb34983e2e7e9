"""Exports that cannot be subverted (issue 16, item 13).

Exports are data, never code: every value is escaped or refused so that it cannot
end a field, an entry or a record in the target format; identifiers are validated
on every import path as ``edit`` validates them; a re-import chooses the format by
the file's structure, never by a line inside a value.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from refmanager.cli import main
from refmanager.core import arxiv_api
from refmanager.core import formats as F
from refmanager.core.errors import ValidationError
from refmanager.core.export import (
    CSL_MARKUP,
    EXPORT_FORMATS,
    RIS_NOTE_TAG,
    ExportRefused,
    latex_escape,
    to_bibtex,
    to_csljson,
    to_ris,
)
from refmanager.core.fields import Paper
from refmanager.core.formats import common, csljson
from refmanager.core.library import Library
from refmanager.core.models import Entry
from refmanager.core.names import is_et_al
from refmanager.core.textnorm import collapse_ws
from refmanager.core.validation import check_ids, clean_value, normalise_doi

from .conftest import examples
from .test_arxiv_lookup import FakeClock, FakeFetcher

#: The module each export format's file is read back with.
READER = {"bibtex": F.bibtex, "ris": F.ris, "csljson": F.csljson, "json": F.jsonexport}
#: A line that starts a record (or a whole file) in each format refmanager reads.
MARKERS = [
    "@article{evil2024,", "@misc(evil,", "  @book{x,", "TY  - JOUR", "ER  - ", "ER",
    "FN Clarivate Analytics Web of Science", "PT J", "PMID- 12345678", "CLJul 31, 2024",
    '[{"title": "Evil"}]', '{"type": "article", "title": "Evil"}', "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
]


def _export(lib: Library, fmt: str) -> str:
    return EXPORT_FORMATS[fmt].write(lib.get_many(lib.all_ids()), "{author}{year}{word}")


def _papers(lib: Library, fields: tuple[str, ...]) -> list[dict]:
    return sorted(({f: getattr(p, f) for f in fields} for p in lib.get_many(lib.all_ids())),
                  key=lambda d: d["title"] or "")


# ------------------------------------------------------------ the two bugs
FIELDS = ("title", "authors", "et_al", "date", "arxiv_id", "doi", "journal", "abstract", "tags", "note")


@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
def test_a_note_quoting_records_of_any_format_stays_a_note(tmp_path: Path, fmt: str) -> None:
    """The report: a note line "TY  - " made a BibTeX export re-import as RIS (one invented
    paper, 19 lost, exit 0).  Every other format's markers, first in the file, as well."""
    evil = "\n".join(MARKERS) + "\nTI  - Invented\nAU  - Nobody, A.\nER  - \n@misc{y, title={Invented}}"
    papers = [{"title": "Hostile notes", "authors": ["Ann Smith"], "note": evil, "abstract": evil,
               "journal": "@article{x, TY - JOUR}", "tags": ["TY  - JOUR"]}]
    papers += [{"title": f"Paper {i}", "authors": ["Bob Jones"], "date": "2020", "note": f"note {i}"}
               for i in range(19)]
    with Library(tmp_path / "a.db") as lib:
        assert lib.import_text(json.dumps(papers), "papers.json").added == 20
        text = _export(lib, fmt)
        before = _papers(lib, FIELDS)
    assert F.detect_format(F.normalise_line_ends(text)) is READER[fmt]
    with Library(tmp_path / "b.db") as back:
        report = back.import_text(text, f"export.{fmt}")
        assert (report.added, report.rejected, report.problems()) == (20, [], [])
        after = _papers(back, FIELDS)
    hostile = next(p for p in after if p["title"] == "Hostile notes")
    assert hostile["note"].splitlines()[:4] == ["@article{evil2024,", "@misc(evil,", "  @book{x,", "TY  - JOUR"]
    assert [p["title"] for p in after] == [p["title"] for p in before]
    for a, b in zip(after, before):
        assert {**a, "note": None, "abstract": None} == {**b, "note": None, "abstract": None}
        # (a line's trailing spaces go, but in refmanager JSON: docs/formats.md)
        assert a["note"] == (b["note"] if fmt == "json" else common.clean_note(b["note"]))


def test_cli_bibtex_export_of_a_hostile_note_reimports_the_same_papers(tmp_path: Path, capsys) -> None:
    papers = [{"title": f"Paper {i}", "authors": ["Ann Smith"]} for i in range(19)]
    papers.append({"title": "Evil", "note": "see below\nTY  - JOUR\nTI  - Invented\nER  - "})
    src, out = tmp_path / "papers.json", tmp_path / "lib.bib"
    src.write_text(json.dumps(papers), encoding="utf-8")
    assert main(["--library", str(tmp_path / "a.db"), "import", str(src)]) == 0
    assert main(["--library", str(tmp_path / "a.db"), "export", "--format", "bibtex", "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["--library", str(tmp_path / "b.db"), "import", str(out)]) == 0
    assert "refmanager:" not in capsys.readouterr().err
    with Library(tmp_path / "a.db") as a, Library(tmp_path / "b.db") as b:
        before = _papers(a, FIELDS)
        before[0]["note"] = "see below\nTY  - JOUR\nTI  - Invented\nER  -"  # (a line's trailing spaces go)
        assert _papers(b, FIELDS) == before


BAD_DOI = "10.1000/x}, title={Injected"
#: A DOI that is none, as each import format can carry it (and where the record's title is).
BAD_DOI_FILES = {
    "refmanager JSON": json.dumps([{"title": "T", "doi": BAD_DOI}, {"title": "U"}]),
    "refmanager JSON, line break": json.dumps([{"title": "T", "doi": "10.1000/x\n@misc{y,"}, {"title": "U"}]),
    "CSL-JSON": json.dumps([{"type": "article", "title": "T", "DOI": BAD_DOI}, {"type": "article", "title": "U"}]),
    "RIS": f"TY  - JOUR\nTI  - T\nDO  - {BAD_DOI}\nER  - \n\nTY  - JOUR\nTI  - U\nER  - \n",
    "RIS, continued": "TY  - JOUR\nTI  - T\nDO  - 10.1000/x\n      y}\nER  - \n\nTY  - JOUR\nTI  - U\nER  - \n",
    "BibTeX": "@article{a,\n title = {T},\n doi = {10.1000/x\\}, title=\\{Injected},\n}\n@article{b, title = {U}}\n",
    "BibTeX, quoted": '@article{a,\n title = {T},\n doi = "10.1000/x}, title={Injected",\n}\n@article{b, title={U}}\n',
    "arXiv Atom": (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">'
        f"<entry><id>http://arxiv.org/abs/2401.00001v1</id><title>T</title><arxiv:doi>{BAD_DOI}</arxiv:doi></entry>"
        "<entry><id>http://arxiv.org/abs/2401.00002v1</id><title>U</title></entry></feed>"
    ),
    "Web of Science": (
        f"FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI T\nDI {BAD_DOI}\nER\n\nPT J\nTI U\nER\n\nEF\n"
    ),
    "MEDLINE": f"PMID- 1\nTI  - T\nAID - {BAD_DOI} [doi]\n\nPMID- 2\nTI  - U\n",
}


@pytest.mark.parametrize("name", list(BAD_DOI_FILES))
def test_a_doi_that_is_none_never_reaches_the_doi_field(tmp_path: Path, name: str) -> None:
    """The report: a DOI holding "}" was accepted from JSON and injected fields into the
    BibTeX entry.  Every import path now holds it to edit's rule: the record imports with
    a warning, without the DOI, which is kept with the paper's source (never cut down to
    the "10.1000/x" it starts with, which could merge it with another paper)."""
    with Library(tmp_path / "a.db") as lib:
        report = lib.import_text(BAD_DOI_FILES[name], name)
        assert (report.added, report.rejected) == (2, [])
        warnings = [str(p) for p in report.problems()]
        assert len(warnings) == 1 and "warning: line " in warnings[0] and ": not a DOI: '10.1000/x" in warnings[0]
        t = next(p for p in lib.get_many(lib.all_ids()) if p.title == "T")
        assert t.doi is None
        kept = [s["data"]["extra"].get("invalid_doi") for s in lib.paper_sources(t.id)]
        assert kept and kept[0].startswith("10.1000/x")
        for fmt in EXPORT_FORMATS:
            text = _export(lib, fmt)
            with Library(tmp_path / f"{fmt}.db") as back:
                r = back.import_text(text, fmt)
                assert (r.added, r.problems()) == (2, [])
                assert sorted(p.title for p in back.get_many(back.all_ids())) == ["T", "U"]


def test_ids_and_categories_from_json_are_checked_like_edit(tmp_path: Path) -> None:
    with Library(tmp_path / "a.db") as lib:
        report = lib.import_text(json.dumps([
            {"title": "A", "arxiv_id": "2401.00001}", "category": "cs.CL}", "doi": "https://doi.org/10.1000/ok"},
            {"title": "B", "arxiv_id": "arXiv:2401.00002v3", "category": "hep-th", "doi": "10.1000/a,b;c"},
        ]), "ids.json")
        assert report.added == 2 and len(report.problems()) == 2
        a, b = sorted(lib.get_many(lib.all_ids()), key=lambda p: p.title)
        assert (a.arxiv_id, a.category, a.doi) == (None, None, "10.1000/ok")
        assert (b.arxiv_id, b.category, b.doi) == ("2401.00002", "hep-th", "10.1000/a,b;c")
        assert lib.paper_sources(a.id)[0]["data"]["extra"] == {
            "invalid_arxiv_id": "2401.00001}", "invalid_category": "cs.CL}"
        }
        text = to_bibtex([a, b])
        assert "primaryClass = {hep-th}" in text and "doi = {10.1000/a,b;c}" in text


def test_the_arxiv_lookup_checks_what_arxiv_says(tmp_path: Path) -> None:
    feed = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">'
        "<entry><id>http://arxiv.org/abs/2401.00001v2</id><title>T</title><published>2024-01-01T00:00:00Z</published>"
        f'<arxiv:doi>{BAD_DOI}</arxiv:doi><arxiv:primary_category term="cs.CL}}"/></entry></feed>'
    )
    with Library(tmp_path / "a.db") as lib:
        lib.import_text(json.dumps([{"title": "T", "arxiv_id": "2401.00001"}]), "t.json")
        (pid,) = lib.all_ids()
        fetcher = FakeFetcher({arxiv_api.id_query_url("2401.00001"): feed})
        report = arxiv_api.lookup_papers(lib, [pid], fetcher, FakeClock())
        assert [o.status for o in report.outcomes] == [arxiv_api.MATCHED]
        p = lib.get(pid)
        assert (p.doi, p.category, p.date) == (None, None, "2024-01-01")
        assert "@misc{anont," in to_bibtex([p])  # (its key was given when it was added, before arXiv said the date)


_RAW_IDS = {
    "doi": st.builds("{}10.{}/{}{}".format, st.sampled_from(["", " ", "doi:", "https://doi.org/"]),
                     st.integers(0, 10**10), st.text(max_size=12), st.sampled_from(["", "\n", " ", "."])),
    "arxiv_id": st.builds("{}{}{}".format, st.sampled_from(["", "arXiv:", "https://arxiv.org/abs/", " "]),
                          st.from_regex(r"\d{4}\.\d{4,6}|[a-z-]{2,8}(\.[A-Z]{2})?/\d{6,8}", fullmatch=True),
                          st.sampled_from(["", "v2", "\n", "}", " "])),
    "category": st.sampled_from(["cs.CL", "cs.cl", "CL", "hep-th", "cs", "cs.CL}", "cs.CL\n", " q-bio.NC ", "1.2"]),
}


@settings(max_examples=examples(300))
@given(st.data(), st.sampled_from(sorted(_RAW_IDS)))
def test_import_and_edit_take_the_same_identifiers(data, field: str) -> None:
    """An identifier the import keeps is the one ``edit`` stores; one edit refuses, the import
    leaves out (and keeps with the source)."""
    raw = data.draw(_RAW_IDS[field] | st.text(max_size=20))
    e = Entry(kind="json", line=1, title="T", **{field: raw})
    problems = check_ids(e)
    try:
        edited = clean_value(field, raw)
    except ValidationError:
        assert getattr(e, field) is None and problems and e.extra == {f"invalid_{field}": raw}
    else:
        if edited is None:  # (blank: nothing to keep)
            assert getattr(e, field) is None and problems == []
        else:
            assert getattr(e, field) in (edited, raw) and problems == []
            assert clean_value(field, getattr(e, field)) == edited


# ---------------------------------------------------------------- writers
def test_writers_refuse_an_identifier_that_is_none() -> None:
    """A library written before identifiers were checked may hold one that is none: BibTeX
    and RIS write identifiers as they are, so they refuse; JSON cannot be broken by it."""
    ok = Paper(id=1, title="Fine", doi="10.1000/ok")
    for bad in ({"doi": BAD_DOI}, {"category": "cs.CL}"}, {"arxiv_id": "2401.1\n"}, {"date": "2024-13"}):
        p = Paper(id=2, title="Old", **bad)
        for write in (to_bibtex, to_ris):
            with pytest.raises(ExportRefused, match=r"cannot export: paper 2: \w+ .* is not"):
                write([ok, p])
        assert json.loads(to_csljson([ok, p]))[1]["title"] == "Old"


def test_cli_export_refuses_and_writes_nothing(tmp_path: Path, capsys) -> None:
    db = tmp_path / "a.db"
    with Library(db) as lib:
        lib.import_text(json.dumps([{"title": "Old"}]), "old.json")
        with lib.transaction():  # as an import before identifiers were checked left it
            lib.db.execute("UPDATE papers SET doi = ? WHERE id = 1", (BAD_DOI,))
    out = tmp_path / "out.bib"
    assert main(["--library", str(db), "export", "--format", "bibtex", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "cannot export: paper 1: doi '10.1000/x}, title={Injected' is not a DOI" in err and not out.exists()
    assert main(["--library", str(db), "edit", "1", "--doi", ""]) == 0
    assert main(["--library", str(db), "export", "--format", "bibtex", "-o", str(out)]) == 0


def test_the_writers_know_what_the_readers_take_for_markup() -> None:
    assert CSL_MARKUP.pattern == csljson._MARKUP.pattern
    assert RIS_NOTE_TAG.pattern == common._HTML_TAG.pattern


def _bibtex_balanced(s: str) -> bool:
    """Braces as BibTeX counts them: every one, "\\{" too."""
    depth = 0
    for c in s:
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


@settings(max_examples=examples(300))
@given(st.text(st.sampled_from("{}\\$%@\n a-`'!?&#_~^B"), max_size=20), st.booleans())
def test_a_bibtex_value_never_ends_its_field(text: str, protect_case: bool) -> None:
    assert _bibtex_balanced(latex_escape(text, protect_case=protect_case))


def test_bibtex_escapes() -> None:
    assert latex_escape("{x}") == r"\{x\}"
    assert latex_escape("a } b {") == r"a \textbraceright{} b \textbraceleft{}"
    assert latex_escape("x\r@misc(evil,") == "x\n{@}misc(evil,"  # a CR is a line end to the importer
    assert latex_escape("$a$$b$ $$") == r"$a$\$b\$ \$\$"  # "$$" would make the importer read LaTeX
    assert to_bibtex([Paper(title="T", authors=["A% B", "C\\ D", "x;y Z"], pages="5-5")]).splitlines()[1:4] == [
        "  title = {T},",
        r"  author = {B, A{\%} and D, C{\textbackslash} and Z, x{;}y},",
        "  pages = {5-5},",
    ]


def test_ris_escapes() -> None:
    text = to_ris([Paper(title="T", abstract="a\nER\nb", note="x < y > z & w\rTY  - JOUR", pages="7-7")])
    assert text.splitlines() == [
        "TY  - GEN", "TI  - T", "SP  - 7-7", "AB  - a", "      ER", "      b",
        "N1  - <p>x &lt; y &gt; z &amp; w", "      TY  - JOUR</p>", "ER  - ",
    ]
    (e,) = F.ris.parse(text).entries
    assert (e.abstract, e.note, e.pages) == ("a ER b", "x < y > z & w\nTY  - JOUR", "7-7")


def test_csljson_keeps_literal_markup() -> None:
    (item,) = json.loads(to_csljson([Paper(title="Why <b> and <i>x</i> differ", journal="<sup>J")]))
    assert item["title"] == "Why <<i></i>b> and <<i></i>i>x<<i></i>/i> differ"
    (e,) = F.csljson.parse(json.dumps([item])).entries
    assert (e.title, e.journal) == ("Why <b> and <i>x</i> differ", "<sup>J")


# ---------------------------------------------------------- property test
#: Pieces of text that end a field, an entry or a record somewhere, or that readers decode.
HOSTILE = [
    "{", "}", "}}", "{{", "\\", "\\{", "\\}", "@", "%", "#", '"', "$", "&", "~", "^", "_", ",", ";", "(", ")",
    "\n", "\r", "\r\n", "\t", "  ", "\n\n", "--", "``", "''", "!`", "$x_1$", "$$", "$a$$b$", "\\[", "\\par",
    "TY  - JOUR", "ER  - ", "ER", "\nER\n", "AU  - Evil, A.", "@article{x,", "@misc(y,", "\n  @book{z,",
    "title = {x}", "\n}\n@misc{w,\n", "\r@misc(v,", "\rER\r", "PMID- 1", "PT J", "<b>", "<i>x</i>",
    "<span class=\"nocase\">", "&amp;", "&lt;", "<br>", "é", "Ж", "日本", "\u2028", "\u00a0", "😀", "\ufeff",
]
_chars = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))  # (import removes controls)
_text = st.lists(st.sampled_from(HOSTILE) | st.text(_chars, max_size=4), min_size=1, max_size=8).map("".join)
#: Text the readers read as text: no arXiv token (a note's "arXiv:..." gives the paper its id).
text = _text.filter(lambda t: "rxiv" not in t.lower())
line = text.filter(lambda t: collapse_ws(t) != "")
name = line.filter(lambda t: "," not in t and not is_et_al(t))  # RIS: a comma is "Family, Given"
tag = line.filter(lambda t: "," not in t)  # the separator of tags (a ";" is part of a tag: issue 18)
journal = line.filter(lambda t: not common.is_preprint_venue(t))  # "arXiv", "CoRR" are no journal
_doi_chars = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), exclude_characters='"{}\\')
doi = st.builds("10.{}/{}".format, st.integers(1000, 10**9 - 1), st.text(_doi_chars, min_size=1, max_size=12)).filter(
    lambda d: normalise_doi(d) == d  # (what edit takes as it is: not, say, a space of another script)
)
arxiv_id = st.builds("{:02d}{:02d}.{:05d}".format, st.integers(7, 30), st.integers(1, 12), st.integers(0, 99999)) | (
    st.builds("{}/{:07d}".format, st.sampled_from(["hep-th", "math.AG", "cond-mat"]), st.integers(0, 10**7 - 1))
)
date = st.dates(dt.date(1000, 1, 1), dt.date(2999, 12, 31)).flatmap(
    lambda d: st.sampled_from([f"{d:%Y}", f"{d:%Y-%m}", f"{d:%Y-%m-%d}"])
)
paper = st.fixed_dictionaries({
    "title": line, "authors": st.lists(name, max_size=3, unique_by=collapse_ws), "et_al": st.booleans(),
    "date": st.none() | date, "category": st.none() | st.sampled_from(["cs.CL", "hep-th", "math.AG", "q-bio.NC"]),
    "abstract": st.none() | text, "note": st.none() | text, "journal": st.none() | journal,
    "volume": st.none() | line, "issue": st.none() | line, "pages": st.none() | line,
    "tags": st.lists(tag, max_size=3), "read": st.booleans(), "starred": st.booleans(),
    "doi": st.none() | doi, "arxiv_id": st.none() | arxiv_id,
})

#: What each format carries (docs/formats.md, "Field mapping" and "Limits"): organisations,
#: read/starred and review flags travel in refmanager JSON only.
CARRIED = {
    "json": ("title", "authors", "et_al", "date", "category", "abstract", "arxiv_id", "doi", "journal", "volume",
             "issue", "pages", "tags", "note", "read", "starred"),
    **dict.fromkeys(("bibtex", "ris", "csljson"), (
        "title", "authors", "et_al", "date", "category", "abstract", "arxiv_id", "doi", "journal", "volume",
        "issue", "pages", "tags", "note",
    )),
}
_RANGE = re.compile(r"\s*(\S+?)\s*[-–—]+\s*(\S+)\s*")


def _lines(v: str, fmt: str) -> str:
    # BibTeX and RIS files are read with CR and CR LF as line ends (the JSON formats keep a CR)
    return v.replace("\r\n", "\n").replace("\r", "\n") if fmt in ("bibtex", "ris") else v


def _as_read(fmt: str, field: str, p: Paper) -> object:
    """A paper's field as the format's reader gives it back: the documented normalisations."""
    v = getattr(p, field)
    if field == "tags":
        return sorted(v)
    if fmt == "json" or v is None:
        return v
    if field in ("title", "journal", "volume", "issue", "pages"):  # one line, whitespace collapsed
        v = common.clean_inline(v)
        if field == "pages" and fmt == "ris" and v and (m := _RANGE.fullmatch(v)) and m[1] != m[2]:
            return f"{m[1]}-{m[2]}"  # a range is SP and EP
        return v
    if field == "abstract":  # paragraphs kept, lines within them joined
        return common.clean_block(_lines(v, fmt))
    if field == "note":  # lines and indentation kept, but the first line's and trailing spaces
        return common.clean_note(_lines(v, fmt))
    if field == "authors":
        return [collapse_ws(a) for a in v]
    if field == "et_al":  # written after the authors: none without them
        return v and bool(p.authors)
    return v


@settings(max_examples=examples(50), suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.lists(paper, min_size=1, max_size=5))
def test_any_library_exported_and_read_back_gives_the_same_papers(tmp_path_factory, papers: list[dict]) -> None:
    # One paper per title, DOI and arXiv id: otherwise the import rightly merges two into one.
    for i, p in enumerate(papers):
        p["title"] += f" ({i})"
    assume(len({p["doi"].casefold() for p in papers if p["doi"]}) == sum(bool(p["doi"]) for p in papers))
    assume(len({p["arxiv_id"] for p in papers if p["arxiv_id"]}) == sum(bool(p["arxiv_id"]) for p in papers))
    d = tmp_path_factory.mktemp("lib")
    with Library(d / "source.db") as lib:
        report = lib.import_text(json.dumps(papers), "hostile.json")
        assert (report.added, report.problems()) == (len(papers), [])
        source = lib.get_many(lib.all_ids())
    for fmt, f in EXPORT_FORMATS.items():
        text = f.write(source, "{author}{year}{word}")
        assert F.detect_format(F.normalise_line_ends(text)) is READER[fmt], fmt
        with Library(d / f"{fmt}.db") as back:
            r = back.import_text(text, f"export.{fmt}")
            assert (r.added, r.rejected, r.problems()) == (len(papers), [], []), (fmt, text)
            again = back.get_many(back.all_ids())
        want = sorted(({k: _as_read(fmt, k, p) for k in CARRIED[fmt]} for p in source), key=lambda x: x["title"])
        got = sorted(({k: getattr(p, k) for k in CARRIED[fmt]} for p in again), key=lambda x: x["title"])
        for w, g in zip(want, got):
            for k in CARRIED[fmt]:
                assert (sorted(g[k]) if k == "tags" else g[k]) == w[k], (fmt, k, text)
