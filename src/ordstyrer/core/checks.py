"""System checks: combinations of settings that would fail later, caught at start-up."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def production_secret_key(app_configs, **kwargs):
    if settings.SECRET_KEY.startswith("ordstyrer-embedded-development-key"):
        return [
            Error(
                "ORDSTYRER_SECRET_KEY is not set; the embedded development key must not be deployed.",
                id="ordstyrer.E001",
            )
        ]
    return []


@register(Tags.database, deploy=True)
def production_database(app_configs, **kwargs):
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        return [
            Error(
                "Production runs on PostgreSQL: set DATABASE_URL=postgres://…",
                id="ordstyrer.E002",
            )
        ]
    return []
