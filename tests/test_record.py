"""The bibliographic record (issue 17): item types, every common field, fields kept as they
came, citation keys that belong to the user, BibTeX that prints titles as written.

Real files: ``tests/data/formats/records/`` (where each comes from: ORIGIN.md there)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import pytest

from refmanager.core.errors import ValidationError
from refmanager.core.export import bibtex_title, to_bibtex
from refmanager.core.library import Library

from .conftest import FULL_SEED, PROFILE_SEED

RECORDS = Path(__file__).parent / "data" / "formats" / "records"
BIB_FILES = sorted(RECORDS.glob("*.bib"))
#: What a paper is, field by field, for a round trip.
FIELDS = ("title", "authors", "et_al", "date", "journal", "volume", "issue", "pages", "publisher", "type", "record",
          "extras", "doi", "arxiv_id", "category", "tags", "note", "citekey", "abstract")
#: BibTeX field names an export writes under another name (documented in docs/formats.md).
SAME_FIELD = {"journaltitle": "journal", "location": "address", "langid": "language", "annotation": "annote",
              "note": "annote", "comment": "annote", "issue": "number", "archiveprefix": "eprinttype",
              "eprintclass": "primaryclass", "day": "date", "institution": "organization"}

INPROCEEDINGS = r"""@inproceedings{kingma2015adam,
  title     = {Adam: A Method for Stochastic Optimization},
  author    = {Kingma, Diederik P. and Ba, Jimmy},
  booktitle = {3rd International Conference on Learning Representations, {ICLR} 2015},
  editor    = {Bengio, Yoshua and LeCun, Yann},
  publisher = {OpenReview.net},
  address   = {San Diego, CA, USA},
  year      = {2015},
  month     = may,
  pages     = {1--15},
  series    = {ICLR '15},
  isbn      = {978-0-0000-0000-0},
  groups    = {optimisation},
  owner     = {ada},
  timestamp = {2020-01-01}
}
"""


def paper_fields(lib: Library) -> dict[str, dict]:
    return {p.citekey: {f: getattr(p, f) for f in FIELDS} for p in lib.get_many(lib.all_ids())}


def test_an_inproceedings_keeps_its_type_venue_and_every_field(tmp_path: Path):
    with Library(tmp_path / "l.db") as lib:
        lib.import_text(INPROCEEDINGS, "adam.bib")
        (p,) = lib.get_many(lib.all_ids())
        assert p.type == "paper-conference"
        assert p.citekey == "kingma2015adam"
        assert p.journal == "3rd International Conference on Learning Representations, ICLR 2015"
        assert (p.publisher, p.pages, p.date) == ("OpenReview.net", "1–15", "2015-05")
        assert p.record == {"editors": ["Yoshua Bengio", "Yann LeCun"], "collection_title": "ICLR '15",
                            "place": "San Diego, CA, USA", "isbn": "978-0-0000-0000-0"}
        assert p.extras == {"bibtex": {"groups": "optimisation", "owner": "ada", "timestamp": "2020-01-01"}}
        out = to_bibtex([p])
    assert out.startswith("@inproceedings{kingma2015adam,\n")
    entry = bibtexparser.parse_string(out).entries[0]
    got = {f.key: f.value for f in entry.fields}
    assert got["booktitle"] == "3rd International Conference on Learning Representations, ICLR 2015"
    assert "journal" not in got
    assert (got["editor"], got["publisher"], got["address"], got["series"]) == (
        "Bengio, Yoshua and LeCun, Yann", "OpenReview.net", "San Diego, CA, USA", "ICLR '15")
    assert (got["groups"], got["owner"], got["timestamp"]) == ("optimisation", "ada", "2020-01-01")


@pytest.mark.parametrize("path", BIB_FILES, ids=[p.name for p in BIB_FILES])
def test_bibtex_to_library_to_bibtex_keeps_type_key_and_every_field(path: Path, tmp_path: Path):
    with Library(tmp_path / "a.db") as a:
        a.import_paths([path])
        text = to_bibtex(a.get_many(a.all_ids()), groups=a.export_groups(a.all_ids()))
        before = paper_fields(a)
    with Library(tmp_path / "b.db") as b:
        b.import_text(text, "again.bib")
        assert paper_fields(b) == before
    # every field of the file is in the export (under its documented name), with its entry type
    written = {e.key: e for e in bibtexparser.parse_string(text).entries}
    original = bibtexparser.parse_string(path.read_text(encoding="utf-8", errors="replace"))
    for e in original.entries:
        if e.key not in written:
            continue  # (merged with another entry of the file, or skipped with a reason: test_real_corpus)
        out = written[e.key]
        assert out.entry_type.lower() == e.entry_type.lower(), e.key
        names = {f.key.lower() for f in out.fields}
        lost = {f.key.lower() for f in e.fields if str(f.value).strip()} - {"crossref", "xdata", "xref", "ids"}
        lost = {k for k in lost if k not in names and SAME_FIELD.get(k) not in names}
        assert lost <= {"doi"} or not lost, (e.key, lost)  # (a DOI that is none: kept with the source)


def test_a_preprint_server_as_journal_is_kept_as_it_came(tmp_path: Path):
    with Library(tmp_path / "l.db") as lib:
        lib.import_text("@article{x, title={T}, author={A B}, journal={CoRR}, volume={abs/0710.1784}, "
                        "eprint={0710.1784}, year={2007}}", "dblp.bib")
        (p,) = lib.get_many(lib.all_ids())
        assert p.journal is None and p.arxiv_id == "0710.1784"
        assert p.extras == {"bibtex": {"journal": "CoRR"}}
        assert "journal = {CoRR}" in to_bibtex([p])


def test_titles_print_as_written():
    """bibtex lowercases all but a title's first letter in many styles: every run of words
    with a capital is braced (issue 17: "Gemini" printed "gemini")."""
    assert bibtex_title("Gemma: Open Models Based on Gemini Research and Technology") == (
        "Gemma: {Open Models Based} on {Gemini Research} and {Technology}")
    assert bibtex_title("RLAIF vs. RLHF: Scaling LLMs with GPT-4") == "{RLAIF} vs. {RLHF: Scaling LLMs} with {GPT-4}"
    assert bibtex_title("a study of $x^2$ in NLP") == "a study of $x^2$ in {NLP}"
    assert bibtex_title("plain lower case") == "plain lower case"


# ------------------------------------------------------------ citation keys
def found(lib: Library, query: str) -> list[int]:
    papers, hint = lib.search(query)
    assert hint is None
    return [p.id for p in papers]


def keys(lib: Library) -> list[str]:
    return [p.citekey for p in lib.get_many(lib.all_ids())]


def test_keys_come_from_the_file_and_are_unique_in_the_library(tmp_path: Path):
    with Library(tmp_path / "l.db") as lib:
        lib.import_text("@article{smith2020, title={One}, author={Smith, A}, year=2020}", "a.bib")
        lib.import_text("@article{Smith2020, title={Two}, author={Smith, B}, year=2020, journal={J}}", "b.bib")
        lib.import_text(json.dumps([{"title": "Gemma 2", "authors": ["Gemma Team", "Ada Lovelace"],
                                     "date": "2024-07-31"}]), "c.json")
        assert keys(lib) == ["smith2020", "Smith2020a", "gemmateam2024gemma"]


def test_a_key_never_changes_by_itself(tmp_path: Path):
    with Library(tmp_path / "l.db") as lib:
        lib.import_text(json.dumps([{"title": "Adam: A Method for Stochastic Optimization",
                                     "authors": ["Diederik P. Kingma", "Jimmy Ba"], "date": "2014-12-22",
                                     "arxiv_id": "1412.6980"}]), "listing.json")
        (pid,) = lib.all_ids()
        assert lib.get(pid).citekey == "kingma2014adam"
        lib.edit_paper(pid, title="Adam", date="2015")
        assert lib.get(pid).citekey == "kingma2014adam"  # not on edit
        lib.import_text(INPROCEEDINGS.replace("@inproceedings{", "@inproceedings{k15,\n eprint={1412.6980},", 1)
                        .replace("kingma2015adam,", "", 1), "adam.bib")
        assert lib.all_ids() == [pid]
        p = lib.get(pid)
        assert p.citekey == "kingma2014adam"  # not on re-import: the file's key is an alias
        assert p.citekey_aliases == ["k15"]
        assert p.type == "paper-conference"  # (the file's type over the guessed preprint)
        assert found(lib, "key:k15") == [pid]
        assert found(lib, "key:kingma2014*") == [pid]


def test_merge_keeps_the_kept_papers_key_and_the_others_as_aliases(tmp_path: Path):
    with Library(tmp_path / "l.db") as lib:
        lib.import_text("@article{first, title={Alpha}, author={A B}, year=2020}\n"
                        "@article{second, title={Beta}, author={C D}, year=2021}", "a.bib")
        a, b = lib.all_ids()
        kept = lib.merge_papers([a, b])
        p = lib.get(kept)
        assert (p.citekey, p.citekey_aliases) == ("first", ["second"])
        assert found(lib, "key:second") == [kept]
        lib.undo()
        assert keys(lib) == ["first", "second"]


def test_regenerate_and_edit_a_key(tmp_path: Path):
    with Library(tmp_path / "l.db") as lib:
        lib.import_text("@article{mykey, title={Deep Residual Learning}, author={He, Kaiming}, year=2016}\n"
                        "@article{other, title={X}, author={Y Z}, year=2016}", "a.bib")
        a, b = lib.all_ids()
        lib.set_key_pattern("{author}:{year}")
        assert lib.regenerate_keys([a]) == {a: "he:2016"}
        assert (lib.get(a).citekey, lib.get(a).citekey_aliases) == ("he:2016", ["mykey"])
        assert lib.undo_label() == "Regenerate citation key"
        with pytest.raises(ValidationError, match="already the citation key of paper"):
            lib.edit_paper(b, citekey="HE:2016")
        with pytest.raises(ValidationError, match="not a citation key"):
            lib.edit_paper(b, citekey="has space")
        lib.edit_paper(b, citekey="zed2016")
        assert (lib.get(b).citekey, lib.get(b).citekey_aliases) == ("zed2016", ["other"])


def test_record_fields_are_edited_by_name(tmp_path: Path):
    with Library(tmp_path / "l.db") as lib:
        lib.import_text(INPROCEEDINGS, "adam.bib")
        (pid,) = lib.all_ids()
        lib.edit_paper(pid, isbn="978-1", editors="Ada Lovelace; Alan Turing", type="book")
        p = lib.get(pid)
        assert p.type == "book" and p.record["isbn"] == "978-1"
        assert p.record["editors"] == ["Ada Lovelace", "Alan Turing"]
        assert lib.undo_label() == "Edit type, ISBN, editors of 'Adam: A Method for Stochastic Optimization'"
        with pytest.raises(ValidationError, match="not an item type"):
            lib.edit_paper(pid, type="novel")
        with pytest.raises(ValidationError, match="use YYYY"):
            lib.edit_paper(pid, accessed="yesterday")


# ------------------------------------------------------ bibtex and biber
@pytest.mark.skipif(shutil.which("bibtex") is None, reason="bibtex is not installed")
def test_bibtex_processes_the_seeds_export_without_warnings(tmp_path: Path):
    with Library(tmp_path / "l.db") as lib:
        lib.import_paths([FULL_SEED, PROFILE_SEED])
        (tmp_path / "refs.bib").write_text(to_bibtex(lib.get_many(lib.all_ids())), encoding="utf-8")
    (tmp_path / "doc.aux").write_text("\\citation{*}\n\\bibstyle{plain}\n\\bibdata{refs}\n", encoding="utf-8")
    run = subprocess.run(["bibtex", "doc"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout
    assert "Warning" not in run.stdout, run.stdout
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    assert "{Gemini Research}" in bbl  # (printed as written)


# ------------------------------------------------------------ command line
def test_cli_show_prints_every_field_and_edit_sets_any(tmp_path: Path, capsys):
    from refmanager.cli import main

    db = str(tmp_path / "l.db")
    (tmp_path / "adam.bib").write_text(INPROCEEDINGS, encoding="utf-8")
    assert main(["--library", db, "import", str(tmp_path / "adam.bib")]) == 0
    capsys.readouterr()
    assert main(["--library", db, "show", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    for line in ("Type: Conference paper (paper-conference)", "Key: kingma2015adam",
                 "Venue: 3rd International Conference on Learning Representations, ICLR 2015",
                 "Publisher: OpenReview.net", "Editors: Yoshua Bengio; Yann LeCun", "Series: ICLR '15",
                 "Place: San Diego, CA, USA", "ISBN: 978-0-0000-0000-0", "bibtex groups: optimisation",
                 "bibtex owner: ada"):
        assert line in out, line
    assert main(["--library", db, "edit", "1", "--set", "edition=2nd", "--set", "translators=Ada Lovelace",
                 "--publisher", "ICLR", "--key", "adam"]) == 0
    assert capsys.readouterr().out == "1: edited publisher, citation key, edition, translators\n"
    assert main(["--library", db, "show", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["publisher"], data["citekey"], data["citekey_aliases"]) == ("ICLR", "adam", ["kingma2015adam"])
    assert data["record"]["edition"] == "2nd" and data["record"]["translators"] == ["Ada Lovelace"]
    assert main(["--library", db, "edit", "1", "--set", "colour=red"]) == 1
    assert "no field 'colour'" in capsys.readouterr().err
    assert main(["--library", db, "key", "pattern", "{author}-{year}"]) == 0
    assert main(["--library", db, "key", "regenerate", "1"]) == 0
    assert capsys.readouterr().out == "{author}-{year}\n1: kingma-2015\n"
    assert main(["--library", db, "search", "key:adam", "--json"]) == 0
    assert [p["id"] for p in json.loads(capsys.readouterr().out)] == [1]


# ------------------------------------------------------------- property
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from refmanager.core.record import BIBTEX_TO_CSL, RECORD_FIELDS  # noqa: E402

from .conftest import examples  # noqa: E402

_WORD = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüß0123456789"),
                min_size=1, max_size=8)
_TEXT = st.lists(_WORD, min_size=1, max_size=5).map(" ".join)
_NAME = st.tuples(_WORD, _WORD).map(lambda t: f"{t[0].capitalize()} {t[1].capitalize()}x")


@st.composite
def bib_entries(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(sorted(BIBTEX_TO_CSL)))
    fields = {"title": draw(_TEXT), "author": " and ".join(draw(st.lists(_NAME, min_size=1, max_size=3))),
              "year": str(draw(st.integers(1900, 2030)))}
    for f in RECORD_FIELDS:
        if f.kind == "date" or not f.bibtex or f.name in ("eprint", "eprinttype") or not draw(st.booleans()):
            continue
        fields[f.bibtex[0]] = (" and ".join(draw(st.lists(_NAME, min_size=1, max_size=2))) if f.kind == "names"
                               else draw(_TEXT))
    for name in draw(st.lists(st.sampled_from(["groups", "owner", "timestamp", "ranking", "mendeley-tags",
                                                "x-custom"]), max_size=3, unique=True)):
        fields[name] = draw(_TEXT)
    for name in ("journal", "booktitle", "publisher", "volume", "pages"):
        if draw(st.booleans()):
            fields[name] = draw(_TEXT)
    key = draw(st.from_regex(r"[a-z][a-z0-9:_\-]{0,12}", fullmatch=True))
    body = "".join(f"  {k} = {{{v}}},\n" for k, v in fields.items())
    return f"@{kind}{{{key}KEY,\n{body}}}\n"  # (KEY: the entry's number, keys unique in the file)


@settings(max_examples=examples(100), deadline=None)
@given(st.lists(bib_entries(), min_size=1, max_size=4))
def test_any_bibtex_record_survives_library_and_back(entries: list[str]):
    text = "\n".join(e.replace("KEY,", f"{i},", 1) for i, e in enumerate(entries))
    a = Library(":memory:")
    a.import_text(text, "gen.bib")
    before = paper_fields(a)
    out = to_bibtex(a.get_many(a.all_ids()))
    b = Library(":memory:")
    b.import_text(out, "again.bib")
    assert paper_fields(b) == before
    written = {e.key: e for e in bibtexparser.parse_string(out).entries}
    for e in bibtexparser.parse_string(text).entries:
        if e.key in written:  # (two generated entries may be one paper: identity rules)
            assert written[e.key].entry_type.lower() == e.entry_type.lower()
            # (the documented renames: a container is a journal or a booktitle by type, an
            # institution a school, an organization or an institution by type)
            same = {"booktitle": "journal", "school": "institution", "organization": "institution"}
            names = {same.get(f.key.lower(), f.key.lower()) for f in written[e.key].fields}
            assert {same.get(f.key.lower(), f.key.lower()) for f in e.fields} - {"year"} <= names
    a.close()
    b.close()
