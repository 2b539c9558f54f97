"""The stand-in's webhook emitter (spec §2.2–§2.4, §7.7).

Changes are queued as the store mutates and POSTed by a background thread to the
configured callback, in Meta's style: `{"object", "entry": [{"id", "time", "changes"}]}`,
a compact ASCII-escaped JSON body (`ø` → `\\u00f8`), `X-Hub-Signature-256` and the
legacy `X-Hub-Signature` over those exact bytes. Failed deliveries are retried on a
shortened version of Meta's 36-hour schedule and then dropped. Optional misbehaviour:
batching several changes per POST, duplicates and reordering (seeded, reproducible).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

logger = logging.getLogger(__name__)

# Meta retries at once, then with decreasing frequency over 36 h; shortened here.
DEFAULT_RETRY_SCHEDULE = (0.0, 0.05, 0.2, 0.5)


@dataclass
class Delivery:
    body: bytes
    status: int | None
    attempt: int
    ok: bool


@dataclass
class _Change:
    object: str
    entry_id: str
    field: str
    value: dict[str, Any]
    time: int


@dataclass
class WebhookConfig:
    callback_url: str | None = None
    verify_token: str = ""
    batch_max: int = 1  # changes per POST
    duplicate_every: int = 0  # send every Nth POST twice (0 = never)
    shuffle: bool = False  # deliver a held batch out of order
    escape_slashes: bool = False  # also escape "/" as "\/" (older docs say Meta does) [U]
    retry_schedule: tuple[float, ...] = DEFAULT_RETRY_SCHEDULE
    timeout: float = 5.0
    seed: int = 0
    hold: bool = False  # queue without sending until released (to build batches)


def encode_body(envelope: dict[str, Any], *, escape_slashes: bool = False) -> bytes:
    text = json.dumps(envelope, ensure_ascii=True, separators=(",", ":"))
    if escape_slashes:
        text = text.replace("/", "\\/")
    return text.encode("ascii")


def signature_headers(body: bytes, app_secret: str) -> dict[str, str]:
    key = app_secret.encode("utf-8")
    return {
        "X-Hub-Signature-256": "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest(),
        "X-Hub-Signature": "sha1=" + hmac.new(key, body, hashlib.sha1).hexdigest(),
    }


class WebhookEmitter:
    def __init__(self, app_secret: Callable[[], str], clock: Callable[[], float]) -> None:
        self._app_secret = app_secret
        self._clock = clock  # Unix seconds, from the stand-in's clock
        self.config = WebhookConfig()
        self.deliveries: list[Delivery] = []
        self.dropped: list[bytes] = []
        self._queue: list[_Change] = []
        self._cond = threading.Condition()
        self._busy = False
        self._stop = False
        self._posts = 0
        self._rng = random.Random(0)  # noqa: S311 — reproducible disorder, not crypto
        self._thread = threading.Thread(target=self._run, name="fake-graph-webhooks", daemon=True)
        self._thread.start()

    def configure(self, **changes: Any) -> None:
        with self._cond:
            for key, value in changes.items():
                if not hasattr(self.config, key):
                    raise ValueError(f"unknown webhook setting {key}")
                if key == "retry_schedule":
                    value = tuple(float(v) for v in value)
                setattr(self.config, key, value)
            self._rng = random.Random(self.config.seed)  # noqa: S311
            self._cond.notify_all()

    def enqueue(self, obj: str, entry_id: str, field: str, value: dict[str, Any]) -> None:
        with self._cond:
            if not self.config.callback_url:
                return
            self._queue.append(_Change(obj, entry_id, field, value, int(self._clock())))
            self._cond.notify_all()

    def release(self) -> None:
        self.configure(hold=False)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued has been delivered or dropped."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while (self._queue and not self.config.hold) or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return not self._queue or self.config.hold

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join(timeout=2)

    def handshake(self, url: str, verify_token: str) -> bool:
        """Meta's GET check: the callback must echo `hub.challenge` exactly (§2.2)."""
        challenge = str(secrets.randbelow(10**9))
        query = urlencode(
            {"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": verify_token}
        )
        sep = "&" if "?" in url else "?"
        try:
            with urllib.request.urlopen(f"{url}{sep}{query}", timeout=self.config.timeout) as resp:  # noqa: S310 — test callback URL
                return resp.status == 200 and resp.read().decode("utf-8") == challenge
        except (urllib.error.URLError, OSError):
            return False

    # -- worker --------------------------------------------------------------------------

    def _take(self) -> list[_Change] | None:
        with self._cond:
            while not self._stop and (not self._queue or self.config.hold):
                self._cond.wait()
            if self._stop:
                return None
            batch = self._queue[: max(1, self.config.batch_max)]
            del self._queue[: len(batch)]
            if self.config.shuffle:
                self._rng.shuffle(batch)
            self._busy = True
            return batch

    def _run(self) -> None:
        while True:
            batch = self._take()
            if batch is None:
                return
            try:
                self._deliver(batch)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _deliver(self, batch: list[_Change]) -> None:
        entries: dict[tuple[str, str], dict[str, Any]] = {}
        obj = batch[0].object
        for change in batch:
            if change.field == "messaging":
                # Messenger: events in `messaging`, times in milliseconds (§2.3).
                entry = entries.setdefault(
                    (change.object, change.entry_id + "/messaging"),
                    {"id": change.entry_id, "time": change.time * 1000, "messaging": []},
                )
                entry["messaging"].append(change.value)
                continue
            entry = entries.setdefault(
                (change.object, change.entry_id),
                {"id": change.entry_id, "time": change.time, "changes": []},
            )
            entry["changes"].append({"field": change.field, "value": change.value})
        body = encode_body(
            {"object": obj, "entry": list(entries.values())},
            escape_slashes=self.config.escape_slashes,
        )
        self._posts += 1
        copies = (
            2
            if self.config.duplicate_every and self._posts % self.config.duplicate_every == 0
            else 1
        )
        for _ in range(copies):
            self._send_with_retries(body)

    def _send_with_retries(self, body: bytes) -> None:
        url = self.config.callback_url
        if not url:
            return
        headers = {
            "Content-Type": "application/json",
            **signature_headers(body, self._app_secret()),
        }
        for attempt, delay in enumerate(self.config.retry_schedule, start=1):
            if delay:
                time.sleep(delay)
            status: int | None = None
            try:
                request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
                with urllib.request.urlopen(request, timeout=self.config.timeout) as resp:  # noqa: S310
                    status = resp.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except (urllib.error.URLError, OSError):
                status = None
            ok = status == 200
            self.deliveries.append(Delivery(body=body, status=status, attempt=attempt, ok=ok))
            if ok:
                return
        logger.info("fake-graph webhook dropped after retries")
        self.dropped.append(body)
