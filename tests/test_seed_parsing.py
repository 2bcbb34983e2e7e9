"""Exact parsed values of every entry of both seed listings (written from the files)."""

from __future__ import annotations

import pytest

from refmanager.core import formats
from refmanager.core.formats import listing_full, listing_profile

from .conftest import FULL_SEED, PROFILE_SEED

# (category, date, title, first three authors, et_al, orgs) — copied by eye from the seed.
FULL = [
    ("cs.CL", "2024-07-31", "Gemma 2: Improving Open Language Models at a Practical Size",
     ["Gemma Team", "Morgane Riviere", "Shreya Pathak"], True, ["deepmind"]),
    ("stat.ML", "2022-11-18", "Curiosity in Hindsight: Intrinsic Exploration in Stochastic Environments",
     ["Daniel Jarrett", "Corentin Tallec", "Florent Altché"], True, []),
    ("cs.CL", "2024-03-13", "Gemma: Open Models Based on Gemini Research and Technology",
     ["Gemma Team", "Thomas Mesnard", "Cassidy Hardin"], True, ["deepmind"]),
    ("cs.CL", "2025-03-25", "Gemma 3 Technical Report",
     ["Gemma Team", "Aishwarya Kamath", "Johan Ferret"], True, ["deepmind", "mit"]),
    ("cs.AI", "2024-02-07", "Direct Language Model Alignment from Online AI Feedback",
     ["Shangmin Guo", "Biao Zhang", "Tianlin Liu"], True, []),
    ("cs.CV", "2024-12-04", "PaliGemma 2: A Family of Versatile VLMs for Transfer",
     ["Andreas Steiner", "André Susano Pinto", "Michael Tschannen"], True, []),
    ("cs.AI", "2025-07-07", "MedGemma Technical Report",
     ["Andrew Sellergren", "Sahar Kazemzadeh", "Tiam Jaroensri"], True, []),
    ("cs.LG", "2024-04-11", "RecurrentGemma: Moving Past Transformers for Efficient Open Language Models",
     ["Aleksandar Botev", "Soham De", "Samuel L Smith"], True, ["deepmind"]),
    ("cs.CL", "2025-09-24", "EmbeddingGemma: Powerful and Lightweight Text Representations",
     ["Henrique Schechter Vera", "Sahil Dua", "Biao Zhang"], True, []),
    ("cs.CR", "2025-10-15", "VaultGemma: A Differentially Private Gemma Model",
     ["Amer Sinha", "Thomas Mesnard", "Ryan McKenna"], True, []),
    ("cs.CL", "2023-09-01", "RLAIF vs. RLHF: Scaling Reinforcement Learning from Human Feedback with AI Feedback",
     ["Harrison Lee", "Samrat Phatale", "Hassan Mansoor"], True, []),
    ("cs.LG", "2021-01-06", "Geometric Entropic Exploration",
     ["Zhaohan Daniel Guo", "Mohammad Gheshlaghi Azar", "Alaa Saade"], True, []),
    ("cs.LG", "2020-11-18", "Counterfactual Credit Assignment in Model-Free Reinforcement Learning",
     ["Thomas Mesnard", "Théophane Weber", "Fabio Viola"], True, []),
    ("cs.LG", "2019-12-05", "Hindsight Credit Assignment",
     ["Anna Harutyunyan", "Will Dabney", "Thomas Mesnard"], True, []),
    ("q-bio.NC", "2019-11-15", "Ghost Units Yield Biologically Plausible Backprop in Deep Neural Networks",
     ["Thomas Mesnard", "Gaetan Vignoud", "Joao Sacramento"], True, []),
    ("cs.LG", "2018-08-14", "Generalization of Equilibrium Propagation to Vector Field Dynamics",
     ["Benjamin Scellier", "Anirudh Goyal", "Jonathan Binas"], True, []),
    ("cs.LG", "2016-12-09",
     "Towards deep learning with spiking neurons in energy based models with contrastive Hebbian plasticity",
     ["Thomas Mesnard", "Wulfram Gerstner", "Johanni Brea"], False, []),
    ("cs.NE", "2015-09-19", "STDP as presynaptic activity times rate of change of postsynaptic activity",
     ["Yoshua Bengio", "Thomas Mesnard", "Asja Fischer"], True, []),
    ("cs.LG", "2015-02-14", "Towards Biologically Plausible Deep Learning",
     ["Yoshua Bengio", "Dong-Hyun Lee", "Jorg Bornschein"], True, []),
]


@pytest.fixture(scope="module")
def full_entries():
    parsed, warnings = formats.parse_path(FULL_SEED)
    assert warnings == []
    assert parsed.format == listing_full.NAME
    return parsed.entries


def test_full_listing_has_19_entries(full_entries):
    assert len(full_entries) == 19
    assert [e.line for e in full_entries] == list(range(1, 56, 3))


@pytest.mark.parametrize("index", range(19))
def test_full_listing_entry(full_entries, index):
    cat, date, title, authors, et_al, orgs = FULL[index]
    e = full_entries[index]
    assert e.category == cat
    assert e.date == date
    assert e.title == title
    assert e.authors == authors
    assert e.et_al is et_al
    assert e.orgs == orgs
    assert e.arxiv_id is None
    assert e.needs_review is False
    assert e.incomplete is False


def test_full_listing_abstracts_are_whole_lines(full_entries):
    assert full_entries[0].abstract.startswith("In this work, we introduce Gemma 2, a new addition")
    assert full_entries[0].abstract.endswith("We release all our models to the community.")
    assert full_entries[6].abstract.startswith("Artificial intelligence (AI) has significant potential")
    # the raw glued line is kept as evidence for the split
    assert full_entries[6].raw_line == (
        "MedGemma Technical ReportAndrew Sellergren, Sahar Kazemzadeh, Tiam Jaroensri et al."
    )


def test_profile_listing():
    parsed, _ = formats.parse_path(PROFILE_SEED)
    assert parsed.format == listing_profile.NAME
    assert parsed.owner == "Thomas Mesnard"
    assert len(parsed.entries) == 20
    first = parsed.entries[0]
    assert first.line == 2
    assert first.title is None
    assert first.authors == ["Thomas Mesnard"]
    assert first.et_al is True
    assert first.incomplete is True
    assert first.abstract.startswith("Artificial intelligence (AI) has significant potential in healthcare")
    assert first.abstract.endswith("Foundation models that…")
    last = parsed.entries[-1]
    assert last.line == 21
    assert last.abstract.startswith("Neuroscientists have long criticised deep learning algorithms")


def test_detection_by_content_not_name():
    full = FULL_SEED.read_text(encoding="utf-8")
    profile = PROFILE_SEED.read_text(encoding="utf-8")
    assert listing_full.detect(full) and not listing_profile.detect(full)
    assert listing_profile.detect(profile) and not listing_full.detect(profile)
