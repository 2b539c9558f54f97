"""An `Idempotency-Key` replays on a path longer than the 500 characters its record keeps.

A POST route reaches such a path: `{int:id}` (Django's `[0-9]+`) takes leading zeros, so
`/api/v1/m/apiby/inbox/items/000…0<id>/replies` is the item's reply route at any
length. The record stored `path[:500]` and `_replay` compared it with the whole path,
so the retry of a reply sent on such a path was refused as another request (422) and the
client could not learn that the reply had been sent. Now the same cut is compared, and
the whole path is bound into the body's fingerprint, so two long paths alike in their
first 500 characters are still two requests."""

from __future__ import annotations

import pytest

from ordstyrer.api.models import IdempotencyRecord
from ordstyrer.inbox.models import Reply
from tests.api.conftest import ApiClient, citizen_comment, token_for

REPLY = "Hei! Svømmehallen åpner mandag. Hilsen Kari"
BASE = "/api/v1/m/apiby/inbox/items/"


@pytest.fixture
def api(world) -> ApiClient:
    return ApiClient(token_for(world.p.communications, world.municipality))


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = fn(*args, **kwargs)
        return response, len(callbacks)

    return call


def long_url(item_id: int, zeros: int = 600) -> str:
    url = f"{BASE}{'0' * zeros}{item_id}/replies"
    assert len(url) > 500
    return url


def test_a_reply_on_a_long_path_replays(world, api, commit):
    item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    url = long_url(item.pk)
    key = {"Idempotency-Key": "svar-lang-sti"}
    first, queued = commit(api.post, url, {"text": REPLY}, headers=key)
    assert first.status_code == 201, first.content
    assert queued >= 1
    record = IdempotencyRecord.objects.get(key="svar-lang-sti")
    assert record.path == url[:500] and len(record.path) == 500
    again, queued = commit(api.post, url, {"text": REPLY}, headers=key)
    assert again.status_code == 201, again.content
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json() and queued == 0
    assert Reply.objects.filter(item=item).count() == 1


def test_another_long_path_alike_in_its_first_500_characters_is_another_request(world, api, commit):
    first_item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    second_item = citizen_comment(world.channel, "Når åpner biblioteket igjen?")
    one, other = long_url(first_item.pk), long_url(second_item.pk)
    assert one != other and one[:500] == other[:500]
    key = {"Idempotency-Key": "svar-to-stier"}
    first, _queued = commit(api.post, one, {"text": REPLY}, headers=key)
    assert first.status_code == 201
    second, queued = commit(api.post, other, {"text": REPLY}, headers=key)
    assert second.status_code == 422, second.content
    assert "Idempotent-Replayed" not in second
    body = second.json()
    assert body["type"] == "urn:ordstyrer:problem:idempotency-key-reused"
    assert body["detail_nb"] == "Denne Idempotency-Key er brukt på en annen forespørsel siste døgn."
    assert queued == 0
    assert Reply.objects.filter(item=first_item).count() == 1
    assert not Reply.objects.filter(item=second_item).exists()


def test_a_short_path_still_replays_and_another_short_path_does_not(world, api, commit):
    item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    key = {"Idempotency-Key": "svar-kort-sti"}
    first, _queued = commit(api.post, f"{BASE}{item.pk}/replies", {"text": REPLY}, headers=key)
    assert first.status_code == 201
    again, _queued = commit(api.post, f"{BASE}{item.pk}/replies", {"text": REPLY}, headers=key)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    # The same item under a path of another spelling is another request, as before.
    zeroed, _queued = commit(api.post, f"{BASE}0{item.pk}/replies", {"text": REPLY}, headers=key)
    assert zeroed.status_code == 422
    assert Reply.objects.filter(item=item).count() == 1
