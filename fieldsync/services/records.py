"""Changes the server itself makes to syncable records (NRA staff actions, not tablet data)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from fieldsync import hooks
from fieldsync.changelog import ChangeSet
from fieldsync.models import RecordVersion, User
from fieldsync.registry import registry


@transaction.atomic
def record_staff_update(
    *,
    model: str,
    record_id: str,
    values: dict[str, Any],
    user: User,
    source: str = RecordVersion.Source.ADMIN,
) -> Any:
    """Set model fields of one record as a new version: history, change log and hook included.

    For what tablets cannot send (an accident's status). Returns the updated instance; a call
    that changes nothing stores nothing.
    """
    adapter = registry[model]
    instance = adapter.queryset().select_for_update(of=("self",)).get(pk=record_id)
    before = adapter.to_wire(instance)
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if not changed:
        return instance
    for name in changed:
        setattr(instance, name, values[name])
    instance.version += 1
    instance.updated_at = timezone.now()
    instance.save(update_fields=[*changed, "version", "updated_at"])
    after = adapter.to_wire(instance)
    RecordVersion.objects.create(
        model=model,
        record_id=str(instance.pk),
        version=instance.version,
        op="update",
        data=after,
        source=source,
        user=user,
        changes={k: [before.get(k), after.get(k)] for k in after if after.get(k) != before.get(k)},
    )
    hooks.records_changed({model: {str(instance.pk): (before, after)}})
    changes = ChangeSet()
    changes.add(model, [instance])
    changes.flush()  # last write: holds the change counter until commit
    return instance
