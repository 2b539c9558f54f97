"""Relative times with the exact time beside them (issue #15, item 10)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from ordstyrer.core.relative import exact, relative

NOW = datetime(2026, 12, 5, 16, 26, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lang", "delta", "expected"),
    [
        ("nb", -timedelta(hours=2, minutes=5), "for 2\xa0timer siden"),
        ("nb", timedelta(days=1, hours=3), "om 1\xa0dag"),
        ("nb", timedelta(seconds=20), "nå"),
        ("nn", -timedelta(hours=2), "for 2\xa0timar sidan"),
        ("en", -timedelta(minutes=5), "5\xa0minutes ago"),
        ("en", timedelta(hours=3), "in 3\xa0hours"),
    ],
)
def test_relative_in_each_language(lang, delta, expected):
    with translation.override(lang):
        assert relative(NOW + delta, NOW) == expected


def test_exact_is_the_one_norwegian_format_in_oslo_time():
    with translation.override("nb"):
        assert exact(NOW) == "5. des. 2026 kl. 17.26"
