"""The one outgoing HTTP session: timeouts, bounded retries, secrets kept out of errors.

Every call Ordstyrer makes to another system (the Graph API today) goes through
`HttpSession.request`. It retries only what is safe to retry:

* a connection that could not be opened (nothing was sent) — any method;
* a timeout, a dropped connection or HTTP 502/503/504 — idempotent methods only,
  because repeating a POST can create a duplicate comment or post.

Anything else is returned to the caller, which knows the remote protocol (Graph error
codes are classified in `ordstyrer.connectors.graph.errors`). Transport failures that
survive the retries become `HttpTransportError`, whose text carries the URL with every
credential-like query parameter masked, so a token can never reach a log or a message.
Query parameters that name a person (`PERSON_PARAMS`: the Page's ban list asks
`…/blocked?user=<id>`) are masked the same way: httpx logs every request's address at
INFO, and who the municipality banned (MO-1) has no place in the operations log
(docs/privacy.md, "logs").
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
USER_AGENT = "Ordstyrer/0.1 (+https://github.com/ordstyrer)"

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({502, 503, 504})

# Query and form parameters that carry credentials on the Graph API and OAuth endpoints.
SECRET_PARAMS = frozenset(
    {
        "access_token",
        "appsecret_proof",
        "client_secret",
        "fb_exchange_token",
        "input_token",
        "code",
        "password",
    }
)
_SECRET_IN_TEXT = re.compile(
    r"(?P<key>" + "|".join(sorted(SECRET_PARAMS)) + r")=(?P<value>[^&\s\"']+)", re.IGNORECASE
)
# Query parameters that carry a person's platform id: Graph's `user` (the Page's ban
# list, spec §1.7), `uid`/`user_id`, Messenger's page-scoped `psid` and `recipient`,
# and the app-scoped `asid`. Their values are masked wherever credentials are.
PERSON_PARAMS = frozenset({"user", "user_id", "users", "uid", "psid", "asid", "recipient"})
# In free text only as a whole word (`user=`, not `fb_user=`): a query string in a
# message, an error or a log line.
_PERSON_IN_TEXT = re.compile(
    r"(?<![\w.-])(?P<key>" + "|".join(sorted(PERSON_PARAMS)) + r")=(?P<value>[^&\s\"']+)",
    re.IGNORECASE,
)
_MASKED_PARAMS = SECRET_PARAMS | PERSON_PARAMS


# Set while `HttpSession.stream(hide_query=True)` runs: httpx's log line of that request
# shows the address without its query string (see `_RedactCredentials`).
_QUERY_HIDDEN: ContextVar[bool] = ContextVar("ordstyrer_http_query_hidden", default=False)


def redact_url(url: str | httpx.URL, *, drop_query: bool = False) -> str:
    """The URL with the values of credential and person-id parameters (`SECRET_PARAMS`,
    `PERSON_PARAMS`) replaced by `***` (or, with `drop_query`, without its query string
    at all)."""
    parts = urlsplit(str(url))
    if drop_query:
        return urlunsplit(parts._replace(query="", fragment=""))
    if not parts.query:
        return str(url)
    query = [
        (k, "***" if k.lower() in _MASKED_PARAMS else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))


def redact_text(text: str, *secrets: str | None) -> str:
    """Mask `key=value` credentials and person ids, and any of the given secret strings,
    in free text."""
    text = _SECRET_IN_TEXT.sub(lambda m: f"{m.group('key')}=***", text)
    text = _PERSON_IN_TEXT.sub(lambda m: f"{m.group('key')}=***", text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


class _RedactCredentials(logging.Filter):
    """httpx logs every request URL at INFO; Graph URLs carry `access_token`, some name
    a person (`…/blocked?user=<id>`, `PERSON_PARAMS`), and a streamed address from
    outside data may carry a signature in any parameter."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            hidden = _QUERY_HIDDEN.get()
            record.args = tuple(
                redact_url(a, drop_query=hidden)
                if isinstance(a, httpx.URL)
                else redact_text(a)
                if isinstance(a, str)
                else a
                for a in args
            )
        if isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        return True


# Logger filters do not reach child loggers, so name each one httpx/httpcore use.
for _name in ("httpx", "httpcore", "httpcore.connection", "httpcore.http11", "httpcore.http2"):
    logging.getLogger(_name).addFilter(_RedactCredentials())


class HttpTransportError(Exception):
    """The request could not be completed (network, timeout, 5xx after retries)."""

    def __init__(self, message: str, *, method: str, url: str, status: int | None = None):
        self.method = method
        self.url = redact_url(url)
        self.status = status
        super().__init__(f"{message} ({method} {self.url})")


class HttpSession:
    """A shared `httpx.Client` with timeouts and bounded, safe retries.

    `sleep` and `jitter` are injectable so tests never wait; `transport` lets a test
    route to an in-process handler (the Graph stand-in is a real local server instead).
    """

    def __init__(
        self,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        transport: httpx.BaseTransport | None = None,
        user_agent: str = USER_AGENT,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._jitter = jitter
        self._client = httpx.Client(
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": user_agent},
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after and retry_after.isascii() and retry_after.isdigit():
            return min(float(retry_after), self.max_backoff)
        base = min(self.backoff * (2**attempt), self.max_backoff)
        return base / 2 + base / 2 * self._jitter()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send one request; retry transport failures and 502/503/504 where that is safe.

        `idempotent` overrides the method's default (e.g. a Graph `POST /{comment}` with
        `is_hidden=true` is safe to repeat). Non-retryable HTTP statuses are returned,
        not raised: the caller reads the remote error body.
        """
        method = method.upper()
        safe = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        attempt = 0
        while True:
            try:
                response = self._client.request(
                    method, url, params=params, data=data, files=files, headers=headers
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # Nothing reached the server: safe to retry whatever the method.
                if attempt < self.max_retries:
                    self._sleep(self._delay(attempt, None))
                    attempt += 1
                    continue
                raise HttpTransportError(
                    f"kunne ikke koble til: {type(exc).__name__}", method=method, url=url
                ) from None
            except httpx.TransportError as exc:
                if safe and attempt < self.max_retries:
                    self._sleep(self._delay(attempt, None))
                    attempt += 1
                    continue
                raise HttpTransportError(
                    f"forespørselen feilet underveis: {type(exc).__name__}", method=method, url=url
                ) from None
            if response.status_code in RETRY_STATUSES and safe and attempt < self.max_retries:
                self._sleep(self._delay(attempt, response.headers.get("Retry-After")))
                response.close()
                attempt += 1
                continue
            return response

    @contextmanager
    def stream(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        extensions: Mapping[str, Any] | None = None,
        hide_query: bool = False,
    ) -> Iterator[httpx.Response]:
        """Send one request and yield its response with the body unread: the caller reads
        it in chunks (`iter_bytes`) and may stop at any point; the connection is closed
        when the block ends. One attempt, no retries: a caller that streams keeps its
        own deadline. A transport failure, also while the body is read, becomes
        `HttpTransportError`. `hide_query` keeps the query string out of httpx's log
        line and the error (an address from outside data, e.g. a CDN address whose
        query is a signature); `extensions` go to httpx (e.g. `sni_hostname`)."""
        method = method.upper()
        shown = redact_url(url, drop_query=hide_query)
        hidden = _QUERY_HIDDEN.set(hide_query)
        try:
            with self._client.stream(
                method,
                url,
                headers=headers,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
                extensions=dict(extensions or {}),
            ) as response:
                yield response
        except httpx.TransportError as exc:
            raise HttpTransportError(
                f"forespørselen feilet: {type(exc).__name__}", method=method, url=shown
            ) from None
        finally:
            _QUERY_HIDDEN.reset(hidden)


_default: HttpSession | None = None
_default_lock = threading.Lock()


def default_session() -> HttpSession:
    """The process-wide session (created on first use; one connection pool)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = HttpSession()
        return _default
