"""A pushed record on its way through reconciliation, and how its outcome is settled."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from fieldsync.models import Device, InboxRecord, InboxStatus, User
from fieldsync.registry import Errors

Key = tuple[str, str]  # (wire model, record id)
Record = Any  # an instance of a registered SyncRecord model


class Rejected(Exception):
    def __init__(self, errors: Errors, code: str = "invalid") -> None:
        super().__init__(code)
        self.errors = errors
        self.code = code


class Held(Rejected):
    def __init__(self, model: str, record_id: str) -> None:
        super().__init__({}, code="held")
        self.model = model
        self.record_id = record_id


@dataclass(slots=True)
class InboxRow:
    """A record of a batch just received, as reconciliation reads and settles it: the fields
    of its InboxRecord row, without building a model instance per record."""

    id: int
    payload: Any
    status: str
    result: Any = None
    model: str = ""
    record_id: str = ""
    waiting_for_model: str = ""
    waiting_for_id: str = ""
    resolved_at: datetime.datetime | None = None

    @property
    def pk(self) -> int:
        return self.id


@dataclass
class Item:
    """One pushed record on its way through reconciliation (its inbox row: just received, or
    read back from the database)."""

    inbox: InboxRecord | InboxRow
    device: Device
    user: User
    model: str = ""
    record_id: str = ""
    op: str = "upsert"
    base_version: int | None = None
    recorded_at: datetime.datetime | None = None
    data: dict[str, Any] = field(default_factory=dict)
    # Field values the sender's edit was made on, over the base version's (a WatermelonDB
    # device's own earlier pushes: fieldsync.watermelon.push).
    base_fields: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    needs_data: bool = False

    @property
    def key(self) -> Key:
        return (self.model, self.record_id)

    def finish(
        self,
        status: str,
        version: int | None,
        *,
        now: datetime.datetime,
        with_data: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Settle the record with `status` (`with_data`: its result shows the server copy)."""
        self.result = {
            "model": self.model,
            "id": self.record_id,
            "status": status,
            "version": version,
            **(extra or {}),
        }
        self.needs_data = with_data
        self.inbox.status = status
        self.inbox.waiting_for_model = ""
        self.inbox.waiting_for_id = ""
        self.inbox.resolved_at = now
        self.inbox.model = self.model
        self.inbox.record_id = self.record_id

    def refuse(self, rejected: Rejected, *, now: datetime.datetime) -> None:
        """Reject the record, or hold it until the parent it waits for is applied."""
        if isinstance(rejected, Held):
            self.result = {
                "model": self.model,
                "id": self.record_id,
                "status": InboxStatus.HELD,
                "waiting_for": {"model": rejected.model, "id": rejected.record_id},
            }
            self.inbox.status = InboxStatus.HELD
            self.inbox.waiting_for_model = rejected.model
            self.inbox.waiting_for_id = rejected.record_id
            self.inbox.resolved_at = None
        else:
            self.result = {
                "model": self.model,
                "id": self.record_id,
                "status": "rejected",
                "code": rejected.code,
                "errors": rejected.errors,
            }
            self.inbox.status = InboxStatus.REJECTED
            self.inbox.resolved_at = now
        self.inbox.model = self.model[:64]
        self.inbox.record_id = self.record_id[:64]
