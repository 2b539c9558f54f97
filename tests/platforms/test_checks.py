"""Start-up checks for the Meta settings (house style: bad combinations caught early)."""

from __future__ import annotations

import pytest

from ordstyrer.platforms.checks import meta_settings
from tests.platforms.conftest import TOKEN_KEY


@pytest.mark.parametrize(
    ("app_id", "secret", "verify", "key", "expected"),
    [
        ("", "", "", "", []),
        ("123", "hemmelig", "verifiser", TOKEN_KEY, []),
        ("123", "", "", TOKEN_KEY, ["ordstyrer.platforms.E001"]),
        ("", "hemmelig", "", TOKEN_KEY, ["ordstyrer.platforms.W001"]),
        ("", "hemmelig", "verifiser", "", ["ordstyrer.platforms.W002"]),
        ("", "", "", "ikke-en-nøkkel", ["ordstyrer.platforms.E002"]),
    ],
)
def test_meta_settings(settings, monkeypatch, app_id, secret, verify, key, expected) -> None:
    settings.META_APP_ID, settings.META_APP_SECRET, settings.META_VERIFY_TOKEN = (
        app_id,
        secret,
        verify,
    )
    monkeypatch.setenv("ORDSTYRER_TOKEN_KEY", key)
    assert [problem.id for problem in meta_settings(None)] == expected
