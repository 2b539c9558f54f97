"""Graph rate-limit usage headers and the per-key pause book (spec §3.3, §3.4).

`X-App-Usage` is platform-level; `X-Business-Use-Case-Usage` is keyed by the business
object (the page id for Pages, the IG user id for Instagram). Values are percentages;
throttling starts at 100. `estimated_time_to_regain_access` is in minutes.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, ValidationError


class _AppUsage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    call_count: float = 0
    total_cputime: float = 0
    total_time: float = 0


class _BucUsage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: str | None = None
    call_count: float = 0
    total_cputime: float = 0
    total_time: float = 0
    estimated_time_to_regain_access: float = 0


@dataclass(frozen=True, slots=True)
class Usage:
    """The usage the last response reported. `percent` is the highest of all counters."""

    app_percent: float = 0.0
    buc_percent: dict[str, float] = field(default_factory=dict)
    regain_minutes: dict[str, float] = field(default_factory=dict)
    seen: bool = False

    @property
    def percent(self) -> float:
        return max([self.app_percent, *self.buc_percent.values()], default=0.0)


def parse_usage(headers: Mapping[str, str]) -> Usage:
    """Read both usage headers; malformed values are ignored rather than trusted."""
    app_percent = 0.0
    buc_percent: dict[str, float] = {}
    regain: dict[str, float] = {}
    seen = False
    raw_app = headers.get("x-app-usage")
    if raw_app:
        try:
            app = _AppUsage.model_validate(json.loads(raw_app))
            app_percent = max(app.call_count, app.total_cputime, app.total_time)
            seen = True
        except (ValueError, ValidationError):
            pass
    raw_buc = headers.get("x-business-use-case-usage")
    if raw_buc:
        try:
            decoded = json.loads(raw_buc)
            if isinstance(decoded, dict):
                for key, entries in decoded.items():
                    if not isinstance(entries, list):
                        continue
                    for entry in entries:
                        buc = _BucUsage.model_validate(entry)
                        pct = max(buc.call_count, buc.total_cputime, buc.total_time)
                        buc_percent[str(key)] = max(buc_percent.get(str(key), 0.0), pct)
                        regain[str(key)] = max(
                            regain.get(str(key), 0.0), buc.estimated_time_to_regain_access
                        )
                seen = True
        except (ValueError, ValidationError):
            pass
    return Usage(app_percent=app_percent, buc_percent=buc_percent, regain_minutes=regain, seen=seen)


class ThrottleBook:
    """Pauses per key (page id / IG user id), shared by every client in the process.

    When one call is throttled, all calls for that key wait (spec §3.4). Consecutive
    throttles without an estimate back off exponentially from `base` to `cap` seconds.
    `clock` is monotonic seconds, injectable for tests.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        base: float = 60.0,
        cap: float = 900.0,
    ) -> None:
        self._clock = clock
        self._base = base
        self._cap = cap
        self._until: dict[str, float] = {}
        self._writes_until: dict[str, float] = {}
        self._strikes: dict[str, int] = {}
        self._lock = threading.Lock()

    def remaining(self, key: str) -> float:
        with self._lock:
            left = self._until.get(key, 0.0) - self._clock()
            return left if left > 0 else 0.0

    def next_backoff(self, key: str) -> float:
        with self._lock:
            strikes = self._strikes.get(key, 0)
            return min(self._base * (2**strikes), self._cap)

    def pause(self, key: str, seconds: float) -> None:
        with self._lock:
            self._strikes[key] = self._strikes.get(key, 0) + 1
            until = self._clock() + seconds
            self._until[key] = max(self._until.get(key, 0.0), until)

    def writes_remaining(self, key: str) -> float:
        """Seconds left of a write pause on `key` (`pause_writes`); reads are not paused."""
        with self._lock:
            left = self._writes_until.get(key, 0.0) - self._clock()
            return left if left > 0 else 0.0

    def pause_writes(self, key: str, seconds: float) -> None:
        """Stop writes (POST, DELETE) for `key` for `seconds`: Meta's 368, "action deemed
        abusive", means no writes to that Page for hours (spec §3.2, §3.4); reading the
        comments on with it is still allowed. A success does not lift it (`clear`)."""
        with self._lock:
            until = self._clock() + seconds
            self._writes_until[key] = max(self._writes_until.get(key, 0.0), until)

    def clear(self, key: str) -> None:
        with self._lock:
            self._strikes.pop(key, None)


_shared = ThrottleBook()


def shared_throttle() -> ThrottleBook:
    return _shared
