"""The demo municipality: idempotent set-up used by `ordstyrer demo-setup` and the browser tests.

Each area adds its demo content here through its own services, so the demo
shows what the product does, not rows written around it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from ordstyrer.archive.demo import setup_demo_archive
from ordstyrer.channels.demo import setup_demo_channels
from ordstyrer.crisis.demo import setup_demo_crisis
from ordstyrer.inbox.demo import setup_demo_inbox
from ordstyrer.moderation.demo import setup_demo_moderation
from ordstyrer.publishing.demo import setup_demo_publishing
from ordstyrer.tenants.models import Municipality, Role, Unit
from ordstyrer.tenants.services import municipality_identity_update, role_assign

DEMO_SLUG = "demo"
DEMO_PRESET = "indre-fosen"
NEIGHBOUR_SLUG = "nabo"
NEIGHBOUR_PRESET = "gausdal"
DEMO_PASSWORD = "ordstyrer-demo"  # noqa: S105  (printed to the console; demo only)
# The demo municipality's website (PU-9: the demo posts link to it), contact person (EM-9)
# and address for formal inquiries (DI-7); invented, the addresses undeliverable.
DEMO_IDENTITY = {
    "website": "demo.kommune.no",
    "contact_title": "kommunikasjonsrådgiver",
    "contact_name": "Demo Demosen",
    "contact_phone": "12 34 56 78",
    "contact_email": "kommunikasjon@demo.kommune.invalid",
    "inquiry_email": "postmottak@demo.kommune.invalid",
    "inquiry_phone": "12 34 56 00",
}


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    roles: tuple[str, ...]
    unit: str | None = None
    also_neighbour: bool = False


DEMO_PEOPLE = (
    DemoPerson(
        "kommunikasjon", "Kari", "Klepp", (Role.COMMUNICATIONS, Role.EMPLOYEE), also_neighbour=True
    ),
    DemoPerson("radmann", "Rolf", "Rådmann", (Role.CHIEF_ADMINISTRATOR, Role.EMPLOYEE)),
    DemoPerson("enhetsleder", "Eva", "Enge", (Role.UNIT_LEADER, Role.EMPLOYEE), unit="Rissa skole"),
    DemoPerson("redaktor", "Per", "Pedersen", (Role.EMPLOYEE,), unit="Rissa skole"),
    DemoPerson("kriseleder", "Kim", "Krog", (Role.CRISIS_LEADER, Role.EMPLOYEE)),
    DemoPerson("arkiv", "Anne", "Arnesen", (Role.ARCHIVIST, Role.EMPLOYEE)),
    DemoPerson("ansatt", "Ola", "Olsen", (Role.EMPLOYEE,)),
)

DEMO_UNITS = ("Rissa skole", "Stadsbygd barnehage", "Fosenheimen sykehjem", "Kulturskolen")


def setup_demo() -> list[DemoPerson]:
    """Create (or complete) the demo municipality and its people; safe to run again."""
    User = get_user_model()
    with transaction.atomic():
        demo, _ = Municipality.objects.get_or_create(
            slug=DEMO_SLUG, defaults={"name": "Demo kommune", "preset": DEMO_PRESET}
        )
        neighbour, _ = Municipality.objects.get_or_create(
            slug=NEIGHBOUR_SLUG, defaults={"name": "Nabo kommune", "preset": NEIGHBOUR_PRESET}
        )
        units = {
            name: Unit.objects.get_or_create(municipality=demo, name=name)[0] for name in DEMO_UNITS
        }
        for person in DEMO_PEOPLE:
            user = User.objects.filter(username=person.username).first()
            if user is None:
                user = User.objects.create_user(
                    username=person.username,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    email=f"{person.username}@demo.kommune.invalid",
                    password=DEMO_PASSWORD,
                )
            for role in person.roles:
                unit = units[person.unit] if person.unit and role == Role.UNIT_LEADER else None
                role_assign(actor=None, municipality=demo, user=user, role=role, unit=unit)
            if person.also_neighbour:
                for role in person.roles:
                    role_assign(actor=None, municipality=neighbour, user=user, role=role)
        # Its own identity, not Indre Fosen's (whose preset it uses): invented details.
        municipality_identity_update(actor=None, municipality=demo, **DEMO_IDENTITY)
    setup_demo_channels(demo)
    # The archive's records first: they are dated two days back (the Noark 5 deposit
    # takes only days that are over, AR-3), and the chain's times rise with its numbers,
    # so records the inbox appends today must come after them.
    setup_demo_archive(demo)
    setup_demo_inbox(demo)
    setup_demo_moderation(demo, complaint_address=DEMO_IDENTITY["inquiry_email"])
    setup_demo_publishing(demo)
    setup_demo_crisis(demo)
    return list(DEMO_PEOPLE)
