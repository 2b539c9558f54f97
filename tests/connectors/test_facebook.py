"""Facebook Page connector against the Graph stand-in: every capability (spec §1)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ordstyrer.connectors.base import (
    Capability,
    Caption,
    ConnectorError,
    Draft,
    ErrorCode,
    Media,
    iterate_pages,
    supports,
)
from ordstyrer.connectors.facebook.connector import FacebookConnector
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer_fakegraph import FakeGraph
from ordstyrer_fakegraph.store import PageRec, PhotoRec, PostRec, VideoRec

from .conftest import NOW


def _post(fake: FakeGraph, page: PageRec, text: str, minutes_ago: int = 0) -> PostRec:
    post = fake.store.create_post(page, message=text, check_duplicate=False)
    post.created_time = post.updated_time = NOW - timedelta(minutes=minutes_ago)
    return post


def _comment(
    fake: FakeGraph,
    target: str,
    text: str,
    who: tuple[str, str] = ("5550001", "Kari Nordmann"),
    minutes_ago: int = 0,
):
    return fake.store.add_comment(
        target,
        from_id=who[0],
        from_name=who[1],
        message=text,
        created=NOW - timedelta(minutes=minutes_ago),
    )


def test_capabilities_declared_and_implemented(fb: FacebookConnector) -> None:
    assert all(supports(fb, cap) for cap in fb.capabilities)
    assert not supports(fb, Capability.COMMENT_SWITCH)


def test_list_posts_pages_through_published_posts_newest_first(fb, fake, page) -> None:
    for i in range(5):
        _post(fake, page, f"Innlegg {i}", minutes_ago=60 * (5 - i))
    first = fb.list_posts(limit=2)
    assert [p.text for p in first.items] == ["Innlegg 4", "Innlegg 3"]
    assert first.next_cursor is not None and "access_token" not in first.next_cursor
    everything = list(iterate_pages(lambda c: fb.list_posts(cursor=c, limit=2)))
    assert [p.text for p in everything] == [f"Innlegg {i}" for i in (4, 3, 2, 1, 0)]
    assert everything[0].permalink.startswith("https://www.facebook.com/")
    assert ("GET", f"/{page.id}/published_posts") in fake.store.requests


def test_list_posts_since(fb, fake, page) -> None:
    _post(fake, page, "Gammelt", minutes_ago=600)
    _post(fake, page, "Nytt", minutes_ago=5)
    listing = fb.list_posts(since=NOW - timedelta(hours=1))
    assert [p.text for p in listing.items] == ["Nytt"]


def test_list_comments_stream_has_replies_with_parents_in_time_order(fb, fake, page) -> None:
    post = _post(fake, page, "Vannledningsbrudd i Storgata.", minutes_ago=90)
    top = _comment(fake, post.id, "Når er vannet tilbake?", minutes_ago=60)
    reply = _comment(
        fake, top.id, "Lurer på det samme 😩", ("5550002", "Ola Nordmann"), minutes_ago=50
    )
    _comment(fake, post.id, "Takk for info!", ("5550003", "Åse Ødegård"), minutes_ago=40)
    comments = list(iterate_pages(lambda c: fb.list_comments(post.id, cursor=c, limit=2)))
    assert [c.text for c in comments] == [
        "Når er vannet tilbake?",
        "Lurer på det samme 😩",
        "Takk for info!",
    ]
    by_id = {c.id: c for c in comments}
    assert by_id[reply.id].parent_id == top.id
    assert by_id[top.id].parent_id is None
    assert all(c.post_id == post.id for c in comments)
    assert by_id[top.id].author.name == "Kari Nordmann"
    assert comments[2].author.name == "Åse Ødegård"
    assert by_id[top.id].reply_count == 1


def test_list_comments_since_and_empty_page_with_next(fb, fake, page) -> None:
    post = _post(fake, page, "Kommunestyremøte torsdag", minutes_ago=300)
    for i in range(4):
        _comment(fake, post.id, f"Kommentar {i}", minutes_ago=200 - i * 50)
    fake.store.settings.empty_pages = 2  # privacy filtering can empty a page (§1.10)
    pages = []
    cursor = None
    while True:
        listing = fb.list_comments(post.id, cursor=cursor, limit=3)
        pages.append(len(listing.items))
        cursor = listing.next_cursor
        if cursor is None:
            break
    assert 0 in pages and sum(pages) == 4
    recent = fb.list_comments(post.id, since=NOW - timedelta(minutes=100))
    assert [c.text for c in recent.items] == ["Kommentar 2", "Kommentar 3"]


def test_get_comment_and_not_found_after_delete(fb, fake, page) -> None:
    post = _post(fake, page, "Brøyting", minutes_ago=10)
    c = _comment(fake, post.id, "Når kommer brøytebilen til Solbakken?")
    got = fb.get_comment(c.id)
    assert got.text == "Når kommer brøytebilen til Solbakken?"
    assert got.permalink.endswith(f"comment_id={c.id.split('_')[1]}")
    assert fb.delete_comment(c.id) is True
    with pytest.raises(ConnectorError) as info:
        fb.get_comment(c.id)
    assert info.value.code == ErrorCode.NOT_FOUND and info.value.permanent
    assert fb.delete_comment(c.id) is False  # 100/33 on a deleted object = already done


def test_reply_writes_as_the_page(fb, fake, page) -> None:
    post = _post(fake, page, "Vannet er stengt")
    c = _comment(fake, post.id, "Hvor lenge?")
    reply = fb.reply(c.id, "Hei! Vi regner med at vannet er tilbake kl. 15. Hilsen Marit")
    assert reply.is_page_author and reply.parent_id == c.id and reply.post_id == post.id
    assert reply.author.id == page.id
    top = fb.comment(post.id, "Oppdatering: vannet er tilbake.")
    assert top.parent_id is None and top.is_page_author
    with pytest.raises(ConnectorError) as info:
        fb.reply(c.id, "   ")
    assert info.value.code == ErrorCode.BAD_REQUEST


def test_hide_unhide_and_own_comment_cannot_be_hidden(fb, fake, page) -> None:
    post = _post(fake, page, "Skolestart")
    c = _comment(fake, post.id, "Kjøp billige solbriller her www.spam.example")
    assert fb.hide_comment(c.id)
    assert fb.get_comment(c.id).hidden is True
    assert fb.unhide_comment(c.id)
    assert fb.get_comment(c.id).hidden is False
    own = fb.reply(c.id, "Denne er skjult.")
    with pytest.raises(ConnectorError) as info:
        fb.hide_comment(own.id)
    assert info.value.code == ErrorCode.BAD_REQUEST and info.value.permanent


def test_block_unblock_and_role_holder(fb, fake, page) -> None:
    assert fb.block("5550009") is True
    assert fb.is_blocked("5550009") is True
    assert fb.unblock("5550009") is True
    assert fb.is_blocked("5550009") is False
    assert fb.unblock("5550009") is False  # 100/33: already unblocked (§1.7)
    page.roles.add("5550010")
    with pytest.raises(ConnectorError) as info:
        fb.block("5550010")
    assert info.value.code == ErrorCode.PERMISSION and info.value.permanent


def test_blocked_person_cannot_comment(fb, fake, page) -> None:
    post = _post(fake, page, "Kulturskolen")
    fb.block("5550001")
    with pytest.raises(Exception):  # noqa: B017 — the stand-in refuses the comment itself
        _comment(fake, post.id, "Jeg er tilbake")


def test_publish_text_link_and_duplicate(fb, fake, page) -> None:
    post = fb.publish(Draft(text="Biblioteket holder stengt 2. pinsedag."))
    assert post.is_published and post.text.startswith("Biblioteket")
    assert post.permalink
    with pytest.raises(ConnectorError) as info:
        fb.publish(Draft(text="Biblioteket holder stengt 2. pinsedag."))
    assert info.value.code == ErrorCode.DUPLICATE and info.value.permanent
    linked = fb.publish(
        Draft(text="Les mer om budsjettet", link="https://kommune.example/budsjett")
    )
    assert linked.link == "https://kommune.example/budsjett"
    with pytest.raises(ConnectorError) as bad:
        fb.publish(Draft(text="Lenke", link="https://unreachable.invalid/x"))
    assert bad.value.code == ErrorCode.BAD_LINK


def test_publish_photo_by_url_and_upload_with_alt_text(fb, fake, page) -> None:
    post = fb.publish(
        Draft(
            text="Nye benker i parken.",
            media=(
                Media(
                    kind="image",
                    url="https://kommune.example/benk.jpg",
                    alt_text="To grønne benker under et bjørketre",
                ),
            ),
        )
    )
    photos = [o for o in fake.store.objects.values() if isinstance(o, PhotoRec)]
    assert photos[0].alt_text_custom == "To grønne benker under et bjørketre"
    assert post.media and post.media[0].alt_text == "To grønne benker under et bjørketre"
    fb.publish(
        Draft(
            text="Opplastet bilde",
            media=(
                Media(
                    kind="image",
                    content=b"\xff\xd8jpeg",
                    filename="bru.jpg",
                    alt_text="Den nye brua over elva",
                ),
            ),
        )
    )
    uploaded = [
        o
        for o in fake.store.objects.values()
        if isinstance(o, PhotoRec) and o.url.endswith("bru.jpg")
    ]
    assert uploaded and uploaded[0].alt_text_custom == "Den nye brua over elva"
    with pytest.raises(ConnectorError) as info:
        fb.publish(
            Draft(
                text="Uten alt", media=(Media(kind="image", url="https://kommune.example/x.jpg"),)
            )
        )
    assert info.value.code == ErrorCode.BAD_REQUEST and "PU-4" in str(info.value)


def test_publish_several_photos_as_attached_media(fb, fake, page) -> None:
    images = tuple(
        Media(
            kind="image",
            url=f"https://kommune.example/{n}.jpg",
            alt_text=f"Bilde {n} fra 17. mai-toget",
        )
        for n in range(3)
    )
    post = fb.publish(Draft(text="Gratulerer med dagen! 🇳🇴", media=images))
    rec = fake.store.objects[post.id]
    assert isinstance(rec, PostRec) and len(rec.attached_media) == 3
    assert len(post.media) == 3 and post.media[2].alt_text == "Bilde 2 fra 17. mai-toget"


def test_publish_video_with_captions(fb, fake, page) -> None:
    srt = "1\n00:00:00,000 --> 00:00:02,000\nVelkommen til kommunestyret.\n"
    post = fb.publish(
        Draft(
            text="Opptak fra kommunestyret",
            media=(
                Media(
                    kind="video",
                    url="https://kommune.example/ks.mp4",
                    title="Kommunestyret",
                    captions=(Caption("nb_NO", srt), Caption("nn_NO", srt)),
                ),
            ),
        )
    )
    video = next(o for o in fake.store.objects.values() if isinstance(o, VideoRec))
    assert set(video.captions) == {"nb_NO", "nn_NO"}
    assert video.captions["nb_NO"].is_default and "kommunestyret" in video.captions["nb_NO"].content
    assert post.is_published
    with pytest.raises(ConnectorError):
        fb.publish(
            Draft(
                text="to videoer",
                media=(
                    Media(kind="video", url="https://a.example/1.mp4"),
                    Media(kind="video", url="https://a.example/2.mp4"),
                ),
            )
        )


def test_schedule_window_list_publish_and_cancel(fb, fake, page) -> None:
    at = NOW + timedelta(days=2)
    post = fb.schedule(
        Draft(text="Påminnelse: søknadsfrist for barnehageplass er 1. mars."), at, now=NOW
    )
    assert not post.is_published and post.scheduled_at == at
    assert [p.id for p in fb.list_scheduled()] == [post.id]
    for too in (NOW + timedelta(minutes=5), NOW + timedelta(days=31)):
        before = len(fake.store.requests)
        with pytest.raises(ConnectorError) as info:
            fb.schedule(Draft(text="x"), too, now=NOW)
        assert info.value.code == ErrorCode.SCHEDULE_WINDOW
        assert len(fake.store.requests) == before  # refused before any call
    fake.store.clock.advance(timedelta(days=2, minutes=1).total_seconds())
    assert fb.list_scheduled() == []
    assert any(p.id == post.id for p in fb.list_posts().items)
    second = fb.schedule(
        Draft(text="Planlagt og avlyst"), NOW + timedelta(days=5), now=fake.store.now()
    )
    assert fb.cancel_scheduled(second.id) is True
    assert fb.cancel_scheduled(second.id) is False


def test_schedule_photo_post(fb, fake) -> None:
    at = NOW + timedelta(hours=3)
    post = fb.schedule(
        Draft(
            text="Planlagt bilde",
            media=(
                Media(kind="image", url="https://kommune.example/p.jpg", alt_text="Rådhuset i sol"),
            ),
        ),
        at,
        now=NOW,
    )
    assert post.scheduled_at == at


def test_schedule_75_days_when_configured(fake, page, graph_config) -> None:
    fake.store.settings.schedule_max = timedelta(days=75)
    fb75 = FacebookConnector.from_config(
        {
            **graph_config,
            "page_id": page.id,
            "token": SecretToken(page.token),
            "schedule_max_days": 75,
        }
    )
    post = fb75.schedule(Draft(text="Langt fram"), NOW + timedelta(days=70), now=NOW)
    assert post.scheduled_at == NOW + timedelta(days=70)
    fake.store.settings.schedule_max = timedelta(days=30)  # the platform says 30 after all
    with pytest.raises(ConnectorError) as info:
        fb75.schedule(Draft(text="Langt fram igjen"), NOW + timedelta(days=70), now=NOW)
    assert info.value.code == ErrorCode.BAD_REQUEST


def test_insights(fb, fake, page) -> None:
    series = fb.insights(
        ["page_post_engagements", "page_follows"], since=NOW - timedelta(days=3), until=NOW
    )
    assert [s.metric for s in series] == ["page_post_engagements", "page_follows"]
    assert series[0].values and all(isinstance(v.value, float) for v in series[0].values)
    post = _post(fake, page, "Innsikt")
    by_type = fb.insights(["post_reactions_by_type_total"], period="lifetime", object_id=post.id)
    assert isinstance(by_type[0].values[0].value, dict)
    with pytest.raises(ConnectorError) as retired:
        fb.insights(["page_impressions"])  # retired 2025-11-15 (§1.9)
    assert retired.value.code == ErrorCode.BAD_REQUEST
    with pytest.raises(ConnectorError):
        fb.insights(["page_follows"], since=NOW - timedelta(days=120), until=NOW)


def test_appsecret_proof_required(fake, page, graph_config) -> None:
    fake.store.settings.require_proof = True
    fake.store.settings.app_secret = "hemmelig-app-nøkkel"
    without = FacebookConnector.from_config(
        {**graph_config, "page_id": page.id, "token": SecretToken(page.token)}
    )
    with pytest.raises(ConnectorError) as info:
        without.check_access()
    assert info.value.code == ErrorCode.BAD_REQUEST and "appsecret_proof" in str(info.value)
    wrong = FacebookConnector.from_config(
        {**graph_config, "page_id": page.id, "token": SecretToken(page.token), "app_secret": "feil"}
    )
    with pytest.raises(ConnectorError):
        wrong.check_access()
    right = FacebookConnector.from_config(
        {
            **graph_config,
            "page_id": page.id,
            "token": SecretToken(page.token),
            "app_secret": "hemmelig-app-nøkkel",
        }
    )
    assert right.check_access().name == "Eksempel kommune"


def test_expired_token_needs_reauthorisation(fb, fake, page) -> None:
    assert fb.check_access().id == page.id
    fake.store.expire_page_token(page.id, 463)
    with pytest.raises(ConnectorError) as info:
        fb.list_posts()
    err = info.value
    assert err.permanent and err.code == ErrorCode.NEEDS_REAUTH and err.platform_subcode == 463
    assert "utløpt" in str(err)
    assert page.token not in str(err) and page.token not in repr(err)


def test_webhook_subscription_and_instagram_account(fb, page) -> None:
    assert fb.subscribe_webhooks() is True
    assert page.subscribed_fields == ["feed"]
    assert fb.instagram_account_id() == page.ig_user_id


def test_comment_ids_need_moderate(fake, page, graph_config) -> None:
    fake.store.tokens[page.token].tasks = {"ANALYZE", "CREATE_CONTENT"}
    post = _post(fake, page, "Innlegg")
    _comment(fake, post.id, "Hei")
    fb = FacebookConnector.from_config(
        {**graph_config, "page_id": page.id, "token": SecretToken(page.token)}
    )
    with pytest.raises(ConnectorError) as info:
        fb.list_comments(post.id)
    assert info.value.code == ErrorCode.PERMISSION and "MODERATE" in str(info.value)


def test_recorder_sees_every_call(fb, calls, fake, page) -> None:
    fb.list_posts()
    fake.store.expire_page_token(page.id)
    with pytest.raises(ConnectorError):
        fb.hide_comment("1_2")
    assert [(r["outcome"], r["capability"], r["operation"]) for r in calls.records] == [
        ("ok", Capability.COMMENT_SOURCE, "list_posts"),
        ("error", Capability.MODERATOR, "hide_comment"),
    ]
    assert calls.records[1]["error"].code == ErrorCode.NEEDS_REAUTH
    assert all(r["duration"] >= 0 for r in calls.records)
