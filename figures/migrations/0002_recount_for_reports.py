# The figure tables gained columns (the ordnance type, the disabled flag, the assistance's device
# category and need grouping) that rows counted before hold as defaults: every known slice is
# marked dirty, so the next refresh (a change, the beat sweep) recounts them all in one rebuild.
# `manage.py rebuild_statistics` does it at once.

from django.db import migrations


def mark_every_slice(apps, schema_editor):
    slices = set()
    for app, model, year in (
        ("figures", "StatisticsSlice", "year"),
        ("accidents", "AccidentFigure", "year"),
        ("victims", "CasualtyFigure", "year"),
        ("victims", "AssistanceFigure", "accident_year"),
    ):
        rows = apps.get_model(app, model).objects.order_by().values_list(year, "province")
        slices.update(rows.distinct())
    DirtySlice = apps.get_model("figures", "DirtySlice")
    DirtySlice.objects.bulk_create(
        [DirtySlice(year=year, province=province) for year, province in sorted(slices)],
        batch_size=1000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("figures", "0001_initial"),
        ("accidents", "0006_figures_for_reports"),
        ("victims", "0005_figures_for_reports"),
    ]

    operations = [
        migrations.RunPython(mark_every_slice, migrations.RunPython.noop),
    ]
