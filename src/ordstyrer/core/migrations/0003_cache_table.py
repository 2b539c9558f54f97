"""The database cache table (settings.CACHES): shared by every process, so the API's
per-token rate limits hold across several web processes and machines."""

from django.core.management import call_command
from django.db import migrations


def create(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS ordstyrer_cache")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_worker_heartbeat")]

    operations = [migrations.RunPython(create, drop)]
