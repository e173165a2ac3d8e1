# Import files now belong to the exchange app (exchange 0001 keeps their rows).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("victims", "0003_importfile"),
        ("exchange", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ImportFile")],
            database_operations=[],
        ),
    ]
