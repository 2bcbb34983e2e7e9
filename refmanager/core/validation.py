"""What a value typed by the user must look like before it is stored.

``clean_value(field, value)`` returns the value to store or raises
``ValidationError(field, message)``: the message is shown next to the field.
"""

from __future__ import annotations

import re
from typing import Any

from . import arxivid
from .categories import normalise_category_query
from .dates import validate_iso_date
from .errors import ParseError, ValidationError
from .fields import EDITABLE_FIELDS

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
        try:
            return validate_iso_date(text)
        except ParseError as e:
            raise ValidationError(field, f"{e.message}: use YYYY, YYYY-MM or YYYY-MM-DD") from None
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
    if field == "category":
        cat = normalise_category_query(text)
        if not _CATEGORY.match(cat):
            raise ValidationError(field, f"not an arXiv category: {text!r} (expected e.g. cs.LG)")
        return cat
    return text  # journal
