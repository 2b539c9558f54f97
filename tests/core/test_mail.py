"""The one mailer (issue #17): distinct active addresses, one message per recipient,
absolute links (#15)."""

from __future__ import annotations

from types import SimpleNamespace

from django.core import mail

from ordstyrer.core.mail import addresses, console_url, send


def _person(email: str, *, active: bool = True) -> SimpleNamespace:
    return SimpleNamespace(email=email, is_active=active)


def test_addresses_keep_order_and_drop_duplicates_inactive_and_empty():
    people = [
        _person(" kari@kommune.no "),
        None,
        _person("ola@kommune.no", active=False),
        _person(""),
        _person("kari@kommune.no"),
        _person("per@kommune.no"),
    ]
    assert addresses(people) == ["kari@kommune.no", "per@kommune.no"]


def test_send_writes_one_message_per_recipient_and_nothing_for_nobody(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send(lambda: ("Emne", "Tekst"), []) == 0
    assert mail.outbox == []
    assert send(lambda: ("Emne", "Tekst"), ["a@kommune.no", "b@kommune.no"]) == 2
    assert [m.to for m in mail.outbox] == [["a@kommune.no"], ["b@kommune.no"]]


def test_console_url_prefers_the_base_url_then_the_public_one(settings):
    settings.ORDSTYRER_BASE_URL, settings.ORDSTYRER_PUBLIC_URL = "https://o.kommune.no/", ""
    assert console_url("/m/demo/") == "https://o.kommune.no/m/demo/"
    settings.ORDSTYRER_BASE_URL, settings.ORDSTYRER_PUBLIC_URL = "", "https://p.kommune.no"
    assert console_url("/m/demo/") == "https://p.kommune.no/m/demo/"
    settings.ORDSTYRER_PUBLIC_URL = ""
    assert console_url("/m/demo/").startswith("http://localhost:")
