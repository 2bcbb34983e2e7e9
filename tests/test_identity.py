"""The identity rules of an import (docs/design.md, "Identity"): each rule, with records
written by hand, through a real import."""

from __future__ import annotations

from refmanager.core.identity import Record, conflict, doi_key, family_key, first_page
from refmanager.core.library import Library

from .conftest import FULL_SEED, PROFILE_SEED


def bib(*entries: str) -> str:
    return "\n".join(entries) + "\n"


def titles(lib: Library) -> list[tuple[str | None, str | None]]:
    return sorted((p.title, p.doi) for p in lib.get_many(lib.all_ids()))


# ------------------------------------------------------------------ ids
def test_the_same_arxiv_id_in_any_version_is_one_paper(lib: Library):
    r = lib.import_text(bib(
        "@misc{a, title = {Attention Is All You Need}, eprint = {1706.03762v1}, archivePrefix = {arXiv}}",
        "@misc{b, title = {Attention is all you need (v5)}, eprint = {1706.03762v5}, archivePrefix = {arXiv}}",
    ), "a.bib")
    assert (r.added, r.merged) == (1, 1)
    assert [p.arxiv_id for p in lib.get_many(lib.all_ids())] == ["1706.03762"]


def test_the_same_doi_without_case_or_prefix_is_one_paper(lib: Library):
    r = lib.import_text(bib(
        "@article{a, title = {One}, doi = {10.1145/ABC.123}}",
        "@article{b, title = {A different title altogether}, doi = {https://doi.org/10.1145/abc.123}}",
        "@article{c, title = {Third}, doi = {doi:10.1145/Abc.123}}",
    ), "a.bib")
    assert (r.added, r.merged) == (1, 2)
    assert lib.get(lib.all_ids()[0]).doi == "10.1145/ABC.123"


def test_a_short_doi_is_kept_as_given_and_matches_itself(lib: Library):
    r = lib.import_text(bib("@article{a, title = {A}, doi = {10/bxh7}}", "@article{b, title = {B}, doi = {10/BXH7}}"),
                        "a.bib")
    assert (r.added, r.merged) == (1, 1)
    assert lib.get(lib.all_ids()[0]).doi == "10/bxh7"


def test_different_dois_are_never_one_paper_even_with_everything_else_equal(lib: Library):
    # JabRef's jabref-authors.bib: a conference paper and its journal version, same title
    r = lib.import_text(bib(
        "@inproceedings{conf, title = {Service Composition}, author = {Smith, Ann}, year = 2007, doi = {10.1007/1}}",
        "@article{jour, title = {Service Composition}, author = {Smith, Ann}, year = 2008, doi = {10.1142/2}}",
    ), "a.bib")
    assert (r.added, r.merged) == (2, 0)
    assert r.files[0].notes == [
        "line 2: kept apart from paper 1 (different DOIs (10.1007/1, 10.1142/2)); Find duplicates lists the pair"
    ]
    assert lib.find_duplicates() == [(1, 2, "same title; different DOIs (10.1007/1, 10.1142/2): possibly two papers")]


def test_different_arxiv_ids_are_never_one_paper(lib: Library):
    r = lib.import_text(bib(
        "@misc{a, title = {Editorial}, eprint = {2101.00001}, archivePrefix = {arXiv}}",
        "@misc{b, title = {Editorial}, eprint = {2101.00002}, archivePrefix = {arXiv}}",
    ), "a.bib")
    assert (r.added, r.merged) == (2, 0)


def test_an_arxiv_doi_is_the_arxiv_id_not_a_second_doi(lib: Library):
    r = lib.import_text(bib(
        "@misc{pre, title = {Gemma}, author = {{Gemma Team}}, year = 2024, doi = {10.48550/arXiv.2403.08295}}",
        "@article{pub, title = {Gemma}, author = {{Gemma Team}}, year = 2024, doi = {10.1000/journal.1},"
        " eprint = {2403.08295}, archivePrefix = {arXiv}}",
    ), "a.bib")
    assert (r.added, r.merged) == (1, 1)


def test_the_same_arxiv_id_with_different_journal_dois_is_kept_apart(lib: Library):
    # a conference paper and its journal version, both giving their preprint's arXiv id
    r = lib.import_text(bib(
        "@inproceedings{a, title = {X}, eprint = {2403.08295}, archivePrefix = {arXiv}, doi = {10.1000/a}}",
        "@article{b, title = {X, extended}, eprint = {2403.08295}, archivePrefix = {arXiv}, doi = {10.1000/b}}",
    ), "a.bib")
    assert (r.added, r.merged) == (2, 0)
    a, b = lib.get_many([1, 2])
    assert (a.arxiv_id, b.arxiv_id, b.alternatives) == ("2403.08295", None, {"arxiv_id": ["2403.08295"]})
    assert r.files[0].notes == [
        "line 2: kept apart from paper 1 (different DOIs (10.1000/a, 10.1000/b)); Find duplicates lists the pair; "
        "line 2: arXiv:2403.08295 belongs to paper 1; this entry is another paper: its arXiv id is kept as an "
        "alternative value"
    ]
    assert lib.find_duplicates() == [(1, 2, "same arXiv id; different DOIs (10.1000/a, 10.1000/b): possibly two papers")]
    # the second file again: unchanged (its entry is known, arXiv id and all)
    again = lib.import_text(bib(
        "@article{b, title = {X, extended}, eprint = {2403.08295}, archivePrefix = {arXiv}, doi = {10.1000/b}}"), "a.bib")
    assert (again.added, again.merged, again.unchanged) == (0, 0, 1)


# ---------------------------------------------------------------- titles
def test_a_title_match_with_agreeing_authors_and_years_merges(lib: Library):
    lib.import_text(bib("@misc{pre, title = {Deep Residual Learning}, author = {He, Kaiming and Zhang, X.}, year = 2015}"),
                    "pre.bib")
    r = lib.import_text(bib(
        "@inproceedings{conf, title = {Deep residual learning.}, author = {Kaiming He and Xiangyu Zhang}, year = 2016,"
        " booktitle = {CVPR}, pages = {770--778}}"), "conf.bib")
    assert (r.added, r.merged) == (0, 1)
    (p,) = lib.get_many(lib.all_ids())
    assert (p.journal, p.pages, p.date) == ("CVPR", "770–778", "2015")


def test_a_title_match_with_a_different_first_author_stays_apart(lib: Library):
    # a Better BibTeX export: Foo2021 and Doe2021, same title, different authors
    lib.import_text(bib("@article{Doe2021, title = {Results}, author = {Doe, Jane}, year = 2021}"), "one.bib")
    r = lib.import_text(bib("@article{Foo2021, title = {Results}, author = {Foo, Bar}, year = 2021}"), "two.bib")
    assert (r.added, r.merged) == (1, 0)
    assert lib.find_duplicates() == [(1, 2, "same title; different first authors (Jane Doe, Bar Foo): possibly two papers")]


def test_years_within_one_agree_two_apart_do_not(lib: Library):
    lib.import_text(bib("@article{a, title = {Results}, author = {Doe, Jane}, year = 2020}"), "one.bib")
    assert lib.import_text(bib("@article{b, title = {Results}, author = {Doe, J.}, year = 2021}"), "two.bib").merged == 1
    r = lib.import_text(bib("@article{c, title = {Results}, author = {Doe, Jane}, year = 2023}"), "three.bib")
    assert (r.added, r.merged) == (1, 0)
    assert r.files[0].notes == ["line 1: kept apart from paper 1 (years 2020 and 2023); Find duplicates lists the pair"]


def test_a_journals_recurring_column_is_a_new_paper_in_every_issue(lib: Library):
    # TUGboat's "Calendar": the same title, no author, a different issue (or volume) every time
    cols = [f"@article{{cal{v}{i}, title = {{Calendar}}, journal = {{TUGboat}}, volume = {{{v}}}, number = {{{i}}},"
            f" year = {{{1990 + v}}}, pages = {{{10 * i}--{10 * i + 2}}}}}" for v in (11, 12) for i in (1, 2, 3)]
    r = lib.import_text(bib(*cols), "tugboat.bib")
    assert (r.added, r.merged, r.unchanged) == (6, 0, 0)
    # the same file again: nothing new
    again = lib.import_text(bib(*cols), "tugboat.bib")
    assert (again.added, again.merged, again.unchanged) == (0, 0, 6)


def test_volume_issue_and_pages_agree_when_both_give_them(lib: Library):
    lib.import_text(bib("@article{a, title = {Notes}, journal = {J}, volume = {3}, pages = {10--12}, year = 2001}"),
                    "one.bib")
    # no volume on one side: nothing contradicts; the same first page: agrees
    r = lib.import_text(bib("@article{b, title = {Notes}, pages = {10}, year = 2001}"), "two.bib")
    assert r.merged == 1
    r = lib.import_text(bib("@article{c, title = {Notes}, volume = {4}, year = 2001}"), "three.bib")
    assert (r.added, r.merged) == (1, 0)


def test_within_one_bibtex_file_different_keys_are_different_records(lib: Library):
    r = lib.import_text(bib(
        "@article{smith2020a, title = {Introduction}, year = 2020}",
        "@article{smith2020b, title = {Introduction}, year = 2020}",
        "@article{smith2020c, title = {Introduction}, year = 2020, doi = {10.1000/x}}",
        "@article{smith2020d, title = {Introduction}, year = 2020, doi = {10.1000/X}}",
    ), "a.bib")
    # a and b are two records; c and d share a DOI: one paper (and c is kept apart from a)
    assert (r.added, r.merged) == (3, 1)
    # the same entries in a second file match the first file's papers (by title, by DOI)
    r = lib.import_text(bib("@article{other, title = {Introduction}, year = 2020, doi = {10.1000/x}}"), "b.bib")
    assert (r.added, r.merged, r.unchanged) == (0, 1, 0)


def test_the_listing_rules_stay(lib: Library):
    r = lib.import_paths([FULL_SEED, PROFILE_SEED])
    assert (r.added, len(lib.all_ids())) == (21, 21)
    again = lib.import_paths([PROFILE_SEED, FULL_SEED])
    assert (again.added, again.merged) == (0, 0)


# ------------------------------------------------------------- the rules
def test_the_rules_as_functions():
    assert doi_key("10.48550/arXiv.2403.08295") is None and doi_key("10.1000/AbC") == "10.1000/abc"
    assert family_key("Diederik P. Kingma") == "kingma" and family_key("Jan van der Berg") == "berg"
    assert family_key("Gemma Team") == "gemmateam" and family_key("J. Müller") == family_key("Jan Muller")
    assert first_page("123–130") == first_page("123--30") == "123" and first_page("e1234") == "e1234"
    a = Record(first_author="Jane Doe", year=2020, volume="3", issue="1", pages="5-9")
    assert conflict(a, Record(first_author="J. Doe", year=2021, volume="3", pages="5")) is None
    assert conflict(a, Record(issue="2")) == "different issues (1, 2)"
    assert conflict(a, Record(pages="6-9")) == "different pages (5-9, 6-9)"
    assert conflict(a, Record(arxiv_id="1", doi="10.1/x")) is None
    assert conflict(Record(arxiv_id="1"), Record(arxiv_id="2")) == "different arXiv ids (1, 2)"
