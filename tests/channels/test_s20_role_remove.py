"""Session 20: taking a person's role on a channel away was one click on the channel page
(«Fjern …»), with nothing to say what follows. Removing access is a deliberate act (CH-3):
now «Fjern …» opens a confirmation page that says who loses which role on which channel,
what they can no longer do there, their open inbox items on it, who still runs the
channel — or, for the last active main administrator, that it cannot be done until a new
one is appointed. Nothing is pre-selected; only the page's posted form removes, and only
the role it showed; a replayed post changes nothing and says so; an outsider gets 404."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from ordstyrer.channels import services
from ordstyrer.channels.models import ChannelRole
from ordstyrer.core.models import AuditEntry
from ordstyrer.inbox.services import item_assign
from tests.channels.conftest import active_channel
from tests.factories import person_with_roles
from tests.inbox.conftest import make_world, question, text_of

pytestmark = pytest.mark.django_db

MAIN, ADMIN, EDITOR = ChannelRole.MAIN_ADMIN, ChannelRole.ADMIN, ChannelRole.EDITOR


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _roles(channel) -> dict[str, str]:
    return dict(channel.memberships.values_list("user__username", "role"))


def _url(channel, user) -> str:
    return reverse("channels:role_remove", args=[channel.municipality.slug, channel.pk, user.pk])


def _removals() -> int:
    return AuditEntry.objects.filter(action="channel_role_remove").count()


@pytest.fixture
def skolen(personas):
    """«Skolen» (Facebook): p.employee its main administrator, «Zebedeus Redaktør» an
    editor (names no factory draws)."""
    p = personas
    channel = active_channel(p)
    p.editor = person_with_roles(
        p.municipality, username="zeb", first_name="Zebedeus", last_name="Redaktør"
    )
    services.channel_role_set(actor=p.employee, channel=channel, user=p.editor, role=EDITOR)
    return channel


def test_ch3_the_remove_button_no_longer_removes_in_one_click(personas, skolen):
    """CH-3: the channel page's «Fjern …» leads to the confirmation; a post of the old
    one-click form (a page opened before) removes nothing and shows the confirmation."""
    p = personas
    client = _signed_in(p.employee)
    detail = client.get(reverse("channels:detail", args=[p.municipality.slug, skolen.pk]))
    assert f'href="{_url(skolen, p.editor)}"' in detail.content.decode()
    old_form = reverse("channels:roles", args=[p.municipality.slug, skolen.pk])
    response = client.post(old_form, {"remove": p.editor.pk})
    assert response.status_code == 302 and response["Location"] == _url(skolen, p.editor)
    assert _roles(skolen)["zeb"] == EDITOR
    assert _removals() == 0


def test_ch3_the_confirmation_says_who_loses_what_and_nothing_is_pre_selected(personas, skolen):
    """CH-3: the page names the person, the role and the channel, lists what they can no
    longer do there, offers one confirmation with the role it showed, and changes nothing."""
    p = personas
    page = _signed_in(p.employee).get(_url(skolen, p.editor)).content.decode()
    words = text_of(page)
    assert "Bekreft at Zebedeus Redaktør mister rollen på «Skolen»" in words
    assert (
        "Zebedeus Redaktør mister rollen «Redaktør» på kanalen «Skolen» (Facebook-side)." in words
    )
    assert "publisere innlegg i kommunens navn" in words
    assert "svare på kommentarer og meldinger i kommunens navn" in words
    assert "utestenge" not in words  # an editor never moderated (CH-3)
    assert "Ingenting er gjort ennå." in words
    content = page.split("<h1>", 1)[1].split("</form>", 1)[0]  # the page's own part
    assert not re.search(
        r"\bchecked\b|\bselected\b|autofocus|<select|type=\"(radio|checkbox)", content
    )
    form = page.split('<form method="post" action="' + _url(skolen, p.editor), 1)[1]
    assert '<input type="hidden" name="role" value="editor">' in form
    assert '<input type="hidden" name="confirmed" value="1">' in form
    assert _roles(skolen)["zeb"] == EDITOR and _removals() == 0


def test_ch3_confirming_removes_once_and_a_replay_says_nothing_changed(personas, skolen):
    """CH-3: the confirmation removes the role (audited once); the same post again, or the
    page opened again, says calmly that the role is gone already."""
    p = personas
    client = _signed_in(p.employee)
    url = _url(skolen, p.editor)
    page = client.post(url, {"role": EDITOR, "confirmed": "1"}, follow=True).content.decode()
    assert "Rollen er fjernet." in page
    assert _roles(skolen) == {p.employee.username: MAIN}
    for replay in (
        lambda: client.post(url, {"role": EDITOR, "confirmed": "1"}, follow=True),
        lambda: client.get(url, follow=True),
    ):
        page = replay().content.decode()
        assert "Rollen er allerede fjernet. Ingenting er endret." in page
    assert _roles(skolen) == {p.employee.username: MAIN}
    assert _removals() == 1


def test_ch3_a_post_without_the_confirmation_removes_nothing(personas, skolen):
    p = personas
    client = _signed_in(p.employee)
    page = client.post(_url(skolen, p.editor), {"role": EDITOR}, follow=True).content.decode()
    assert "Bekreft for å fjerne rollen." in page
    assert _roles(skolen)["zeb"] == EDITOR and _removals() == 0


def test_ch3_the_confirmation_removes_only_the_role_it_showed(personas, skolen):
    """CH-3: someone made the editor an administrator after the page was opened: the
    confirmation of «Redaktør» takes nothing, and the page shows the role held now."""
    p = personas
    client = _signed_in(p.employee)
    services.channel_role_set(actor=p.communications, channel=skolen, user=p.editor, role=ADMIN)
    page = client.post(
        _url(skolen, p.editor), {"role": EDITOR, "confirmed": "1"}, follow=True
    ).content.decode()
    words = text_of(page)
    assert "Zebedeus Redaktør har nå rollen «Administrator» på kanalen" in words
    assert '<input type="hidden" name="role" value="admin">' in page
    assert "skjule og slette kommentarer og utestenge brukere" in words
    assert _roles(skolen)["zeb"] == ADMIN and _removals() == 0


def test_ch3_the_last_active_main_admin_page_says_what_to_do_and_offers_no_button(personas, skolen):
    """CH-3: the page says the channel must always have one, and how to go on; a post of
    the confirmation anyway (forged, or an old page) is refused on the page."""
    p = personas
    client = _signed_in(p.communications)
    url = _url(skolen, p.employee)
    page = client.get(url).content.decode()
    words = text_of(page)
    assert "Rollen kan ikke fjernes nå." in words
    assert "er kanalens siste aktive hovedadministrator" in words
    assert "«Gi en rolle»" in words
    assert "Bekreft: fjern rollen" not in words and 'name="confirmed"' not in page
    page = client.post(url, {"role": MAIN, "confirmed": "1"}, follow=True).content.decode()
    assert "minst én hovedadministrator" in page
    assert _roles(skolen)[p.employee.username] == MAIN and _removals() == 0


def test_ch3_a_main_admin_with_another_one_names_who_still_runs_the_channel(personas, skolen):
    """CH-3: the other active main administrator is named; a departed one is not."""
    p = personas
    services.channel_role_set(actor=p.employee, channel=skolen, user=p.editor, role=MAIN)
    gone = person_with_roles(p.municipality, username="borte", first_name="Ørjan")
    services.channel_role_set(actor=p.employee, channel=skolen, user=gone, role=MAIN)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    words = text_of(_signed_in(p.communications).get(_url(skolen, p.employee)).content.decode())
    assert "har fortsatt ansvaret for kanalen" in words
    shown = words.split("har fortsatt ansvaret for kanalen (CH-3):", 1)[1].split("Ingenting", 1)[0]
    assert "Zebedeus Redaktør" in shown and "Ørjan" not in shown
    assert "gjennomgå kanalen (CH-6)" in words


def test_ch3_a_departed_main_admin_with_no_active_one_cannot_be_removed_yet(personas, skolen):
    """CH-3, CH-5: the only main administrator has left; the page says the channel has no
    active one and a new one must be appointed first."""
    p = personas
    p.employee.is_active = False
    p.employee.save(update_fields=["is_active"])
    words = text_of(_signed_in(p.communications).get(_url(skolen, p.employee)).content.decode())
    assert "Rollen kan ikke fjernes nå." in words
    assert "Kanalen har ingen aktiv hovedadministrator" in words
    assert "(ikke aktiv)" in words


def test_ch3_a_departed_editor_page_says_they_cannot_use_the_role_now(personas, skolen):
    p = personas
    p.editor.is_active = False
    p.editor.save(update_fields=["is_active"])
    words = text_of(_signed_in(p.employee).get(_url(skolen, p.editor)).content.decode())
    assert "er ikke lenger aktiv i kommunen, og kan ikke bruke rollen nå heller" in words
    assert "Bekreft: fjern rollen" in words


def test_ch4_communications_keeps_its_access_through_its_role(personas, skolen):
    """CH-4: communications runs every channel; losing an editor role takes nothing."""
    p = personas
    services.channel_role_set(actor=p.employee, channel=skolen, user=p.communications, role=EDITOR)
    words = text_of(_signed_in(p.employee).get(_url(skolen, p.communications)).content.decode())
    assert "beholder tilgangen til kanalen gjennom rollen sin i kommunen" in words
    assert "publisere innlegg" not in words


def test_ch3_the_editor_s_open_inbox_items_are_counted():
    """CH-3: the items assigned to them stay assigned; the page says how many."""
    w = make_world("rolletildelt")
    item_assign(actor=w.p.employee, item=question(w, "q1"), assignee=w.editor)
    item_assign(actor=w.p.employee, item=question(w, "q2"), assignee=w.editor)
    question(w, "q3")  # not theirs
    words = text_of(_signed_in(w.p.employee).get(_url(w.channel, w.editor)).content.decode())
    assert "2 åpne henvendelser på kanalen er tildelt" in words


def test_outsiders_get_404_and_members_without_the_role_403(personas, skolen):
    """The page and its post: another municipality's user gets 404 (nothing leaks); a
    member who does not manage the channel gets 403; nothing is removed."""
    p = personas
    url = _url(skolen, p.editor)
    outsider = _signed_in(p.outsider)
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {"role": EDITOR, "confirmed": "1"}).status_code == 404
    member = _signed_in(p.unit_leader)
    assert member.get(url).status_code == 403
    assert member.post(url, {"role": EDITOR, "confirmed": "1"}).status_code == 403
    assert _roles(skolen)["zeb"] == EDITOR and _removals() == 0
    # An id that is no member of the channel (or too large for the database) is no
    # role to remove: the channel page says so.
    for user_id in (p.outsider.pk, 2**70):
        odd = reverse("channels:role_remove", args=[p.municipality.slug, skolen.pk, user_id])
        page = _signed_in(p.employee).get(odd, follow=True).content.decode()
        assert "Rollen er allerede fjernet. Ingenting er endret." in page
