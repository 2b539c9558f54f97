"""QA 2026-12 (CH-3, CH-4, four eyes): a unit leader's own post on her unit's page with
«Godkjenning: Enhetsleder» and «Fire øyne» waited for ever — she may not approve it, the
unit has no other leader, and communications had no approve button. Communications now
stands in for the unit leader when no leader is left who may approve the post (as on a
page without a unit); another leader of the unit is still the one asked; and when even
communications is excluded, the confirmation says nobody can approve it yet and the
notification logs a warning instead of returning "nobody" silently."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ordstyrer.channels.models import ChannelMembership, ChannelRole
from ordstyrer.core.errors import NotPermitted
from ordstyrer.core.permissions import actor_for
from ordstyrer.publishing import selectors, services
from ordstyrer.publishing.models import ChannelPublishing, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from ordstyrer.tenants.models import Role, RoleAssignment
from ordstyrer.web.needs import publishing_approvals
from tests.factories import person_with_roles
from tests.publishing.conftest import World, make_channel, make_world

pytestmark = pytest.mark.django_db

TEXT = "Skolen har åpen dag torsdag klokken 17. Velkommen til alle foreldre og elever!"
NOBODY = "ingen kan godkjenne det ennå"


def url(w: World, name: str, *args) -> str:
    return reverse(f"publishing:{name}", args=[w.municipality.slug, *args])


def _leaders_page(w: World):
    """The unit's page with «Godkjenning: Enhetsleder» and four eyes (the default), on
    which the unit leader is an editor (she writes its posts herself)."""
    page = make_channel(w.p, name="Rissa skole", unit=w.unit, editor=w.editor)
    ChannelMembership.objects.create(
        channel=page, user=w.p.unit_leader, role=ChannelRole.EDITOR, granted_at=timezone.now()
    )
    ChannelPublishing.objects.create(channel=page, approval="unit_leader")
    assert ChannelPublishing.objects.get(channel=page).four_eyes
    return page


def _sent(w: World, author, channel, capture):
    post = post_create(
        actor=author, municipality=w.municipality, channel_ids=[channel.pk], text=TEXT
    )
    with capture(execute=True):
        post = post_publish(actor=author, post_id=post.pk, override_reason="Åpen dag.")
    assert post.status == PostStatus.AWAITING_APPROVAL
    return post


def _queue(w: World, user) -> set[int]:
    actor = actor_for(user, w.municipality)
    return {
        p.pk for p in selectors.posts_awaiting_approval(municipality=w.municipality, user=actor)
    }


def _told(mailoutbox) -> set[str]:
    return {to for m in mailoutbox for to in m.to}


def test_communications_stands_in_for_the_only_leader_who_wrote_the_post(
    django_capture_on_commit_callbacks, mailoutbox
):
    w = make_world("standin")
    page = _leaders_page(w)
    leader, kom = w.p.unit_leader, w.p.communications
    client = Client()
    client.force_login(leader)
    post = post_create(actor=leader, municipality=w.municipality, channel_ids=[page.pk], text=TEXT)
    confirm = client.get(url(w, "confirm", post.pk)).content.decode()
    assert "sendes til godkjenning" in confirm and NOBODY not in confirm
    post = _sent(w, leader, page, django_capture_on_commit_callbacks)

    # Communications is told, sees it in the queue and on the start page, and approves.
    assert kom.email in _told(mailoutbox) and leader.email not in _told(mailoutbox)
    assert post.pk in _queue(w, kom) and post.pk not in _queue(w, leader)
    assert publishing_approvals(user=actor_for(kom, w.municipality), municipality=w.municipality)
    # The author never approves her own post; the chief administrator does not stand in.
    for who in (leader, w.p.chief_administrator):
        with pytest.raises(NotPermitted):
            services.post_approve(actor=who, post_id=post.pk)
    client.force_login(leader)
    assert client.get(f"{url(w, 'decide', post.pk)}?action=approve").status_code == 403
    client.force_login(kom)
    assert url(w, "detail", post.pk) in client.get(url(w, "approvals")).content.decode()
    decide = url(w, "decide", post.pk)
    assert client.get(f"{decide}?action=approve").status_code == 200
    client.post(decide, {"action": "approve", "confirm": "yes", "round": post.approval_round})
    post.refresh_from_db()
    assert post.approved_by == kom and post.status != PostStatus.AWAITING_APPROVAL


def test_another_leader_of_the_unit_is_asked_not_communications(
    django_capture_on_commit_callbacks, mailoutbox
):
    w = make_world("standin2")
    page = _leaders_page(w)
    other = person_with_roles(w.municipality, username="standin2-leder2")
    RoleAssignment.objects.create(
        user=other, municipality=w.municipality, role=Role.UNIT_LEADER, unit=w.unit
    )
    leader, kom = w.p.unit_leader, w.p.communications
    post = _sent(w, leader, page, django_capture_on_commit_callbacks)
    assert other.email in _told(mailoutbox)
    assert kom.email not in _told(mailoutbox) and leader.email not in _told(mailoutbox)
    assert post.pk in _queue(w, other) and post.pk not in _queue(w, kom)
    for who in (leader, kom):
        with pytest.raises(NotPermitted):
            services.post_approve(actor=who, post_id=post.pk)
    assert services.post_approve(actor=other, post_id=post.pk).approved_by == other


def test_an_editors_post_still_waits_for_the_unit_leader(
    django_capture_on_commit_callbacks, mailoutbox
):
    w = make_world("standin3")
    page = _leaders_page(w)
    post = _sent(w, w.editor, page, django_capture_on_commit_callbacks)
    assert _told(mailoutbox) == {w.p.unit_leader.email}
    assert post.pk not in _queue(w, w.p.communications)
    with pytest.raises(NotPermitted):
        services.post_approve(actor=w.p.communications, post_id=post.pk)


def test_communications_who_rewrote_the_leaders_post_is_excluded_too(
    django_capture_on_commit_callbacks, mailoutbox
):
    """The stand-in is held to four eyes like everyone: the advisor who changed the
    text does not approve it; another advisor does."""
    w = make_world("standin4")
    page = _leaders_page(w)
    second = person_with_roles(w.municipality, Role.COMMUNICATIONS, username="standin4-kom2")
    kom = w.p.communications
    post = _sent(w, w.p.unit_leader, page, django_capture_on_commit_callbacks)
    services.post_withdraw(actor=kom, post_id=post.pk)
    services.post_update(actor=kom, post_id=post.pk, text=TEXT + " Ta med matpakke.")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post = post_publish(actor=kom, post_id=post.pk, override_reason="Åpen dag.")
    assert post.status == PostStatus.AWAITING_APPROVAL and post.approval_round == 2
    assert _told(mailoutbox) == {second.email}
    with pytest.raises(NotPermitted):
        services.post_approve(actor=kom, post_id=post.pk)
    assert services.post_approve(actor=second, post_id=post.pk).approved_by == second


def test_when_nobody_may_approve_the_confirmation_says_so_and_a_warning_is_logged(
    django_capture_on_commit_callbacks, mailoutbox, caplog
):
    """The only communications advisor writes on a page without a unit that asks for
    the unit leader: communications stands in, and four eyes excludes her."""
    w = make_world("standin5")
    ChannelPublishing.objects.create(channel=w.page, approval="unit_leader")
    kom = w.p.communications
    post = post_create(actor=kom, municipality=w.municipality, channel_ids=[w.page.pk], text=TEXT)
    client = Client()
    client.force_login(kom)
    assert NOBODY in client.get(url(w, "confirm", post.pk)).content.decode()
    with caplog.at_level(logging.WARNING, logger="ordstyrer.publishing"):
        post = _sent(w, kom, w.page, django_capture_on_commit_callbacks)
    assert not mailoutbox
    warned = [r for r in caplog.records if getattr(r, "post_id", None) == post.pk]
    assert warned and warned[0].levelno == logging.WARNING
    assert warned[0].reason == "no_approver" and warned[0].approval == "unit_leader"
