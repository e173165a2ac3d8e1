# The slices and the dirty queue now belong to the figures app (figures 0001 keeps their rows).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accidents", "0004_review_duplicates"),
        ("figures", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="DirtySlice"),
                migrations.DeleteModel(name="StatisticsSlice"),
            ],
            database_operations=[],
        ),
    ]
