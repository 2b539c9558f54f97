# A comment deleted with the municipality's own post (PU-6): the action that carries the
# notice to its author (MO-4). Only the field's choices change.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0006_notice_crisis_hold"),
    ]

    operations = [
        migrations.AlterField(
            model_name="moderationaction",
            name="kind",
            field=models.CharField(
                choices=[
                    ("hide", "Skjult"),
                    ("unhide", "Vist igjen"),
                    ("delete", "Slettet"),
                    ("ban", "Utestengt"),
                    ("unban", "Utestenging opphevet"),
                    ("flag", "Flagget for vurdering"),
                    ("with_post", "Slettes med innlegget"),
                ],
                max_length=10,
            ),
        ),
    ]
