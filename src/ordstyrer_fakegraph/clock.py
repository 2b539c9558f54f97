"""The stand-in's clock: real time by default, settable and speedable for tests/demos."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class FakeClock:
    """`now()` = anchor + (monotonic elapsed × speed); `frozen` stops the flow."""

    def __init__(self, start: datetime | None = None, *, speed: float = 1.0, frozen: bool = False):
        self._lock = threading.Lock()
        self._anchor = start or datetime.now(UTC)
        if self._anchor.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._mono = time.monotonic()
        self._speed = speed
        self._frozen = frozen

    def now(self) -> datetime:
        with self._lock:
            if self._frozen:
                return self._anchor
            elapsed = (time.monotonic() - self._mono) * self._speed
            return self._anchor + timedelta(seconds=elapsed)

    def set(self, when: datetime, *, frozen: bool | None = None) -> None:
        if when.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        with self._lock:
            self._anchor = when
            self._mono = time.monotonic()
            if frozen is not None:
                self._frozen = frozen

    def advance(self, seconds: float) -> None:
        self.set(self.now() + timedelta(seconds=seconds))

    def set_speed(self, speed: float) -> None:
        current = self.now()
        with self._lock:
            self._speed = speed
        self.set(current)

    @property
    def frozen(self) -> bool:
        return self._frozen
