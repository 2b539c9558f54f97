"""The Graph stand-in on a free loopback port, and connectors pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from ordstyrer.connectors.facebook.connector import FacebookConnector
from ordstyrer.connectors.graph.usage import ThrottleBook
from ordstyrer.connectors.instagram.connector import InstagramConnector
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.core.http import HttpSession
from ordstyrer_fakegraph import FakeGraph
from ordstyrer_fakegraph.clock import FakeClock
from ordstyrer_fakegraph.store import PageRec

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)  # a Monday morning


@dataclass
class Sleeps:
    calls: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@dataclass
class ManualClock:
    t: float = 1000.0

    def __call__(self) -> float:
        return self.t


@dataclass
class Calls:
    records: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, **kwargs: Any) -> None:
        self.records.append(kwargs)


@pytest.fixture
def fake() -> Iterator[FakeGraph]:
    graph = FakeGraph(clock=FakeClock(NOW, frozen=True)).start()
    try:
        yield graph
    finally:
        graph.stop()


@pytest.fixture
def page(fake: FakeGraph) -> PageRec:
    return fake.add_page("Eksempel kommune", ig_username="eksempelkommune")


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def throttle_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def session(sleeps: Sleeps) -> Iterator[HttpSession]:
    s = HttpSession(timeout=5.0, sleep=sleeps, jitter=lambda: 0.0)
    yield s
    s.close()


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def graph_config(
    fake: FakeGraph, session: HttpSession, sleeps: Sleeps, throttle_clock: ManualClock
) -> dict[str, Any]:
    return {
        "base_url": fake.base_url,
        "graph_version": "v25.0",
        "session": session,
        "sleep": sleeps,
        "throttle": ThrottleBook(clock=throttle_clock),
        "transient_backoff": 0.01,
    }


@pytest.fixture
def fb(page: PageRec, graph_config: dict[str, Any], calls: Calls) -> FacebookConnector:
    return FacebookConnector.from_config(
        {
            **graph_config,
            "page_id": page.id,
            "token": SecretToken(page.token),
            "page_name": page.name,
        },
        recorder=calls,
    )


@pytest.fixture
def ig(page: PageRec, graph_config: dict[str, Any], calls: Calls) -> InstagramConnector:
    return InstagramConnector.from_config(
        {
            **graph_config,
            "ig_user_id": page.ig_user_id,
            "username": "eksempelkommune",
            "token": SecretToken(page.token),
            "container_poll_interval": 0.5,
        },
        recorder=calls,
    )
