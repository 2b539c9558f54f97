"""Publishing after the QA pass of December 2026 (s14): four eyes also against whoever
submitted or changed the text (CH-4), PU-10's count without drafts and rejected posts
(the check and the calendar agree), Instagram's caption measured as it is sent, and
the Nynorsk and English consoles (findings, channel picker, times in sentences)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise

from ordstyrer.core.errors import NotPermitted
from ordstyrer.formats import norwegian_datetime
from ordstyrer.publishing import delivery, rules, selectors, services
from ordstyrer.publishing.media import media_update, media_upload
from ordstyrer.publishing.models import ChannelPublishing, PostStatus
from ordstyrer.publishing.services import check_draft, post_create, post_publish
from ordstyrer.worktime import OSLO
from ordstyrer_fakegraph.store import PostRec
from tests.api.conftest import ApiClient, token_for
from tests.publishing.conftest import jpeg, make_world

pytestmark = pytest.mark.django_db

TEXT = (
    "Biblioteket har nye åpningstider fra mandag. Vi holder åpent til klokken åtte hver kveld. "
    "Les mer på https://indrefosen.kommune.no/bibliotek"
)
REWRITTEN = (
    "Biblioteket stenger for godt fra mandag. Bøkene flyttes til skolen. "
    "Les mer på https://indrefosen.kommune.no/bibliotek"
)


def url(w, name, *args):
    return reverse(f"publishing:{name}", args=[w.municipality.slug, *args])


def _waiting(w, text=TEXT, **kw):
    """The editor's post on the unit page, waiting for the unit leader or communications."""
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.school.pk], text=text, **kw
    )
    post = post_publish(actor=w.editor, post_id=post.pk)
    assert post.status == PostStatus.AWAITING_APPROVAL
    return post


def _taken_over(w):
    """Communications withdraws the editor's waiting post, rewrites it and sends it
    again: the text now waiting is communications' own (QA 2026-12, CH-4)."""
    post = _waiting(w)
    kom = w.p.communications
    services.post_withdraw(actor=kom, post_id=post.pk)
    services.post_update(actor=kom, post_id=post.pk, text=REWRITTEN)
    post = post_publish(actor=kom, post_id=post.pk)
    assert post.status == PostStatus.AWAITING_APPROVAL and post.approval_round == 2
    return post


# --------------------------------------------------------------------------- four eyes


def test_who_rewrote_and_sent_a_post_again_cannot_approve_it(world, client):
    w = world
    post = _taken_over(w)
    kom = w.p.communications
    with pytest.raises(NotPermitted):
        services.post_approve(actor=kom, post_id=post.pk)
    assert post not in selectors.posts_awaiting_approval(municipality=w.municipality, user=kom)
    # The console: no approve button, the confirmation refused, a forged form refused.
    client.force_login(kom)
    decide = url(w, "decide", post.pk)
    assert f"{decide}?action=approve" not in client.get(url(w, "detail", post.pk)).content.decode()
    assert client.get(f"{decide}?action=approve").status_code == 403
    client.post(decide, {"action": "approve", "round": "2", "confirm": "yes"})
    post.refresh_from_db()
    assert post.status == PostStatus.AWAITING_APPROVAL and post.approved_by is None
    # Another person the chain names approves it.
    client.force_login(w.p.unit_leader)
    assert client.get(f"{decide}?action=approve").status_code == 200
    post = services.post_approve(actor=w.p.unit_leader, post_id=post.pk)
    assert post.approved_by == w.p.unit_leader
    # An outsider learns nothing.
    client.force_login(w.p.outsider)
    assert client.get(decide + "?action=approve").status_code == 404


def test_who_changed_the_text_cannot_approve_what_the_author_sent_again(world):
    """Communications changes a rejected post; the author sends it again unchanged."""
    w = world
    post = _waiting(w)
    services.post_reject(actor=w.p.unit_leader, post_id=post.pk, reason="Skriv det enklere.")
    kom = w.p.communications
    services.post_update(actor=kom, post_id=post.pk, text=REWRITTEN)
    post = post_publish(actor=w.editor, post_id=post.pk)
    assert post.submitted_by == w.editor
    with pytest.raises(NotPermitted):
        services.post_approve(actor=kom, post_id=post.pk)
    # The unit leader, who only sent it back, approves the new round.
    post = services.post_approve(actor=w.p.unit_leader, post_id=post.pk)
    assert post.status in (PostStatus.PUBLISHING, PostStatus.PUBLISHED)


def test_an_approver_who_only_sent_it_back_approves_the_next_round(world):
    w = world
    post = _waiting(w)
    services.post_reject(actor=w.p.communications, post_id=post.pk, reason="Legg til lenke.")
    services.post_update(actor=w.editor, post_id=post.pk, text=TEXT + " Velkommen!")
    post = post_publish(actor=w.editor, post_id=post.pk)
    post = services.post_approve(actor=w.p.communications, post_id=post.pk)
    assert post.approved_by == w.p.communications


def test_without_four_eyes_the_rewriter_may_approve(world):
    """Four eyes is the channel's setting: off, the chain's approver decides alone."""
    w = world
    ChannelPublishing.objects.filter(channel=w.school).update(four_eyes=False)
    post = _waiting(w)
    kom = w.p.communications
    services.post_withdraw(actor=kom, post_id=post.pk)
    services.post_update(actor=kom, post_id=post.pk, text=REWRITTEN)
    post = post_publish(actor=kom, post_id=post.pk)  # communications approves itself
    assert post.status in (PostStatus.PUBLISHING, PostStatus.PUBLISHED)
    assert post.approved_by == kom


def test_the_api_refuses_the_rewriter_too(db):
    w = make_world("apifire")
    post = _taken_over(w)
    path = f"/api/v1/m/{w.municipality.slug}/posts/{post.pk}/approve"
    seen = {"approval_round": post.approval_round}  # the round read (CH-4)
    refused = ApiClient(token_for(w.p.communications, w.municipality)).post(path, seen)
    assert refused.status_code == 403
    post.refresh_from_db()
    assert post.status == PostStatus.AWAITING_APPROVAL
    done = ApiClient(token_for(w.p.unit_leader, w.municipality)).post(path, seen)
    assert done.status_code == 200 and done.json()["status"] != "awaiting_approval"


# --------------------------------------------------------------------------- PU-10


def _next_wednesday() -> datetime:
    today = timezone.localdate() + timedelta(days=7)
    day = today + timedelta(days=(2 - today.weekday()) % 7)
    return datetime.combine(day, time(10), tzinfo=OSLO)


def test_pu10_counts_neither_drafts_nor_withdrawn_nor_rejected_posts(db):
    """Midt-Telemark's cap (two a working day on the main page): six posts on one day
    of which two are planned; the third is «nr. 3», as the calendar counts."""
    w = make_world("mtele", preset="midt-telemark")
    ChannelPublishing.objects.create(channel=w.page, is_main_page=True, approval="communications")
    at = _next_wednesday()
    kom = w.p.communications

    def sent(hour: int):
        post = post_create(
            actor=w.editor,
            municipality=w.municipality,
            channel_ids=[w.page.pk],
            text=TEXT,
            publish_at=at + timedelta(hours=hour),
        )
        return post_publish(actor=w.editor, post_id=post.pk, override_reason="Viktig for alle.")

    for hour in (0, 1):
        services.post_approve(actor=kom, post_id=sent(hour).pk)
    services.post_reject(actor=kom, post_id=sent(2).pk, reason="Ikke nå.")
    services.post_withdraw(actor=w.editor, post_id=sent(3).pk)
    for hour in (4, 5):
        post_create(
            actor=w.editor,
            municipality=w.municipality,
            channel_ids=[w.page.pk],
            text=TEXT,
            publish_at=at + timedelta(hours=hour),
        )
    week = selectors.calendar_week(municipality=w.municipality, user=w.editor, day=at.date())
    assert week.main_count == 2
    findings = check_draft(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk],
        text=TEXT,
        publish_at=at + timedelta(hours=6),
    )
    cap = [f["message_nb"] for f in findings if f["rule"] == "PU-10"]
    assert cap == ["Dette blir innlegg nr. 3 i dag på hovedsiden; taket er 2 per virkedag."]
    # A waiting post counts once in the calendar (it is planned), and in the check.
    sent(7)
    week = selectors.calendar_week(municipality=w.municipality, user=w.editor, day=at.date())
    assert week.main_count == 3


# --------------------------------------------------------------------------- Instagram


def test_instagram_measures_the_caption_with_its_links():
    link = "https://indrefosen.kommune.no/bibliotek"
    image = [rules.MediaFacts(kind="image", size=1000, caption_mode="")]

    def over(text, links):
        return [
            f
            for f in rules.channel_findings(
                kind="instagram", name="IG", channel_id=1, text=text, links=links, media=image
            )
            if "tegn" in f["message_nb"]
        ]

    assert over("a" * 2200, []) == []
    [found] = over("a" * 2200, [link])
    assert str(2200 + 2 + len(link)) in found["message_nb"] and found["message_nn"]
    assert over("a" * (2198 - len(link)), [link]) == []
    # A second link goes under the text as well (`delivery.build_draft`).
    assert over("a" * (2198 - len(link)), [link, "https://example.no/x"]) != []
    # Facebook takes the first link beside the text.
    assert (
        rules.channel_findings(
            kind="facebook", name="FB", channel_id=2, text="a" * 63206, links=[link], media=[]
        )
        == []
    )


def test_the_caption_measured_is_the_caption_sent(connected):
    """The check and delivery agree: what the Graph stand-in received is exactly
    `rules.measured_text`, on Instagram and on Facebook."""
    c = connected
    links = [
        "https://indrefosen.kommune.no/bibliotek",
        "https://indrefosen.kommune.no/apningstider",
    ]
    asset = media_upload(
        actor=c.world.editor,
        municipality=c.world.municipality,
        filename="bibliotek.jpg",
        content=jpeg(3),
        alt_text="Biblioteket i Rissa",
    )
    media_update(actor=c.world.editor, asset_id=asset.pk, people="none", photographer="Kari")
    media_update(actor=c.world.editor, asset_id=asset.pk, photographer_permission=True)
    for channel, kind in ((c.instagram, "instagram"), (c.facebook, "facebook")):
        post = post_create(
            actor=c.world.editor,
            municipality=c.world.municipality,
            channel_ids=[channel.pk],
            text=TEXT,
            links=links,
            media_ids=[asset.pk] if kind == "instagram" else [],
        )
        post = post_publish(actor=c.world.editor, post_id=post.pk, override_reason="Test.")
        row = post.deliveries.get()
        assert delivery.delivery_run(post_channel_id=row.pk) == "published"
        expected = rules.measured_text(kind, TEXT, links)
        if kind == "instagram":
            sent = {o.caption for o in c.fake.store.objects.values() if hasattr(o, "media_type")}
            assert sent == {expected} and expected.endswith(links[0])
        else:
            sent = [o.message for o in c.fake.store.objects.values() if isinstance(o, PostRec)]
            assert expected in sent and links[1] in expected


# --------------------------------------------------------------------------- languages


def _in(language: str, user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


PHONE = "Ring Per på 412 34 567 i dag. Se https://indrefosen.kommune.no"


def test_the_nynorsk_console_shows_nynorsk_findings_live_and_stored(world):
    w = world
    client = _in("nn", w.editor)
    live = client.post(url(w, "check"), {"channels": [w.page.pk], "text": PHONE}).content
    assert "er eit telefonnummer" in live.decode() and "er et telefonnummer" not in live.decode()
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.page.pk], text=PHONE
    )
    assert any(f.get("message_nn") for f in post.findings)
    page = client.get(url(w, "detail", post.pk)).content.decode()
    assert "er eit telefonnummer" in page and "er et telefonnummer" not in page
    # The Bokmål console keeps Bokmål.
    page = _in("nb", w.editor).get(url(w, "detail", post.pk)).content.decode()
    assert "er et telefonnummer" in page


def test_channel_limits_are_nynorsk_in_the_nynorsk_console(world):
    w = world
    post = post_create(
        actor=w.editor, municipality=w.municipality, channel_ids=[w.page.pk], text=""
    )
    empty = [f for f in post.findings if f["rule"] == "channel"]
    assert empty and empty[0]["message_nn"] == "Kommunen: innlegget er tomt."


def test_the_channel_picker_lines_are_translatable(world):
    for kind in ("facebook", "instagram", "simulated"):
        assert isinstance(rules.limits_for(kind).nb, Promise)
    page = _in("nb", world.editor).get(url(world, "compose")).content.decode()
    assert "Simulert plattform: oppfører seg som en Facebook-side." in page


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_times_in_the_consequence_follow_the_consoles_date_format(world, language):
    w = world
    at = timezone.now() + timedelta(days=3)
    with translation.override(language):
        shown = date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT")
    if language != "en":
        assert shown == norwegian_datetime(at)
    old = timezone.localtime(at).strftime("%d.%m.%Y kl. %H:%M")
    # The confirmation before publishing (no approval on the main page) …
    draft = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk],
        text=TEXT,
        publish_at=at,
    )
    page = _in(language, w.editor).get(url(w, "confirm", draft.pk)).content.decode()
    assert shown in page and old not in page
    # … and the approver's confirmation.
    post = _waiting(w, publish_at=at)
    page = _in(language, w.p.unit_leader).get(f"{url(w, 'decide', post.pk)}?action=approve")
    assert shown in page.content.decode() and old not in page.content.decode()
