"""Closures (CH-9): notice, comments off, and opening again on time by itself."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from ordstyrer.channels import platform, services
from ordstyrer.channels.closures import (
    _start,
    closure_apply_platform_close,
    closure_notice_text,
)
from ordstyrer.channels.models import (
    ChannelEvent,
    ChannelRole,
    Closure,
    ClosureHiddenComment,
    ClosureState,
    CommentMode,
)
from ordstyrer.connectors.base import (
    Capability,
    ConnectorError,
    Listing,
    Post,
)
from ordstyrer.core.errors import NotFound, NotPermitted, ServiceError
from tests.channels.conftest import active_channel, propose
from tests.factories import person_with_roles

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 6, 29, 8, 0, tzinfo=UTC)
START = MONDAY + timedelta(days=2)
END = START + timedelta(days=14)


class SwitchingPlatform:
    """A platform with posts whose comments can be switched off (like Instagram)."""

    capabilities = frozenset({Capability.COMMENT_SOURCE, Capability.COMMENT_SWITCH})

    def __init__(self, posts=3):
        self.enabled = {f"post-{i}": True for i in range(posts)}

    def list_posts(self, *, since=None, cursor=None, limit=25):
        ids = sorted(self.enabled)
        offset = int(cursor or 0)
        page = ids[offset : offset + 2]
        nxt = str(offset + 2) if offset + 2 < len(ids) else None
        return Listing(tuple(Post(id=i, text="", created_at=None) for i in page), nxt)

    def get_post(self, post_id):
        raise NotImplementedError

    def list_comments(self, post_id, *, since=None, cursor=None, limit=50):
        return Listing(())

    def get_comment(self, comment_id):
        raise NotImplementedError

    def set_comments_enabled(self, post_id, enabled):
        if post_id not in self.enabled:
            raise ConnectorError("borte", permanent=True, code="not_found")
        changed = self.enabled[post_id] != enabled
        self.enabled[post_id] = enabled
        return changed


class HidingPlatform:
    """A platform that cannot switch comments off but can hide them (like a Facebook Page)."""

    capabilities = frozenset({Capability.MODERATOR})

    def __init__(self):
        self.hidden = []

    def hide_comment(self, comment_id):
        self.hidden.append(comment_id)
        return True

    def unhide_comment(self, comment_id):
        return True

    def delete_comment(self, comment_id):
        return True


class BrokenPlatform:
    capabilities = frozenset({Capability.COMMENT_SOURCE, Capability.COMMENT_SWITCH})

    def list_posts(self, **kw):
        raise ConnectorError("Tokenet er utløpt.", permanent=True, code="needs_reauth")

    def set_comments_enabled(self, post_id, enabled):
        raise AssertionError("not reached")

    get_post = list_comments = get_comment = list_posts


@pytest.fixture
def fake_platform(settings):
    holder = {}

    def use(connector):
        holder["c"] = connector
        # The documented override (channels/platform.py): swap the configured opener.
        settings.ORDSTYRER_CONNECTORS = {
            **settings.ORDSTYRER_CONNECTORS,
            "OPENER": lambda channel: nullcontext(holder["c"]),
        }
        return connector

    return use


def reload(obj):
    obj.refresh_from_db()
    return obj


def test_closure_closes_and_reopens_by_itself_on_time(
    personas, fake_platform, django_capture_on_commit_callbacks
):
    p = personas
    connector = fake_platform(SwitchingPlatform(posts=3))
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        closure = services.closure_schedule(
            actor=p.employee, channel=channel, reason="Sommerferie", starts_at=START, ends_at=END
        )
        assert closure.state == ClosureState.SCHEDULED
        assert services.closures_sweep(now=MONDAY) == 0
        assert reload(channel).status == "active"
    with time_machine.travel(START + timedelta(seconds=20), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.closures_sweep(now=START + timedelta(seconds=20)) == 1
        assert reload(channel).status == "closed"
        closure = reload(closure)
        assert closure.state == ClosureState.IN_EFFECT
        assert closure.comment_mode == CommentMode.SWITCHED_OFF
        assert sorted(closure.switched_post_ids) == ["post-0", "post-1", "post-2"]
        assert not any(connector.enabled.values())
        # Nothing to do until the end.
        assert services.closures_sweep(now=END - timedelta(minutes=1)) == 0
    with time_machine.travel(END, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.closures_sweep(now=END) == 1
        assert reload(channel).status == "active"
        closure = reload(closure)
        assert closure.state == ClosureState.ENDED and closure.ended_by is None
        assert closure.platform_reopened_at is not None
        assert all(connector.enabled.values())
    actions = list(ChannelEvent.objects.filter(channel=channel).values_list("action", "actor"))
    assert ("close", None) in actions and ("reopen", None) in actions


def test_a_period_that_has_begun_closes_at_once(personas, fake_platform):
    p = personas
    fake_platform(SwitchingPlatform())
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        closure = services.closure_schedule(
            actor=p.employee,
            channel=channel,
            reason="Stengt for vedlikehold",
            starts_at=MONDAY - timedelta(minutes=5),
            ends_at=MONDAY + timedelta(hours=2),
        )
        assert closure.state == ClosureState.IN_EFFECT
        assert reload(channel).status == "closed"


def test_each_closure_is_claimed_once_with_several_workers(personas, fake_platform):
    p = personas
    fake_platform(SwitchingPlatform())
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        closure = services.closure_schedule(
            actor=p.employee, channel=channel, reason="Ferie", starts_at=START, ends_at=END
        )
    # Worker A and worker B both saw the row as due; only one claims it.
    with time_machine.travel(START, tick=False):
        assert services.closures_sweep(now=START) == 1
        assert services.closures_sweep(now=START) == 0
        assert _start(closure.pk, now=START, actor=None) is False
    with time_machine.travel(END, tick=False):
        assert services.closures_sweep(now=END) + services.closures_sweep(now=END) == 1
    events = ChannelEvent.objects.filter(channel=channel)
    assert events.filter(action="close").count() == 1
    assert events.filter(action="reopen").count() == 1


def test_platform_without_switch_hides_new_comments_and_lists_them(
    personas, fake_platform, django_capture_on_commit_callbacks
):
    p = personas
    connector = fake_platform(HidingPlatform())
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        with django_capture_on_commit_callbacks(execute=True):
            closure = services.closure_schedule(
                actor=p.employee,
                channel=channel,
                reason="Ferie",
                starts_at=MONDAY,
                ends_at=MONDAY + timedelta(days=1),
            )
        assert reload(closure).comment_mode == CommentMode.HIDE_NEW
        with django_capture_on_commit_callbacks(execute=True):
            hide = services.closure_comment_arrived(
                channel_id=channel.pk, comment_id="c-1", now=MONDAY + timedelta(hours=1)
            )
        assert hide is True
        assert connector.hidden == ["c-1"]
        (listed,) = ClosureHiddenComment.objects.filter(closure=closure)
        assert (listed.comment_id, listed.hidden) == ("c-1", True)
    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        services.closures_sweep(now=MONDAY + timedelta(days=1))
        assert not services.closure_comment_arrived(
            channel_id=channel.pk, comment_id="c-2", now=MONDAY + timedelta(days=1)
        )


def test_platform_failure_is_recorded_for_people_to_follow_up(personas, fake_platform):
    p = personas
    fake_platform(BrokenPlatform())
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        closure = services.closure_schedule(
            actor=p.employee,
            channel=channel,
            reason="Ferie",
            starts_at=MONDAY,
            ends_at=MONDAY + timedelta(days=1),
        )
        assert closure_apply_platform_close(closure_id=closure.pk) == CommentMode.FAILED
        closure = reload(closure)
        assert closure.comment_mode == CommentMode.FAILED
        assert "Tokenet er utløpt" in closure.platform_note


@pytest.mark.parametrize(
    ("reason", "start", "end", "message"),
    [
        ("", START, END, "hvorfor"),
        ("Ferie", END, START, "etter starten"),
        ("Ferie", MONDAY - timedelta(days=3), MONDAY - timedelta(days=1), "over"),
    ],
)
def test_closure_needs_a_reason_and_a_sensible_period(personas, reason, start, end, message):
    p = personas
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        with pytest.raises(ServiceError, match=message) as refused:
            services.closure_schedule(
                actor=p.employee, channel=channel, reason=reason, starts_at=start, ends_at=end
            )
    assert refused.value.rule == "CH-9"


def test_overlapping_closures_and_channels_not_in_use_are_refused(personas):
    p = personas
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        services.closure_schedule(
            actor=p.employee, channel=channel, reason="Ferie", starts_at=START, ends_at=END
        )
        with pytest.raises(ServiceError, match="allerede stengt"):
            services.closure_schedule(
                actor=p.employee,
                channel=channel,
                reason="Jul",
                starts_at=END - timedelta(days=1),
                ends_at=END + timedelta(days=1),
            )
        draft = propose(p, name="Utkast")
        with pytest.raises(ServiceError, match="i bruk"):
            services.closure_schedule(
                actor=p.employee, channel=draft, reason="Ferie", starts_at=START, ends_at=END
            )


def test_only_managers_close_a_channel(personas):
    p = personas
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        editor = person_with_roles(p.municipality, username="redaktor")
        services.channel_role_set(
            actor=p.employee, channel=channel, user=editor, role=ChannelRole.EDITOR
        )
        with pytest.raises(NotPermitted):
            services.closure_schedule(
                actor=editor, channel=channel, reason="Ferie", starts_at=START, ends_at=END
            )
        with pytest.raises(NotFound):
            services.closure_schedule(
                actor=p.outsider, channel=channel, reason="Ferie", starts_at=START, ends_at=END
            )
        services.closure_schedule(
            actor=p.communications, channel=channel, reason="Ferie", starts_at=START, ends_at=END
        )


def test_end_early_cancel_and_retire(personas, fake_platform):
    p = personas
    fake_platform(SwitchingPlatform())
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        now_closure = services.closure_schedule(
            actor=p.employee,
            channel=channel,
            reason="Ferie",
            starts_at=MONDAY,
            ends_at=MONDAY + timedelta(days=3),
        )
        later = services.closure_schedule(
            actor=p.employee,
            channel=channel,
            reason="Jul",
            starts_at=START + timedelta(days=30),
            ends_at=END + timedelta(days=30),
        )
        ended = services.closure_end(actor=p.employee, closure=now_closure)
        assert ended.state == ClosureState.ENDED and ended.ended_by == p.employee
        assert reload(channel).status == "active"
        with pytest.raises(ServiceError):
            services.closure_end(actor=p.employee, closure=now_closure)
        third = services.closure_schedule(
            actor=p.employee,
            channel=channel,
            reason="Stengt",
            starts_at=START,
            ends_at=START + timedelta(days=1),
        )
        assert services.closure_end(actor=p.employee, closure=third).state == ClosureState.CANCELLED
        services.channel_retire(actor=p.employee, channel=channel, reason="Nedlagt")
        assert reload(later).state == ClosureState.CANCELLED


def test_lapsed_closure_is_recorded_without_closing(personas):
    p = personas
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        closure = services.closure_schedule(
            actor=p.employee, channel=channel, reason="Ferie", starts_at=START, ends_at=END
        )
    after = END + timedelta(days=1)
    with time_machine.travel(after, tick=False):
        assert services.closures_sweep(now=after) == 1
    closure = reload(closure)
    assert closure.state == ClosureState.ENDED and closure.started_at is None
    assert reload(channel).status == "active"


@pytest.mark.parametrize(
    ("lang", "phrase"),
    [
        ("nb", "er stengt for kommentarer fra 1. juli 2026 kl. 10.00"),
        ("nn", "er stengd for kommentarar frå"),
    ],
)
def test_notice_text_from_the_closure(personas, lang, phrase):
    p = personas
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        closure = services.closure_schedule(
            actor=p.employee, channel=channel, reason="Sommerferie", starts_at=START, ends_at=END
        )
    text = closure_notice_text(
        Closure.objects.select_related("channel__municipality").get(pk=closure.pk), lang
    )
    assert text.startswith(channel.name)
    assert phrase in text and "Sommerferie." in text
    # «Testby» adopted Indre Fosen's preset: never Indre Fosen's website in its notice.
    assert "indrefosen.kommune.no" not in text and "Testby kommune" in text


def test_the_notice_names_the_address_and_website_the_municipality_sets(personas):
    from ordstyrer.tenants.services import municipality_identity_update

    p = personas
    municipality_identity_update(
        actor=p.communications, municipality=p.municipality, website="testby.invalid"
    )
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        closure = services.closure_schedule(
            actor=p.employee, channel=channel, reason="Ferie", starts_at=START, ends_at=END
        )
    closure = Closure.objects.select_related("channel__municipality").get(pk=closure.pk)
    assert "testby.invalid" in closure_notice_text(closure, "nb")
    municipality_identity_update(
        actor=p.communications, municipality=p.municipality, inquiry_email="post@testby.invalid"
    )
    closure = Closure.objects.select_related("channel__municipality").get(pk=closure.pk)
    text = closure_notice_text(closure, "nb")
    assert "post@testby.invalid" in text and "indrefosen" not in text


def test_the_preset_s_own_municipality_notice_names_its_website(db):
    from tests.conftest import make_personas

    p = make_personas("indre-fosen", "indre-fosen")
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        closure = services.closure_schedule(
            actor=p.employee, channel=channel, reason="Ferie", starts_at=START, ends_at=END
        )
    # Indre Fosen's guideline names no address for inquiries: the website from the policy.
    assert "indrefosen.kommune.no" in closure_notice_text(closure, "nb")


def test_notice_published_is_recorded(personas):
    p = personas
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        closure = services.closure_schedule(
            actor=p.employee, channel=channel, reason="Ferie", starts_at=START, ends_at=END
        )
        marked = services.closure_mark_notice_published(actor=p.employee, closure=closure)
    assert marked.notice_published_by == p.employee
    assert ChannelEvent.objects.filter(channel=channel, action="closure_notice").exists()


def test_notice_points_to_the_policys_formal_inquiry_address():
    from tests.conftest import make_personas

    p = make_personas("midt-telemark", "midt-telemark")
    with time_machine.travel(MONDAY, tick=False):
        channel = active_channel(p)
        closure = services.closure_schedule(
            actor=p.employee, channel=channel, reason="Ferie", starts_at=START, ends_at=END
        )
    text = closure_notice_text(closure, "nb")
    assert "på post@mt.kommune.no eller telefon 35 05 90 00." in text


def test_the_default_opener_builds_the_connector_from_the_channel(personas, monkeypatch, settings):
    seen = []
    settings.ORDSTYRER_CONNECTORS = {**settings.ORDSTYRER_CONNECTORS, "OPENER": None}
    monkeypatch.setattr(
        platform, "connector_for", lambda channel: seen.append(channel.pk) or HidingPlatform()
    )
    channel = active_channel(personas)
    assert platform.comments_off(channel).mode == CommentMode.HIDE_NEW
    assert seen == [channel.pk]


def test_connector_settings_carry_the_platform_id_under_each_connectors_key(personas):
    channel = active_channel(personas)
    channel.platform_id = "12345"
    channel.connector_config = {"token_encrypted": "gAAAA"}
    expected = {"facebook": "page_id", "instagram": "ig_user_id", "simulated": "channel_id"}
    for kind, key in expected.items():
        channel.kind = kind
        config = platform.connector_config(channel)
        assert config["token_encrypted"] == "gAAAA" and config[key] == "12345"
