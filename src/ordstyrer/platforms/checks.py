"""System checks for the Meta connection: settings that would only fail later."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from ordstyrer.connectors.secrets import ENV_KEY, TokenCipher, TokenKeyError


@register(Tags.security)
def meta_settings(app_configs, **kwargs):
    problems: list[CheckMessage] = []
    if settings.META_APP_ID and not settings.META_APP_SECRET:
        problems.append(
            Error(
                "META_APP_ID is set but META_APP_SECRET is not: Facebook Login and the "
                "webhook signature check both need the app secret.",
                id="ordstyrer.platforms.E001",
            )
        )
    if settings.META_APP_SECRET and not settings.META_VERIFY_TOKEN:
        problems.append(
            Warning(
                "META_VERIFY_TOKEN is not set: Meta's webhook subscription handshake will be "
                "refused (403).",
                id="ordstyrer.platforms.W001",
            )
        )
    try:
        TokenCipher.from_env()
    except TokenKeyError as exc:
        if os.environ.get(ENV_KEY):
            problems.append(Error(str(exc), id="ordstyrer.platforms.E002"))
        elif settings.META_APP_SECRET:
            problems.append(
                Warning(
                    "ORDSTYRER_TOKEN_KEY is not set: Page tokens cannot be stored, so no "
                    "channel can be connected to Meta.",
                    id="ordstyrer.platforms.W002",
                )
            )
    return problems
