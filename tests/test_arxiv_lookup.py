"""The arXiv lookup: a fake fetcher serves recorded responses; a fake clock takes the waits."""

from __future__ import annotations

import dataclasses
import io
import json
import sqlite3
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import pytest

from refmanager.cli import main
from refmanager.core import arxiv_api as A
from refmanager.core.library import Library
from refmanager.core.store import backup
from refmanager.core.store.schema import SCHEMA_V1, SCHEMA_VERSION

from .conftest import DATA

ARXIV = DATA / "arxiv"

MURRAY_TITLE = "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
MURRAY_AUTHORS = ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
LISTING = f"""CLNov 8, 2011
{MURRAY_TITLE}James M. Murray, Adrian Del Maestro et al.
Theoretical description of anisotropic systems, such as layered superconductors and coupled spin chains, is often a challenge due to the different natures of interactions along different directions.
"""
PROFILE = """Jun Zou
In this paper we study a nonlinear reaction-diffusion system which models an infectious disease caused by bacteria such as those for cholera. One of the significant features in this model is that a certain…
"""
YIN_TITLE = "Asymptotic Analysis for a Nonlinear Reaction-Diffusion System Modeling an Infectious Disease"


def read(name: str) -> str:
    return (ARXIV / name).read_text(encoding="utf-8")


class FakeClock:
    """Time stands still unless someone sleeps (or a fake request takes time)."""

    def __init__(self, t: float = 1000.0) -> None:
        self.t = t
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


class FakeFetcher:
    """Serves bodies for exact URLs; any other URL fails the test (so the queries are pinned)."""

    def __init__(self, routes: dict[str, str | Exception], clock: FakeClock | None = None,
                 durations: list[float] | None = None) -> None:
        self.routes = routes
        self.urls: list[str] = []
        self.clock = clock
        self.durations = list(durations or [])

    def fetch(self, url: str) -> str:
        self.urls.append(url)
        if self.clock is not None and self.durations:
            self.clock.t += self.durations.pop(0)
        assert url in self.routes, f"unexpected request {url}"
        body = self.routes[url]
        if isinstance(body, Exception):
            raise body
        return body


def dump(lib: Library) -> str:
    """Everything in the library but the response cache."""
    return "\n".join(line for line in lib.db.conn.iterdump() if "arxiv_cache" not in line)


def murray_paper(lib: Library) -> int:
    r = lib.import_text(LISTING, "listing.txt")
    (pid,) = r.added_ids
    lib.add_tags([pid], ["bethe", "to-read"])
    lib.set_note(pid, "Compare with the DMFT paper.", undoable=True)
    lib.set_starred([pid], True)
    return pid


def murray_routes() -> dict[str, str | Exception]:
    return {
        A.title_query_url(MURRAY_TITLE): read("oldstyle_search_quantum_criticality.xml"),
        A.id_query_url("1111.2011"): read("oldstyle_id_list_1111.2011v2.xml"),
    }


# ------------------------------------------------------------------- queries
def test_query_urls():
    assert A.title_query_url(MURRAY_TITLE) == (
        "https://export.arxiv.org/api/query?search_query=ti:%22quantum+criticality+for+extended+nodes"
        "+on+a+bethe+lattice+in+the+large+connectivity+limit%22&start=0&max_results=10"
    )
    assert A.id_query_url("1111.2011") == "https://export.arxiv.org/api/query?id_list=1111.2011"
    assert A.id_query_url("hep-ex/0307015") == "https://export.arxiv.org/api/query?id_list=hep-ex/0307015"
    # Quotes, colons, brackets, TeX and operator words never reach arXiv's query parser as such.
    url = A.title_query_url('Gemma 2: "Open" (Models) AND $\\sigma$-model Don\'t OR Stop')
    assert url == (
        "https://export.arxiv.org/api/query?search_query=ti:%22gemma+2+open+models+and%22"
        "+AND+ti:%22or+stop%22&start=0&max_results=10"
    )
    assert A.title_query_url("On $\\mathcal{O}(n)$") is None  # nothing searchable left
    # A cut profile line: the cut word is left out, 12 words at most.
    assert A.abstract_query_url(PROFILE.splitlines()[1]) == (
        "https://export.arxiv.org/api/query?search_query=abs:%22in+this+paper+we+study+a+nonlinear"
        "+reaction+diffusion+system+which+models%22&start=0&max_results=10"
    )


def test_user_agent_names_version_and_contact(monkeypatch):
    from refmanager import __version__

    monkeypatch.delenv(A.CONTACT_ENV, raising=False)
    assert A.user_agent() == f"refmanager/{__version__} (mailto:{A.DEFAULT_CONTACT})"
    monkeypatch.setenv(A.CONTACT_ENV, "me@example.org")
    assert A.user_agent() == f"refmanager/{__version__} (mailto:me@example.org)"


# --------------------------------------------------------------------- match
def test_match_fills_metadata_and_leaves_user_data_alone(lib: Library):
    pid = murray_paper(lib)
    before = lib.get(pid)
    clock = FakeClock()
    fetcher = FakeFetcher(murray_routes())
    report = A.lookup_papers(lib, [pid], fetcher, clock)

    (o,) = report.outcomes
    assert o.status == A.MATCHED and o.arxiv_id == "1111.2011"
    assert o.changed == ["authors", "category", "abstract", "arxiv_id", "doi", "journal"]  # date was right
    assert fetcher.urls == [A.title_query_url(MURRAY_TITLE), A.id_query_url("1111.2011")]
    assert report.requests == 2
    assert clock.sleeps == [3.0]  # the confirmation waits out the rate limit
    p = lib.get(pid)
    assert p.arxiv_id == "1111.2011"
    assert p.title == MURRAY_TITLE
    assert p.authors == MURRAY_AUTHORS and p.et_al is False
    assert p.date == "2011-11-08"
    assert p.category == "cond-mat.str-el"
    assert p.doi == "10.1103/PhysRevB.85.115117"
    assert p.journal == "Phys. Rev. B 85, 115117 (2012)"
    assert p.abstract.endswith("describing a single node.")
    for k in ("tags", "note", "read", "starred", "trashed", "incomplete", "needs_review", "added_at"):
        assert getattr(p, k) == getattr(before, k), k
    assert p.tags == ["bethe", "to-read"] and p.note == "Compare with the DMFT paper."
    # Searchable by the new data, and undoable as one action.
    assert [x.id for x in lib.search("author:tesanovic")[0]] == [pid]
    assert lib.undo_label().startswith("arXiv metadata for")
    lib.undo()
    assert lib.get(pid) == dataclasses.replace(before, modified_at=lib.get(pid).modified_at, version=lib.get(pid).version)
    lib.redo()
    assert lib.get(pid).arxiv_id == "1111.2011"


def test_second_lookup_is_answered_from_the_cache(lib: Library):
    pid = murray_paper(lib)
    fetcher = FakeFetcher(murray_routes())
    A.lookup_papers(lib, [pid], fetcher, FakeClock())
    lib.undo()
    assert lib.get(pid).arxiv_id is None
    report = A.lookup_papers(lib, [pid], fetcher, FakeClock())
    assert report.requests == 0 and len(fetcher.urls) == 2
    assert report.outcomes[0].status == A.MATCHED
    assert lib.get(pid).arxiv_id == "1111.2011"
    # Already complete: asking again (by its id now, from the cache too) changes nothing.
    label = lib.undo_label()
    again = A.lookup_papers(lib, [pid], FakeFetcher({}), FakeClock())
    assert again.outcomes[0].message == "arXiv:1111.2011: already up to date"
    assert lib.undo_label() == label


def test_stale_cache_entries_are_asked_again(lib: Library):
    pid = murray_paper(lib)
    routes = murray_routes()
    for url, body in routes.items():
        lib.arxiv_cache_put(url, str(body), fetched_at="2001-01-01T00:00:00+00:00")
    fetcher = FakeFetcher(routes)
    report = A.lookup_papers(lib, [pid], fetcher, FakeClock())
    assert report.requests == 2 and report.outcomes[0].status == A.MATCHED
    ages = lib.db.conn.execute("SELECT min(fetched_at) FROM arxiv_cache").fetchone()[0]
    assert ages > "2001-01-01T00:00:00+00:00"


def test_incomplete_paper_is_found_by_its_abstract(lib: Library):
    (pid,) = lib.import_text(PROFILE, "profile.txt").added_ids
    assert lib.get(pid).incomplete is True
    body = read("current_id_list_2201.13452.xml")
    fetcher = FakeFetcher({A.abstract_query_url(PROFILE.splitlines()[1]): body, A.id_query_url("2201.13452"): body})
    report = A.lookup_papers(lib, A.missing_id_papers(lib), fetcher, FakeClock())
    assert report.outcomes[0].status == A.MATCHED
    p = lib.get(pid)
    assert p.title == YIN_TITLE
    assert p.incomplete is False
    assert p.authors == ["Hong-Ming Yin", "Jun Zou"] and p.et_al is False
    assert (p.arxiv_id, p.date, p.category) == ("2201.13452", "2022-01-31", "math.AP")
    assert p.abstract.endswith("raised in the literature.")
    assert A.missing_id_papers(lib) == []


def test_abstract_that_does_not_start_the_same_is_not_a_match(lib: Library):
    other = PROFILE.replace("caused by bacteria", "caused by viruses")
    (pid,) = lib.import_text(other, "profile.txt").added_ids
    body = read("current_id_list_2201.13452.xml")
    fetcher = FakeFetcher({A.abstract_query_url(other.splitlines()[1]): body})
    before = dump(lib)
    report = A.lookup_papers(lib, [pid], fetcher, FakeClock())
    assert report.outcomes[0].status == A.NOT_FOUND
    assert dump(lib) == before


def test_edited_fields_are_kept(lib: Library):
    pid = murray_paper(lib)
    lib.db.conn.execute(
        "UPDATE papers SET abstract = 'My own summary.', edited_fields = ? WHERE id = ?",
        (json.dumps(["abstract", "authors"]), pid),
    )
    lib.db.conn.commit()
    report = A.lookup_papers(lib, [pid], FakeFetcher(murray_routes()), FakeClock())
    o = report.outcomes[0]
    assert o.status == A.MATCHED and o.kept == ["authors", "abstract"]
    assert "kept your edit of authors, abstract" in o.message
    p = lib.get(pid)
    assert p.abstract == "My own summary."
    assert p.authors == ["James M. Murray", "Adrian Del Maestro"] and p.et_al is True
    assert p.arxiv_id == "1111.2011" and p.date == "2011-11-08"


# ------------------------------------------------------------------ no match
def test_no_result_is_not_found_and_changes_nothing(lib: Library):
    pid = murray_paper(lib)
    fetcher = FakeFetcher({A.title_query_url(MURRAY_TITLE): read("current_empty.xml")})
    before = dump(lib)
    report = A.lookup_papers(lib, [pid], fetcher, FakeClock())
    (o,) = report.outcomes
    assert o.status == A.NOT_FOUND
    assert o.message == "no arXiv paper with this title and first author Murray"
    assert len(fetcher.urls) == 1  # nothing to confirm
    assert dump(lib) == before
    # An empty answer is not cached (arXiv sometimes answers with an empty page): asked again.
    A.lookup_papers(lib, [pid], fetcher, FakeClock())
    assert len(fetcher.urls) == 2


def test_same_title_but_another_first_author_is_not_a_match(lib: Library):
    title = (
        "A striped supersolid phase and the search for deconfined quantum criticality in hard-core "
        "bosons on the triangular lattice"
    )
    (pid,) = lib.import_text(
        json.dumps([{"title": title, "authors": ["Adrian Del Maestro", "R. G. Melko"]}]), "p.json"
    ).added_ids
    fetcher = FakeFetcher({A.title_query_url(title): read("oldstyle_search_quantum_criticality.xml")})
    before = dump(lib)
    assert A.lookup_papers(lib, [pid], fetcher, FakeClock()).outcomes[0].status == A.NOT_FOUND
    assert dump(lib) == before
    # With the right first author (in "Family, Given" form) it is one.
    lib.db.conn.execute("UPDATE papers SET authors = ? WHERE id = ?", (json.dumps(["Melko, R. G."]), pid))
    lib.db.conn.commit()
    fetcher.routes[A.id_query_url("cond-mat/0607501")] = read("oldstyle_search_quantum_criticality.xml")
    report = A.lookup_papers(lib, [pid], fetcher, FakeClock())
    assert report.outcomes[0].status == A.MATCHED
    assert lib.get(pid).arxiv_id == "cond-mat/0607501"


def test_ambiguous_title_changes_nothing(lib: Library):
    pid = murray_paper(lib)
    # Built from a real response (see tests/data/arxiv/README.md): its entry twice, under two ids.
    body = read("oldstyle_id_list_1111.2011v2.xml")
    start, end = body.index("  <entry>"), body.index("</feed>")
    entry = body[start:end]
    twin = entry.replace("1111.2011v2", "1111.2012v1")
    assert twin != entry
    ambiguous = body[:end] + twin + body[end:]
    fetcher = FakeFetcher({A.title_query_url(MURRAY_TITLE): ambiguous})
    before = dump(lib)
    report = A.lookup_papers(lib, [pid], fetcher, FakeClock())
    (o,) = report.outcomes
    assert o.status == A.AMBIGUOUS
    assert o.candidates == ["1111.2011", "1111.2012"]
    assert o.message == "2 arXiv papers fit: 1111.2011, 1111.2012; nothing changed"
    assert len(fetcher.urls) == 1
    assert dump(lib) == before


# ------------------------------------------------------------------ failures
def test_http_error_stops_the_run_and_changes_nothing(lib: Library):
    pid = murray_paper(lib)
    (pid2,) = lib.import_text(PROFILE, "profile.txt").added_ids
    fetcher = FakeFetcher(
        {A.title_query_url(MURRAY_TITLE): A.LookupFailed("arXiv answered HTTP 503 Service Unavailable")}
    )
    before = dump(lib)
    report = A.lookup_papers(lib, [pid, pid2], fetcher, FakeClock())
    assert report.aborted == "arXiv answered HTTP 503 Service Unavailable"
    assert [(o.pid, o.status) for o in report.outcomes] == [(pid, A.FAILED)]
    assert report.not_attempted == [pid2]
    assert len(fetcher.urls) == 1
    assert dump(lib) == before
    assert lib.db.conn.execute("SELECT count(*) FROM arxiv_cache").fetchone()[0] == 0


def test_low_level_network_error_becomes_lookup_failed(lib: Library):
    pid = murray_paper(lib)
    fetcher = FakeFetcher({A.title_query_url(MURRAY_TITLE): ConnectionResetError("connection reset by peer")})
    before = dump(lib)
    report = A.lookup_papers(lib, [pid], fetcher, FakeClock())
    assert report.aborted == "cannot reach arXiv (connection reset by peer)"
    assert dump(lib) == before


def test_unreadable_answer_stops_the_run(lib: Library):
    pid = murray_paper(lib)
    fetcher = FakeFetcher({A.title_query_url(MURRAY_TITLE): "<html><body>Rate exceeded.</body>"})
    report = A.lookup_papers(lib, [pid], fetcher, FakeClock())
    assert report.aborted.startswith("arXiv's answer could not be read: malformed XML")


def test_error_feed_fails_that_paper_only(lib: Library):
    r = lib.import_text(json.dumps([{"title": "Bad id", "arxiv_id": "1234.12345"}]), "p.json")
    (bad,) = r.added_ids
    good = murray_paper(lib)
    routes = murray_routes()
    routes[A.id_query_url("1234.12345")] = read("manual_error_incorrect_id_format.xml")
    before_bad = lib.get(bad)
    report = A.lookup_papers(lib, [bad, good], FakeFetcher(routes), FakeClock())
    assert report.aborted is None
    assert [(o.pid, o.status) for o in report.outcomes] == [(bad, A.FAILED), (good, A.MATCHED)]
    assert report.outcomes[0].message == "arXiv: incorrect id format for 1234.12345"
    assert lib.get(bad) == before_bad
    assert report.summary() == "1 matched, 0 not found, 0 ambiguous, 1 failed (3 requests to arXiv)"


def test_id_already_held_by_another_paper_is_reported_not_forced(lib: Library):
    pid = murray_paper(lib)
    lib.import_paths([ARXIV / "current_id_list_2201.13452.xml"])
    other = lib.import_text(json.dumps([{"title": "Twin", "arxiv_id": "1111.2011"}]), "t.json").added_ids[0]
    before = dump(lib)
    report = A.lookup_papers(lib, [pid], FakeFetcher(murray_routes()), FakeClock())
    (o,) = report.outcomes
    assert o.status == A.FAILED
    assert o.message == f"arXiv:1111.2011 is already paper {other} (a duplicate of paper {pid}?)"
    assert dump(lib) == before


def test_cancel_and_progress(lib: Library):
    a = murray_paper(lib)
    (b,) = lib.import_text(PROFILE, "profile.txt").added_ids
    seen: list[tuple[int, int]] = []
    report = A.lookup_papers(
        lib, [a, b], FakeFetcher(murray_routes()), FakeClock(),
        progress=lambda d, t: seen.append((d, t)), cancelled=lambda: len(seen) >= 1,
    )
    assert seen == [(1, 2)]
    assert report.cancelled and report.not_attempted == [b]
    assert "1 not looked up" in report.summary()


# ---------------------------------------------------------------- rate limit
def test_rate_limit_sleeps_exactly_the_rest_of_three_seconds(lib: Library):
    clock = FakeClock(1000.0)
    urls = [A.id_query_url(i) for i in ("1111.2011", "2201.13452", "hep-ex/0307015", "1309.4668")]
    body = read("oldstyle_id_list_1111.2011v2.xml")
    # The requests themselves take 1 s, 0.5 s, 4 s.
    fetcher = FakeFetcher({u: body for u in urls}, clock=clock, durations=[1.0, 0.5, 4.0])
    client = A.ArxivClient(lib, fetcher, clock)
    client.entries(urls[0])  # at 1000: no wait
    client.entries(urls[1])  # at 1001: waits 2 s, goes at 1003
    client.entries(urls[2])  # at 1003.5: waits 2.5 s, goes at 1006
    assert clock.sleeps == [2.0, 2.5]
    client.entries(urls[3])  # at 1010: the last one took 4 s, no wait
    assert clock.sleeps == [2.0, 2.5]
    client.entries(urls[0])  # cached: no request, no wait
    assert clock.sleeps == [2.0, 2.5] and client.requests == 4


def test_rate_limit_holds_across_runs_on_the_same_clock(lib: Library):
    pid = murray_paper(lib)
    clock = FakeClock()
    fetcher = FakeFetcher({A.title_query_url(MURRAY_TITLE): read("current_empty.xml")})
    A.lookup_papers(lib, [pid], fetcher, clock)
    clock.t += 1.25
    A.lookup_papers(lib, [pid], fetcher, clock)
    assert clock.sleeps == [1.75]


# --------------------------------------------------------- the real fetcher
class _Response:
    def __init__(self, body: bytes, charset: str = "UTF-8") -> None:
        self._body = body
        self.headers = Message()
        self.headers["Content-Type"] = f"application/atom+xml; charset={charset}"

    def read(self, n: int = -1) -> bytes:
        return self._body

    def __enter__(self) -> _Response:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def test_urllib_fetcher_sends_user_agent_and_timeout(monkeypatch):
    monkeypatch.delenv(A.NO_NETWORK_ENV, raising=False)
    seen = {}

    def fake_urlopen(req: urllib.request.Request, timeout: float):
        seen["url"], seen["ua"], seen["timeout"] = req.full_url, req.get_header("User-agent"), timeout
        return _Response(read("current_empty.xml").encode("utf-8"))

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    body = A.UrllibFetcher(timeout=7).fetch(A.id_query_url("1111.2011"))
    assert body == read("current_empty.xml")
    assert seen == {"url": A.id_query_url("1111.2011"), "ua": A.user_agent(), "timeout": 7}


@pytest.mark.parametrize(
    ("error", "message", "fatal"),
    [
        (lambda: urllib.error.HTTPError("u", 503, "Service Unavailable", Message(), io.BytesIO(b"")),
         "arXiv answered HTTP 503 Service Unavailable", True),
        (lambda: urllib.error.HTTPError("u", 400, "Bad Request", Message(),
                                        io.BytesIO(read("manual_error_incorrect_id_format.xml").encode())),
         "arXiv: incorrect id format for 1234.12345", False),
        (lambda: urllib.error.URLError(TimeoutError("timed out")), "arXiv did not answer within 20 s", True),
        (lambda: TimeoutError("timed out"), "arXiv did not answer within 20 s", True),
        (lambda: urllib.error.URLError("[Errno -3] Temporary failure in name resolution"),
         "cannot reach arXiv ([Errno -3] Temporary failure in name resolution)", True),
    ],
)
def test_urllib_fetcher_errors(monkeypatch, error, message, fatal):
    monkeypatch.delenv(A.NO_NETWORK_ENV, raising=False)

    def fake_urlopen(req, timeout):
        raise error()

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    with pytest.raises(A.LookupFailed) as ei:
        A.UrllibFetcher().fetch(A.id_query_url("1234.12345"))
    assert (ei.value.message, ei.value.fatal) == (message, fatal)


def test_no_network_switch_is_honoured(monkeypatch):
    monkeypatch.setenv(A.NO_NETWORK_ENV, "1")
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: pytest.fail("network used"))
    with pytest.raises(A.LookupFailed, match="network access is switched off"):
        A.default_fetcher().fetch(A.id_query_url("1111.2011"))


# ----------------------------------------------------------------- the schema
def test_fresh_library_has_the_cache_table(lib: Library):
    # A fresh library runs SCHEMA_V1 and then every migration (the cache came with version 2).
    assert lib.schema_version == SCHEMA_VERSION >= 2
    assert lib.db.sqlite["arxiv_cache"].exists()


def test_version_1_library_is_migrated_after_a_backup(tmp_path: Path):
    path = tmp_path / "old.db"
    c = sqlite3.connect(path)
    c.executescript(SCHEMA_V1 + "PRAGMA user_version=1;")
    c.close()
    with Library(path) as lib:
        assert lib.schema_version == SCHEMA_VERSION
        assert lib.db.sqlite["arxiv_cache"].exists()
        (b,) = backup.list_backups(path)
        assert "before-v1-upgrade" in b.name
    old = sqlite3.connect(b)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert not old.execute("SELECT 1 FROM sqlite_master WHERE name = 'arxiv_cache'").fetchall()
    old.close()


# ----------------------------------------------------------------- command line
def test_missing_id_papers_skips_papers_with_ids_and_the_trash(lib: Library):
    a = murray_paper(lib)
    b = lib.import_paths([ARXIV / "current_id_list_2201.13452.xml"]).added_ids[0]
    (c,) = lib.import_text(json.dumps([{"title": "Trashed"}]), "t.json").added_ids
    lib.trash([c])
    assert lib.get(b).arxiv_id == "2201.13452"
    assert A.missing_id_papers(lib) == [a]


def test_cli_lookup(capsys, monkeypatch, tmp_path: Path):
    path = tmp_path / "cli.db"
    with Library(path) as lib:
        pid = murray_paper(lib)
        (pid2,) = lib.import_text(PROFILE, "profile.txt").added_ids
    routes = murray_routes()
    routes[A.abstract_query_url(PROFILE.splitlines()[1])] = read("current_empty.xml")
    monkeypatch.setattr(A, "default_fetcher", lambda: FakeFetcher(routes))
    monkeypatch.setattr(A, "default_clock", FakeClock)
    code = main(["--library", str(path), "lookup"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{pid:>6}  matched    arXiv:1111.2011: filled authors, category, abstract, arxiv_id, doi, journal",
        f"{pid2:>6}  not found  no arXiv paper with this abstract opening",
        "Total: 1 matched, 1 not found, 0 ambiguous, 0 failed (3 requests to arXiv)",
    ]
    assert main(["--library", str(path), "lookup", "999"]) == 1
    assert capsys.readouterr().err == "refmanager: no paper with id 999\n"


def test_cli_lookup_offline_is_one_line(capsys, tmp_path: Path):
    path = str(tmp_path / "cli.db")
    with Library(path) as lib:
        murray_paper(lib)
    with Library(path) as lib:  # (closing adds ANALYZE statistics: compare reopened files)
        before = dump(lib)
    code = main(["--library", path, "lookup"])  # conftest switches the network off
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err == "refmanager: arXiv lookup stopped: network access is switched off (REFMANAGER_NO_NETWORK is set)\n"
    with Library(path) as lib:
        assert dump(lib) == before


def test_cli_lookup_nothing_to_do(capsys, tmp_path: Path):
    path = str(tmp_path / "cli.db")
    assert main(["--library", path, "lookup"]) == 0
    assert capsys.readouterr().out == "Every paper already has an arXiv id.\n"
