"""Corrections from the December language review (shared/reviews/language-review-2026-12.md)
in the reply templates citizens read (DI-2, DI-7)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ordstyrer.inbox.reply_templates import render


def _policy(*, domains=(), email="", phone=""):
    inquiry = SimpleNamespace(email=email, phone=phone) if (email or phone) else None
    return SimpleNamespace(
        domains=domains,
        formal_inquiry=inquiry,
        applies=lambda rule: False,
        params=lambda rule: {},
    )


@pytest.mark.parametrize(
    ("standard", "expected", "not_expected"),
    [
        # Row 6: the site in the reply's own standard when the preset has no domain.
        ("nb", "finner du på nettsiden til Innby kommune", "nettsida"),
        ("nn", "finn du på nettsida til Innby kommune", "nettsiden"),
    ],
)
def test_the_fallback_site_is_in_the_replys_own_standard(standard, expected, not_expected):
    text = render(
        "refer_formal",
        policy=_policy(),
        written_standard=standard,
        municipality_name="Innby kommune",
    ).text
    assert expected in text and not_expected not in text


@pytest.mark.parametrize(
    ("standard", "expected"),
    [
        # Row 16: one «til» phrase, not «til X per e-post eller brev til postmottaket».
        ("nb", "Send henvendelsen din på e-post eller brev til postmottaket i Innby kommune – "),
        ("nn", "Send førespurnaden din på e-post eller brev til postmottaket i Innby kommune – "),
    ],
)
def test_where_to_send_a_formal_inquiry_reads_as_one_phrase(standard, expected):
    text = render(
        "refer_formal",
        policy=_policy(domains=("innby.kommune.no",)),
        written_standard=standard,
        municipality_name="Innby kommune",
    ).text
    assert expected in text and "innby.kommune.no" in text
    assert "Innby kommune per e-post" not in text


def test_an_own_address_still_names_the_municipality():
    text = render(
        "refer_formal",
        policy=_policy(email="post@innby.no", phone="12 34 56 78"),
        written_standard="nb",
        municipality_name="Innby kommune",
    ).text
    assert "Send henvendelsen din til Innby kommune på e-post til post@innby.no, eller ring" in text
