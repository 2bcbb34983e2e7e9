"""arXiv API responses (Atom) as an import format: real responses, old and current style."""

from __future__ import annotations

from pathlib import Path

import pytest

from refmanager.core import formats
from refmanager.core.errors import ParseError
from refmanager.core.formats import arxiv_atom, jsonexport, listing_full
from refmanager.core.library import Library

from .conftest import DATA, FULL_SEED

ARXIV = DATA / "arxiv"

MURRAY_ABSTRACT_START = (
    "Theoretical description of anisotropic systems, such as layered superconductors and coupled "
    "spin chains, is often a challenge due to the different natures of interactions along "
    "different directions."
)
MURRAY_TITLE = "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"


def read(name: str) -> str:
    return (ARXIV / name).read_text(encoding="utf-8")


def test_every_recorded_response_is_detected_as_arxiv_atom():
    files = sorted(ARXIV.glob("*.xml"))
    assert len(files) == 8
    for f in files:
        assert formats.detect_format(read(f.name)) is arxiv_atom, f.name


def test_other_formats_are_not_taken_for_atom():
    assert not arxiv_atom.detect(FULL_SEED.read_text(encoding="utf-8"))
    assert not arxiv_atom.detect('[{"title": "x"}]')
    # An Atom feed that is not from arXiv (a blog) is not ours.
    blog = '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title></feed>'
    assert not arxiv_atom.detect(blog)
    assert formats.FORMATS.index(arxiv_atom) < formats.FORMATS.index(listing_full)
    assert formats.FORMATS.index(jsonexport) < formats.FORMATS.index(arxiv_atom)


def test_old_style_id_list_response():
    pf = arxiv_atom.parse(read("oldstyle_id_list_1111.2011v2.xml"))
    assert pf.format == arxiv_atom.NAME
    (e,) = pf.entries
    assert e.kind == "arxiv"
    assert e.line == 10
    assert e.arxiv_id == "1111.2011"  # version dropped
    assert e.title == MURRAY_TITLE  # the line break inside the title collapsed
    assert e.authors == ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
    assert e.et_al is False
    assert e.date == "2011-11-08"  # <published>, the first version (v2 is from 2012-04-02)
    assert e.category == "cond-mat.str-el"  # arxiv:primary_category, not the second <category>
    assert e.doi == "10.1103/PhysRevB.85.115117"
    assert e.journal == "Phys. Rev. B 85, 115117 (2012)"
    assert e.abstract.startswith(MURRAY_ABSTRACT_START)
    assert e.abstract.endswith("similar to adding a single extra dimension to the theory describing a single node.")
    assert "\n" not in e.abstract and "  " not in e.abstract
    assert e.incomplete is False


def test_old_style_search_response_with_old_style_id():
    pf = arxiv_atom.parse(read("oldstyle_search_quantum_criticality.xml"))
    assert [(e.line, e.arxiv_id) for e in pf.entries] == [(10, "1111.2011"), (55, "cond-mat/0607501")]
    e = pf.entries[1]
    assert e.title == (
        "A striped supersolid phase and the search for deconfined quantum criticality in hard-core "
        "bosons on the triangular lattice"
    )
    assert e.authors == ["R. G. Melko", "A. Del Maestro", "A. A. Burkov"]
    assert e.date == "2006-07-19"
    assert e.category == "cond-mat.str-el"
    assert e.doi == "10.1103/PhysRevB.74.214517"
    assert e.journal == "Phys. Rev. B 74, 214517 (2006)"


def test_user_manual_example_namespaces_on_every_element():
    (e,) = arxiv_atom.parse(read("manual_example_hep-ex_0307015.xml")).entries
    assert e.arxiv_id == "hep-ex/0307015"  # the manual's id carries no version
    assert e.title == "Multi-Electron Production at High Transverse Momenta in ep Collisions at HERA"
    assert e.authors == ["H1 Collaboration"]
    assert e.date == "2003-07-07"  # the date as written, -04:00 offset and all
    assert e.category == "hep-ex"
    assert e.doi is None
    assert e.journal == "Eur.Phys.J. C31 (2003) 17-29"
    assert e.abstract.startswith("Multi-electron production is studied at high electron transverse momentum in positron-")
    assert e.abstract.endswith(r"of 0.30 \pm 0.04 and 0.23 \pm 0.04, respectively.")


def test_current_style_search_response():
    pf = arxiv_atom.parse(read("current_search_electron_proton_excerpt.xml"))
    first, second = pf.entries
    assert (first.line, first.arxiv_id) == (10, "nucl-ex/0408020")
    assert first.title == (
        "Two-photon exchange and elastic scattering of electrons/positrons on the proton. "
        "(Proposal for an experiment at VEPP-3)"
    )
    assert first.authors == [
        "J. Arrington", "V. F. Dmitriev", "R. J. Holt", "D. M. Nikolenko", "I. A. Rachek",
        "Yu. V. Shestakov", "V. N. Stibunov", "D. K. Toporkov", "H. de Vries",
    ]
    assert first.date == "2004-08-18"
    assert first.category == "nucl-ex"  # bare <arxiv:primary_category term=...>, no scheme
    assert first.doi is None and first.journal is None
    assert first.abstract.startswith("It has been suggested that two-photon exchange corrections")

    assert (second.line, second.arxiv_id) == (50, "1309.4668")
    assert second.title == "Electron cloud observations at the ISIS Proton Synchrotron"
    assert second.authors == ["A. Pertica", "S. J. Payne"]  # affiliations are not names
    assert second.date == "2013-09-18"
    assert second.category == "physics.acc-ph"
    assert second.doi == "10.5170/CERN-2013-002.237"
    assert second.journal == "CERN Yellow Report CERN-2013-002, pp.237-240"


def test_current_style_id_list_response():
    (e,) = arxiv_atom.parse(read("current_id_list_2201.13452.xml")).entries
    assert e.arxiv_id == "2201.13452"
    assert e.title == "Asymptotic Analysis for a Nonlinear Reaction-Diffusion System Modeling an Infectious Disease"
    assert e.authors == ["Hong-Ming Yin", "Jun Zou"]
    assert e.date == "2022-01-31"
    assert e.category == "math.AP"
    assert e.doi is None and e.journal is None


@pytest.mark.parametrize("name", ["current_empty.xml", "oldstyle_empty_totalresults_1.xml"])
def test_empty_result_feeds(name):
    # The old-style one claims totalResults 1 and has no entry: the entries decide.
    assert arxiv_atom.parse(read(name)).entries == []


def test_error_feed_is_rejected_with_arxivs_message():
    with pytest.raises(ParseError) as ei:
        formats.parse_text(read("manual_error_incorrect_id_format.xml"), "error.xml")
    e = ei.value
    assert isinstance(e, arxiv_atom.ArxivErrorFeed)
    assert e.arxiv_message == "incorrect id format for 1234.12345"
    assert e.message == "arXiv reported an error: incorrect id format for 1234.12345"
    assert str(e) == "error.xml:11: arXiv reported an error: incorrect id format for 1234.12345"


def test_malformed_xml_names_the_parsers_line():
    good = read("oldstyle_id_list_1111.2011v2.xml")
    text = good.replace("</author>\n    <author>\n      <name>Zlatko", "</autor>\n    <author>\n      <name>Zlatko", 1)
    assert text != good
    with pytest.raises(ParseError) as ei:
        formats.parse_text(text, "bad.xml")
    assert ei.value.line == 41  # the "</autor>" line
    assert ei.value.message.startswith("malformed XML: mismatched tag")
    cut = read("current_empty.xml")[:400]  # cut off mid-feed, as an interrupted download is
    with pytest.raises(ParseError) as ei:
        arxiv_atom.parse(cut)
    assert ei.value.message == "malformed XML: unclosed token (column 3)"
    assert ei.value.line == cut.count("\n") + 1 == 6  # the line the file breaks off in


def test_entity_declarations_are_refused():
    laughs = (
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE feed [\n <!ENTITY lol "lol">\n <!ENTITY lol2 "&lol;&lol;&lol;&lol;">\n]>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">'
        "<entry><id>http://arxiv.org/abs/1111.2011v2</id><title>&lol2;</title></entry></feed>\n"
    )
    assert arxiv_atom.detect(laughs)
    with pytest.raises(ParseError) as ei:
        arxiv_atom.parse(laughs)
    assert ei.value.line == 2
    assert "DOCTYPE or ENTITY" in ei.value.message


def test_entry_whose_id_is_not_an_arxiv_url_is_rejected():
    text = read("current_id_list_2201.13452.xml").replace(
        "<id>http://arxiv.org/abs/2201.13452v1</id>", "<id>http://example.org/paper/1</id>"
    )
    with pytest.raises(ParseError) as ei:
        arxiv_atom.parse(text)
    assert ei.value.line == 10
    assert "not an arXiv abstract URL" in ei.value.message


LISTING = f"""CLNov 8, 2011
{MURRAY_TITLE}James M. Murray, Adrian Del Maestro et al.
{MURRAY_ABSTRACT_START}
"""


def test_import_merges_atom_into_a_listing_paper_by_title(lib: Library, tmp_path: Path):
    listing = tmp_path / "listing.txt"
    listing.write_text(LISTING, encoding="utf-8")
    r1 = lib.import_paths([listing])
    assert r1.added == 1
    (pid,) = r1.added_ids
    lib.add_tags([pid], ["to-read"])

    r2 = lib.import_paths([ARXIV / "oldstyle_id_list_1111.2011v2.xml"])
    assert (r2.added, r2.merged, r2.unchanged, r2.rejected) == (0, 1, 0, [])
    assert r2.files[0].format == arxiv_atom.NAME
    p = lib.get(pid)
    assert p.title == MURRAY_TITLE
    assert p.arxiv_id == "1111.2011"
    assert p.doi == "10.1103/PhysRevB.85.115117"
    assert p.journal == "Phys. Rev. B 85, 115117 (2012)"
    assert p.authors == ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
    assert p.et_al is False
    assert p.abstract.startswith(MURRAY_ABSTRACT_START) and len(p.abstract) > len(MURRAY_ABSTRACT_START)
    assert p.tags == ["to-read"]
    assert len(lib.all_ids()) == 1

    # The same response again changes nothing; the error feed is rejected on its own.
    r3 = lib.import_paths(
        [ARXIV / "oldstyle_id_list_1111.2011v2.xml", ARXIV / "manual_error_incorrect_id_format.xml"]
    )
    assert (r3.added, r3.merged, r3.unchanged) == (0, 0, 1)
    assert [(r.line, r.reason) for r in r3.rejected] == [
        (11, "arXiv reported an error: incorrect id format for 1234.12345")
    ]
