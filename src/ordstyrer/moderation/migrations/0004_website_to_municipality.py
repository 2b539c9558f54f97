# One website per municipality (MO-4, PU-9): the notice to a comment's author named
# `ModerationSettings.website` while replies and PU-9 named `Municipality.website`, so an
# advisor who set one but not the other sent people to different places. The notice now
# reads the identity's website through `policy_for`, and the moderation setting goes.
#
# A website set only in the moderation settings moves to the municipality (as the identity
# service would store it: the bare domain). Where the municipality has one already, that
# one is the identity and stays; the migration logs that the two differed, by the
# municipality's slug only. A value that is not a domain is not copied (logged likewise).
# Reversible: going back writes the municipality's website into its moderation settings.

import logging

from django.db import migrations

logger = logging.getLogger("ordstyrer.moderation")


def _domain(raw):
    """The bare domain of a website as typed, or "" if it is not one (the rule of
    `tenants.services._website`, copied: a migration does not import app code)."""
    domain = (raw or "").strip().lower().removeprefix("https://").removeprefix("http://")
    domain = domain.split("/")[0]
    if not domain or "." not in domain or " " in domain or len(domain) > 200:
        return ""
    return domain


def website_to_municipality(apps, schema_editor):
    ModerationSettings = apps.get_model("moderation", "ModerationSettings")
    Municipality = apps.get_model("tenants", "Municipality")
    found = ModerationSettings.objects.exclude(website="").values_list("municipality_id", "website")
    for municipality_id, website in found.iterator():
        municipality = Municipality.objects.filter(pk=municipality_id).first()
        if municipality is None:
            continue
        domain = _domain(website)
        if not domain:
            logger.warning(
                "moderation website not copied: not a domain",
                extra={"municipality": municipality.slug},
            )
            continue
        if not municipality.website:
            Municipality.objects.filter(pk=municipality.pk, website="").update(website=domain)
        elif _domain(municipality.website) != domain:
            logger.warning(
                "moderation website differed from the municipality's; the municipality's kept",
                extra={"municipality": municipality.slug},
            )


def website_to_moderation_settings(apps, schema_editor):
    ModerationSettings = apps.get_model("moderation", "ModerationSettings")
    for settings in ModerationSettings.objects.select_related("municipality"):
        if settings.municipality.website:
            settings.website = settings.municipality.website
            settings.save(update_fields=["website"])


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0003_notice_state"),
        ("tenants", "0003_municipality_identity"),
    ]

    operations = [
        migrations.RunPython(website_to_municipality, website_to_moderation_settings),
        migrations.RemoveField(model_name="moderationsettings", name="website"),
    ]
