# The slices and the dirty queue move here from the accidents app with their rows: the state
# moves (accidents 0005 forgets them), the content types follow, then the tables are renamed.

import django.utils.timezone
from django.db import migrations, models

from fieldsync.moves import content_types_move


class Migration(migrations.Migration):

    dependencies = [
        ("accidents", "0004_review_duplicates"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DirtySlice",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                        ("province", models.CharField(max_length=8, verbose_name="province")),
                        ("marked_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="marked at")),
                    ],
                    options={
                        "verbose_name": "dirty statistics slice",
                        "verbose_name_plural": "dirty statistics slices",
                        "ordering": ["id"],
                        "indexes": [models.Index(fields=["year", "province"], name="dirty_slice_idx")],
                        "db_table": "accidents_dirtyslice",
                    },
                ),
                migrations.CreateModel(
                    name="StatisticsSlice",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                        ("province", models.CharField(max_length=8, verbose_name="province")),
                        ("recomputed_at", models.DateTimeField(blank=True, null=True, verbose_name="recomputed at")),
                    ],
                    options={
                        "verbose_name": "statistics slice",
                        "verbose_name_plural": "statistics slices",
                        "ordering": ["-year", "province"],
                        "constraints": [models.UniqueConstraint(fields=("year", "province"), name="statistics_slice_unique")],
                        "db_table": "accidents_statisticsslice",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            *content_types_move(
                ["dirtyslice", "statisticsslice"], old_app="accidents", new_app="figures"
            )
        ),
        migrations.AlterModelTable(name="dirtyslice", table=None),
        migrations.AlterModelTable(name="statisticsslice", table=None),
    ]
