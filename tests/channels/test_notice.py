"""The closure notice text (CH-9) and house-rules plain text (CH-10): pure functions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ordstyrer.channels.notice import closure_notice, format_when, markdown_to_plain

START = datetime(2026, 6, 30, 22, 0, tzinfo=UTC)  # 1 July 00.00 in Oslo (summer time)
END = datetime(2026, 8, 3, 6, 0, tzinfo=UTC)  # 3 August 08.00 in Oslo


@pytest.mark.parametrize(
    ("moment", "lang", "expected"),
    [
        (START, "nb", "1. juli 2026 kl. 00.00"),
        (END, "nn", "3. august 2026 kl. 08.00"),
        (datetime(2026, 12, 24, 13, 30, tzinfo=UTC), "nb", "24. desember 2026 kl. 14.30"),
    ],
)
def test_format_when_in_norwegian_time(moment, lang, expected):
    assert format_when(moment, lang) == expected


def test_naive_time_is_refused():
    with pytest.raises(ValueError):
        format_when(datetime(2026, 1, 1), "nb")  # noqa: DTZ001


@pytest.mark.parametrize(
    ("lang", "phrases"),
    [
        (
            "nb",
            # Language review 2026-12, row 15: «kanalen», right for a Page and an account.
            [
                "er stengt for kommentarer fra 1. juli 2026",
                "Hvorfor: Sommerferie.",
                "Mens kanalen er stengt, er det ikke mulig",
            ],
        ),
        (
            "nn",
            [
                "er stengd for kommentarar frå 1. juli 2026",
                "Kvifor: Sommerferie.",
                "Medan kanalen er stengd, er det ikkje mogleg",
            ],
        ),
    ],
)
def test_closure_notice_says_why_and_how_long(lang, phrases):
    text = closure_notice(
        channel_name="Gausdal kino",
        municipality_name="Gausdal kommune",
        reason="Sommerferie",
        starts_at=START,
        ends_at=END,
        lang=lang,
    )
    assert text.startswith("Gausdal kino ")
    assert "3. august 2026 kl. 08.00" in text
    for phrase in phrases:
        assert phrase in text


def test_markdown_to_plain_drops_marks():
    md = "# Regler\n\nTekst med **vekt**.\n\n- en\n- to\n\n> sitat\n>\n> — kilde\n"
    assert markdown_to_plain(md) == "Regler\n\nTekst med vekt.\n\n• en\n• to\n\nsitat\n\n— kilde\n"


@pytest.mark.parametrize(
    ("lang", "reach", "expected"),
    [
        (
            "nb",
            {"email": "post@mt.kommune.no", "phone": "35 05 90 00"},
            "på post@mt.kommune.no eller telefon 35 05 90 00.",
        ),
        (
            "nn",
            {"website": "gausdal.kommune.no"},
            "– kontaktinformasjonen står på gausdal.kommune.no.",
        ),
        ("nb", {"phone": "12 34 56 78"}, "på telefon 12 34 56 78."),
        ("nb", {}, "på telefon, e-post eller kommunens nettside."),
    ],
)
def test_notice_says_where_urgent_questions_go(lang, reach, expected):
    text = closure_notice(
        channel_name="Kanal",
        municipality_name="Kommunen",
        reason="Ferie",
        starts_at=START,
        ends_at=END,
        lang=lang,
        **reach,
    )
    assert text.endswith(f"Kommunen {expected}")
