"""One website per municipality (MO-4, PU-9): the notice to a comment's author names the
website set on the municipality's identity (`Municipality.website`, through
`policy_for`), as replies and PU-9 do. The moderation settings hold no second website:
the page says where the website is set, and migration 0004 moved a website set only
there to the municipality."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from ordstyrer.moderation import configuration, services
from ordstyrer.moderation.models import ModerationSettings
from ordstyrer.tenants.models import Municipality
from ordstyrer.tenants.services import municipality_identity_update
from tests.moderation.conftest import citizen_comment, client_for

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."


def settings_url(world) -> str:
    return reverse("moderation:settings", args=[world.municipality.slug])


def set_identity_website(world, website: str) -> None:
    municipality_identity_update(
        actor=world.p.communications, municipality=world.municipality, website=website
    )
    world.municipality.refresh_from_db()


def set_complaint_address(world, address: str) -> None:
    configuration.moderation_settings_update(
        actor=world.p.communications,
        municipality=world.municipality,
        second_approver=False,
        notify_author=True,
        notice_delivery="private_reply",
        auto_rules=[],
        complaint_address=address,
    )


def deletion_notice(world, capture) -> str:
    item = citizen_comment(world.channel, SPAM)
    with capture(execute=True):
        action = services.comment_delete(
            actor=world.admin, item=item, ground="spam", justification=WHY
        )
    action.refresh_from_db()
    assert action.notify and action.notice_text
    return action.notice_text


@pytest.mark.django_db
def test_the_notice_names_the_identitys_website_beside_the_complaint_address(
    world, django_capture_on_commit_callbacks
):
    """MO-4: the advisor sets the website once, on the identity; the notice with the
    municipality's complaint address points to it (it named no website before unless a
    second one was typed into the moderation settings)."""
    set_identity_website(world, "https://Modby.kommune.example/")
    set_complaint_address(world, "postmottak@modby.kommune.example")
    text = deletion_notice(world, django_capture_on_commit_callbacks)
    assert "på e-post til postmottak@modby.kommune.example (les mer på modby.kommune.example)" in (
        text
    )
    assert "indrefosen" not in text  # never the preset's municipality's site (#15)


@pytest.mark.django_db
def test_the_notice_without_a_complaint_address_sends_people_to_the_identitys_website(
    world, django_capture_on_commit_callbacks
):
    set_identity_website(world, "modby.kommune.example")
    text = deletion_notice(world, django_capture_on_commit_callbacks)
    assert "postmottaket (adressen står på modby.kommune.example)" in text


@pytest.mark.django_db
def test_the_settings_page_has_no_second_website_field_and_says_where_it_is_set(world):
    client = client_for(world.p.communications)
    page = client.get(settings_url(world))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="website"' not in html
    assert 'name="complaint_address"' in html  # complaints stay a moderation setting
    assert "Kommunen har ikke satt noe nettsted." in html
    identity = reverse("publishing:settings", args=[world.municipality.slug])
    assert f'href="{identity}#identity-heading"' in html
    assert "Kommunens nettsted og kontaktopplysninger" in html

    set_identity_website(world, "modby.kommune.example")
    html = client.get(settings_url(world)).content.decode()
    assert "Beskjeden viser til kommunens nettsted, modby.kommune.example." in html

    # A website posted to the moderation settings (an old form) changes nothing.
    response = client.post(
        settings_url(world),
        {
            "notice_delivery": "private_reply",
            "website": "annen.kommune.example",
            "complaint_address": "klage@modby.kommune.example",
        },
    )
    assert response.status_code == 302
    world.municipality.refresh_from_db()
    assert world.municipality.website == "modby.kommune.example"
    saved = ModerationSettings.objects.get(municipality=world.municipality)
    assert saved.complaint_address == "klage@modby.kommune.example"
    assert not hasattr(saved, "website")
    # Another municipality's advisor does not see the page.
    assert client_for(world.p.outsider).get(settings_url(world)).status_code == 404


BEFORE = [("moderation", "0003_notice_state"), ("tenants", "0003_municipality_identity")]
AFTER = [("moderation", "0004_website_to_municipality")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_the_moderation_website_where_the_municipality_has_none(caplog):
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        town = old.get_model("tenants", "Municipality")
        old_settings = old.get_model("moderation", "ModerationSettings")
        rows = {
            "blank": ("", "https://Blank.kommune.example/nyheter"),
            "both": ("both.kommune.example", "www.annen.kommune.example"),
            "same": ("same.kommune.example", "same.kommune.example"),
            "none": ("none.kommune.example", ""),
            "words": ("", "kommunens nettside"),
        }
        for slug, (identity, moderation) in rows.items():
            m = town.objects.create(
                slug=slug, name=slug.title(), preset="gausdal", website=identity
            )
            old_settings.objects.create(
                municipality=m, website=moderation, complaint_address=f"klage@{slug}.example"
            )

        caplog.set_level(logging.WARNING, logger="ordstyrer.moderation")
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)

        websites = dict(Municipality.objects.values_list("slug", "website"))
        assert websites == {
            "blank": "blank.kommune.example",  # copied, as the identity stores it
            "both": "both.kommune.example",  # the identity's kept
            "same": "same.kommune.example",
            "none": "none.kommune.example",
            "words": "",  # not a domain: not copied
        }
        assert (
            ModerationSettings.objects.filter(complaint_address__startswith="klage@").count() == 5
        )
        logged = {(r.getMessage(), getattr(r, "municipality", None)) for r in caplog.records}
        assert logged == {
            (
                "moderation website differed from the municipality's; the municipality's kept",
                "both",
            ),
            ("moderation website not copied: not a domain", "words"),
        }
        # The municipality's slug only: neither website is in the log.
        for record in caplog.records:
            flat = repr(record.__dict__)
            assert "annen.kommune.example" not in flat and "kommunens nettside" not in flat

        # Back: the moderation settings get the municipality's website again.
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        back = executor.loader.project_state(BEFORE).apps.get_model(
            "moderation", "ModerationSettings"
        )
        assert back.objects.get(municipality__slug="blank").website == "blank.kommune.example"
        assert back.objects.get(municipality__slug="both").website == "both.kommune.example"
        assert back.objects.get(municipality__slug="words").website == ""
    finally:
        MigrationExecutor(connection).migrate(latest)
