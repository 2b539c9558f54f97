"""`ordstyrer webhook-deadletters --discard ID` answers hostile ids with one line, never a
traceback (the operators' CLI, issue #18): too large for the database's integer, zero,
negative, not a number, empty."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["9" * 40, "9223372036854775808", "0", "-1"])
def test_an_id_no_delivery_can_have_is_one_line(value) -> None:
    with pytest.raises(CommandError, match=r"^Fant ingen levering -?\d+ som er gitt opp"):
        call_command("webhook_deadletters", "--discard", value)


@pytest.mark.parametrize("value", ["abc", "", "1e3", "0x1f", "1.5"])
def test_an_id_that_is_no_whole_number_is_refused_by_name(value) -> None:
    with pytest.raises(CommandError, match=r"--discard må være et heltall"):
        call_command("webhook_deadletters", "--discard", value)


def test_list_and_discard_together_are_refused() -> None:
    with pytest.raises(CommandError):
        call_command("webhook_deadletters", "--list", "--discard", "1")
