"""MO — moderation: hide, delete, ban (rules.md). Enforced by the moderation services."""

from __future__ import annotations

from ordstyrer.policy.rules._base import ParamSpec, rule
from ordstyrer.policy.tables import GROUNDS

RULES = (
    rule(
        "MO-1",
        "block",
        (
            "Sletting bare på godkjent grunnlag",
            "Sletting berre på godkjent grunnlag",
            "Deletion only on allowed grounds",
        ),
        (
            "Terskelen for å slette kommentarer eller utestenge personer er svært høy. Det er "
            "bare lov å slette på de grunnlagene kommunen har listet opp.",
            "Terskelen for å slette kommentarar eller utestenge personar er svært høg. Det er "
            "berre lov å slette på dei grunnlaga kommunen har lista opp.",
            "The threshold for deleting comments or banning people is very high; deletion is "
            "allowed only on the grounds the municipality lists.",
        ),
        params={"grounds": ParamSpec("str_list", choices=frozenset(GROUNDS))},
    ),
    rule(
        "MO-2",
        "record",
        ("Arkiver før sletting", "Arkiver før sletting", "Archive before deleting"),
        (
            "Alt som slettes, arkiveres først: hva det sto, hvem som skrev det, når, hvor og "
            "hvorfor det ble fjernet.",
            "Alt som blir sletta, blir arkivert først: kva det stod, kven som skreiv det, når, "
            "kvar og kvifor det vart fjerna.",
            "Everything deleted is archived first: what it said, who wrote it, when, where and "
            "why it was removed.",
        ),
    ),
    rule(
        "MO-3",
        "flow + record",
        (
            "Hatefulle ytringer meldes til politiet",
            "Hatefulle ytringar blir melde til politiet",
            "Hateful speech is reported to the police",
        ),
        (
            "Hatefulle ytringer (straffeloven § 185) meldes til politiet; systemet lager en "
            "bevispakke.",
            "Hatefulle ytringar (straffelova § 185) blir melde til politiet; systemet lagar ein "
            "bevispakke.",
            "Hateful speech (Penal Code § 185) is reported to the police; the system prepares "
            "an evidence package.",
        ),
    ),
    rule(
        "MO-4",
        "flow + record",
        ("Si fra hvorfor", "Sei frå kvifor", "Tell them why"),
        (
            "Den som får innlegg slettet eller blir utestengt, får vite hvorfor.",
            "Den som får innlegg sletta eller blir utestengd, får vite kvifor.",
            "A person whose content is deleted, or who is banned, is told why.",
        ),
    ),
    rule(
        "MO-5",
        "flow",
        (
            "Hovedadministrator sletter",
            "Hovudadministratoren slettar",
            "The main administrator deletes",
        ),
        (
            "Hovedadministratoren har ansvar for å slette og følge opp innlegg.",
            "Hovudadministratoren har ansvar for å slette og følgje opp innlegg.",
            "The main administrator is responsible for deleting and following up.",
        ),
    ),
    rule(
        "MO-6",
        "flow",
        ("Ulovlige innlegg fjernes", "Ulovlege innlegg blir fjerna", "Unlawful posts are removed"),
        (
            "Innlegg i strid med lov eller retningslinjer dokumenteres, fjernes og arkiveres så "
            "snart de oppdages.",
            "Innlegg i strid med lov eller retningslinjer blir dokumenterte, fjerna og arkiverte "
            "så snart dei blir oppdaga.",
            "Posts contrary to law or guidelines are documented, removed and archived as soon "
            "as they are discovered.",
        ),
    ),
)
