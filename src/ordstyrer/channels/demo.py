"""Demo channels in every state, made through the services (called from `setup_demo`).

`bin/dev start` runs the set-up at every start, so what time takes away is renewed: the
closed channel's closure lasts 14 days (CH-9), after which the sweep opens the channel
again, and the next run closes it for another 14 days from then.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from ordstyrer.channels import services, workflow
from ordstyrer.channels.models import Channel, ChannelKind, ChannelRole, ClosureState
from ordstyrer.core.errors import DomainError
from ordstyrer.tenants.models import Municipality, Role, Unit
from ordstyrer.tenants.services import role_assign

logger = logging.getLogger("ordstyrer.channels")


@dataclass(frozen=True)
class DemoChannel:
    name: str
    kind: str
    unit: str | None
    target: str  # the state the demo leaves it in
    purpose: str
    audience: str
    proposer: str = "redaktor"
    main_admin: str = "redaktor"
    extra_roles: tuple[tuple[str, str], ...] = ()
    reason: str = ""
    plan: dict[str, str] = field(default_factory=dict)


PLAN = {
    "why": "Foreldre og elever spør oss på Facebook allerede; vi vil svare der de er.",
    "follow_up": "Redaktøren følger med hver arbeidsdag; enhetslederen går gjennom siden månedlig.",
    "topics": "Praktisk informasjon, arrangementer, stengte dager.",
    "publishing_plan": "To til tre innlegg i uka, skrevet av redaktøren.",
    "moderation": "Kommunen er ordstyrer; kommentarer følges opp etter retningslinjen.",
}

DEMO_CHANNELS = (
    DemoChannel(
        "Demo kommune",
        ChannelKind.FACEBOOK,
        None,
        "active",
        "Kommunens hovedside: nyheter, beredskap og dialog med innbyggerne.",
        "Alle innbyggere",
        main_admin="kommunikasjon",
        extra_roles=(("redaktor", ChannelRole.EDITOR),),
    ),
    DemoChannel(
        "Rissa skole",
        ChannelKind.SIMULATED,
        "Rissa skole",
        "active",
        "Informasjon fra skolen til foreldre og elever.",
        "Foreldre og elever ved Rissa skole",
        extra_roles=(("enhetsleder", ChannelRole.ADMIN),),
    ),
    DemoChannel(
        "Rissa skole SFO",
        ChannelKind.SIMULATED,
        "Rissa skole",
        "closed",
        "Beskjeder fra SFO.",
        "Foreldre med barn i SFO",
        reason="Sommerferie – SFO er stengt",
    ),
    DemoChannel(
        "Rissa skole – foreldre",
        ChannelKind.FACEBOOK,
        "Rissa skole",
        "paused",
        "Dialog med foreldre om skolehverdagen.",
        "Foreldre",
        reason="Ingen redaktør i permisjonstiden",
    ),
    DemoChannel(
        "Rissa skole på Instagram",
        ChannelKind.INSTAGRAM,
        "Rissa skole",
        "approved",
        "Bilder fra skolehverdagen (med samtykke).",
        "Elever og foreldre",
    ),
    DemoChannel(
        "Demo kommune på Instagram",
        ChannelKind.INSTAGRAM,
        None,
        "in_review",
        "Kommunen i bilder: natur, kultur og arrangementer.",
        "Unge voksne",
    ),
    DemoChannel(
        "Rissa skole – elevrådet",
        ChannelKind.FACEBOOK,
        "Rissa skole",
        "submitted",
        "Elevrådets informasjon til elevene.",
        "Elever",
    ),
    DemoChannel(
        "Rissa skole – kantina",
        ChannelKind.INSTAGRAM,
        "Rissa skole",
        "rejected",
        "Dagens meny.",
        "Elever",
        reason="Kantina har ikke folk til å følge opp kanalen; menyen ligger på nettsiden.",
    ),
    DemoChannel(
        "Fosenheimen sykehjem",
        ChannelKind.FACEBOOK,
        "Fosenheimen sykehjem",
        "draft",
        "Hilsener og arrangementer for pårørende.",
        "Pårørende",
        proposer="ansatt",
        main_admin="ansatt",
    ),
    DemoChannel(
        "Demo kommune – valg 2023",
        ChannelKind.FACEBOOK,
        None,
        "retired",
        "Informasjon om kommunestyrevalget 2023.",
        "Velgere",
        main_admin="kommunikasjon",
        reason="Valget er over.",
    ),
)

# How far each demo channel walks its life cycle.
_PATH = {
    "draft": (),
    "submitted": ("submit",),
    "in_review": ("submit", "approve_leader"),
    "rejected": ("submit", "reject"),
    "approved": ("submit", "approve_leader", "approve_communications"),
    "active": ("submit", "approve_leader", "approve_communications", "activate"),
    "paused": ("submit", "approve_leader", "approve_communications", "activate", "pause"),
    "closed": ("submit", "approve_leader", "approve_communications", "activate", "close"),
    "retired": ("submit", "approve_leader", "approve_communications", "activate", "retire"),
}


def setup_demo_channels(demo_municipality: Municipality) -> list[Channel]:
    """Create the demo channels that do not exist yet; safe to run again."""
    people = {u.username: u for u in get_user_model().objects.all()}
    leader, communications = people["enhetsleder"], people["kommunikasjon"]
    # A channel without a unit has no unit leader of its own: a leader of another unit
    # does not decide its unit leader step (CH-1), a leader without a unit does. In the
    # demo that is the chief administrator, who leads across the units.
    across = people["radmann"]
    role_assign(
        actor=None, municipality=demo_municipality, user=across, role=Role.UNIT_LEADER, unit=None
    )
    units = {u.name: u for u in Unit.objects.filter(municipality=demo_municipality)}
    made = []
    for spec in DEMO_CHANNELS:
        existing = Channel.objects.filter(
            municipality=demo_municipality, kind=spec.kind, name=spec.name
        ).first()
        if existing is not None:
            if spec.target == "closed":
                _keep_closed(existing, spec, people[spec.main_admin])
            continue
        proposer = people[spec.proposer]
        channel = services.channel_propose(
            actor=proposer,
            municipality=demo_municipality,
            name=spec.name,
            kind=spec.kind,
            unit=units.get(spec.unit) if spec.unit else None,
            purpose=spec.purpose,
            audience=spec.audience,
            plan={**PLAN, **spec.plan},
            main_admin=people[spec.main_admin],
        )
        main_admin = people[spec.main_admin]
        for step in _PATH[spec.target]:
            if step == "submit":
                services.channel_submit(actor=proposer, channel=channel)
            elif step == "approve_leader":
                services.channel_approve(
                    actor=leader if channel.unit_id else across,
                    channel=channel,
                    comment="Drøftet med redaktøren.",
                )
            elif step == "approve_communications":
                services.channel_approve(actor=communications, channel=channel)
            elif step == "reject":
                services.channel_reject(actor=leader, channel=channel, reason=spec.reason)
            elif step == "activate":
                services.channel_activate(
                    actor=main_admin,
                    channel=channel,
                    url=f"https://example.invalid/{channel.pk}",
                    platform_id=f"demo-{channel.pk}",
                )
                for username, role in spec.extra_roles:
                    services.channel_role_set(
                        actor=main_admin, channel=channel, user=people[username], role=role
                    )
            elif step == "pause":
                services.channel_pause(actor=main_admin, channel=channel, reason=spec.reason)
            elif step == "close":
                _close(channel, spec, main_admin, starts_at=timezone.now() - timedelta(hours=1))
            elif step == "retire":
                services.channel_retire(actor=main_admin, channel=channel, reason=spec.reason)
        made.append(channel)
    return made


CLOSED_FOR = timedelta(days=14)


def _close(channel: Channel, spec: DemoChannel, actor: Any, *, starts_at: datetime) -> None:
    """A closure from `starts_at` (now or just before) for CLOSED_FOR: the channel is
    closed at once (CH-9). Where the policy makes a closure wait for its notice, the
    main admin marks it published, so the demo shows a closed channel whatever it says."""
    closure = services.closure_schedule(
        actor=actor,
        channel=channel,
        reason=spec.reason,
        starts_at=starts_at,
        ends_at=timezone.now() + CLOSED_FOR,
    )
    if closure.state == ClosureState.SCHEDULED:
        services.closure_mark_notice_published(actor=actor, closure=closure)


def _keep_closed(channel: Channel, spec: DemoChannel, actor: Any) -> None:
    """Close the demo's closed channel again once its closure is over (CH-9). Left alone:
    a closure planned or in effect that is not over, and a channel a person paused or
    retired in the console. One whose closure is over while the sweep has not yet opened
    it (the worker was not running) gets the next closure now; it stays closed when the
    sweep ends the old one."""
    now = timezone.now()
    current = channel.closures.filter(
        state__in=[ClosureState.SCHEDULED, ClosureState.IN_EFFECT], ends_at__gt=now
    )
    if current.exists() or channel.status not in (workflow.ACTIVE, workflow.CLOSED):
        return
    try:
        _close(channel, spec, actor, starts_at=now)
    except DomainError as exc:  # the demo shows what it can; the reason is logged
        logger.warning("demo closure skipped", extra={"error": str(exc)})
