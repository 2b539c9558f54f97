"""CH-4, PU-10: a channel's approval, four eyes and main-page flag are set by
communications or the chief administrator only. A channel's own main administrator (who
publishes there, CH-3) sees them read-only and why: before, the school's editor switched
off the unit leader's approval and four eyes and published straight out, and whoever ran
the main page unticked it and escaped the weekly cap."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ordstyrer.core.errors import NotFound, NotPermitted
from ordstyrer.publishing.models import Approval, ChannelPublishing
from ordstyrer.publishing.services import channel_publishing_update


def _row(channel) -> tuple[str, bool, bool]:
    found = ChannelPublishing.objects.get(channel=channel)
    return found.approval, found.four_eyes, found.is_main_page


def _settings(w) -> str:
    return reverse("publishing:settings", args=[w.municipality.slug])


def test_a_main_administrator_cannot_switch_off_the_approval_of_their_channel(world):
    """CH-4: the unit page's main administrator (no municipal role) may not take away the
    unit leader's approval nor four eyes; the row stays as it was."""
    w = world
    before = _row(w.school)
    assert before == (Approval.UNIT_LEADER_OR_COMMUNICATIONS, True, False)
    with pytest.raises(NotPermitted):
        channel_publishing_update(
            actor=w.p.employee,
            channel=w.school,
            approval=Approval.NONE,
            four_eyes=False,
            is_main_page=False,
        )
    assert _row(w.school) == before


def test_a_main_administrator_cannot_untick_the_main_page(world):
    """PU-10: whoever manages the main page may not untick it to escape the weekly cap."""
    w = world
    ChannelPublishing.objects.create(channel=w.page, is_main_page=True)
    with pytest.raises(NotPermitted):
        channel_publishing_update(
            actor=w.p.employee,
            channel=w.page,
            approval="",
            four_eyes=True,
            is_main_page=False,
        )
    assert _row(w.page) == ("", True, True)


def test_communications_and_the_chief_administrator_set_them(world):
    """CH-4: the web editor and the holder of editorial responsibility set the chain; an
    outsider does not learn the channel exists."""
    w = world
    channel_publishing_update(
        actor=w.p.communications,
        channel=w.school,
        approval=Approval.UNIT_LEADER,
        four_eyes=True,
        is_main_page=False,
    )
    assert _row(w.school) == (Approval.UNIT_LEADER, True, False)
    channel_publishing_update(
        actor=w.p.chief_administrator,
        channel=w.page,
        approval=Approval.COMMUNICATIONS,
        four_eyes=True,
        is_main_page=True,
    )
    assert _row(w.page) == (Approval.COMMUNICATIONS, True, True)
    with pytest.raises(NotFound):
        channel_publishing_update(
            actor=w.p.outsider,
            channel=w.page,
            approval=Approval.NONE,
            four_eyes=False,
            is_main_page=False,
        )


def test_the_settings_page_shows_a_main_administrator_the_settings_read_only(client, world):
    """CH-4: the page shows the main administrator their channel's settings, disabled,
    with the sentence why and no save button; a posted form changes nothing (403)."""
    w = world
    before = _row(w.school)
    client.force_login(w.p.employee)
    page = client.get(_settings(w))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Bare kommunikasjon og kommunedirektøren/rådmannen kan endre godkjenning" in body
    assert "Skolesiden" in body
    for field in ("approval", "four_eyes", "is_main_page"):
        assert f'name="c{w.school.pk}-{field}" disabled' in body
    assert "Lagre for Skolesiden" not in body
    posted = client.post(
        _settings(w),
        {
            "form": f"c{w.school.pk}",
            f"c{w.school.pk}-approval": Approval.NONE,
            f"c{w.school.pk}-is_main_page": "",
        },
    )
    assert posted.status_code == 403
    assert _row(w.school) == before


def test_the_settings_page_lets_communications_and_the_chief_administrator_change_them(
    client, world
):
    """CH-4: communications saves a channel's settings on the page; the chief
    administrator, who publishes on no channel, sees every channel there too."""
    w = world
    client.force_login(w.p.communications)
    page = client.get(_settings(w)).content.decode()
    assert "Lagre for Skolesiden" in page and "Bare kommunikasjon og" not in page
    done = client.post(
        _settings(w),
        {
            "form": f"c{w.school.pk}",
            f"c{w.school.pk}-approval": Approval.UNIT_LEADER,
            f"c{w.school.pk}-four_eyes": "on",
        },
    )
    assert done.status_code == 302
    assert _row(w.school) == (Approval.UNIT_LEADER, True, False)

    client.force_login(w.p.chief_administrator)
    page = client.get(_settings(w)).content.decode()
    assert "Lagre for Skolesiden" in page and "Lagre for Kommunen" in page
    client.post(
        _settings(w),
        {"form": f"c{w.page.pk}", f"c{w.page.pk}-approval": "", f"c{w.page.pk}-is_main_page": "on"},
    )
    assert ChannelPublishing.objects.get(channel=w.page).is_main_page

    client.force_login(w.p.outsider)
    assert client.get(_settings(w)).status_code == 404
