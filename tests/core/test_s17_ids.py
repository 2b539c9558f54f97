"""Ids from URLs, forms and headers: `str.isdigit` takes «²» and other digits `int()`
refuses, so every place that read an id that way could answer a hand-edited form with a
server error. One parser now (`core.ids.parse_id`), and the headers check ASCII."""

from __future__ import annotations

import httpx
import pytest
from django.test import Client

from ordstyrer.core.http import HttpSession
from ordstyrer.core.ids import MAX_ID, parse_id
from ordstyrer.crisis.models import CrisisDeputy
from ordstyrer.crisis.services import crisis_deputy_add


@pytest.mark.parametrize(
    "value", ["²", "١", "０", "-1", "0", "1.0", " 1", "", str(MAX_ID + 1), None, True, 2.0]
)
def test_what_is_not_an_id_is_none(value) -> None:  # noqa: ANN001
    assert parse_id(value) is None


@pytest.mark.parametrize(("value", "expected"), [("7", 7), (7, 7), (str(MAX_ID), MAX_ID)])
def test_an_id_is_read(value, expected: int) -> None:  # noqa: ANN001
    assert parse_id(value) == expected


def test_a_retry_after_header_in_other_digits_falls_back_to_backoff() -> None:
    sleeps: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if not sleeps:
            return httpx.Response(503, headers={"Retry-After": b"\xb2"})  # read as latin-1: «²»
        return httpx.Response(200)

    with HttpSession(transport=httpx.MockTransport(handler), sleep=sleeps.append) as s:
        assert s.request("GET", "https://x.example/").status_code == 200
    assert len(sleeps) == 1


def test_removing_a_deputy_with_a_garbled_id_is_not_found(db) -> None:  # noqa: ANN001
    from tests.publishing.conftest import make_world

    pub = make_world("idkr")
    crisis_deputy_add(
        municipality=pub.municipality, user=pub.p.chief_administrator, actor=pub.p.crisis_leader
    )
    client = Client()
    client.force_login(pub.p.crisis_leader)
    url = f"/m/{pub.municipality.slug}/krise/stedfortredere/"
    assert client.post(url, {"remove": "²"}).status_code == 404
    assert CrisisDeputy.objects.count() == 1
