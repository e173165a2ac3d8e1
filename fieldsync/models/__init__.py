"""The sync engine's tables: tenancy and devices, the record base classes, the change log,
the durable inbox, version history and conflicts."""

from fieldsync.models.accounts import (
    Device,
    LoginFailure,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from fieldsync.models.attachments import Attachment, AttachmentRef, Upload
from fieldsync.models.base import ReferenceRecord, SyncRecord
from fieldsync.models.changelog import Change, ServerIdentity, SyncCommit, SyncCounter
from fieldsync.models.inbox import (
    REVIEWABLE,
    Conflict,
    ConflictKind,
    ConflictStatus,
    InboxRecord,
    InboxStatus,
    RecordVersion,
    SyncBatch,
)
from fieldsync.models.watermelon import WatermelonState

__all__ = [
    "REVIEWABLE",
    "Attachment",
    "AttachmentRef",
    "Change",
    "Conflict",
    "ConflictKind",
    "ConflictStatus",
    "Device",
    "InboxRecord",
    "InboxStatus",
    "LoginFailure",
    "Organisation",
    "OrganisationKind",
    "RecordVersion",
    "ReferenceRecord",
    "Role",
    "ServerIdentity",
    "SyncBatch",
    "SyncCommit",
    "SyncCounter",
    "SyncRecord",
    "Upload",
    "User",
    "WatermelonState",
]
