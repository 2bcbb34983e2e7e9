"""What a value typed by the user must look like before it is stored.

``clean_value(field, value)`` returns the value to store or raises
``ValidationError(field, message)``: the message is shown next to the field.
``check_ids(entry)`` holds an imported entry's identifiers to the same rules.
"""

from __future__ import annotations

import re
from typing import Any

from . import arxivid
from .categories import normalise_category_query
from .citekeys import MAX_KEY_CHARS, clean_key
from .dates import validate_iso_date
from .errors import ParseError, ValidationError
from .fields import EDITABLE_FIELDS
from .models import Entry
from .record import RECORD_BY_NAME, TYPES

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.|www\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
#: "10.NNNN/suffix", or a short DOI "10/abc" (kept as given).  The suffix may hold
#: nearly anything (SICI DOIs have "<", ">", ";", "()"), but not what could end a
#: value in an export: whitespace, quotes, braces, a backslash.
_DOI = re.compile(r'^10(?:\.\d{4,9})?/[^\s"{}\\]+$')
_CATEGORY = re.compile(r"^[A-Za-z][A-Za-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def normalise_doi(text: str) -> str | None:
    """``https://doi.org/10.1/x`` or ``doi:10.1/x`` -> ``10.1/x``; None when it is not a DOI.
    DOIs compare without case (the library's lookups say ``COLLATE NOCASE``)."""
    t = _DOI_PREFIX.sub("", text.strip()).strip()
    return t if _DOI.match(t) else None


def _str_list(field: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(";")
    if not isinstance(value, (list, tuple)) or not all(isinstance(x, str) for x in value):
        raise ValidationError(field, "expected a list of names")
    return [n for n in (_one_line(x) for x in value) if n]


def _iso_date(field: str, text: str) -> str:
    try:
        return validate_iso_date(text)
    except ParseError as e:
        raise ValidationError(field, f"{e.message}: use YYYY, YYYY-MM or YYYY-MM-DD") from None


def clean_record_value(field: str, value: Any) -> Any:
    """A field of the record typed by the user (``record.RECORD_FIELDS``): a list of names
    (a list, or text with names separated by ``;``), a date, or one line of text (None: empty)."""
    kind = RECORD_BY_NAME[field].kind
    if kind == "names":
        return _str_list(field, value if value is not None else [])
    if value is not None and not isinstance(value, str):
        raise ValidationError(field, "expected text")
    text = _one_line(value or "")
    if kind == "date" and text:
        return _iso_date(field, text)
    return text or None


def clean_value(field: str, value: Any) -> Any:
    """The value to store for a field typed by the user, or ValidationError saying why not."""
    if field not in EDITABLE_FIELDS:
        raise ValidationError(field, "this field cannot be edited")
    if field == "et_al":
        if not isinstance(value, bool):
            raise ValidationError(field, "expected true or false")
        return value
    if field in ("authors", "orgs"):
        return _str_list(field, value if value is not None else [])
    if value is not None and not isinstance(value, str):
        raise ValidationError(field, "expected text")
    text = (value or "").strip()
    if field == "abstract":
        return text or None
    text = _one_line(text)
    if field == "title":
        if not text:
            raise ValidationError(field, "a title cannot be empty")
        return text
    if not text:
        return None
    if field == "date":
        return _iso_date(field, text)
    if field == "arxiv_id":
        aid = arxivid.normalise(text)
        if aid is None:
            raise ValidationError(
                field, f"not an arXiv identifier: {text!r} (expected e.g. 2408.00118 or hep-th/9901001)"
            )
        return aid
    if field == "doi":
        doi = normalise_doi(text)
        if doi is None:
            raise ValidationError(field, f"not a DOI: {text!r} (expected 10.NNNN/...)")
        return doi
    if field == "type":
        t = text.lower()
        if t not in TYPES:
            raise ValidationError(field, f"not an item type: {text!r} (one of {', '.join(TYPES)})")
        return t
    if field == "citekey":
        key = clean_key(text)
        if key is None:
            raise ValidationError(
                field, f"not a citation key: {text!r} (letters, digits and _:.-+/ without spaces, "
                f"at most {MAX_KEY_CHARS} characters)")
        return key
    if field == "category":
        cat = normalise_category_query(text)
        if not _CATEGORY.match(cat):
            raise ValidationError(field, f"not an arXiv category: {text!r} (expected e.g. cs.LG)")
        return cat
    return text  # journal, volume, issue, pages, publisher


#: The identifiers an imported entry may hold, checked as ``edit`` checks them, with what
#: each must be; exports write them as they are (``export.py`` refuses one that is not).
ID_FIELDS = {"doi": "a DOI", "arxiv_id": "an arXiv identifier", "category": "an arXiv category"}


def valid_id(field: str, value: str) -> bool:
    """``edit`` would take ``value`` as it is for this identifier (the common case, without
    ``clean_value``'s cost; a category's case is not made canonical).  An export checks it."""
    if field == "doi":  # (fullmatch: "$" would let a final line break through)
        return _DOI.fullmatch(value) is not None
    if field == "arxiv_id":
        m = arxivid.ID_RE.match(value)
        return m is not None and m.end("id") == len(value)
    return _CATEGORY.fullmatch(value) is not None


def _short(value: str, n: int = 80) -> str:
    return value if len(value) <= n else value[: n - 1] + "\u2026"


def check_ids(e: Entry) -> list[str]:
    """Hold an imported entry's DOI, arXiv id and category to ``edit``'s rules (every
    import path calls this: ``formats.parse_text``, the arXiv lookup).

    A valid value is stored as ``edit`` would store it.  One that is not valid is never
    stored in its field, where an export would write it: it is taken out and kept in the
    entry's ``extra`` (``"invalid_doi"``: the value as the file gave it), which the
    library keeps with the paper's source; the record imports.  Returns one warning per
    value taken out."""
    doi, aid, cat = e.doi, e.arxiv_id, e.category
    if (doi is None or _DOI.fullmatch(doi)) and (cat is None or _CATEGORY.fullmatch(cat)) and (
        aid is None or ((m := arxivid.ID_RE.match(aid)) is not None and m.end("id") == len(aid))
    ):
        return []  # (every entry of a large import comes here: the usual case in one test)
    problems: list[str] = []
    for field, what in ID_FIELDS.items():
        v = getattr(e, field)
        if v is None or (isinstance(v, str) and valid_id(field, v)):
            continue
        try:
            setattr(e, field, clean_value(field, v))
        except ValidationError:
            setattr(e, field, None)
            e.extra[f"invalid_{field}"] = v
            problems.append(
                f"not {what}: {_short(str(v))!r}; imported without it "
                f"(the value is kept with the paper's source as 'invalid_{field}')"
            )
    return problems


#: Colour names a tag's colour may be given by (CSS's names for them), as ``#rrggbb``.
COLOR_NAMES = {
    "black": "#000000", "white": "#ffffff", "gray": "#808080", "grey": "#808080", "silver": "#c0c0c0",
    "red": "#ff0000", "maroon": "#800000", "orange": "#ffa500", "gold": "#ffd700", "yellow": "#ffff00",
    "olive": "#808000", "lime": "#00ff00", "green": "#008000", "teal": "#008080", "cyan": "#00ffff",
    "aqua": "#00ffff", "blue": "#0000ff", "navy": "#000080", "purple": "#800080", "magenta": "#ff00ff",
    "fuchsia": "#ff00ff", "pink": "#ffc0cb", "brown": "#a52a2a", "indigo": "#4b0082", "violet": "#ee82ee",
}
_HEX_COLOR = re.compile(r"#(?:[0-9a-f]{3}|[0-9a-f]{6})")


def clean_color(text: str | None) -> str | None:
    """A tag's colour as stored: ``#rrggbb`` (from ``#RGB``, ``#RRGGBB`` or a name in
    ``COLOR_NAMES``), or None for none (``None``, empty, ``none``).  One form, so the app
    and the command line read what either wrote; anything else is a ValidationError."""
    t = (text or "").strip().lower()
    if t in ("", "none"):
        return None
    if t in COLOR_NAMES:
        return COLOR_NAMES[t]
    if _HEX_COLOR.fullmatch(t):
        return t if len(t) == 7 else "#" + "".join(c * 2 for c in t[1:])
    raise ValidationError("colour", f"not a colour: {text!r} (use #RGB, #RRGGBB, none, or one of "
                                    f"{', '.join(sorted(COLOR_NAMES))})")
