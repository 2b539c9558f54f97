# Each image's size in pixels as it is shown (its EXIF orientation applied), for
# Instagram's aspect ratio (4:5 to 1.91:1, `rules.channel_findings`). Uploads read it
# (`media.image_size`); the images stored before are read here, one at a time, from their
# header only. One that cannot be read keeps None: the check then has no size to judge,
# as before. Going back drops the columns.

import io

from django.db import migrations, models

FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
ORIENTATION = 0x0112
QUARTER_TURNS = {5, 6, 7, 8}


def read_sizes(apps, schema_editor):
    from PIL import Image

    MediaAsset = apps.get_model("publishing", "MediaAsset")
    images = MediaAsset.objects.filter(kind="image", width__isnull=True, mime__in=list(FORMATS))
    # The ids first: SQLite does not isolate a cursor from the updates below.
    for pk, mime in list(images.values_list("pk", "mime")):
        content = MediaAsset.objects.values_list("content", flat=True).get(pk=pk)
        try:
            with Image.open(io.BytesIO(bytes(content)), formats=[FORMATS[mime]]) as image:
                width, height = image.size
                if image.getexif().get(ORIENTATION) in QUARTER_TURNS:
                    width, height = height, width
        except Exception:  # noqa: BLE001, S112 — an unreadable file keeps no size
            continue
        MediaAsset.objects.filter(pk=pk).update(width=width, height=height)


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0003_website_to_municipality"),
    ]

    operations = [
        migrations.AddField(
            model_name="mediaasset",
            name="height",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="mediaasset",
            name="width",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(read_sizes, migrations.RunPython.noop),
    ]
