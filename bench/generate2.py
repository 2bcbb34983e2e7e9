"""A second synthetic full-listing generator with configurable distributions (issue 20).

``bench/generate.py`` has one shape: 1-3 authors shown, "et al." on 70%, abstracts of
120-250 words drawing on a long tail of 40,000 invented words.  That tail makes SQLite's
own FTS5 indexing (the ``raw`` phase) slow, which flatters the import/raw ratio.  This
generator writes the same listing format -- it reuses ``generate.Paper.listing`` and the
vocabulary of ``generate.py``, so the files parse the same way and the same truth check
applies -- with every distribution a parameter (``Shape``):

* authors shown per paper: up to ``authors_max``, weights per count (``authors_weights``),
  and the share of papers with more authors than shown (``et_al``: those show the maximum
  and end in "et al.");
* the size of the author pool (``people``) and of the invented vocabulary (``vocab``) and
  how often an abstract word comes from it (``rare_share``);
* abstract length in words (``abstract_words``);
* title shapes: length in words (``title_words``), the share of titles ending in a number
  (``title_number``: "... Part 2", "... 2024", "Llama 3", "Task 7") and of short titles
  (``title_short``: 3-4 words);
* the share of papers listing organisations (``orgs``) and their maximum (``orgs_max``),
  and of team names as first author (``teams``).

Profiles: ``small-vocab`` (the default here: up to five authors, a 2,000-word invented
vocabulary, shorter abstracts, titles ending in a number).  The same seed and parameters
always give byte-identical files; a smaller size is a prefix of a larger one.  Data goes to
``OUT/n<size>-<profile>[-<hash of changed parameters>]``.

    .venv/bin/python -m bench.generate2 --sizes 10k --vocab 1000 --authors-max 5 --et-al 0.4
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from . import generate as g

log = logging.getLogger(__name__)

DEFAULT_SEED = 20250420


@dataclass(frozen=True)
class Shape:
    """The distributions of one generated listing."""

    name: str = "small-vocab"
    authors_max: int = 5
    #: relative weights of showing 1, 2, ..., authors_max authors (papers without "et al.")
    authors_weights: tuple[float, ...] = (25, 25, 20, 15, 15)
    #: share of papers with more authors than shown: they show authors_max, then "et al."
    et_al: float = 0.35
    people: int = 20_000
    vocab: int = 2_000
    rare_share: float = 0.03
    abstract_words: tuple[int, int] = (80, 180)
    title_words: tuple[int, int] = (4, 14)
    title_number: float = 0.30
    title_short: float = 0.10
    orgs: float = 0.60
    orgs_max: int = 3
    teams: float = 0.01

    def __post_init__(self) -> None:
        if self.authors_max < 1 or len(self.authors_weights) != self.authors_max:
            raise ValueError("authors_weights needs one weight per count 1..authors_max")
        if not 0 <= self.et_al <= 1 or not 0 <= self.rare_share <= 1:
            raise ValueError("shares are between 0 and 1")
        if self.vocab < 1 or self.people < 10 * self.authors_max:
            raise ValueError("vocab >= 1 and people >= 10 * authors_max")
        if self.abstract_words[0] > self.abstract_words[1] or self.title_words[0] > self.title_words[1]:
            raise ValueError("ranges are MIN-MAX")
        if self.title_words[0] < 3:
            raise ValueError("titles have at least 3 words")

    def params(self) -> dict[str, object]:
        return {k: v for k, v in dataclasses.asdict(self).items() if k != "name"}

    def tag(self) -> str:
        """Directory suffix: the profile's name, plus a hash when parameters differ from it."""
        base = PROFILES.get(self.name)
        if base is not None and base.params() == self.params():
            return self.name
        h = hashlib.sha1(json.dumps(self.params(), sort_keys=True).encode()).hexdigest()[:8]
        return f"{self.name}-{h}"


PROFILES: dict[str, Shape] = {"small-vocab": Shape()}

#: Endings of titles that end in a number (never a lone capital: the split stays unambiguous).
_NUMBER_ENDINGS = (
    lambda r: ["Part", str(r.randint(1, 4))],
    lambda r: ["in", str(r.randint(2010, 2026))],
    lambda r: ["Challenge", str(r.randint(2015, 2026))],
    lambda r: ["Task", str(r.randint(1, 12))],
    lambda r: ["Llama", str(r.randint(2, 4))],
    lambda r: ["Gemma", str(r.randint(1, 3))],
    lambda r: ["GPT-" + str(r.randint(2, 5))],
    lambda r: ["Qwen" + str(r.randint(1, 3))],
    lambda r: ["at", "Scale", str(r.choice((10, 100, 1000)))],
    lambda r: ["Top-" + str(r.randint(1, 10))],
)


class Generator2(g.Generator):
    """``generate.Generator`` with the distributions of a ``Shape``."""

    def __init__(self, shape: Shape, seed: int = DEFAULT_SEED) -> None:  # (the parent's, resized)
        self.shape = shape
        self.rng = random.Random(seed)
        self.seen_titles: set[str] = set(g._seed_title_keys())
        rng = random.Random(seed ^ 0x5EED)
        self.rare = g._rare_words(rng, shape.vocab)
        self.models = sorted({p + b for p in g.MODEL_PREFIX for b in g.MODEL_BASE})
        self.codes = [c for c, _ in g.CATEGORY_CODES]
        self.code_weights = [w for _, w in g.CATEGORY_CODES]
        self.people = self._people(rng, shape.people)
        self.tags = self._tag_names(rng, 3_000)
        self.first_names = frozenset(g.FIRST_NAMES)
        self._number_ending = False

    # ---------------------------------------------------------------- title
    def _title_once(self) -> str:
        rng, s = self.rng, self.shape
        if rng.random() < s.title_short:
            words = self._phrase(3)[:4]
        else:
            words = super()._title_once().split()
        hi = s.title_words[1]  # (longer titles are refused by _title_ok, never cut: a cut
        # could leave a CamelCase model name glued to the first author)
        if self._number_ending:
            end = rng.choice(_NUMBER_ENDINGS)(rng)
            words = [w.rstrip("?:,") for w in words][: max(1, hi - len(end))] + end
        title = " ".join(words)
        return title[0].upper() + title[1:]

    def title(self) -> str:
        # drawn once per paper, not per attempt (attempts are refused at different rates)
        self._number_ending = self.rng.random() < self.shape.title_number
        return super().title()

    def _title_ok(self, title: str) -> bool:
        words = title.split()
        last = words[-1]
        if not self._title_end_ok(title, last):
            return False
        if any(c.isupper() for c in last[1:]) and not last[-1].isdigit():
            return False  # "...NovaVit" + "OpenAI": a CamelCase end glued to a name is ambiguous
        lo, hi = self.shape.title_words
        return min(lo, 3) <= len(words) <= hi or "Technical Report" in title

    # ------------------------------------------------------------- abstract
    def _fill(self, template: str, title_nouns: list[str], model: str) -> str:
        # the parent draws an invented word for 6% of {w}: here ``rare_share``
        share = self.shape.rare_share
        rng = self.rng
        out = template
        while "{w}" in out:
            i = out.index("{w}")
            if rng.random() < share:
                val = self.rare[self._skewed_index(len(self.rare), 2.0)]
            else:
                val = rng.choice(g.ABS_WORDS)
            out = out[:i] + val + out[i + 3 :]
        return super()._fill(out, title_nouns, model)

    def abstract(self, title: str) -> str:
        rng = self.rng
        title_nouns = [w for w in title.replace(":", "").replace("?", "").split() if w in g.NOUNS]
        model = next((w.rstrip(":") for w in title.split() if w.rstrip(":") in self.models), self._model_name())
        target = rng.randint(*self.shape.abstract_words)
        parts = [self._fill(rng.choice(g.OPENINGS), title_nouns, model)]
        n = len(parts[0].split())
        while n < target:
            sent = self._fill(rng.choice(g.SENTENCES), title_nouns, model)
            parts.append(sent)
            n += len(sent.split())
        return " ".join(parts)

    # ---------------------------------------------------------------- paper
    def paper(self) -> g.Paper:
        rng, s = self.rng, self.shape
        title = self.title()
        et_al = rng.random() < s.et_al
        if et_al:
            shown = s.authors_max
        else:
            shown = rng.choices(range(1, s.authors_max + 1), weights=s.authors_weights)[0]
        authors = self._authors(shown, s.teams)
        n_orgs = rng.randint(1, s.orgs_max) if s.orgs_max and rng.random() < s.orgs else 0
        orgs = rng.sample(g.ORGS, min(n_orgs, len(g.ORGS)))
        return self._dated_paper(title, authors, et_al, orgs)


def dataset_paths(n: int, out: Path, shape: Shape) -> g.Dataset:
    ds = g.dataset_paths(n, out)
    d = out / f"n{g.size_label(n)}-{shape.tag()}"
    return g.Dataset(
        n=n,
        dir=d,
        listings=[d / p.name for p in ds.listings],
        truths=[d / p.name for p in ds.truths],
        userdata=[d / p.name for p in ds.userdata],
    )


def generate(n: int, out: Path, shape: Shape | None = None, seed: int = DEFAULT_SEED, force: bool = False) -> g.Dataset:
    """Write listings, truth and tag/note JSON for ``n`` papers (skipped if present)."""
    shape = shape or PROFILES["small-vocab"]
    want = json.dumps({"n": n, "seed": seed, "v": 1, **shape.params()}, sort_keys=True)
    return g.write(dataset_paths(n, out, shape), Generator2(shape, seed), n, want, force)


# ----------------------------------------------------------------------- CLI
def _range(text: str) -> tuple[int, int]:
    a, _, b = text.partition("-")
    return (int(a), int(b or a))


def add_shape_args(ap: argparse.ArgumentParser) -> None:
    """The Shape's flags (defaults: the chosen profile's)."""
    ap.add_argument("--profile", default="small-vocab", choices=sorted(PROFILES))
    ap.add_argument("--authors-max", type=int, help="authors shown at most (default 5)")
    ap.add_argument("--authors-weights", help="weights of 1..N shown authors, e.g. 25,25,20,15,15")
    ap.add_argument("--et-al", type=float, help="share of papers with more authors than shown (0.35)")
    ap.add_argument("--people", type=int, help="author pool size (20000)")
    ap.add_argument("--vocab", type=int, help="invented abstract words (2000; generate.py: 40000)")
    ap.add_argument("--rare-share", type=float, help="share of abstract words drawn from them (0.03; generate.py: 0.06)")
    ap.add_argument("--abstract-words", type=_range, help="abstract length MIN-MAX words (80-180)")
    ap.add_argument("--title-words", type=_range, help="title length MIN-MAX words (4-14)")
    ap.add_argument("--title-number", type=float, help="share of titles ending in a number (0.30)")
    ap.add_argument("--title-short", type=float, help="share of 3-4 word titles (0.10)")
    ap.add_argument("--orgs", type=float, help="share of papers listing organisations (0.60)")
    ap.add_argument("--orgs-max", type=int, help="organisations per paper at most (3)")
    ap.add_argument("--teams", type=float, help="share of papers with a team as first author (0.01)")


def shape_from_args(args: argparse.Namespace) -> Shape:
    base = PROFILES[args.profile]
    changes: dict[str, object] = {}
    for f in dataclasses.fields(Shape):
        v = getattr(args, f.name, None)
        if f.name != "name" and v is not None:
            changes[f.name] = v
    if isinstance(changes.get("authors_weights"), str):
        changes["authors_weights"] = tuple(float(x) for x in str(changes["authors_weights"]).split(","))
    if "authors_max" in changes and "authors_weights" not in changes:
        changes["authors_weights"] = (1.0,) * int(changes["authors_max"])  # type: ignore[call-overload]
    return dataclasses.replace(base, **changes)


def parse_shape(argv: list[str]) -> Shape:
    """A Shape from flags (used by ``bench.run --shape-opts``)."""
    ap = argparse.ArgumentParser(prog="shape-opts")
    add_shape_args(ap)
    return shape_from_args(ap.parse_args(argv))


def papers(n: int, shape: Shape | None = None, seed: int = DEFAULT_SEED) -> Iterator[g.Paper]:
    return Generator2(shape or PROFILES["small-vocab"], seed).papers(n)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10k", help="comma-separated sizes, e.g. 2k,10k,100k")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "data")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--force", action="store_true", help="regenerate even if present")
    ap.add_argument("--show", action="store_true", help="print the shape's parameters")
    add_shape_args(ap)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    shape = shape_from_args(args)
    if args.show:
        print(json.dumps(dataclasses.asdict(shape)))
    for s in args.sizes.split(","):
        ds = generate(g.parse_size(s), args.out, shape, args.seed, args.force)
        print(ds.dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
