"""The demo (PU-12): the kriseleder finds the crisis page in the menu; no crisis is
active, and a deputy is named."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ordstyrer.crisis.models import CrisisDeputy
from ordstyrer.crisis.selectors import active_crisis, may_approve_in_crisis
from ordstyrer.demo import DEMO_SLUG, setup_demo
from ordstyrer.tenants.models import Municipality

pytestmark = pytest.mark.django_db


def test_the_demo_crisis_leader_sees_the_crisis_page_and_a_named_deputy(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    setup_demo()
    setup_demo()  # idempotent
    demo = Municipality.objects.get(slug=DEMO_SLUG)
    users = get_user_model().objects
    assert active_crisis(municipality=demo) is None
    deputy = users.get(username="radmann")
    assert [d.user for d in CrisisDeputy.objects.filter(municipality=demo)] == [deputy]
    assert may_approve_in_crisis(user=deputy, municipality=demo)

    client = Client()
    client.force_login(users.get(username="kriseleder"))
    dashboard = client.get(f"/m/{DEMO_SLUG}/").content.decode()
    assert f'href="/m/{DEMO_SLUG}/krise/"' in dashboard
    page = client.get(f"/m/{DEMO_SLUG}/krise/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Ingen krise er erklært." in body and "Erklær krise" in body
    assert "Rolf Rådmann" in body
