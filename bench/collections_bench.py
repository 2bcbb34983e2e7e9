"""A large collection in a large library (issue 18): does a collection open, sort and filter
as fast as the whole library?

Run on a library the benchmark imported (``bench.run`` runs it after the search phase, or
alone: ``python -m bench.collections_bench LIBRARY``).  It makes a copy-free change to that
library: a collection ``Bench/Big`` of ``COLLECTION_PAPERS`` papers drawn at random (seeded),
then times, for the whole library and for the collection, the first page in every indexed sort
order (both directions), the count, and the first page and count of the search phase's
queries refined within the collection; and the sidebar's work (the collection tree with its
counts, the section counts with "Unfiled").
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from typing import Any

#: Papers in the collection the benchmark makes (issue 18: 50,000 in a 1,000,000-paper library).
COLLECTION_PAPERS = 50_000
#: The sorts with an index of their own (the others read every row, collection or not).
INDEXED_SORTS = ("title", "authors", "year", "date", "category", "tags", "added", "read", "starred")
QUERIES = ("g", "model", "language models", "diffusion year:2019..2021", "cat:CL", "tag:to-read", "-models",
           "attention cat:CL year:2018..2020", "year:2024", "privacy -gemma")


def _pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def run(db: str, *, repeat: int = 3, size: int = COLLECTION_PAPERS) -> dict[str, Any]:
    from refmanager.core.library import Library, View

    lib = Library(db)

    def timed(fn: Any) -> float:
        runs = []
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t)
        return statistics.median(runs) * 1000.0

    cid = lib.find_collection("Bench/Big")
    if cid is None:
        ids = lib.all_ids()
        members = random.Random(18).sample(ids, min(size, len(ids)))
        t = time.perf_counter()
        with lib.transaction():
            cid = lib.collections.ensure_path("Bench/Big")
            lib.collections.put(cid, members)
        fill_s = time.perf_counter() - t
    else:
        fill_s = 0.0
    out: dict[str, Any] = {"papers": lib.count(View()), "collection_papers": lib.count(View(collection=cid)),
                           "fill_s": round(fill_s, 2)}
    for name, base in (("library", {}), ("collection", {"collection": cid})):
        for q in ("",) + QUERIES:  # (warm the cache as a running app has it)
            lib.page(View(search=q, **base), 0, 100)
        sorts = {f"{k}{' desc' if d else ''}": timed(lambda k=k, d=d: lib.page(View(sort=k, descending=d, **base), 0, 100))
                 for k in INDEXED_SORTS for d in (False, True)}
        pages = [timed(lambda q=q: lib.page(View(search=q, **base), 0, 100)) for q in QUERIES]
        counts = [timed(lambda q=q: lib.count(View(search=q, **base))) for q in QUERIES]
        out[name] = {
            "open_ms": round(timed(lambda: lib.page(View(**base), 0, 100)), 2),
            "count_ms": round(timed(lambda: lib.count(View(**base))), 2),
            "sort_p50_ms": round(_pct(list(sorts.values()), 50), 2),
            "sort_max_ms": round(max(sorts.values()), 2),
            "sort_slowest": max(sorts, key=sorts.__getitem__),
            "search_page_p50_ms": round(_pct(pages, 50), 2),
            "search_page_p95_ms": round(_pct(pages, 95), 2),
            "search_count_p95_ms": round(_pct(counts, 95), 2),
            "sorts_ms": {k: round(v, 2) for k, v in sorts.items()},
        }
    out["tree_ms"] = round(timed(lambda: lib.collection_tree()), 2)
    out["section_counts_ms"] = round(timed(lambda: lib.counts()), 2)
    lib.close()
    return out


def main(argv: list[str]) -> int:
    print(json.dumps(run(argv[0], repeat=int(argv[1]) if len(argv) > 1 else 3), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
