"""`ordstyrer demo-setup` is idempotent and prints the logins."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from ordstyrer.demo import DEMO_PASSWORD, DEMO_SLUG
from ordstyrer.tenants.models import Municipality, RoleAssignment

pytestmark = pytest.mark.django_db


def test_demo_setup_twice(capsys):
    call_command("demo_setup")
    counts = (Municipality.objects.count(), RoleAssignment.objects.count())
    call_command("demo_setup")
    assert (Municipality.objects.count(), RoleAssignment.objects.count()) == counts
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out and "kommunikasjon" in out
    demo = Municipality.objects.get(slug=DEMO_SLUG)
    user = get_user_model().objects.get(username="kommunikasjon")
    assert user.check_password(DEMO_PASSWORD)
    assert RoleAssignment.objects.filter(user=user, municipality=demo, role="communications")
