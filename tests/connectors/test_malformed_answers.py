"""Graph answers that are not what the API documents, from the stand-in's malformed
mode (`FakeGraph.malform`, `POST /_fake/malformed`): each becomes one clear
`ConnectorError(code="bad_answer")` at the connector edge — never an id "None" sent on
to the next call. A malformed answer to a write is permanent (the write may have
happened: retrying could post twice); to a read it is transient."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from ordstyrer.connectors.base import ConnectorError, Draft, ErrorCode, Media
from ordstyrer.connectors.facebook.onboarding import list_pages
from ordstyrer.connectors.secrets import SecretToken
from tests.connectors.conftest import NOW


def _bad_answer(call, *args, **kwargs) -> ConnectorError:
    with pytest.raises(ConnectorError) as info:
        call(*args, **kwargs)
    assert info.value.code == ErrorCode.BAD_ANSWER
    return info.value


def _asked_for_none(fake) -> bool:
    return any("None" in path for _method, path in fake.store.requests)


def test_a_published_post_without_an_id_is_a_permanent_error_not_post_none(fb, fake, page):
    fake.malform(path=f"/{page.id}/feed", method="POST", values={"id": None})
    error = _bad_answer(fb.publish, Draft(text="Vannverket stenger i natt."))
    assert error.permanent and "Uventet svar fra Facebook (innlegg)" in error.message
    assert not _asked_for_none(fake)
    # The write happened on the platform: that is why it must not be retried.
    assert any(
        getattr(p, "message", None) == "Vannverket stenger i natt."
        for p in fake.store.objects.values()
    )


def test_an_instagram_reply_answer_without_an_id_is_refused(ig, fake, page):
    media = fake.store.add_ig_media(
        page.ig_user_id,
        caption="Kulturskolen",
        media_url="https://cdn.example/a.jpg",
        alt_text="Alt",
    )
    top = fake.store.add_ig_comment(
        media.id, from_id="178001", username="kari_n", text="Når åpner dere?", created=NOW
    )
    fake.malform(path="/replies", method="POST", drop=("id",))
    error = _bad_answer(ig.reply, top.id, "Klokka ni.")
    assert error.permanent and "Instagram" in error.message
    assert not _asked_for_none(fake)


def test_a_private_reply_answer_without_a_message_id(fb, fake, page):
    post = fake.store.create_post(page, message="Skolestart", check_duplicate=False)
    c = fake.store.add_comment(
        post.id, from_id="5550001", from_name="Kari Nordmann", message="x", created=NOW
    )
    fake.malform(path="/messages", method="POST", body={"recipient_id": "5550001"})
    assert _bad_answer(fb.private_reply, c.id, "Hei!").permanent


def test_a_numeric_id_is_read_as_its_digits(fb, fake, page):
    post = fake.store.create_post(page, message="Brøyting", check_duplicate=False)
    c = fake.store.add_comment(post.id, from_id="5550001", from_name="K", message="x", created=NOW)
    fake.malform(path="/messages", method="POST", body={"message_id": 4242})
    assert fb.private_reply(c.id, "Hei!") == "4242"


@pytest.mark.parametrize(
    ("answer", "what"),
    [
        ({"data": [{"message": "uten id"}]}, "innlegg"),  # a scheduled post without an id
        ({"data": "ikke en liste"}, "liste"),
        ({"data": [["ikke et objekt"]]}, "liste"),
        ({"paging": {}}, "liste"),  # no data at all
    ],
)
def test_a_malformed_list_page_is_a_transient_error(fb, fake, page, answer, what):
    fake.malform(path="/scheduled_posts", method="GET", body=answer)
    error = _bad_answer(fb.list_scheduled)
    assert not error.permanent and what in error.message


def test_list_scheduled_follows_every_page(fb, fake, page):
    for number in range(101):  # one more than Graph's largest page
        fake.store.create_post(
            page,
            message=f"Planlagt {number}",
            scheduled=NOW + timedelta(days=2),
            check_duplicate=False,
        )
    before = len(fake.store.requests)
    assert len(fb.list_scheduled()) == 101
    pages = [p for _m, p in fake.store.requests[before:] if p.endswith("/scheduled_posts")]
    assert len(pages) == 2


@pytest.mark.parametrize(
    ("call", "path", "answer"),
    [
        ("insights", "/insights", {"data": [{"period": "day", "values": []}]}),  # no name
        ("is_blocked", "/blocked", {"data": [{"name": "uten id"}]}),
        ("check_access", "", {"name": "Eksempel kommune"}),  # no id
        ("instagram_account_id", "", {"instagram_business_account": {"id": None}}),
    ],
)
def test_malformed_facebook_reads(fb, fake, page, call, path, answer):
    fake.malform(path=f"/{page.id}{path}", method="GET", body=answer)
    args = {
        "insights": (["page_follows"],),
        "is_blocked": ("5550001",),
        "check_access": (),
        "instagram_account_id": (),
    }[call]
    assert not _bad_answer(getattr(fb, call), *args).permanent


@pytest.mark.parametrize("answer", [{}, {"success": "kanskje"}])
def test_a_webhook_subscription_answer_without_success(fb, fake, page, answer):
    fake.malform(path="/subscribed_apps", method="POST", body=answer)
    assert _bad_answer(fb.subscribe_webhooks).permanent
    assert fb.subscribe_webhooks() is True  # the next, well-formed answer


def test_malformed_instagram_publishing_answers(ig, fake, page):
    fake.malform(path="/content_publishing_limit", body={"data": "x"})
    draft = Draft(
        text="Sommeråpent",
        media=(Media(kind="image", url="https://cdn.example/sommer.jpg", alt_text="Stranda"),),
    )
    assert not _bad_answer(ig.publish, draft).permanent  # a read: try again later
    fake.malform(path=f"/{page.ig_user_id}/media", method="POST", values={"id": ""})
    assert _bad_answer(ig.publish, draft).permanent
    assert not _asked_for_none(fake)


def test_switching_comments_answers_a_flag(ig, fake, page):
    media = fake.store.add_ig_media(
        page.ig_user_id, caption="Valg", media_url="https://cdn.example/v.jpg", alt_text="Alt"
    )
    fake.malform(path=f"/{media.id}", method="POST", body={"success": None})
    assert _bad_answer(ig.set_comments_enabled, media.id, False).code == ErrorCode.BAD_ANSWER
    assert ig.set_comments_enabled(media.id, False) is True


def test_the_control_endpoint_sets_and_clears_malformed_answers(fb, fake, page):
    with httpx.Client(base_url=fake.base_url) as control:
        answer = control.post(
            "/_fake/malformed", json={"path": f"/{page.id}", "method": "GET", "drop": ["id"]}
        )
        assert answer.json() == {"success": True, "malformations": 1}
        assert control.post("/_fake/malformed", json={"colour": "red"}).status_code == 400
        _bad_answer(fb.check_access)
        control.post("/_fake/malformed", json={"path": f"/{page.id}", "times": -1, "body": []})
        _bad_answer(fb.check_access)
        assert control.delete("/_fake/malformed").json() == {"success": True}
    assert fb.check_access().id == page.id


def test_a_page_list_item_without_an_id_is_not_a_page_called_none(fake, page, session):
    fake.store.add_user_token("EAAsystemuser", {page.id})
    fake.malform(
        path="/me/accounts",
        body={"data": [{"id": None, "name": "Uten id", "access_token": "EAApage"}]},
    )
    with pytest.raises(ConnectorError) as info:
        list_pages(SecretToken("EAAsystemuser"), base_url=fake.base_url, session=session)
    assert info.value.code == ErrorCode.BAD_ANSWER and "sider" in info.value.message
    pages = list_pages(SecretToken("EAAsystemuser"), base_url=fake.base_url, session=session)
    assert [p.id for p in pages] == [page.id]
