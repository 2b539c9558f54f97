"""Channel test set-up: tasks run at once, and helpers to bring a channel to a state."""

from __future__ import annotations

from typing import Any

import pytest

from ordstyrer.channels import services
from ordstyrer.channels.models import Channel
from tests.conftest import Personas, make_personas

FULL_PLAN = {
    "why": "Foreldrene spør oss der allerede.",
    "goals": "Raskere svar til foreldre.",
    "topics": "Praktisk informasjon.",
    "moderation": "Kommunen er ordstyrer.",
    "dialogue_rules": "Husreglene fra retningslinjen.",
    "duration": "Permanent.",
    "marketing": "Lenke fra nettsiden.",
    "publishing_plan": "To innlegg i uka, av redaktøren.",
    "follow_up": "Redaktøren følger med hver arbeidsdag.",
}

# Who decides each chain role among the personas (CH-1; service office = archive).
APPROVER = {
    "unit_leader": "unit_leader",
    "communications": "communications",
    "web_editor": "communications",
    "chief_administrator": "chief_administrator",
    "service_office": "archivist",
}

PRESETS = ("indre-fosen", "birkenes", "gausdal", "midt-telemark", "rennebu")


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tasks queued on commit run at once, in the test's thread."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def propose(p: Personas, *, name: str = "Skolen", kind: str = "facebook", **kw: Any) -> Channel:
    values = {
        "actor": p.employee,
        "municipality": p.municipality,
        "name": name,
        "kind": kind,
        "purpose": "Informasjon til foreldre.",
        "audience": "Foreldre",
        "plan": FULL_PLAN,
        "main_admin": p.employee,
    }
    values.update(kw)
    return services.channel_propose(**values)


def approver(p: Personas, role: str) -> Any:
    return getattr(p, APPROVER[role])


def approve_all(p: Personas, channel: Channel) -> Channel:
    channel.refresh_from_db()
    while channel.current_approver_role:
        services.channel_approve(actor=approver(p, channel.current_approver_role), channel=channel)
        channel.refresh_from_db()
    return channel


def active_channel(p: Personas, **kw: Any) -> Channel:
    channel = propose(p, **kw)
    services.channel_submit(actor=p.employee, channel=channel)
    approve_all(p, channel)
    services.channel_activate(actor=p.employee, channel=channel)
    channel.refresh_from_db()
    return channel


@pytest.fixture(params=PRESETS)
def preset_personas(request, db) -> Personas:
    return make_personas(f"ch-{request.param}", request.param)
