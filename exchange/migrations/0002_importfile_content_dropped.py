# Import files keep their content only while they wait to be imported: when it was dropped is
# recorded (imported, discarded or expired). Files imported before kept no content already:
# theirs was dropped when they were imported.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def imported_files_dropped(apps, schema_editor):
    ImportFile = apps.get_model("exchange", "ImportFile")
    ImportFile.objects.filter(status="applied", content_dropped_at__isnull=True).update(
        content=b"", content_dropped_at=models.F("applied_at")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('exchange', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='importfile',
            name='content_dropped_at',
            field=models.DateTimeField(blank=True, help_text="When the file's content was dropped: imported, discarded or expired.", null=True, verbose_name='content dropped at'),
        ),
        migrations.AddField(
            model_name='importfile',
            name='discarded_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='discarded by'),
        ),
        migrations.AlterField(
            model_name='importfile',
            name='status',
            field=models.CharField(choices=[('received', 'Received'), ('valid', 'Checked: ready to import'), ('invalid', 'Checked: has rejected rows'), ('queued', 'Import requested'), ('applied', 'Imported'), ('failed', 'Failed: nothing imported'), ('discarded', 'Discarded: nothing imported'), ('expired', 'Expired: not imported in time')], default='received', max_length=16, verbose_name='status'),
        ),
        migrations.RunPython(imported_files_dropped, migrations.RunPython.noop),
    ]
