"""A thin Graph API client on the shared `HttpSession` (spec §0.3, §1.10, §3).

* Graph version and base URL are constructor settings (tests use the local stand-in).
* Every call carries the token and, when an app secret is set, `appsecret_proof`.
* Lists are followed through `paging.next` exactly as Graph gives it; the cursor handed
  to callers is that URL with the credentials taken out, and it is only ever sent back
  to the same host.
* Errors are classified once (`graph.errors`); throttles pause every call for the key
  (page / IG user) through the shared `ThrottleBook`; transient faults are retried in
  process (bounded) only for reads and idempotent writes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ordstyrer.connectors.base import ConnectorError, ErrorCode, Listing
from ordstyrer.connectors.graph.answers import ListPage, malformed, parse
from ordstyrer.connectors.graph.errors import POLICY_BLOCK_MESSAGE, classify, parse_error
from ordstyrer.connectors.graph.usage import ThrottleBook, Usage, parse_usage, shared_throttle
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.core.http import HttpSession, HttpTransportError, default_session

DEFAULT_GRAPH_VERSION = "v25.0"
DEFAULT_BASE_URL = "https://graph.facebook.com"
_CREDENTIAL_PARAMS = frozenset({"access_token", "appsecret_proof"})
T = TypeVar("T")


def time_params(*, since: datetime | None = None, until: datetime | None = None) -> dict[str, int]:
    """`since`/`until` as Graph takes them: Unix seconds, only those given."""
    given = {"since": since, "until": until}
    return {key: int(value.timestamp()) for key, value in given.items() if value is not None}


def appsecret_proof(token: SecretToken, app_secret: SecretToken) -> str:
    """Lowercase hex HMAC-SHA256 of the token keyed with the app secret (spec §0.3)."""
    return hmac.new(
        app_secret.reveal().encode("utf-8"), token.reveal().encode("utf-8"), hashlib.sha256
    ).hexdigest()


def _graph_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


class GraphClient:
    def __init__(
        self,
        *,
        token: SecretToken,
        app_secret: SecretToken | None = None,
        base_url: str = DEFAULT_BASE_URL,
        version: str = DEFAULT_GRAPH_VERSION,
        throttle_key: str | None = None,
        session: HttpSession | None = None,
        throttle: ThrottleBook | None = None,
        sleep: Callable[[float], None] = time.sleep,
        transient_retries: int = 3,
        transient_backoff: float = 1.0,
    ) -> None:
        if not isinstance(token, SecretToken):
            raise TypeError("token must be a SecretToken")
        self._token = token
        self._app_secret = app_secret
        self.base_url = base_url.rstrip("/")
        self.version = version.strip("/")
        self.throttle_key = throttle_key
        self._session = session or default_session()
        self._throttle = throttle or shared_throttle()
        self._sleep = sleep
        self._transient_retries = transient_retries
        self._transient_backoff = transient_backoff
        self.last_usage = Usage()

    def __repr__(self) -> str:
        return f"GraphClient(base_url={self.base_url!r}, version={self.version!r})"

    # -- credentials ---------------------------------------------------------------

    def _credentials(self) -> dict[str, str]:
        creds = {"access_token": self._token.reveal()}
        if self._app_secret is not None:
            creds["appsecret_proof"] = appsecret_proof(self._token, self._app_secret)
        return creds

    def _secrets(self) -> tuple[str | None, ...]:
        return (
            self._token.reveal(),
            self._app_secret.reveal() if self._app_secret else None,
        )

    def url(self, path: str) -> str:
        return f"{self.base_url}/{self.version}/{path.lstrip('/')}"

    def cursor_from_next(self, next_url: str | None) -> str | None:
        """`paging.next` without credentials: safe to hand out, log or keep in memory."""
        if not next_url:
            return None
        parts = urlsplit(next_url)
        query = [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k not in _CREDENTIAL_PARAMS
        ]
        return urlunsplit(parts._replace(query=urlencode(query)))

    def next_cursor(self, body: Mapping[str, Any]) -> str | None:
        """The cursor of the page after `body` (None = the last one). Only a missing
        `paging.next` ends a list: a page may be empty and still have more (§1.10)."""
        paging = body.get("paging")
        return self.cursor_from_next(paging.get("next") if isinstance(paging, dict) else None)

    def listing(
        self, body: Mapping[str, Any], convert: Callable[[dict[str, Any]], T]
    ) -> Listing[T]:
        """`body`'s `data` converted, with the cursor of the next page. A page whose
        `data` is not a list of objects is malformed (a read: transient)."""
        page = parse(ListPage, body, "liste")
        return Listing(
            items=tuple(convert(d) for d in page.data), next_cursor=self.next_cursor(body)
        )

    # -- calls -----------------------------------------------------------------------

    def get_list(
        self,
        path: str,
        params: Mapping[str, Any],
        *,
        cursor: str | None = None,
        since: datetime | None = None,
    ) -> dict[str, Any]:
        """One page of a list edge: the page `cursor` points at, or else the first page
        of `path` with `params` (and `since` as Unix seconds)."""
        if cursor:
            return self.get_cursor(cursor)
        return self.get(path, {**params, **time_params(since=since)})

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self._call("GET", self.url(path), params, idempotent=True)

    def get_cursor(self, cursor: str) -> dict[str, Any]:
        """Follow a cursor from `cursor_from_next`, only ever to our own Graph host."""
        ours, theirs = urlsplit(self.base_url), urlsplit(cursor)
        if (ours.scheme, ours.netloc) != (theirs.scheme, theirs.netloc):
            raise ConnectorError(
                "Ugyldig sidemarkør (annen vert enn plattformens).",
                permanent=True,
                code=ErrorCode.BAD_REQUEST,
            )
        params = dict(parse_qsl(theirs.query, keep_blank_values=True))
        url = urlunsplit(theirs._replace(query=""))
        return self._call("GET", url, params, idempotent=True)

    def post(
        self,
        path: str,
        data: Mapping[str, Any] | None = None,
        *,
        files: Mapping[str, Any] | None = None,
        idempotent: bool = False,
    ) -> dict[str, Any]:
        return self._call("POST", self.url(path), data, files=files, idempotent=idempotent)

    def delete(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        # Not repeated here after a timeout or a 502-504: the first DELETE may have done it,
        # and the repeat's "does not exist" would read as "already gone" (someone else's
        # removal). The caller's own retry (the moderation outbox) knows it is a repeat.
        return self._call("DELETE", self.url(path), params, idempotent=False)

    def _call(
        self,
        method: str,
        url: str,
        fields: Mapping[str, Any] | None,
        *,
        files: Mapping[str, Any] | None = None,
        idempotent: bool,
    ) -> dict[str, Any]:
        """One Graph call: `fields` (and the credentials) go in the form of a POST and in
        the query string of a GET or DELETE; throttling, retries and errors as above."""
        key = self.throttle_key
        in_form = method == "POST"
        attempt = 0
        while True:
            if key is not None:
                left = self._throttle.remaining(key)
                if left > 0:
                    raise ConnectorError(
                        "Plattformens grense for antall kall er nådd; venter før nye kall.",
                        permanent=False,
                        retry_after=left,
                        code=ErrorCode.THROTTLED,
                    )
                paused = self._throttle.writes_remaining(key) if method != "GET" else 0.0
                if paused > 0:  # after Meta's 368 (spec §3.2): no write to the Page
                    raise ConnectorError(
                        POLICY_BLOCK_MESSAGE,
                        permanent=False,
                        retry_after=paused,
                        code=ErrorCode.POLICY_BLOCK,
                    )
            values = {k: _graph_value(v) for k, v in (fields or {}).items() if v is not None}
            values.update(self._credentials())
            sent = values or None
            try:
                response = self._session.request(
                    method,
                    url,
                    params=None if in_form else sent,
                    data=sent if in_form else None,
                    files=files,
                    idempotent=idempotent,
                )
            except HttpTransportError as exc:
                raise ConnectorError(
                    f"Fikk ikke kontakt med plattformen: {exc}",
                    permanent=False,
                    code=ErrorCode.NETWORK,
                ) from None
            usage = parse_usage(response.headers)
            if usage.seen:
                self.last_usage = usage
            try:
                payload: Any = response.json()
            except ValueError:
                payload = None
            body = parse_error(payload)
            if response.status_code < 400 and body is None:
                if not isinstance(payload, dict):
                    # Every Graph answer is a JSON object; anything else is malformed.
                    raise malformed("ikke et JSON-objekt", write=method != "GET")
                if key is not None:
                    self._throttle.clear(key)
                    self._pause_on_high_usage(key, usage)
                return payload
            failure = classify(
                response.status_code,
                body,
                usage=usage,
                throttle_key=key,
                default_backoff=self._throttle.next_backoff(key) if key else 60.0,
                secrets=self._secrets(),
            )
            if failure.pause_key_seconds is not None and key is not None:
                self._throttle.pause(key, failure.pause_key_seconds)
            if failure.pause_writes_seconds is not None and key is not None:
                self._throttle.pause_writes(key, failure.pause_writes_seconds)
            retries = 1 if failure.error.platform_code == 1705 else self._transient_retries
            if failure.retry_in_process and idempotent and attempt < retries:
                delay = self._transient_backoff * (2**attempt)
                self._sleep(delay + delay * 0.25 * random.random())  # noqa: S311 — jitter
                attempt += 1
                continue
            raise failure.error

    def _pause_on_high_usage(self, key: str, usage: Usage) -> None:
        # Usage at or over 100 % means the next calls will be refused: stop now
        # (spec §3.4 "any usage header ≥ 100"), for the regain estimate if given.
        if usage.percent >= 100:
            regain = usage.regain_minutes.get(key, 0.0) * 60.0
            self._throttle.pause(key, regain or self._throttle.next_backoff(key))
