# The municipality's own website (PU-9) moves from the publishing settings to
# `tenants.Municipality.website`, where its contact person (EM-9) and address for formal
# inquiries (DI-7) are too, so that `policy_for` applies it everywhere (docs/policy.md).
# The publishing settings held nothing else and go. Reversible: going back writes each
# municipality's website into new publishing settings.

from django.db import migrations


def website_to_municipality(apps, schema_editor):
    PublishingSettings = apps.get_model("publishing", "PublishingSettings")
    Municipality = apps.get_model("tenants", "Municipality")
    for found in PublishingSettings.objects.exclude(website_domain=""):
        domain = found.website_domain.strip().lower()
        # A website set on the municipality already is the newer word.
        Municipality.objects.filter(pk=found.municipality_id, website="").update(website=domain)


def website_to_publishing_settings(apps, schema_editor):
    PublishingSettings = apps.get_model("publishing", "PublishingSettings")
    Municipality = apps.get_model("tenants", "Municipality")
    for municipality in Municipality.objects.exclude(website=""):
        PublishingSettings.objects.update_or_create(
            municipality=municipality, defaults={"website_domain": municipality.website}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0002_delivery_cancel_platform_id"),
        ("tenants", "0003_municipality_identity"),
    ]

    operations = [
        migrations.RunPython(website_to_municipality, website_to_publishing_settings),
        migrations.DeleteModel(name="PublishingSettings"),
    ]
