# The audit log kept a copy of every item event's text — a note, a referral's or an
# escalation's note, a report's note, a reply — in clear, append-only and never deleted,
# beside the item's own log, which holds it and is masked in the console (PU-1;
# docs/privacy.md). `transitions.log_event` now audits only the event's id and the
# text's length; the entries written before lose their copy here and keep its length.
# Going back gives nothing back.

from django.db import migrations

BATCH = 500


def drop_copied_texts(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    pks = list(
        AuditEntry.objects.filter(action__startswith="inbox_", data__has_key="text")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(pks), BATCH):
        entries = list(AuditEntry.objects.filter(pk__in=pks[start : start + BATCH]))
        for entry in entries:
            text = entry.data.pop("text")
            entry.data["text_length"] = len(text) if isinstance(text, str) else 0
        AuditEntry.objects.bulk_update(entries, ["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0012_referral_report_intent_key"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(drop_copied_texts, migrations.RunPython.noop)]
