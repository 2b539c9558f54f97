"""PU-12: a deactivated person approves nothing in a crisis. `may_approve_in_crisis`
reads roles and deputyships, which a deactivation keeps (for the record and for
`user_activate`); what stops a deactivated crisis leader or deputy is that they can no
longer act: the running session ends at the next request, and they are not among those
e-mailed that something waits (`crisis_approvers`). This pins both."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from ordstyrer.crisis.selectors import crisis_approvers
from ordstyrer.crisis.services import crisis_declare, crisis_deputy_add
from ordstyrer.tenants.services import user_deactivate
from tests.conftest import make_personas

pytestmark = pytest.mark.django_db


def test_pu12_a_deactivated_deputy_can_neither_open_the_queue_nor_is_asked():
    p = make_personas("s23deakt")
    m = p.municipality
    deputy = p.employee
    crisis_deputy_add(municipality=m, user=deputy, actor=p.crisis_leader)
    crisis_declare(municipality=m, name="Flom", actor=p.crisis_leader)
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    c.force_login(deputy)
    assert c.get(f"/m/{m.slug}/krise/").status_code == 200
    assert deputy in crisis_approvers(municipality=m)

    user_deactivate(actor=None, user=deputy)

    response = c.get(f"/m/{m.slug}/krise/")
    assert response.status_code == 302 and response["Location"].startswith("/logg-inn/")
    assert deputy not in crisis_approvers(municipality=m)
