"""arXiv category codes: the one table of them.

Full listings glue a two-letter code to the date (``CLJul 31, 2024``).  Those
codes are ``cs.*`` except ``ML`` (stat.ML) and ``NC`` (q-bio.NC).  The names
are arXiv's own taxonomy names, shown beside the identifier in the detail pane.
"""

from __future__ import annotations

#: Listing codes that are not ``cs.<CODE>``.
SPECIAL_CODES: dict[str, str] = {
    "ML": "stat.ML",
    "NC": "q-bio.NC",
}

#: arXiv identifiers and their names (computer science plus the categories
#: researchers in ML meet most often).
CATEGORY_NAMES: dict[str, str] = {
    "cs.AI": "Artificial Intelligence",
    "cs.AR": "Hardware Architecture",
    "cs.CC": "Computational Complexity",
    "cs.CE": "Computational Engineering, Finance, and Science",
    "cs.CG": "Computational Geometry",
    "cs.CL": "Computation and Language",
    "cs.CR": "Cryptography and Security",
    "cs.CV": "Computer Vision and Pattern Recognition",
    "cs.CY": "Computers and Society",
    "cs.DB": "Databases",
    "cs.DC": "Distributed, Parallel, and Cluster Computing",
    "cs.DL": "Digital Libraries",
    "cs.DM": "Discrete Mathematics",
    "cs.DS": "Data Structures and Algorithms",
    "cs.ET": "Emerging Technologies",
    "cs.FL": "Formal Languages and Automata Theory",
    "cs.GL": "General Literature",
    "cs.GR": "Graphics",
    "cs.GT": "Computer Science and Game Theory",
    "cs.HC": "Human-Computer Interaction",
    "cs.IR": "Information Retrieval",
    "cs.IT": "Information Theory",
    "cs.LG": "Machine Learning",
    "cs.LO": "Logic in Computer Science",
    "cs.MA": "Multiagent Systems",
    "cs.MM": "Multimedia",
    "cs.MS": "Mathematical Software",
    "cs.NA": "Numerical Analysis",
    "cs.NE": "Neural and Evolutionary Computing",
    "cs.NI": "Networking and Internet Architecture",
    "cs.OH": "Other Computer Science",
    "cs.OS": "Operating Systems",
    "cs.PF": "Performance",
    "cs.PL": "Programming Languages",
    "cs.RO": "Robotics",
    "cs.SC": "Symbolic Computation",
    "cs.SD": "Sound",
    "cs.SE": "Software Engineering",
    "cs.SI": "Social and Information Networks",
    "cs.SY": "Systems and Control",
    "stat.ML": "Machine Learning (Statistics)",
    "stat.ME": "Methodology",
    "stat.TH": "Statistics Theory",
    "stat.CO": "Computation",
    "stat.AP": "Applications",
    "q-bio.NC": "Neurons and Cognition",
    "q-bio.QM": "Quantitative Methods",
    "math.OC": "Optimization and Control",
    "math.ST": "Statistics Theory",
    "math.NA": "Numerical Analysis",
    "math.PR": "Probability",
    "eess.AS": "Audio and Speech Processing",
    "eess.IV": "Image and Video Processing",
    "eess.SP": "Signal Processing",
    "eess.SY": "Systems and Control",
    "physics.comp-ph": "Computational Physics",
    "quant-ph": "Quantum Physics",
    "cond-mat.dis-nn": "Disordered Systems and Neural Networks",
    "hep-th": "High Energy Physics - Theory",
    "hep-ph": "High Energy Physics - Phenomenology",
    "astro-ph": "Astrophysics",
    "gr-qc": "General Relativity and Quantum Cosmology",
    "econ.EM": "Econometrics",
}

_CS_CODES = {c.split(".", 1)[1] for c in CATEGORY_NAMES if c.startswith("cs.")}


def code_to_category(code: str) -> str:
    """Map a listing code (``CL``) to its arXiv identifier (``cs.CL``).

    An unknown code is kept as given: listings from other fields must still
    import, and the user can fix the category by hand.
    """
    code = code.strip()
    if code in SPECIAL_CODES:
        return SPECIAL_CODES[code]
    if code in _CS_CODES:
        return f"cs.{code}"
    return code


def category_name(category: str | None) -> str | None:
    """arXiv's name for an identifier, or None when we do not know it."""
    if not category:
        return None
    return CATEGORY_NAMES.get(category)


def normalise_category_query(text: str) -> str:
    """Accept ``CL``, ``cs.cl`` or ``cs.CL`` in a ``cat:`` search."""
    t = text.strip()
    if t.upper() in SPECIAL_CODES or t.upper() in _CS_CODES:
        return code_to_category(t.upper())
    lowered = {c.lower(): c for c in CATEGORY_NAMES}
    return lowered.get(t.lower(), t)
