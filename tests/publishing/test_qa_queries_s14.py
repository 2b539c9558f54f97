"""Publishing at scale after the QA pass of December 2026 (s14): the console's post list
(and the approval queue it counts), the approval page and the publishing calendar read
the same number of queries for 8 posts as for 40 — for an editor, communications and a
unit leader — with the same posts and the same PU-10 count; and the text a platform is
sent has one definition (`rules.sent_text`, `rules.caption`), which the length check
measures (`rules.measured_text`)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ordstyrer.connectors.base import ConnectorError, Draft, ErrorCode, Media
from ordstyrer.core.permissions import actor_for
from ordstyrer.publishing import access, delivery, rules, selectors
from ordstyrer.publishing.media import media_update, media_upload
from ordstyrer.publishing.models import ChannelPublishing, Post, PostStatus
from ordstyrer.publishing.services import check_draft, post_create, post_publish
from ordstyrer.worktime import OSLO
from tests.publishing.conftest import make_channel, make_world, png

pytestmark = pytest.mark.django_db

TEXT = "Biblioteket holder åpent til klokken åtte i kveld. Velkommen innom!"


def _wednesday() -> datetime:
    """Wednesday 09:00 of a week at least a week ahead (scheduled posts stay scheduled)."""
    day = timezone.localdate() + timedelta(days=8)
    day += timedelta(days=(2 - day.weekday()) % 7)
    return datetime.combine(day, time(9), tzinfo=OSLO)


class Scale:
    """Midt-Telemark (PU-10: two a working day on the main page) with the editor on the
    main page and the unit page, and a culture page the editor is not on."""

    def __init__(self) -> None:
        self.w = make_world("skala", preset="midt-telemark")
        ChannelPublishing.objects.create(channel=self.w.page, is_main_page=True)
        self.culture = make_channel(self.w.p, name="Kulturhuset")
        self.at = _wednesday()
        self.rounds = 0
        self.main_planned = 0

    def _sent(self, actor, channels, at) -> Post:
        post = post_create(
            actor=actor,
            municipality=self.w.municipality,
            channel_ids=channels,
            text=TEXT,
            publish_at=at,
        )
        return post_publish(actor=actor, post_id=post.pk, override_reason="Viktig for alle.")

    def add(self, rounds: int) -> None:
        """Four posts a round, planned on the week's Wednesday: the editor's own on the
        main page (scheduled), the editor's on the unit page (waiting for the unit leader
        or communications), communications' on the culture page (scheduled) and
        communications' draft on the main page (not planned: PU-10 does not count it)."""
        w, kom = self.w, self.w.p.communications
        for _ in range(rounds):
            at = self.at + timedelta(minutes=10 * self.rounds)
            mine = self._sent(w.editor, [w.page.pk], at)
            assert mine.status == PostStatus.SCHEDULED
            waiting = self._sent(w.editor, [w.school.pk], at)
            assert waiting.status == PostStatus.AWAITING_APPROVAL
            self._sent(kom, [self.culture.pk], at)
            post_create(
                actor=kom,
                municipality=w.municipality,
                channel_ids=[w.page.pk],
                text=TEXT,
                publish_at=at,
            )
            self.rounds += 1
            self.main_planned += 1

    def publishers(self):
        """Who opens the console's publishing pages (CH-3: they publish on a channel)."""
        return {"editor": self.w.editor, "communications": self.w.p.communications}

    def url(self, name: str) -> str:
        return reverse(f"publishing:{name}", args=[self.w.municipality.slug])


@pytest.fixture
def scale(db) -> Scale:
    return Scale()


def _get(user, path: str) -> tuple[int, object]:
    client = Client()
    client.force_login(user)
    client.get(path)  # the session and the caches warm
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    return len(queries.captured_queries), response


def _selected(scale: Scale, user) -> tuple[int, list[Post]]:
    """`selectors.posts_list` as the console calls it (with the request's `Actor`)."""
    actor = actor_for(user, scale.w.municipality)
    with CaptureQueriesContext(connection) as queries:
        posts = selectors.posts_list(municipality=scale.w.municipality, user=actor)
    return len(queries.captured_queries), posts


def _seen_by_rule(scale: Scale, user) -> set[int]:
    """What `access.may_view` (the one rule, asked post by post) lets `user` see."""
    posts = Post.objects.filter(municipality=scale.w.municipality)
    return {p.pk for p in posts if access.may_view(user, p)}


def test_the_console_list_reads_as_many_queries_for_40_posts_as_for_8(scale):
    """QA s14: 312 queries for an editor with 300 posts (one `publishing_postchannel`
    SELECT a post); communications 7."""
    scale.add(2)
    before = {name: _get(u, scale.url("index"))[0] for name, u in scale.publishers().items()}
    leader = scale.w.p.unit_leader  # no channel of their own: the list, not the page
    leader_before = _selected(scale, leader)[0]
    scale.add(8)
    count, posts = _selected(scale, leader)
    assert count == leader_before and {p.pk for p in posts} == _seen_by_rule(scale, leader)
    for name, user in scale.publishers().items():
        count, response = _get(user, scale.url("index"))
        assert count == before[name], (name, before[name], count)
        shown = {p.pk for p in response.context["posts"]}
        assert shown == _seen_by_rule(scale, user), name
    w = scale.w
    posts = Post.objects.filter(municipality=w.municipality)
    mine = {p.pk for p in posts if p.author_id == w.editor.pk}
    drafts = {p.pk for p in posts.filter(status=PostStatus.DRAFT)}
    culture = {p.pk for p in posts.filter(deliveries__channel=scale.culture)}
    assert len(mine) == 20 and len(drafts) == 10 and len(culture) == 10
    # The editor: their own posts and the drafts on their main page, not the culture page.
    assert _seen_by_rule(scale, w.editor) == mine | drafts
    # The unit leader: what waits on their unit's page (they approve it), nothing else.
    assert _seen_by_rule(scale, w.p.unit_leader) == {
        p.pk for p in posts.filter(status=PostStatus.AWAITING_APPROVAL)
    }
    assert _seen_by_rule(scale, w.p.communications) == {p.pk for p in posts}


def test_the_approval_queue_reads_as_many_queries_for_40_posts_as_for_8(scale):
    scale.add(2)
    people = {"communications": scale.w.p.communications, "unit_leader": scale.w.p.unit_leader}
    before = {name: _get(u, scale.url("approvals"))[0] for name, u in people.items()}
    scale.add(8)
    waiting = set(
        Post.objects.filter(
            municipality=scale.w.municipality, status=PostStatus.AWAITING_APPROVAL
        ).values_list("pk", flat=True)
    )
    assert len(waiting) == 10
    for name, user in people.items():
        count, response = _get(user, scale.url("approvals"))
        assert count == before[name], (name, before[name], count)
        assert {p.pk for p in response.context["posts"]} == waiting, name
    # Four eyes: the author never finds their own post in a queue.
    queue = selectors.posts_awaiting_approval(
        municipality=scale.w.municipality, user=scale.w.editor
    )
    assert queue == []


def test_the_calendar_reads_as_many_queries_for_40_posts_as_for_8(scale):
    """QA s14: every delivery the municipality ever made was read, and one query ran per
    entry (the main page's settings, and as an editor the post's municipality)."""
    path = f"{scale.url('calendar')}?uke={scale.at.date().isoformat()}"
    scale.add(2)
    before = {name: _get(u, path)[0] for name, u in scale.publishers().items()}
    scale.add(8)
    w = scale.w
    for name, user in scale.publishers().items():
        count, response = _get(user, path)
        assert count == before[name], (name, before[name], count)
        week = response.context["week"]
        # Every planned post on the main page counts, whoever reads (PU-10).
        assert week.main_count == scale.main_planned == 10
        shown = {post.pk for day in week.days for post, _row, _at in day.entries}
        planned = {
            p.pk
            for p in Post.objects.filter(municipality=w.municipality).exclude(
                status=PostStatus.DRAFT
            )
        }
        assert shown == _seen_by_rule(scale, user) & planned, name
    editor_week = selectors.calendar_week(
        municipality=w.municipality, user=w.editor, day=scale.at.date()
    )
    assert [c.name for c in editor_week.channels] == ["Kommunen", "Skolesiden"]
    assert len(editor_week.days[2].entries) == 20


def test_the_calendar_reads_only_its_week_and_counts_as_pu10_does(scale):
    scale.add(2)
    w = scale.w
    # Published last week and planned next week: in neither count of this week.
    scale._sent(w.editor, [w.page.pk], scale.at + timedelta(days=7))
    old = scale._sent(w.editor, [w.page.pk], scale.at + timedelta(days=14))
    Post.objects.filter(pk=old.pk).update(
        status=PostStatus.PUBLISHED, publish_at=None, published_at=scale.at - timedelta(days=7)
    )
    old.deliveries.update(status="published", published_at=scale.at - timedelta(days=7))
    week = selectors.calendar_week(municipality=w.municipality, user=w.editor, day=scale.at.date())
    assert week.main_count == 2
    assert sum(len(d.entries) for d in week.days) == 4
    last = selectors.calendar_week(
        municipality=w.municipality, user=w.editor, day=(scale.at - timedelta(days=7)).date()
    )
    assert last.main_count == 1 and [e[0].pk for d in last.days for e in d.entries] == [old.pk]
    following = selectors.calendar_week(
        municipality=w.municipality, user=w.editor, day=(scale.at + timedelta(days=7)).date()
    )
    assert following.main_count == 1
    # The check counts the same posts on the Wednesday: two planned, this is «nr. 3».
    findings = check_draft(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk],
        text=TEXT,
        publish_at=scale.at + timedelta(hours=5),
    )
    cap = [f["message_nb"] for f in findings if f["rule"] == "PU-10"]
    assert cap == ["Dette blir innlegg nr. 3 i dag på hovedsiden; taket er 2 per virkedag."]


# --------------------------------------------------------------------------- one caption

LINKS = ["https://indrefosen.kommune.no/bibliotek", "https://indrefosen.kommune.no/apningstider"]


def _post_with_image(w, channel) -> Post:
    asset = media_upload(
        actor=w.editor,
        municipality=w.municipality,
        filename="bibliotek.png",
        content=png(5),
        alt_text="Biblioteket i Rissa",
    )
    media_update(actor=w.editor, asset_id=asset.pk, people="none", photographer="Kari")
    media_update(actor=w.editor, asset_id=asset.pk, photographer_permission=True)
    return post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[channel.pk],
        text=TEXT,
        links=LINKS,
        media_ids=[asset.pk],
    )


def test_delivery_sends_the_text_rules_define(world, monkeypatch):
    """`rules.sent_text` and `rules.caption` are the one definition of what a platform
    gets: change them, and what delivery sends changes with what the check measures."""
    w = world
    instagram = make_channel(w.p, name="Pubby på Instagram", kind="instagram", editor=w.editor)
    post = _post_with_image(w, instagram)
    draft = delivery.build_draft(post, instagram)
    # Instagram has no link field: the caption carries the link, as measured.
    assert draft.text == rules.measured_text("instagram", TEXT, LINKS)
    assert draft.link is None and draft.text.endswith(LINKS[0]) and LINKS[1] in draft.text
    facebook = delivery.build_draft(post, w.page)
    assert (facebook.text, facebook.link) == rules.sent_text(TEXT, LINKS)
    assert facebook.text == rules.measured_text("simulated", TEXT, LINKS)

    monkeypatch.setattr(rules, "sent_text", lambda text, links: (f"[{text}]", links[0]))
    monkeypatch.setattr(rules, "caption", lambda text, link: f"{text} <{link}>")
    assert delivery.build_draft(post, w.page).text == f"[{TEXT}]"
    sent = delivery.build_draft(post, instagram).text
    assert sent == f"[{TEXT}] <{LINKS[0]}>" == rules.measured_text("instagram", TEXT, LINKS)


def test_the_instagram_connector_sends_the_caption_it_is_given(connected):
    """The caption is built once, by the caller (`delivery.build_draft`): the connector
    sends `Draft.text` as it is, and refuses a link it has no field for rather than
    formatting its own caption (or losing the link)."""
    from ordstyrer.inbox.platform import channel_connector

    c = connected
    image = Media(kind="image", url="https://ordstyrer.example.no/fil/x/", alt_text="Alt")
    caption = rules.caption("Biblioteket er åpent.", LINKS[0])
    with channel_connector(c.instagram) as connector:
        connector.publish(Draft(text=caption, media=(image,)))
        with pytest.raises(ConnectorError) as refused:
            connector.publish(Draft(text="Biblioteket.", link=LINKS[0], media=(image,)))
    assert refused.value.code == ErrorCode.BAD_REQUEST and refused.value.permanent
    sent = {o.caption for o in c.fake.store.objects.values() if hasattr(o, "media_type")}
    assert sent == {caption}  # the container and the media published from it
