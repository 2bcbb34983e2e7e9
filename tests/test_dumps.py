"""``fields.dumps`` (the C encoder made once) writes the same text as ``json``'s own encoder
with the library's options, for every JSON value: stored values and fingerprints depend on it."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from refmanager.core.fields import dumps

REFERENCE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
                      max_leaves=30)


@given(values)
def test_the_same_text_as_the_reference_encoder(v):
    assert dumps(v) == REFERENCE.encode(v)


def test_known_values():
    assert dumps(["Ann \"A\"", "é\n", None, 1, 2.5, True]) == '["Ann \\"A\\"","é\\n",null,1,2.5,true]'
    assert dumps({"b": [1, {"c": "d"}], "a": {}}) == '{"b":[1,{"c":"d"}],"a":{}}'
    assert dumps("x\u0001") == '"x\\u0001"'
    assert dumps(("t", 1)) == '["t",1]'


@given(st.lists(st.tuples(st.text(), st.lists(st.text(), max_size=4),
                          st.floats(allow_nan=True, allow_infinity=True) | st.integers(-5, 5).map(float)),
                max_size=4))
def test_alternative_splits_are_written_as_their_json(splits):
    """``rows.splits_json`` writes an entry's alternative splits directly: the same text as
    ``dumps`` of their ``to_json()`` (what the library stored before)."""
    from refmanager.core.models import Split
    from refmanager.core.rows import splits_json

    objs = [Split(t, a, sc) for t, a, sc in splits]
    assert splits_json(objs) == dumps([s.to_json() for s in objs])


def test_alternative_splits_known_text():
    from refmanager.core.models import Split
    from refmanager.core.rows import splits_json

    assert splits_json([Split('Deep "Nets"', ["Ana Lima", "Bö"], -0.12345), Split("T", [], 2.0)]) == (
        '[{"title":"Deep \\"Nets\\"","authors":["Ana Lima","Bö"],"score":-0.123},'
        '{"title":"T","authors":[],"score":2.0}]')
