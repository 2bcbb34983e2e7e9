"""Look papers up on the arXiv API and fill in what the listings left out.

Qt-free and testable without a network: the HTTP layer is a ``Fetcher``
(``fetch(url) -> str``) and time is a ``Clock`` (``monotonic()``, ``sleep()``),
both injected.  The strategy (docs/arxiv.md):

* a paper with a title is searched by title (``ti:"..."``); a candidate is
  accepted when its normalised title equals the paper's and, when the paper
  names authors, the first authors' family names agree;
* a paper without a title (an incomplete one, from a profile listing) is
  searched by the opening words of its abstract (``abs:"..."``) and accepted
  only when the candidate's abstract starts with the paper's (>= 40 chars);
* exactly one accepted candidate is confirmed with ``id_list`` and applied
  (``Library.apply_arxiv_metadata``, undoable); several are "ambiguous" and
  change nothing;
* at most one request every 3 seconds (arXiv's terms of use), and every
  response with entries is cached in the library (30 days), so a second lookup
  makes no request.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import re
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from .. import __version__
from .errors import ParseError, RefManagerError
from .fields import ABSTRACT_KEY_CHARS, Paper
from .formats import arxiv_atom
from .models import Entry
from .textnorm import abstract_key, person_key, strip_ellipsis, title_key
from .validation import check_ids

if TYPE_CHECKING:
    from .library import Library

log = logging.getLogger(__name__)

API_URL = "https://export.arxiv.org/api/query"
#: arXiv's terms of use: no more than one request every three seconds.
MIN_INTERVAL_S = 3.0
TIMEOUT_S = 20.0
#: Candidates asked for per search; more than one acceptable one is "ambiguous".
SEARCH_RESULTS = 10
#: Words of a title / an abstract put into a query (enough to be selective, short URLs).
TITLE_QUERY_WORDS = 20
ABSTRACT_QUERY_WORDS = 12
#: Cached responses older than this are asked for again (and pruned).
CACHE_MAX_AGE = _dt.timedelta(days=30)
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
#: Who to contact about our traffic (arXiv asks API clients to identify themselves).
CONTACT_ENV = "REFMANAGER_CONTACT_EMAIL"
DEFAULT_CONTACT = "refmanager@users.noreply.github.com"
#: Set (as the test suite does) to make the default fetcher refuse to touch the network.
NO_NETWORK_ENV = "REFMANAGER_NO_NETWORK"

MATCHED = "matched"
NOT_FOUND = "not found"
AMBIGUOUS = "ambiguous"
FAILED = "failed"


class LookupFailed(RefManagerError):
    """arXiv could not be asked (offline, timeout, HTTP error) or answered with an error.

    ``fatal`` says whether asking about the next paper is pointless (the network
    or arXiv is down) rather than a problem with this one request.
    """

    def __init__(self, message: str, *, fatal: bool = True, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fatal = fatal
        #: the HTTP status when arXiv answered with an error (404: no such paper or PDF)
        self.code = code


class Fetcher(Protocol):
    """The HTTP layer: the body of a GET, or ``LookupFailed``."""

    def fetch(self, url: str) -> str: ...


class Clock(Protocol):
    """Time for the rate limit, injected so tests need not wait."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


SYSTEM_CLOCK = SystemClock()


def default_clock() -> Clock:
    return SYSTEM_CLOCK


def user_agent(contact: str | None = None) -> str:
    contact = contact or os.environ.get(CONTACT_ENV) or DEFAULT_CONTACT
    return f"refmanager/{__version__} (mailto:{contact})"


class UrllibFetcher:
    """The real fetcher: urllib, a timeout, a User-Agent naming us and a contact."""

    def __init__(self, *, timeout: float = TIMEOUT_S, contact: str | None = None) -> None:
        self.timeout = timeout
        self.user_agent = user_agent(contact)

    def fetch(self, url: str) -> str:
        data, charset = self.fetch_bytes(url, accept="application/atom+xml", max_bytes=MAX_RESPONSE_BYTES)
        try:
            return data.decode(charset, errors="replace")
        except LookupError:  # an unknown charset name
            return data.decode("utf-8", errors="replace")

    def fetch_bytes(self, url: str, *, accept: str, max_bytes: int, chunk: int | None = None,
                    on_open: Callable[[Any], None] | None = None) -> tuple[bytes, str]:
        """The body of a GET (at most ``max_bytes``) and its charset, in one read or in
        pieces of ``chunk`` bytes; ``on_open(response)`` lets a caller that stops waiting
        close the connection (``arxiv_pdf``: Cancel during a download).  The loopback
        address is not "the network": ``NO_NETWORK_ENV`` leaves tests' local servers reachable."""
        if os.environ.get(NO_NETWORK_ENV) and urllib.parse.urlsplit(url).hostname not in ("127.0.0.1", "::1"):
            raise LookupFailed(f"network access is switched off ({NO_NETWORK_ENV} is set)")
        req = urllib.request.Request(url, headers={"User-Agent": self.user_agent, "Accept": accept})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                if on_open is not None:
                    on_open(resp)
                size = resp.headers.get("Content-Length")
                if size and size.isdigit() and int(size) > max_bytes:
                    raise LookupFailed(f"arXiv's answer is larger than {_size(max_bytes)}", fatal=False)
                parts, n = [], 0
                while n <= max_bytes and (part := resp.read(min(chunk or max_bytes + 1, max_bytes + 1 - n))):
                    parts.append(part)
                    n += len(part)
                    if chunk is None:
                        break
                data = b"".join(parts)
                charset = resp.headers.get_content_charset() or "utf-8"
        except urllib.error.HTTPError as e:
            raise _http_error(e) from None
        except urllib.error.URLError as e:
            if isinstance(e.reason, TimeoutError):
                raise LookupFailed(f"arXiv did not answer within {self.timeout:g} s") from None
            raise LookupFailed(f"cannot reach arXiv ({e.reason})") from None
        except TimeoutError:
            raise LookupFailed(f"arXiv did not answer within {self.timeout:g} s") from None
        except OSError as e:
            raise LookupFailed(f"cannot reach arXiv ({e})") from None
        if len(data) > max_bytes:  # (a file too large concerns that file; an API answer, arXiv)
            raise LookupFailed(f"arXiv's answer is larger than {_size(max_bytes)}", fatal=chunk is None)
        return data, charset


def _size(n: int) -> str:
    return f"{n // 2**20} MB" if n >= 2**20 else f"{n:,} bytes"


def _http_error(e: urllib.error.HTTPError) -> LookupFailed:
    """arXiv sends its error feed with HTTP 400: keep its message; other codes are fatal."""
    try:
        body = e.read(MAX_RESPONSE_BYTES).decode("utf-8", errors="replace")
    except OSError:
        body = ""
    try:
        arxiv_atom.parse(body)
    except arxiv_atom.ArxivErrorFeed as err:
        return LookupFailed(f"arXiv: {err.arxiv_message}", fatal=e.code >= 500 or e.code == 429)
    except ParseError:
        pass
    return LookupFailed(f"arXiv answered HTTP {e.code} {e.reason}", code=e.code)


def default_fetcher() -> Fetcher:
    return UrllibFetcher()


# --------------------------------------------------------------- rate limit
class RateLimiter:
    """At most one request per ``interval`` seconds, start to start."""

    def __init__(self, clock: Clock, interval: float = MIN_INTERVAL_S) -> None:
        self.clock = clock
        self.interval = interval
        self._last: float | None = None

    def wait(self) -> float:
        """Sleep until the next request may go; return how long we slept."""
        now = self.clock.monotonic()
        slept = 0.0
        if self._last is not None:
            remaining = self._last + self.interval - now
            if remaining > 0:
                self.clock.sleep(remaining)
                slept = remaining
                now = max(self.clock.monotonic(), self._last + self.interval)
        self._last = now
        return slept


_LIMITERS: weakref.WeakKeyDictionary[object, RateLimiter] = weakref.WeakKeyDictionary()


def limiter_for(clock: Clock) -> RateLimiter:
    """One limiter per clock, so lookups run one after another share the budget."""
    try:
        lim = _LIMITERS.get(clock)
        if lim is None:
            lim = _LIMITERS[clock] = RateLimiter(clock)
        return lim
    except TypeError:  # a clock that cannot be weakly referenced
        return RateLimiter(clock)


# ----------------------------------------------------------------- queries
_WORD_EDGE = re.compile(r"^[^\w]+|[^\w]+$")
_HYPHENS = re.compile(r"[-\u2010-\u2015]")


def _ascii_fold(text: str) -> str:
    t = unicodedata.normalize("NFKD", text)
    return "".join(c for c in t if not unicodedata.combining(c))


def query_runs(text: str, max_words: int) -> list[list[str]]:
    """Runs of plain words for phrase queries.

    arXiv's query parser chokes on quotes, colons, brackets, backslashes and TeX, and
    treats upper-case AND/OR/ANDNOT as operators.  Words are lower-cased, punctuation
    at their edges dropped and hyphenated words split (the index splits them too);
    a word that still holds anything else (``$\\sigma$``, ``don't``) ends a run.
    """
    runs: list[list[str]] = [[]]
    n = 0
    for token in _ascii_fold(text).split():
        if n >= max_words:
            break
        token = _WORD_EDGE.sub("", token)
        parts = [w for w in _HYPHENS.split(token) if w]
        if parts and all(w.isalnum() for w in parts):
            runs[-1].extend(w.casefold() for w in parts)
            n += len(parts)
        elif runs[-1]:
            runs.append([])
    # A lone short word (often a stop word) finds nothing or everything: drop it.
    return [r for r in runs if len(r) > 1 or (r and len(r[0]) > 2)]


def _field_query(prefix: str, runs: list[list[str]]) -> str:
    parts = [f'{prefix}:"{" ".join(r)}"' if len(r) > 1 else f"{prefix}:{r[0]}" for r in runs]
    return " AND ".join(parts)


def _url(params: dict[str, str | int]) -> str:
    return API_URL + "?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote_plus, safe=":/,")


def title_query_url(title: str) -> str | None:
    runs = query_runs(title, TITLE_QUERY_WORDS)
    if not runs:
        return None
    return _url({"search_query": _field_query("ti", runs), "start": 0, "max_results": SEARCH_RESULTS})


def abstract_query_url(abstract: str) -> str | None:
    text, cut = strip_ellipsis(abstract)
    words = text.split()
    if cut and len(words) > 1:
        words = words[:-1]  # the last word of a cut line may be cut too
    runs = query_runs(" ".join(words), ABSTRACT_QUERY_WORDS)
    if not runs:
        return None
    return _url({"search_query": _field_query("abs", runs), "start": 0, "max_results": SEARCH_RESULTS})


def id_query_url(arxiv_id: str) -> str:
    return _url({"id_list": arxiv_id})


# -------------------------------------------------------------- acceptance
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


def family_key(name: str) -> str:
    """Last word of the family name, normalised: "Del Maestro, A." and "Adrian Del Maestro" agree."""
    fam = name.split(",")[0] if "," in name else name
    words = [w for w in person_key(fam).split() if w not in _SUFFIXES] or person_key(fam).split()
    return words[-1] if words else ""


def title_accepts(paper: Paper, cand: Entry) -> bool:
    """Same normalised title and, when the paper names authors, the same first family name."""
    if not cand.title or title_key(cand.title) != title_key(paper.title):
        return False
    if paper.authors:
        return bool(cand.authors) and family_key(cand.authors[0]) == family_key(paper.authors[0])
    return True


def abstract_accepts(paper: Paper, cand: Entry) -> bool:
    """The candidate's abstract starts with the paper's (which may be cut), >= 40 chars."""
    mine = abstract_key(paper.abstract) or ""
    theirs = abstract_key(cand.abstract) or ""
    return len(mine) >= ABSTRACT_KEY_CHARS and theirs.startswith(mine)


# ------------------------------------------------------------------ client
class ArxivClient:
    """The only way lookups reach arXiv: cache first, then the rate limit, then the fetcher."""

    def __init__(
        self,
        lib: Library,
        fetcher: Fetcher,
        clock: Clock,
        *,
        limiter: RateLimiter | None = None,
        max_age: _dt.timedelta = CACHE_MAX_AGE,
    ) -> None:
        self.lib = lib
        self.fetcher = fetcher
        self.limiter = limiter or limiter_for(clock)
        self.max_age = max_age
        self.requests = 0

    def _cached(self, url: str) -> str | None:
        hit = self.lib.arxiv_cache_get(url)
        if hit is None:
            return None
        fetched_at, body = hit
        try:
            at = _dt.datetime.fromisoformat(fetched_at)
        except ValueError:
            return None
        if _dt.datetime.now(_dt.timezone.utc) - at > self.max_age:
            return None
        return body

    def entries(self, url: str) -> list[Entry]:
        """The entries arXiv returns for ``url`` (from the cache when fresh)."""
        body = self._cached(url)
        if body is not None:
            try:
                return _entries_of(body)
            except ParseError:
                log.warning("ignoring an unreadable cached response for %s", url)
        self.limiter.wait()
        self.requests += 1
        log.info("GET %s", url)
        try:
            body = self.fetcher.fetch(url)
        except LookupFailed:
            raise
        except (OSError, ValueError) as e:  # a fetcher that lets a low-level error through
            raise LookupFailed(f"cannot reach arXiv ({e})") from None
        try:
            entries = _entries_of(body)
        except arxiv_atom.ArxivErrorFeed as e:
            raise LookupFailed(f"arXiv: {e.arxiv_message}", fatal=False) from None
        except ParseError as e:
            where = f" (line {e.line})" if e.line else ""
            raise LookupFailed(f"arXiv's answer could not be read: {e.message}{where}") from None
        if entries:
            # An empty answer is not kept: arXiv now and then answers a good query with an
            # empty page, and a paper not found today should be asked about next time.
            now = _dt.datetime.now(_dt.timezone.utc)
            self.lib.arxiv_cache_put(
                url,
                body,
                fetched_at=now.isoformat(timespec="seconds"),
                prune_before=(now - self.max_age).isoformat(timespec="seconds"),
            )
        return entries


def _entries_of(body: str) -> list[Entry]:
    """The entries of an answer, their identifiers held to ``edit``'s rules as an import's
    are (``validation.check_ids``: a DOI that is none is not written to a paper)."""
    entries = arxiv_atom.parse(body).entries
    for e in entries:
        for problem in check_ids(e):
            log.warning("arXiv answer, line %s: %s", e.line, problem)
    return entries


# ------------------------------------------------------------------ report
@dataclass
class Outcome:
    """What the lookup did for one paper."""

    pid: int
    status: str
    message: str = ""
    arxiv_id: str | None = None
    changed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"{self.pid:>6}  {self.status:<10} {self.message}".rstrip()


@dataclass
class LookupReport:
    outcomes: list[Outcome] = field(default_factory=list)
    requests: int = 0
    aborted: str | None = None  # why the run stopped early (offline, arXiv down...)
    cancelled: bool = False
    not_attempted: list[int] = field(default_factory=list)

    def _with(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def matched(self) -> list[Outcome]:
        return self._with(MATCHED)

    @property
    def not_found(self) -> list[Outcome]:
        return self._with(NOT_FOUND)

    @property
    def ambiguous(self) -> list[Outcome]:
        return self._with(AMBIGUOUS)

    @property
    def failed(self) -> list[Outcome]:
        return self._with(FAILED)

    def summary(self) -> str:
        s = (
            f"{len(self.matched)} matched, {len(self.not_found)} not found, "
            f"{len(self.ambiguous)} ambiguous, {len(self.failed)} failed"
        )
        if self.not_attempted:
            s += f", {len(self.not_attempted)} not looked up"
        return s + f" ({self.requests} request{'s' if self.requests != 1 else ''} to arXiv)"


# ------------------------------------------------------------------ lookup
def missing_id_papers(lib: Library) -> list[int]:
    """Papers (not in the trash) without an arXiv id, oldest first."""
    return lib.missing_arxiv_ids()


def _confirm(client: ArxivClient, arxiv_id: str) -> Entry | None:
    for e in client.entries(id_query_url(arxiv_id)):
        if e.arxiv_id == arxiv_id:
            return e
    return None


def _apply(lib: Library, pid: int, meta: Entry) -> Outcome:
    try:
        changed, kept = lib.apply_arxiv_metadata(pid, meta)
    except RefManagerError as e:
        return Outcome(pid, FAILED, str(e), arxiv_id=meta.arxiv_id)
    msg = f"arXiv:{meta.arxiv_id}: " + (f"filled {', '.join(changed)}" if changed else "already up to date")
    if kept:
        msg += f"; kept your edit of {', '.join(kept)}"
    return Outcome(pid, MATCHED, msg, arxiv_id=meta.arxiv_id, changed=changed, kept=kept)


def lookup_paper(lib: Library, client: ArxivClient, pid: int) -> Outcome:
    """Look one paper up and apply the match; ``LookupFailed`` when arXiv cannot be asked."""
    p = lib.get(pid)
    if p is None:
        return Outcome(pid, FAILED, f"no paper with id {pid}")
    if p.arxiv_id:
        meta = _confirm(client, p.arxiv_id)
        if meta is None:
            return Outcome(pid, NOT_FOUND, f"arXiv has no paper {p.arxiv_id}", arxiv_id=p.arxiv_id)
        return _apply(lib, pid, meta)
    accepts: Callable[[Paper, Entry], bool]
    if p.title:
        url, accepts, by = title_query_url(p.title), title_accepts, "title"
        if p.authors:
            by += f" and first author {family_key(p.authors[0]).title()}"
    elif len(abstract_key(p.abstract) or "") >= ABSTRACT_KEY_CHARS:
        url, accepts, by = abstract_query_url(p.abstract), abstract_accepts, "abstract opening"
    else:
        return Outcome(pid, NOT_FOUND, "nothing to search by (no title, no abstract of 40+ characters)")
    if url is None:
        return Outcome(pid, NOT_FOUND, f"the {by.split()[0]} has no words arXiv can search for")
    cands = [e for e in client.entries(url) if accepts(p, e)]
    ids = list(dict.fromkeys(e.arxiv_id for e in cands if e.arxiv_id))
    if not ids:
        return Outcome(pid, NOT_FOUND, f"no arXiv paper with this {by}")
    if len(ids) > 1:
        return Outcome(
            pid, AMBIGUOUS, f"{len(ids)} arXiv papers fit: {', '.join(ids)}; nothing changed", candidates=ids
        )
    meta = _confirm(client, ids[0])
    if meta is None or not accepts(p, meta):
        return Outcome(pid, NOT_FOUND, f"arXiv:{ids[0]} fit the search but not its own record", arxiv_id=ids[0])
    return _apply(lib, pid, meta)


def run_each(
    ids: Sequence[int], one: Callable[[int], Any], report: Any, failed: Callable[[int, str], Any], *,
    progress: Callable[[int, int], None] | None = None, cancelled: Callable[[], bool] | None = None,
    cancel_errors: tuple[type[Exception], ...] = (), paper_errors: tuple[type[Exception], ...] = (),
) -> None:
    """Run ``one(pid)`` for each paper, its outcome (or ``failed(pid, why)``) into ``report.outcomes``:
    the lookup's and the PDF fetch's loop.  Cancelled (asked, or one of ``cancel_errors``): the rest
    in ``report.not_attempted``.  A ``LookupFailed`` concerns this paper, or when ``fatal`` (offline,
    timeout, HTTP error) stops the run (``report.aborted``); one of ``paper_errors`` fails this paper."""
    ids = list(ids)
    for i, pid in enumerate(ids):
        if cancelled is not None and cancelled():
            report.cancelled, report.not_attempted = True, ids[i:]
            break
        try:
            outcome = one(pid)
        except cancel_errors:
            report.cancelled, report.not_attempted = True, ids[i:]
            break
        except LookupFailed as e:
            report.outcomes.append(failed(pid, e.message))
            if e.fatal:
                report.aborted, report.not_attempted = e.message, ids[i + 1 :]
                break
        except paper_errors as e:
            report.outcomes.append(failed(pid, str(e)))
        else:
            report.outcomes.append(outcome)
        if progress is not None:
            progress(i + 1, len(ids))


def lookup_papers(
    lib: Library,
    ids: Sequence[int],
    fetcher: Fetcher,
    clock: Clock,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> LookupReport:
    """Look papers up one by one; each match is its own undoable action.

    A failure that concerns one request (arXiv's error feed) is reported for that
    paper; one that will recur (offline, timeout, HTTP error) stops the run with
    ``report.aborted`` set and the rest listed in ``not_attempted``.
    """
    client = ArxivClient(lib, fetcher, clock)
    report = LookupReport()
    run_each(ids, lambda pid: lookup_paper(lib, client, pid), report, lambda pid, why: Outcome(pid, FAILED, why),
             progress=progress, cancelled=cancelled)
    report.requests = client.requests
    log.info("arXiv lookup: %s", report.summary())
    return report
