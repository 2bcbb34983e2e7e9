"""Person and team names: the stored "Given Family" string and its parts.

The library stores every author as one display string in reading order
("Morgane Riviere", "Jan van der Berg", "Gemma Team").  Bibliography formats
want the family name apart ("Riviere, Morgane"), so export splits the display
string back with the same rules BibTeX uses for "First von Last": the last
word is the family name, lower-case particles before it belong to it, and a
trailing "Jr."/"III" is a suffix.  Teams and one-word organisations are never
split ("{Gemma Team}" in BibTeX, a CSL ``literal``).  Import always joins parts
in the same order, so a name survives export and re-import unchanged.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from .split import KNOWN_ORG_AUTHORS, PARTICLES, TEAM_WORDS
from .textnorm import person_key

log = logging.getLogger(__name__)

SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
#: Final "authors" that only say the list is truncated.
ET_AL_NAMES = frozenset({"others", "et al.", "et al", "et. al.", "and others", "et alii"})

_FOLD = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
     "þ": "th", "Þ": "TH", "œ": "oe", "Œ": "OE", "ı": "i"}
)


@dataclass(frozen=True)
class PersonName:
    """A display name cut into the parts bibliography formats want."""

    given: str
    family: str  # without the particle
    particle: str = ""  # "van der", "de la"
    suffix: str = ""  # "Jr.", "III"
    literal: bool = False  # a team or organisation: never split, never abbreviated

    @property
    def full_family(self) -> str:
        return f"{self.particle} {self.family}".strip()


def is_et_al(name: str) -> bool:
    return " ".join(name.split()).casefold() in ET_AL_NAMES


def is_organisation(name: str) -> bool:
    """"Gemma Team", "OpenAI": names that are not people."""
    words = name.split()
    if not words:
        return False
    if len(words) >= 2 and words[-1] in TEAM_WORDS:
        return True
    return len(words) == 1 and person_key(name) in KNOWN_ORG_AUTHORS


def split_name(name: str) -> PersonName:
    """Cut a display name ("Jan van der Berg Jr.") into its parts."""
    name = " ".join(name.split())
    words = name.split(" ")
    if is_organisation(name) or len(words) < 2 or "," in name:
        return PersonName(given="", family=name, literal=is_organisation(name) or "," in name)
    suffix = ""
    if len(words) > 2 and words[-1].casefold() in SUFFIXES:
        suffix = words.pop()
    family = words.pop()
    particle: list[str] = []
    while len(words) > 1 and words[-1] in PARTICLES:
        particle.insert(0, words.pop())
    if len(words) == 1 and words[0] in PARTICLES:  # "de Vries": no given name at all
        particle.insert(0, words.pop())
    return PersonName(given=" ".join(words), family=family, particle=" ".join(particle), suffix=suffix)


def family_of(name: str) -> str:
    """The name a short author list shows: the family name with its particles ("van der
    Maaten", "de Vries"), without a suffix; a team or organisation whole ("Gemma Team")."""
    p = split_name(name)
    return p.family if p.literal else p.full_family


def short_authors(authors: Sequence[str | None], et_al: bool = False, count: int | None = None) -> str:
    """The author column of the table and of ``list``: "Kingma" for one author, "Kingma & Ba"
    for two, "Kingma et al." for three or more or when the list was cut (``et_al``); "" for none.

    ``count``: how many authors the paper has when ``authors`` holds only the first ones (a
    table row reads two).  Family names as ``split_name`` cuts them, so that a name reads
    the same here, in citation keys and in BibTeX."""
    names = [a for a in authors if a and a.strip()]
    if not names:
        return ""
    n = max(len(names), count or 0)
    first = family_of(names[0])
    if et_al or n > 2 or (n == 2 and len(names) < 2):
        return f"{first} et al."
    if n == 2:
        return f"{first} & {family_of(names[1])}"
    return first


def join_name(given: str = "", particle: str = "", family: str = "", suffix: str = "") -> str:
    """Parts back to the display string, in reading order."""
    return " ".join(" ".join(p.split()) for p in (given, particle, family, suffix) if p and p.strip())


def initials(given: str) -> str:
    """"Jean-Baptiste Marie" -> "J.-B. M."; initials already given stay as they are."""
    out = []
    for word in given.split():
        parts = [p for p in word.split("-") if p]
        out.append("-".join(p[0] + "." if p[0].isalpha() else p for p in parts))
    return " ".join(out)


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def ascii_fold(text: str) -> str:
    """"Müller" -> "muller", "Gießen" -> "giessen": lower-case letters and digits only."""
    if text.isascii():  # (most names and title words: no decomposition to do)
        return _NOT_ALNUM.sub("", text.lower())
    t = unicodedata.normalize("NFKD", text.translate(_FOLD))
    t = "".join(c for c in t if not unicodedata.combining(c))
    return _NOT_ALNUM.sub("", t.lower())
