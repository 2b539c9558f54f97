"""API test set-up: the moderation tests' world (a quiet simulated page per channel,
citizens' comments polled in, channel admins/editors), tokens made by the real service,
and a client that speaks Bearer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client

from ordstyrer.api.tokens import api_token_create
from tests.moderation.conftest import T0, ModWorld, citizen_comment, make_world

__all__ = ["ApiClient", "T0", "citizen_comment", "send_together", "token_for"]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fresh_counters(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Rate-limit counters live in the database cache (shared by every process); every
    test starts with none, also after a browser test that committed some."""
    with django_db_blocker.unblock():
        cache.clear()
    yield


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db, clock) -> ModWorld:
    return make_world("apiby")


def token_for(user: Any, municipality: Any, scopes: list[str] | None = None, **kw: Any) -> str:
    _token, secret = api_token_create(
        actor=None, user=user, municipality=municipality, scopes=scopes, **kw
    )
    return secret


@dataclass
class ApiClient:
    """The Django test client with `Authorization: Bearer <token>` on every request."""

    token: str | None = None

    def __post_init__(self) -> None:
        self.client = Client()

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
        return self.client.get(path, params or None, headers=self._headers(headers))

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            path,
            body if body is not None else {},
            content_type="application/json",
            headers=self._headers(headers),
        )

    def request(self, method: str, path: str, body: Any = None) -> Any:
        call = getattr(self.client, method.lower())
        if method.upper() in ("GET", "HEAD"):
            return call(path, headers=self._headers(None))
        return call(
            path,
            body if body is not None else {},
            content_type="application/json",
            headers=self._headers(None),
        )


def send_together(url: str, secret: str, payload: dict, key: str) -> list[tuple[int, dict]]:
    """POST `payload` twice at the same moment from two threads (two connections), both
    with Idempotency-Key `key`: (status, body) of each, in the order they answered."""
    barrier = threading.Barrier(2)
    results: list[tuple[int, dict]] = []

    def send() -> None:
        api = ApiClient(secret)
        barrier.wait()
        try:
            response = api.post(url, payload, headers={"Idempotency-Key": key})
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
