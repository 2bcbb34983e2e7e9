"""Many papers with one base citation key (anonymous papers of one year): each gets the first
free suffix, found without asking about every suffix before it (it was quadratic: 25,000 such
papers took 5 minutes to import)."""

from __future__ import annotations

import json
from pathlib import Path

from refmanager.core.citekeys import suffix_at, unique
from refmanager.core.export.common import made_keys
from refmanager.core.library import Library
from refmanager.core.store.papers import Papers


def test_an_import_of_one_key_many_times_asks_linearly(tmp_path: Path, monkeypatch):
    lib = Library(tmp_path / "lib.db")
    asked = []
    real = Papers.key_taken

    def key_taken(self, key, but=None):
        asked.append(key)
        return real(self, key, but)

    monkeypatch.setattr(Papers, "key_taken", key_taken)
    n = 1500
    papers = [{"title": f"Paper {i}", "issued": {"date-parts": [[2000]]}} for i in range(n)]
    assert lib.import_text(json.dumps(papers, indent=0), "many.json").added == n
    keys = [k for (k,) in lib.db.q("SELECT citekey FROM papers ORDER BY id")]
    assert keys[:4] == ["anon2000paper", "anon2000papera", "anon2000paperb", "anon2000paperc"]
    assert keys[26:28] == ["anon2000paperz", "anon2000paperaa"]
    assert keys[-1] == "anon2000paper" + suffix_at(n - 2) == "anon2000paper797"  # (past zz: 1498 - 702 + 1)
    assert len(set(k.casefold() for k in keys)) == n
    assert len(asked) <= 3 * n  # (one or two questions a paper; every suffix before: ~n*n/2)


def test_unique_with_a_memo_gives_the_first_free_suffix():
    taken = {"smith2020", "smith2020b"}
    memo: dict[str, int] = {}
    assert [unique("Smith2020", taken, memo) for _ in range(4)] == ["Smith2020a", "Smith2020c", "Smith2020d", "Smith2020e"]
    assert unique("Jones", taken, memo) == "Jones"
    assert unique("smith2020", {"smith2020"}) == "smith2020a"


def test_made_keys_skip_own_keys_and_bases_in_order():
    taken = {"doe2020a"}
    out = made_keys([(3, 0, "doe2020"), (1, 1, "doe2020"), (2, 2, "doe2020"), (4, 3, "doe2020b")], taken)
    # (ids in order: 1 keeps the bare key; "a" is an own key, "b" another paper's base)
    assert out == [(1, 1, "doe2020"), (2, 2, "doe2020c"), (3, 0, "doe2020d"), (4, 3, "doe2020b")]


def _listing(n: int, bad_at: int | None = None) -> str:
    out = []
    for i in range(n):
        date = "Feb 30, 2020" if i == bad_at else "Feb 16, 2020"
        out.append(f"CL{date}\nSparse Attention Number {i}Ana Lima\nWe study sparse attention, case {i}.\n")
    return "".join(out)


def test_a_file_rejected_half_way_frees_its_keys_for_the_next_file(tmp_path: Path):
    """The rejected file's papers are rolled back: the next file's keys take the first free
    suffixes again (the suffix memo of the import is forgotten with them)."""
    bad, good = tmp_path / "bad.txt", tmp_path / "good.txt"
    bad.write_text(_listing(450, bad_at=420), encoding="utf-8")  # (two batches written, then the error)
    good.write_text(_listing(3), encoding="utf-8")
    lib = Library(tmp_path / "lib.db")
    rep = lib.import_paths([bad, good])
    assert len(rep.rejected) == 1 and rep.added == 3
    assert [k for (k,) in lib.db.q("SELECT citekey FROM papers ORDER BY id")] == [
        "lima2020sparse", "lima2020sparsea", "lima2020sparseb"]
