# Import files move here from the victims app with their rows (their content is victims'
# personal data and pending imports): the state moves (victims 0004 forgets it), the content
# type follows (so granted permissions and log entries do), then the table is renamed.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from fieldsync.moves import content_types_move


class Migration(migrations.Migration):

    dependencies = [
        ("victims", "0003_importfile"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportFile",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("file_name", models.CharField(max_length=255, verbose_name="file name")),
                        ("kind", models.CharField(blank=True, help_text="The records a CSV file holds; empty: from the sheet or file names.", max_length=16, verbose_name="records")),
                        ("content", models.BinaryField(verbose_name="content")),
                        ("sha256", models.CharField(editable=False, max_length=64, verbose_name="SHA-256")),
                        ("size", models.PositiveBigIntegerField(editable=False, verbose_name="size (bytes)")),
                        ("status", models.CharField(choices=[("received", "Received"), ("valid", "Checked: ready to import"), ("invalid", "Checked: has rejected rows"), ("queued", "Import requested"), ("applied", "Imported"), ("failed", "Failed: nothing imported")], default="received", max_length=16, verbose_name="status")),
                        ("report", models.JSONField(default=dict, editable=False, verbose_name="report")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="uploaded at")),
                        ("applied_at", models.DateTimeField(blank=True, null=True, verbose_name="imported at")),
                        ("applied_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="imported by")),
                        ("uploaded_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="uploaded by")),
                    ],
                    options={
                        "verbose_name": "import file",
                        "verbose_name_plural": "import files",
                        "ordering": ["-created_at"],
                        "indexes": [models.Index(fields=["sha256"], name="import_file_sha256_idx")],
                        "db_table": "victims_importfile",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            *content_types_move(["importfile"], old_app="victims", new_app="exchange")
        ),
        migrations.AlterModelTable(name="importfile", table=None),
    ]
