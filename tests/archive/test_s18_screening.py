"""Screening looks only at the private party a record is about (AR-1, AR-2, PU-1).

The municipality's own post names the employee who wrote it in its internal title
(«Innlegg fra Kari Hansen på Rissa skole»); an employee is no private party, so the post
is exported open, not as confidential (code 13, whole document). The person a record is
about — an inquiry's author, a reply's or an internal note's recipient, and the citizen
who was the author of an internal note archived before notes named a recipient — is
still screened.
"""

from __future__ import annotations

import pytest

from ordstyrer.archive.entry import Kind, Person
from tests.archive.conftest import make_channel
from tests.archive.test_screening import DAY, declared, in_format
from tests.factories import archived, ban_note

pytestmark = pytest.mark.django_db

PERSONAL = ("13", "Offl. § 13 jf. fvl. § 13 (1) nr. 1")


def test_an_employees_post_is_open_and_a_note_about_a_citizen_is_not(personas, tmp_path):
    """AR-1, AR-2: the post written by an employee is exported without <skjerming> in
    every format; internal notes (X) about a citizen keep theirs."""
    p = personas
    channel = make_channel(p, "Rissa skole")
    post = archived(
        p.municipality,
        actor=p.communications,
        now=DAY,
        kind=Kind.OWN_POST,
        text="Skolen holder stengt fredag.",
        author=Person("Kari Hansen"),
        channel=channel,
        journal=True,
    )
    assert post.title == "Innlegg fra Kari Hansen på Rissa skole"
    assert post.public_title == "Innlegg på Rissa skole"
    note = ban_note(
        p.municipality,
        actor=p.communications,
        now=DAY.replace(hour=11),
        text="Ola Nordmann er utestengt fra Rissa skole.",
        author=Person(f"{p.municipality.name} (Ordstyrer)"),
        recipient=Person("Ola Nordmann", "100200300"),
        title="Utestenging av Ola Nordmann fra Rissa skole",
        channel=channel,
        ground="spam",
    )
    # A note archived before notes named a recipient: the citizen was its author.
    older = ban_note(
        p.municipality,
        actor=p.communications,
        now=DAY.replace(hour=12),
        text="Ola Nordmann er utestengt fra Rissa skole.",
        author=Person("Ola Nordmann", "100200300"),
        channel=channel,
        ground="spam",
    )
    assert older.title.startswith("Modereringsnotat fra Ola Nordmann")
    # A note archived between the two: the municipality as author, no recipient, the
    # citizen named only in its title.
    between = ban_note(
        p.municipality,
        actor=p.communications,
        now=DAY.replace(hour=13),
        text="Kari Nordmann er utestengt fra Rissa skole.",
        author=Person(f"{p.municipality.name} (Ordstyrer)"),
        title="Utestenging av Kari Nordmann fra Rissa skole",
        channel=channel,
        ground="spam",
    )

    found = declared(p, tmp_path, [post, note, older, between])
    for fmt, values in found.items():
        assert values == in_format(fmt, [None, PERSONAL, PERSONAL, PERSONAL]), fmt
