"""PU-12: who approves during a crisis was said three ways, and one setting did nothing.

`crisis_settings` always added the crisis leader to the approvers — every guideline puts
crisis communication through the crisis leadership, Birkenes' «godkjennes all informasjon
av kriseleder» — so unticking «kriselederen» under «Hvem godkjenner under en krise» had
no effect, while the guide printed only the stored roles, the crisis page always said
«Bare kriselederen og stedfortrederne godkjenner» and the e-mails «kriseleder eller en
stedfortreder». The crisis leader now is shown fixed on the settings page (no box to
untick), and the guide, the crisis page and the e-mails all say the effective approvers
(`policy.render.crisis_approver_roles`).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from ordstyrer.crisis.selectors import may_approve_in_crisis
from ordstyrer.crisis.services import crisis_declare
from ordstyrer.publishing.services import post_create, post_publish
from ordstyrer.tenants.services import policy_update
from tests.publishing.conftest import make_world as make_publishing_world

pytestmark = pytest.mark.django_db

WHO = "kriselederen, rådmannen (kommunedirektøren)"


def _client(user) -> Client:
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    c.force_login(user)
    return c


def test_pu12_guide_crisis_page_settings_and_mail_say_the_same_approvers(
    django_capture_on_commit_callbacks, mailoutbox
):
    pub = make_publishing_world("s23hvem")
    p, m = pub.p, pub.municipality
    slug = m.slug
    policy_update(
        actor=p.chief_administrator,
        municipality=m,
        overrides={"PU-12": {"approvers": ["chief_administrator"]}},
        reason="Rådmannen godkjenner i krise",
    )
    # The product: the crisis leader approves whatever the list says, and so does the
    # rådmann the list names.
    assert may_approve_in_crisis(user=p.crisis_leader, municipality=m)
    assert may_approve_in_crisis(user=p.chief_administrator, municipality=m)

    guide = _client(p.employee).get(f"/m/{slug}/retningslinjer/").content.decode()
    assert f"Under en krise venter alle innlegg og svar på godkjenning ({WHO})." in guide

    page = _client(p.communications).get(f"/m/{slug}/krise/").content.decode()
    assert f"Bare {WHO} og stedfortrederne godkjenner (PU-12)." in page
    assert "Bare kriselederen og stedfortrederne godkjenner" not in page

    # The settings page shows the crisis leader fixed: no box that does nothing.
    shown = _client(p.chief_administrator).get(f"/m/{slug}/innstillinger/").content.decode()
    assert "Kriselederen godkjenner alltid (PU-12)." in shown
    assert 'name="PU-12-param__approvers" value="chief_administrator"' in shown
    assert 'name="PU-12-param__approvers" value="crisis_leader"' not in shown

    crisis_declare(municipality=m, name="Flom", actor=p.crisis_leader)
    post = post_create(
        actor=pub.editor,
        municipality=m,
        channel_ids=[pub.page.pk],
        text="Kokevarsel for Elvdalen. Les mer på https://indrefosen.kommune.no/vann",
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(actor=pub.editor, post_id=post.pk, now=timezone.now())
    bodies = [msg.body for msg in mailoutbox if "venter på godkjenning" in msg.subject]
    assert bodies
    assert all(f"godkjenning fra {WHO} eller en stedfortreder (PU-12)" in b for b in bodies)
