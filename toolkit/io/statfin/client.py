"""Statistics Finland PxWeb client: polite HTTP with retries, an on-disk cache of replies, and queries.

Statistics Finland publishes StatFin through the PxWeb API (v1): ``GET {base}/{lang}/StatFin/{table}`` returns the
table's metadata (variables, value codes and labels), ``GET`` on the table's folder lists the tables with their
``updated`` time, and ``POST`` of a query with ``"response": {"format": "json-stat2"}`` returns the selected cells
as a JSON-stat 2.0 dataset. :class:`PxWebClient` keeps a minimum interval between requests, retries with
exponential back-off on 429/5xx/time-outs honouring ``Retry-After`` up to a maximum number of tries, and caches
query responses on disk keyed by URL, query and the table's ``updated`` time.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import json
import os
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from toolkit.errors import InputError
from toolkit.io.files import atomic_write_text
from toolkit.nomenclature import LANGS

DEFAULT_BASE_URL = "https://pxdata.stat.fi/PxWeb/api/v1"
DATABASE = "StatFin"
MAX_REPLY_BYTES = 256 * 2**20
"""Largest reply [bytes] read from the server (a chunk of 11re is a few MB): more is refused, not buffered."""

# --------------------------------------------------------------------------------------------------
# HTTP client
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClientOptions:
    """How politely and how persistently the client talks to the server.

    Attributes
    ----------
    min_interval : minimum time between two requests [s]; StatFin allows about 30 queries per 10 s
    max_tries : attempts per request before giving up
    backoff : wait before the second attempt [s]; doubled after each failure
    max_backoff : longest wait between attempts [s], also the cap on a server's ``Retry-After``
    timeout : socket time-out of one request [s]
    max_cells : most cells asked for in one query; larger selections are split by area
    clock, sleep : time source [s] and sleeper (replaceable in tests)
    """

    min_interval: float = 0.5
    max_tries: int = 5
    backoff: float = 1.0
    max_backoff: float = 60.0
    timeout: float = 60.0
    max_cells: int = 100_000
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


class _Retryable(Exception):
    """A failure worth another try; `wait` is the server's Retry-After [s], if it gave one."""

    def __init__(self, message: str, wait: float | None = None):
        super().__init__(message)
        self.wait = wait


@dataclass(frozen=True)
class TableMetadata:
    """Metadata of one PxWeb table.

    Attributes
    ----------
    path : the table's path under ``StatFin/``
    title : the table's title in the metadata language
    variables : variable code → {"values": [...], "labels": [...], "elimination": bool, "time": bool}
    updated : when the table was last updated (ISO 8601 text from the folder listing), or None
    """

    path: str
    title: str
    variables: dict[str, dict]
    updated: str | None

    def values(self, variable: str) -> list[str]:
        """Value codes of `variable`; InputError naming the table and the codes it has if unknown."""
        if variable not in self.variables:
            raise InputError(
                f"StatFin table {self.path} has no variable '{variable}'; it has {sorted(self.variables)} "
                "(update toolkit.io.statfin.TABLES)"
            )
        return self.variables[variable]["values"]

    def labels(self, variable: str) -> dict[str, str]:
        """Value code → label of `variable`."""
        return dict(zip(self.values(variable), self.variables[variable]["labels"], strict=True))


class PxWebClient:
    """A small, polite client of a PxWeb v1 API.

    Parameters
    ----------
    base_url : API root up to and excluding the language, e.g. `DEFAULT_BASE_URL`
    lang : language of the URLs (``fi``, ``sv`` or ``en``)
    cache_dir : directory of the response cache; None disables the cache
    options : `ClientOptions`
    """

    def __init__(self, base_url: str = DEFAULT_BASE_URL, *, lang: str = "fi",
                 cache_dir: str | os.PathLike | None = None, options: ClientOptions | None = None):
        if lang not in LANGS:
            raise InputError(f"PxWeb language '{lang}' is not allowed; use one of {', '.join(LANGS)}")
        self.base_url = base_url.rstrip("/")
        self.lang = lang
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.options = options or ClientOptions()
        self.requests_made = 0
        self._last_request: float | None = None
        self._metadata: dict[tuple[str, str], TableMetadata] = {}

    def url(self, path: str = "", lang: str | None = None) -> str:
        """Full URL of a folder or table `path` under ``StatFin/``."""
        return "/".join(part for part in (self.base_url, lang or self.lang, DATABASE, path) if part)

    def metadata(self, path: str, lang: str | None = None) -> TableMetadata:
        """Variables, value codes, labels and ``updated`` time of the table at `path` (memoised)."""
        key = (path, lang or self.lang)
        if key not in self._metadata:
            doc = self._request_json(self.url(path, key[1]))
            folder, _, name = path.rpartition("/")
            listing = self._request_json(self.url(folder, key[1]))
            items = listing if isinstance(listing, list) else []
            updated = next((item.get("updated") for item in items if item.get("id") == name), None)
            self._metadata[key] = TableMetadata(path, doc.get("title", ""), _variables(doc, path), updated)
        return self._metadata[key]

    def query(self, path: str, selection: Mapping[str, Sequence[str] | str],
              updated: str | None = None) -> dict:
        """POST a query and return the JSON-stat 2.0 dataset, from the cache when it is there.

        Parameters
        ----------
        path : the table's path under ``StatFin/``
        selection : variable code → value codes, or ``"all"``
        updated : the table's ``updated`` time; part of the cache key so that a new release is fetched
        """
        url = self.url(path)
        body = build_query(selection)
        cache_file = self._cache_file(url, body, updated)
        if cache_file is not None and cache_file.exists():
            return json.loads(cache_file.read_text(encoding="utf-8"))
        doc = self._request_json(url, body)
        if cache_file is not None:
            atomic_write_text(cache_file, json.dumps(doc, ensure_ascii=False))
        return doc

    def _cache_file(self, url: str, body: dict, updated: str | None) -> Path | None:
        if self.cache_dir is None:
            return None
        key = json.dumps([url, body, updated], sort_keys=True, ensure_ascii=False)
        return self.cache_dir / f"{hashlib.sha256(key.encode()).hexdigest()}.json"

    def _request_json(self, url: str, body: dict | None = None):
        """One JSON request with rate limit and retries; InputError after the last try."""
        error: Exception | None = None
        for attempt in range(self.options.max_tries):
            if attempt:
                self.options.sleep(self._backoff(attempt, getattr(error, "wait", None)))
            try:
                return json.loads(self._send(url, body))
            except _Retryable as exc:
                error = exc
        raise InputError(f"Statistics Finland PxWeb: {url} failed after {self.options.max_tries} tries "
                         f"({error}); nothing was changed")

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        wait = retry_after if retry_after is not None else self.options.backoff * 2 ** (attempt - 1)
        return min(wait, self.options.max_backoff)

    def _send(self, url: str, body: dict | None) -> bytes:
        self._wait_turn()
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method="GET" if data is None else "POST",
                                         headers={"Content-Type": "application/json",
                                                  "User-Agent": "futures-forum-toolkit"})
        self.requests_made += 1
        try:
            with urllib.request.urlopen(request, timeout=self.options.timeout) as response:
                payload = response.read(MAX_REPLY_BYTES + 1)
            if len(payload) > MAX_REPLY_BYTES:
                raise InputError(f"Statistics Finland PxWeb: {url} sent more than {MAX_REPLY_BYTES:,} bytes; "
                                 "allowed at most that per reply (ask for fewer cells); nothing was changed")
        except urllib.error.HTTPError as exc:
            if exc.code == 429 or exc.code >= 500:
                raise _Retryable(f"HTTP {exc.code}", _retry_after(exc.headers.get("Retry-After"))) from exc
            raise InputError(f"Statistics Finland PxWeb: {url} answered HTTP {exc.code} {exc.reason} "
                             "(a renamed table or variable? see toolkit.io.statfin.TABLES)") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, ConnectionRefusedError | socket.gaierror):
                # nothing listens there or the name does not resolve (offline): an answer, not a hiccup
                raise InputError(f"Statistics Finland PxWeb: cannot reach {url} ({exc.reason}); check the network "
                                 "connection; nothing was changed") from None
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
        except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
        finally:
            self._last_request = self.options.clock()
        try:
            json.loads(payload)
        except ValueError as exc:
            raise _Retryable(f"incomplete or invalid JSON ({len(payload)} bytes)") from exc
        return payload

    def _wait_turn(self) -> None:
        if self._last_request is not None:
            wait = self._last_request + self.options.min_interval - self.options.clock()
            if wait > 0:
                self.options.sleep(wait)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay in seconds or an HTTP date) [s]."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _variables(doc: dict, path: str) -> dict[str, dict]:
    try:
        return {
            var["code"]: {
                "values": list(var["values"]),
                "labels": list(var.get("valueTexts", var["values"])),
                "elimination": bool(var.get("elimination", False)),
                "time": bool(var.get("time", False)),
            }
            for var in doc["variables"]
        }
    except (KeyError, TypeError) as exc:
        raise InputError(f"Statistics Finland PxWeb: metadata of {path} is not PxWeb table metadata "
                         f"(missing {exc})") from exc


def build_query(selection: Mapping[str, Sequence[str] | str]) -> dict:
    """PxWeb query asking for json-stat2: variable code → value codes, or ``"all"`` for every value."""
    query = []
    for code, values in selection.items():
        if isinstance(values, str):
            if values != "all":
                raise InputError(f"selection of '{code}': '{values}' is not allowed; give codes or 'all'")
            query.append({"code": code, "selection": {"filter": "all", "values": ["*"]}})
        else:
            query.append({"code": code, "selection": {"filter": "item", "values": list(values)}})
    return {"query": query, "response": {"format": "json-stat2"}}

