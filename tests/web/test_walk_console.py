"""Every URL pattern of the console, taken from the resolver (not a hand-written list),
walked against the demo municipality by people who must see nothing of it
(issue #14; the API's operations are walked from the OpenAPI document in
tests/api/test_walk.py):

- anonymous: every municipal page sends to the login page, or is not found;
- an outsider (member of another municipality only), with the demo's slug: 404;
- the same outsider on their own municipality's pages with ids of the demo's objects
  (channels, items, posts, records … share id ranges): never an answer with content.

GET and POST both; nothing the demo holds may change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.urls import URLResolver, get_resolver

from ordstyrer.demo import DEMO_SLUG, setup_demo
from tests.factories import MunicipalityFactory, person_with_roles

pytestmark = pytest.mark.django_db

CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
IDS = (1, 2, 3, 5, 8)  # every table of the demo has rows with these ids
MUNICIPAL = "m/<slug:slug>/"


def patterns(resolvers=None, prefix: str = "") -> Iterator[str]:
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from patterns(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern)


def municipal_routes() -> list[str]:
    routes = sorted({p for p in patterns() if p.startswith(MUNICIPAL)})
    assert len(routes) > 60, "the walk must reach the whole console"
    return routes


def fill(route: str, slug: str, number: int) -> str:
    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        if name == "slug":
            return slug
        return str(number) if converter == "int" else "x"

    return "/" + CONVERTER.sub(value, route)


# Answers that say nothing about the object: not found, or a method this URL never takes.
QUIET = {404, 405}


def sends_to(response, prefix: str) -> bool:
    return response.status_code == 302 and response["Location"].startswith(prefix)


def snapshot() -> dict[str, int]:
    """Row counts of every model of ours: a POST that changes anything shows here."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {
            "tenants",
            "channels",
            "inbox",
            "archive",
            "platforms",
            "moderation",
            "publishing",
            "crisis",
            "api",
            "sso",
            "core",
        }
        and model._meta.label not in {"core.WorkerHeartbeat"}
    }


def test_no_console_page_leaks_the_demo_to_anonymous_people_or_outsiders(client):
    setup_demo()
    outsider_place = MunicipalityFactory(slug="utanfor", name="Utanfor kommune")
    outsider = person_with_roles(outsider_place, "communications", username="utanfor-kom")
    home = f"/m/{outsider_place.slug}/"
    before = snapshot()
    leaks: list[str] = []

    def expect(who: str, method: str, url: str, response, *, allowed: str | None) -> None:
        if response.status_code in QUIET or (allowed and sends_to(response, allowed)):
            return
        leaks.append(f"{who} {method.upper()} {url} → {response.status_code}")

    for route in municipal_routes():
        for number in IDS if "<int:" in route else (1,):
            demo_url = fill(route, DEMO_SLUG, number)
            own_url = fill(route, outsider_place.slug, number)

            client.logout()
            for method in ("get", "post"):
                response = getattr(client, method)(demo_url)
                expect("anonymous", method, demo_url, response, allowed="/logg-inn/")

            client.force_login(outsider)
            for method in ("get", "post"):
                response = getattr(client, method)(demo_url)
                expect("outsider", method, demo_url, response, allowed=None)
                if "<int:" in route:
                    # Their own municipality with the demo's object ids: found nowhere. A
                    # form may say "already done" and go back to the outsider's own page —
                    # the answer for an id that exists nowhere — but it never shows or
                    # changes the object (the snapshot below).
                    response = getattr(client, method)(own_url)
                    expect("outsider", method, own_url, response, allowed=home)

    assert leaks == [], "\n".join(leaks)
    assert snapshot() == before
