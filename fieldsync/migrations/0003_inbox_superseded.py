"""Held and rejected records a later stored version overtook leave the review queue: status
`superseded` (kept in the history). Records staff fixed, so far marked discarded, are too."""

from typing import Any

from django.db import migrations, models
from django.db.models import Exists, OuterRef
from django.utils import timezone

REVIEWABLE = ("held", "rejected")


def supersede(apps: Any, schema_editor: Any) -> None:
    inbox_record = apps.get_model("fieldsync", "InboxRecord")
    record_version = apps.get_model("fieldsync", "RecordVersion")
    later = record_version.objects.filter(
        model=OuterRef("model"), record_id=OuterRef("record_id"), inbox_record_id__gt=OuterRef("pk")
    )
    inbox_record.objects.filter(status__in=REVIEWABLE).filter(Exists(later)).update(
        status="superseded", resolved_at=timezone.now(), waiting_for_model="", waiting_for_id=""
    )
    fixed = inbox_record.objects.filter(status="discarded", result__reason="fixed")
    for record in fixed.iterator():
        record.status = "superseded"
        record.result = {**record.result, "status": "superseded"}
        record.save(update_fields=["status", "result"])


def back_to_queue(apps: Any, schema_editor: Any) -> None:
    inbox_record = apps.get_model("fieldsync", "InboxRecord")
    for record in inbox_record.objects.filter(status="superseded").iterator():
        result = record.result if isinstance(record.result, dict) else {}
        if result.get("reason") == "fixed":
            record.status = "discarded"
            record.result = {**result, "status": "discarded"}
        else:
            record.status = result.get("status") if result.get("status") in REVIEWABLE else "rejected"
            record.resolved_at = None
        record.save(update_fields=["status", "result", "resolved_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("fieldsync", "0002_account_deactivation"),
    ]

    operations = [
        migrations.AlterField(
            model_name="inboxrecord",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("applied", "Applied"),
                    ("unchanged", "Unchanged"),
                    ("merged", "Merged"),
                    ("conflict", "Conflict"),
                    ("held", "Held"),
                    ("rejected", "Rejected"),
                    ("discarded", "Discarded"),
                    ("superseded", "Superseded by a later version"),
                ],
                default="pending",
                max_length=16,
            ),
        ),
        migrations.RunPython(supersede, back_to_queue),
    ]
