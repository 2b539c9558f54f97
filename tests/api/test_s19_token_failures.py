"""Only guesses count against an address (api.md "Authentication"): a token is
verified before the address's failure counter is read, a known token that has expired
or been revoked is a 401 that counts as no guess, and a live token is never refused for
another token's failures — on a shared host, across municipalities."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from ordstyrer.api.models import ApiToken
from ordstyrer.api.tokens import api_token_revoke
from tests.api.conftest import ApiClient, token_for
from tests.moderation.conftest import make_world

GUESS = "ord_deadbeef00_guess"


def status(token: str, address: str = "127.0.0.1") -> int:
    client = Client(REMOTE_ADDR=address)
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_dead_tokens_never_lock_an_address_out(world, clock, settings):
    settings.API_AUTH_FAILURES_PER_IP = 3
    p = world.p
    revoked = token_for(p.communications, world.municipality)
    api_token_revoke(actor=None, token_id=revoked.split("_")[1])
    expired = token_for(world.editor, world.municipality, days=1)
    clock.shift(timedelta(days=2))
    good = token_for(p.communications, world.municipality)
    # A forgotten integration on the host keeps sending its dead tokens …
    assert {status(revoked) for _ in range(5)} | {status(expired) for _ in range(5)} == {401}
    # … and the live tokens beside it still answer.
    assert status(good) == 200


def test_a_live_token_is_never_refused_for_anothers_guesses(world, settings):
    settings.API_AUTH_FAILURES_PER_IP = 3
    neighbour = make_world("apinabo")  # another municipality on the same host
    good = token_for(world.p.communications, world.municipality)
    theirs = token_for(neighbour.p.communications, neighbour.municipality)
    # A wrong secret for a known id is a guess as well as an unknown id is.
    wrong_secret = f"ord_{good.split('_')[1]}_not-the-secret"
    assert [status(GUESS), status(wrong_secret), status("nonsense")] == [401, 401, 401]
    assert status(GUESS) == 429  # guessing is throttled …
    assert status(wrong_secret) == 429
    assert status(good) == 200  # … the live tokens are not
    assert status(theirs) == 200
    assert ApiToken.objects.filter(last_used_at__isnull=False).count() == 2
    assert ApiClient(good).get("/api/v1/m/apiby/crisis").status_code == 200
