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


def test_the_readmes_demo_deposit_has_records_on_the_day_the_demo_is_made(tmp_path, capsys):
    """AR-3: the Noark 5 deposit takes only days that are over; the README's demo
    deposit, run the day `demo-setup` ran, still exports the demo's archive records."""
    call_command("demo_setup")
    capsys.readouterr()
    call_command(
        "archive",
        "export",
        "--municipality",
        DEMO_SLUG,
        "--format",
        "noark5-uttrekk",
        "--since",
        "2020-01-01",
        "--out",
        str(tmp_path / "uttrekk"),
    )
    assert "Eksporterte 5 arkivposter" in capsys.readouterr().out
