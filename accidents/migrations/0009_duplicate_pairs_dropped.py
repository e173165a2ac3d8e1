"""The pairs of possible duplicates are groups now (0007 moved them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accidents", "0008_duplicate_groups")]

    operations = [migrations.DeleteModel(name="DuplicateCandidate")]
