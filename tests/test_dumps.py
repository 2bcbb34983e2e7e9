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
