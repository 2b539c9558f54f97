"""QA round: CH-9 closures switch off comments on posts that were not switched off, and
put back only what they switched off; CH-1 unit leader steps of channels without a unit."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from ordstyrer.channels import services
from ordstyrer.channels.models import ChannelEvent, Closure, ClosureHiddenComment, CommentMode
from ordstyrer.channels.selectors import channels_awaiting_decision, eligible_approvers
from ordstyrer.connectors.base import Capability, Comment, ConnectorError, Listing, Post
from ordstyrer.core.errors import NotPermitted
from ordstyrer.tenants.models import Role
from tests.channels.conftest import active_channel, propose
from tests.factories import UnitFactory, person_with_roles

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 6, 29, 8, 0, tzinfo=UTC)
END = MONDAY + timedelta(days=3)


class Platform:
    """Posts with a comment switch, comments that name their post, and hiding."""

    capabilities = frozenset(
        {Capability.COMMENT_SOURCE, Capability.COMMENT_SWITCH, Capability.MODERATOR}
    )

    def __init__(self, posts=3):
        self.enabled = {f"post-{i}": True for i in range(posts)}
        self.comments: dict[str, str] = {}
        self.hidden: list[str] = []

    def list_posts(self, *, since=None, cursor=None, limit=25):
        return Listing(
            tuple(
                Post(id=i, text="", created_at=None, comments_enabled=on)
                for i, on in sorted(self.enabled.items())
            )
        )

    def get_post(self, post_id):
        if post_id not in self.enabled:
            raise ConnectorError("borte", permanent=True, code="not_found")
        return Post(id=post_id, text="", created_at=None, comments_enabled=self.enabled[post_id])

    def list_comments(self, post_id, *, since=None, cursor=None, limit=50):
        return Listing(())

    def get_comment(self, comment_id):
        return Comment(
            id=comment_id,
            post_id=self.comments[comment_id],
            author=None,
            text="",
            created_at=None,
        )

    def set_comments_enabled(self, post_id, enabled):
        self.enabled[post_id] = enabled
        return True

    def hide_comment(self, comment_id):
        self.hidden.append(comment_id)
        return True

    def unhide_comment(self, comment_id):
        return True

    def delete_comment(self, comment_id):
        return True


@pytest.fixture
def platform(settings):
    connector = Platform()
    settings.ORDSTYRER_CONNECTORS = {
        **settings.ORDSTYRER_CONNECTORS,
        "OPENER": lambda channel: nullcontext(connector),
    }
    return connector


def closed_channel(p, django_capture_on_commit_callbacks):
    channel = active_channel(p)
    with django_capture_on_commit_callbacks(execute=True):
        closure = services.closure_schedule(
            actor=p.employee, channel=channel, reason="Ferie", starts_at=MONDAY, ends_at=END
        )
    closure.refresh_from_db()
    assert closure.comment_mode == CommentMode.SWITCHED_OFF
    return channel, closure


# --- CH-9: ending a closure puts back only what it switched off ------------------------------


def test_a_post_switched_off_on_purpose_stays_off_after_the_closure(
    personas, platform, django_capture_on_commit_callbacks
):
    platform.enabled["post-1"] = False  # switched off on purpose before the closure
    with time_machine.travel(MONDAY, tick=False):
        channel, closure = closed_channel(personas, django_capture_on_commit_callbacks)
        assert sorted(closure.switched_post_ids) == ["post-0", "post-2"]
        assert not any(platform.enabled.values())
        with django_capture_on_commit_callbacks(execute=True):
            services.closure_end(actor=personas.employee, closure=closure)
    assert platform.enabled == {"post-0": True, "post-1": False, "post-2": True}


# --- CH-9: commenting is impossible during the closure ------------------------------------


def test_a_comment_on_a_post_not_switched_off_switches_it_off_and_is_hidden(
    personas, platform, django_capture_on_commit_callbacks
):
    with time_machine.travel(MONDAY, tick=False):
        channel, closure = closed_channel(personas, django_capture_on_commit_callbacks)
        # The closure notice, published after the closure began: comments are open.
        platform.enabled["sim-post-199"] = True
        platform.comments["c-1"] = "sim-post-199"
        with django_capture_on_commit_callbacks(execute=True):
            hide = services.closure_comment_arrived(
                channel_id=channel.pk, comment_id="c-1", now=MONDAY + timedelta(hours=1)
            )
        assert hide is True
        assert platform.enabled["sim-post-199"] is False
        assert platform.hidden == ["c-1"]
        closure.refresh_from_db()
        assert "sim-post-199" in closure.switched_post_ids
        (listed,) = ClosureHiddenComment.objects.filter(closure=closure)
        assert (listed.comment_id, listed.hidden) == ("c-1", True)
        with django_capture_on_commit_callbacks(execute=True):
            services.closure_end(actor=personas.employee, closure=closure)
    assert all(platform.enabled.values())  # the end opens it like the others


def test_a_post_published_during_the_closure_gets_comments_switched_off(
    personas, platform, django_capture_on_commit_callbacks
):
    with time_machine.travel(MONDAY, tick=False):
        channel, closure = closed_channel(personas, django_capture_on_commit_callbacks)
        platform.enabled["notice"] = True
        with django_capture_on_commit_callbacks(execute=True):
            assert services.closure_post_published(channel_id=channel.pk, post_id="notice")
        assert platform.enabled["notice"] is False
        closure.refresh_from_db()
        assert "notice" in closure.switched_post_ids
        assert services.comments_closed(channel_id=channel.pk)
        with django_capture_on_commit_callbacks(execute=True):
            services.closure_end(actor=personas.employee, closure=closure)
        assert platform.enabled["notice"] is True
        assert not services.closure_post_published(channel_id=channel.pk, post_id="later")
        assert not services.comments_closed(channel_id=channel.pk)


def test_a_switch_after_the_closure_ended_is_undone(
    personas, platform, django_capture_on_commit_callbacks
):
    from ordstyrer.channels.closures import closure_post_switch_off

    with time_machine.travel(MONDAY, tick=False):
        channel, closure = closed_channel(personas, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            services.closure_end(actor=personas.employee, closure=closure)
        platform.enabled["late"] = True
        # A task queued during the closure runs after its end: nothing stays off.
        Closure.objects.filter(pk=closure.pk).update(state="in_effect")
        original = platform.set_comments_enabled

        def end_meanwhile(post_id, enabled):
            Closure.objects.filter(pk=closure.pk).update(state="ended")
            return original(post_id, enabled)

        platform.set_comments_enabled = end_meanwhile
        assert closure_post_switch_off(closure_id=closure.pk, post_id="late") is False
    assert platform.enabled["late"] is True


# --- CH-1: the unit leader step of a channel without a unit -------------------------------


def test_a_leader_of_another_unit_is_not_the_leader_of_a_channel_without_a_unit(personas):
    p = personas  # indre-fosen: [unit_leader, communications]
    school = UnitFactory(municipality=p.municipality, name="Rissa skole")
    school_leader = person_with_roles(p.municipality, username="enhetsleder")
    school_leader.role_assignments.create(
        municipality=p.municipality, role=Role.UNIT_LEADER, unit=school
    )
    channel = propose(p, actor=school_leader, unit=None, main_admin=school_leader)
    services.channel_submit(actor=school_leader, channel=channel)
    channel.refresh_from_db()
    # Not recorded as the unit leader's assessment: the step still waits.
    assert (channel.status, channel.current_approver_role) == ("submitted", "unit_leader")
    assert not ChannelEvent.objects.filter(channel=channel, action="approve").exists()
    other = propose(p, name="Kommunens side", unit=None)
    services.channel_submit(actor=p.employee, channel=other)
    with pytest.raises(NotPermitted):
        services.channel_approve(actor=school_leader, channel=other)
    assert other not in channels_awaiting_decision(user=school_leader, municipality=p.municipality)
    deciders = set(eligible_approvers(channel=other, chain_role="unit_leader"))
    # A leader without a unit (leads across units), or communications standing in.
    assert deciders == {p.unit_leader, p.communications}
    assert other in channels_awaiting_decision(user=p.communications, municipality=p.municipality)
    services.channel_approve(actor=p.communications, channel=other)
    other.refresh_from_db()
    assert (other.status, other.current_approver_role) == ("in_review", "communications")


def test_a_unit_s_channel_keeps_its_own_leader(personas):
    p = personas
    school = UnitFactory(municipality=p.municipality, name="Rissa skole")
    school_leader = person_with_roles(p.municipality, username="enhetsleder")
    school_leader.role_assignments.create(
        municipality=p.municipality, role=Role.UNIT_LEADER, unit=school
    )
    channel = propose(p, actor=school_leader, unit=school, main_admin=school_leader)
    services.channel_submit(actor=school_leader, channel=channel)
    channel.refresh_from_db()
    assert (channel.status, channel.current_approver_role) == ("in_review", "communications")
    assert p.communications not in eligible_approvers(
        channel=propose(p, name="Skolen 2", unit=school), chain_role="unit_leader"
    )
