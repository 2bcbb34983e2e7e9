"""Split a title glued to its author list (``...Practical SizeGemma Team, ...``).

Cutting at the first or last case change is wrong on real data
(``RecurrentGemma``, ``Yann LeCun``, ``Mask R-CNNKaiming He``,
``Mistral 7BAlbert Q. Jiang``).  Instead every place where a non-space
character is directly followed by a capital letter is a candidate, and each
candidate is scored: how much the first author looks like a person's or a
team's name, whether the name is already known (from the library or the rest
of the listing), how the other authors look, and whether the title ends like
a title rather than in the middle of a name.  The best candidate wins; the
margin to the runner-up becomes the split confidence, and the runners-up are
kept so that a user can pick one later.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

from .models import Split
from .textnorm import person_key

log = logging.getLogger(__name__)

PARTICLES = frozenset(
    "van von der den de del della des di da dos das du le la ter ten bin ibn al el y e zu af av "
    "auf op".split()
)
#: Surname prefixes after which a capital letter is normal (LeCun, McKenna).
NAME_PREFIXES = ("Mc", "Mac", "Le", "La", "De", "Di", "Da", "Du", "Van", "Von", "O'", "D'", "Fitz", "St")
_NAME_PREFIX_SET = frozenset(NAME_PREFIXES)
#: Last words of team names ("Gemma Team").
TEAM_WORDS = frozenset(
    "Team Group Lab Labs Consortium Collaboration Project Community Committee Initiative Authors "
    "Contributors Organization Organisation".split()
)
#: Generational suffixes that end a name ("Martin Luther King Jr.").
NAME_SUFFIXES = frozenset({"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"})
#: One-word authors that are organisations.
KNOWN_ORG_AUTHORS = frozenset(
    person_key(n)
    for n in (
        "OpenAI DeepMind Anthropic Google Meta Microsoft NVIDIA Apple Amazon IBM Baidu Alibaba Tencent "
        "Huawei ByteDance xAI Cohere EleutherAI LAION BigScience HuggingFace DeepSeek-AI DeepSeek "
        "Kimi Moonshot MiniMax"
    ).split()
)
#: Positions to try: at most this many commas inside a title.
MAX_TITLE_COMMAS = 8
#: Below this confidence a split is flagged for review.
REVIEW_THRESHOLD = 0.5
#: How many runner-up splits to keep.
KEEP_ALTERNATIVES = 3

_SPLIT_AUTHORS = re.compile(r"\s*,\s*")
_ASCII_CUT = re.compile(r"(?<=\S)[A-Z]")
_OTHER_CUT = re.compile(r"(?<=\S)[^\x00-\x7f]")
_NAME_PARTS = re.compile(r"[-'\u2019]")
_INITIALS = re.compile(r"^(?:[^\W\d_]\.?-?)+$")


@dataclass
class SplitResult:
    title: str
    authors: list[str]
    confidence: float
    alternatives: list[Split]

    @property
    def needs_review(self) -> bool:
        return self.confidence < REVIEW_THRESHOLD


def _is_cap_word(part: str) -> bool:
    """``Morgane``, ``Dollár``, ``He``: a capital then lower-case letters."""
    return (
        len(part) >= 2
        and part[0].isupper()
        and part.isalpha()
        and part[1:].islower()
    )


def _is_name_word(tok: str) -> bool:
    """A capitalised name word, hyphenated or with an apostrophe (``Ming-Wei``, ``O'Brien``)."""
    parts = _NAME_PARTS.split(tok)
    if not parts or not all(parts):
        return False
    first = parts[0]
    if not (_is_cap_word(first) or (len(first) == 1 and first.isupper() and len(parts) > 1)):
        return False
    return all(_is_cap_word(p) or (p.isalpha() and p.islower()) for p in parts[1:])


def _is_prefixed_name(tok: str) -> bool:
    for p in NAME_PREFIXES:
        if tok.startswith(p) and len(tok) > len(p) + 1 and _is_name_word(tok[len(p):]):
            return True
    return False


def _is_initials(tok: str) -> bool:
    """``Q.``, ``P``, ``J.-P.``: one or more single letters."""
    if not _INITIALS.match(tok):
        return False
    letters = [c for c in tok if c.isalpha()]
    return 1 <= len(letters) <= 3 and all(c.isupper() for c in letters) and (
        len(letters) == 1 or "." in tok
    )


# What ``token_score`` decides about a word before its place in the name counts.
(_K_NAME, _K_PREFIXED, _K_INITIALS, _K_TEAM, _K_SUFFIX, _K_PARTICLE, _K_IMPOSSIBLE, _K_ACRONYM, _K_CAMEL, _K_OTHER) = range(10)


@lru_cache(maxsize=1 << 17)
def _token_kind(tok: str) -> int:
    """The kind of word ``tok`` is, the tests of ``token_score`` in its order.

    Cached by the word alone: a word's kind does not depend on its place, so a
    listing's ~100,000 distinct words fit (the score itself, keyed by word, place
    and length, missed the cache for most title words of candidate cuts).
    """
    if _is_name_word(tok):
        return _K_NAME
    if _is_prefixed_name(tok):
        return _K_PREFIXED
    if _is_initials(tok):
        return _K_INITIALS
    if tok in TEAM_WORDS:
        return _K_TEAM
    if tok in NAME_SUFFIXES:
        return _K_SUFFIX
    if tok.lower() in PARTICLES and tok.islower():
        return _K_PARTICLE
    if any(c.isdigit() for c in tok):
        return _K_IMPOSSIBLE
    if any(not (c.isalpha() or c in ".-'\u2019") for c in tok):
        return _K_IMPOSSIBLE
    if tok.islower():
        return _K_IMPOSSIBLE
    if tok.isupper() and tok.isalpha():
        return _K_ACRONYM
    if tok[0].isupper() and tok.isalpha():
        return _K_CAMEL
    return _K_OTHER


def _kind_score(kind: int, pos: int, n: int) -> float:
    """``token_score`` of a word of this kind at ``pos`` in a name of ``n`` words."""
    if kind == _K_NAME:
        return 1.0
    if kind == _K_IMPOSSIBLE:
        return -1.0
    last = pos == n - 1
    if kind == _K_PREFIXED:
        return 0.9
    if kind == _K_INITIALS:
        return 0.1 if last else 0.85
    if kind == _K_TEAM:
        return 1.0 if (last and n >= 2) else 0.3
    if kind == _K_SUFFIX:
        return 0.8 if (last and n >= 3) else -1.0
    if kind == _K_PARTICLE:
        if 0 < pos < n - 1:
            return 0.7
        return 0.3 if pos == 0 and n > 1 else -1.0
    if kind == _K_ACRONYM:
        return 0.1  # ``AI``, ``JAX``: an acronym, rarely a name
    if kind == _K_CAMEL:
        # CamelCase such as ``NeedAshish``: a title word glued to a name.  Alone
        # it may be an organisation (``OpenAI``), inside a longer name never.
        return 0.05 if n == 1 else -1.0
    return -0.5


def token_score(tok: str, pos: int, n: int) -> float:
    """How much one word looks like part of a person's or team's name (-1..1)."""
    return _kind_score(_token_kind(tok), pos, n)


def _name_shape(name: str) -> tuple[int, float, float]:
    """(words, lowest word score, mean word score): the part of a name's score
    that does not depend on who is known."""
    toks = name.split()
    n = len(toks)
    if n == 0:
        return 0, 0.0, 0.0
    lowest = total = 0.0
    for i, t in enumerate(toks):
        k = _token_kind(t)
        # (the two commonest kinds without a call: ``_kind_score``'s first two answers)
        sc = 1.0 if k == _K_NAME else -1.0 if k == _K_IMPOSSIBLE else _kind_score(k, i, n)
        if sc <= -1.0:
            # One impossible word decides (name_score ignores the mean then);
            # most candidate cuts inside a title stop at their first "for"/"of".
            return n, sc, 0.0
        if i == 0 or sc < lowest:
            lowest = sc
        total += sc
    return n, lowest, total / n


#: The last part of a one-word CamelCase organisation ("GemmaTeam", "DeepSeekAI").
_ORG_TAILS = TEAM_WORDS | {"AI", "Research", "Labs", "Lab"}
_CAMEL_PARTS = re.compile(r"[A-Z][a-z]+|[A-Z]+(?![a-z])|\d+")
#: Kinds of word that are never an author on their own ("Team", "I", "Jr.", "van").
_NEVER_ALONE = frozenset({_K_TEAM, _K_INITIALS, _K_SUFFIX, _K_PARTICLE})


def is_camel_org(word: str) -> bool:
    """One CamelCase word naming an organisation: "GemmaTeam", "InternLMTeam", "MistralAI"."""
    if not (word[:1].isupper() and word.isalnum() and word.isascii()):
        return False
    parts = _CAMEL_PARTS.findall(word)
    return len(parts) >= 2 and "".join(parts) == word and parts[-1] in _ORG_TAILS


def name_score(name: str, known: Callable[[str], bool] | None = None) -> float:
    """How much a whole author string looks like one author."""
    n, lowest, mean = _name_shape(name)
    if n == 0:
        return -3.0
    is_known = bool(known and known(name))
    if lowest <= -1.0:
        base = -2.0 + (0.5 if is_known else 0.0)
    else:
        base = mean
    if n == 1:
        # (the key is only needed for one-word names: computed lazily)
        if is_known or person_key(name) in KNOWN_ORG_AUTHORS:
            base = 1.1
        elif is_camel_org(name):
            base = 0.8
        elif _token_kind(name) in _NEVER_ALONE:
            base = -0.5  # "Team" cut off "GemmaTeam", "I" off "MistralAI": no author alone
        else:
            base *= 0.35
    elif n <= 4:
        base += 0.2
    elif n > 5:
        base -= 0.3 * (n - 5)
    if is_known and n > 1:
        base += 1.0
    return base


#: "ReportOpen", "ModelsYann": a title's last word ending in a capitalised word.
_CAMEL_TAIL = re.compile(r"[a-z\u00df-\u00ff][A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+$")


def _title_score(title: str, first_author: str) -> float:
    """Penalties for titles that end in the middle of a name or word."""
    t = title.rstrip()
    if not t or not (t[-1].isalnum() or any(c.isalnum() for c in t)):
        return -5.0
    words = t.rsplit(None, 1)  # (the last word, and whether there is another)
    last = words[-1]
    score = 0.0
    if last in _NAME_PREFIX_SET and _is_prefixed_name(last + _first_word(first_author)):
        # "... Yann Le" + "Cun": the cut falls inside a surname
        score -= 0.8
    if last.islower() and last in PARTICLES:  # (lower case: its own lower())
        score -= 0.6
    # A title ending in a CamelCase word whose tail is a capitalised word
    # ("ReportOpen", "ModelsYann") is usually a cut inside an author's name.
    # (An ASCII word with no capital after its first letter cannot match.)
    if not (last.isascii() and last[1:].islower()) and _CAMEL_TAIL.search(last) and not _is_prefixed_name(last):
        score -= 0.3
    if len(last) == 1 and last.isupper() and len(words) > 1:
        score -= 0.4  # "... Mistral 7B" cut as "Mistral 7" + "BAlbert"
    if t[-1].isupper() and is_camel_org(_first_word(first_author)):
        score -= 0.3  # "... LL" + "MsKimiTeam": the cut falls inside "LLMs"
    if ("(" in t and t.count("(") > t.count(")")) or ("[" in t and t.count("[") > t.count("]")):
        score -= 0.5
    if t.endswith((",", ":", ";", "-", "&")):
        score -= 0.7
    return score


def _first_word(text: str) -> str:
    fa = text.split(None, 1)
    return fa[0] if fa else ""


def _candidates(part: str) -> list[int]:
    """Offsets in ``part`` where a name can start right after title text: a
    capital letter after a non-space (``c.isupper() and not prev.isspace()``)."""
    # Found in C: the ASCII capitals by one regex, then the few non-ASCII
    # characters after a non-space, of which the capitals (``Ł``, ``Ö``) count.
    # (A property test compares it with the character loop.)
    cuts = [m.start() for m in _ASCII_CUT.finditer(part)]
    if not part.isascii():
        more = [m.start() for m in _OTHER_CUT.finditer(part) if m.group().isupper()]
        if more:
            cuts = sorted(cuts + more)
    return cuts


class NameScores:
    """``name_score`` remembered for one file's split (``known`` does not change
    while a file is parsed): authors recur from paper to paper, and the split
    scores every author after the cut and every candidate first author (~5 per
    paper; ~1/6 of parsing a full listing before).  Bounded: cleared when full."""

    MAX = 100_000

    __slots__ = ("known", "memo", "cut_memo")

    def __init__(self, known: Callable[[str], bool] | None = None) -> None:
        self.known = known
        self.memo: dict[str, float] = {}
        self.cut_memo: dict[str, list[int]] = {}

    def cuts(self, part: str) -> list[int]:
        """``_candidates`` of an author after a comma (they recur too; most have none)."""
        r = self.cut_memo.get(part)
        if r is None:
            if len(self.cut_memo) >= self.MAX:
                self.cut_memo.clear()
            r = self.cut_memo[part] = _candidates(part)
        return r

    def __call__(self, name: str) -> float:
        r = self.memo.get(name)
        if r is None:
            if len(self.memo) >= self.MAX:
                self.memo.clear()
            r = self.memo[name] = name_score(name, self.known)
        return r


def split_title_authors(
    text: str, known: Callable[[str], bool] | None = None, scores: NameScores | None = None
) -> SplitResult:
    """Best split of ``<title><author>, <author>, ...`` (et al. and orgs removed);
    ``scores``, for many lines of one file, remembers names' scores (``known`` is then its own)."""
    text = text.strip()
    score = scores if scores is not None else NameScores(known)
    # Cut at every comma.  A title is the line's own text up to the cut ("3,000" stays
    # "3,000"), never parts joined again: where a part starts is found when a part
    # after a comma has a cut (a title with a comma; most lines have none).
    parts = _SPLIT_AUTHORS.split(text)
    n = len(parts)
    # The score of each author after the cut, at most 1.5 (parts[0], the title glued
    # to the first author, is never one: 0).
    capped = [0.0]
    for p in parts[1:]:
        x = score(p)
        capped.append(1.5 if x > 1.5 else x)
    starts: list[int] | None = None

    # (score, title, first author, part): Split objects only for the ones kept
    cands: list[tuple[float, str, str, int]] = []
    for j in range(min(n, MAX_TITLE_COMMAS + 1)):
        part = parts[j]
        offs = _candidates(part) if j == 0 else score.cuts(part)
        if not offs:
            continue
        rest = n - j - 1
        later = 0.0
        if rest:
            # the mean score of the authors after part j (summed from the last one)
            total = 0.0
            for k in range(n - 1, j, -1):
                total += capped[k]
            later = 0.5 * (total / rest - 1.0)
        if j and starts is None:
            starts = [0] + [m.end() for m in _SPLIT_AUTHORS.finditer(text)]
        base = starts[j] if starts is not None else 0
        for off in offs:
            title = text[: base + off]
            first = part[off:]
            s = score(first) + _title_score(title, first)
            if rest:
                s += later
            cands.append((s, title, first, j))
    if not cands:
        # No glue point at all: the whole line is the title, authors unknown.
        return SplitResult(title=text, authors=[], confidence=0.0, alternatives=[])
    cands.sort(key=itemgetter(0), reverse=True)  # (stable: ties keep their order)
    scored = [
        Split(title.strip(), [first] + parts[j + 1 :], s)
        for s, title, first, j in cands[: 1 + KEEP_ALTERNATIVES]
    ]
    best = scored[0]
    runner = scored[1].score if len(scored) > 1 else best.score - 2.0
    margin = best.score - runner
    quality = max(0.0, min(1.0, best.score / 1.0))
    confidence = round(max(0.0, min(1.0, margin / 0.8)) * quality, 3)
    alts = scored[1 : 1 + KEEP_ALTERNATIVES]
    if log.isEnabledFor(logging.DEBUG):
        log.debug("split %r -> %r (confidence %.2f)", text[:80], best.title[:60], confidence)
    return SplitResult(
        title=best.title, authors=best.authors, confidence=confidence, alternatives=alts
    )
