"""The registry of syncable models: domain apps describe their wire models here.

fieldsync never imports a domain app; it asks the registered adapters to validate, build,
present and scope records.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models

from fieldsync.fields.base import Spec

if TYPE_CHECKING:
    from fieldsync.models import Device, User


@dataclass(frozen=True)
class ParentRef:
    """A wire field that holds the id of another syncable record."""

    field: str
    model: str


@dataclass(frozen=True)
class Viewer:
    """Who is reading: decides scope and whether personal fields are shown."""

    user: User | None
    role: str
    organisation: str | None
    is_nra: bool
    sees_personal_data: bool

    @classmethod
    def for_user(cls, user: User) -> Viewer:
        return cls(
            user=user,
            role=user.role,
            organisation=user.organisation_id,
            is_nra=user.is_nra,
            sees_personal_data=user.sees_personal_data(),
        )


@dataclass
class WriteContext:
    """What validation may need beyond the record itself: who sends it, and today's date."""

    device: Device | None
    user: User | None
    today: datetime.date
    lookups: dict[str, Any] = field(default_factory=dict)
    # Parent records (wire model -> id -> instance) already resolved by the engine.
    parents: dict[str, dict[str, models.Model]] = field(default_factory=dict)


Errors = dict[str, list[str]]
#: Who besides NRA staff may write one record: role -> (the organisation whose accounts of that
#: role may, or None for nobody; the wire field that decides it). A role absent may never write it.
Writers = dict[str, tuple[str | None, str]]
#: A record's parent instance by its wire field (None: no parent, or one not on the server).
ParentOf = Callable[[str], Any]


class SyncAdapter:
    """Describes one wire model. Subclasses set the class attributes and override the hooks."""

    wire_name: ClassVar[str]
    model: ClassVar[type[models.Model]]
    #: Reference data is pulled by every device and never pushed.
    reference: ClassVar[bool] = False
    #: Wire fields a tablet may send (server-managed fields are not among them).
    writable_fields: ClassVar[tuple[str, ...]] = ()
    #: Server-managed wire fields, ignored when a tablet sends them.
    read_only_fields: ClassVar[tuple[str, ...]] = ()
    parents: ClassVar[tuple[ParentRef, ...]] = ()
    #: Wire fields naming the organisation a record belongs to (its reporter, its provider):
    #: only NRA staff may change them on a stored record (write rules).
    organisation_fields: ClassVar[tuple[str, ...]] = ()
    #: Wire fields a deletion carries in pull (what a tablet needs to know of a tombstone).
    tombstone_fields: ClassVar[tuple[str, ...]] = ()
    #: Vocabularies (code, label) of list fields, which their model field does not carry: the
    #: review forms show them as labelled choices.
    list_vocabularies: ClassVar[Mapping[str, Sequence[tuple[str, Any]]]] = {}
    #: Fields (besides its parents) that tell staff which record this is without personal
    #: data: a victim's sex, age and outcome. None: the record's own name (`str`) does.
    summary_fields: ClassVar[tuple[str, ...] | None] = None
    #: Wire fields holding attachment references (attachments.md): the engine keeps which
    #: record names which file, and a download is allowed where such a field is visible.
    attachment_fields: ClassVar[tuple[str, ...]] = ()
    #: The table of WatermelonDB apps (watermelondb.md): "accidents" for "accident".
    table: ClassVar[str] = ""
    #: The specs of the writable wire fields, which tell their types to other protocols.
    specs: ClassVar[Mapping[str, Spec]] = {}
    #: Server-managed wire fields other protocols show as read-only columns, with their types.
    read_only_specs: ClassVar[Mapping[str, Spec]] = {}

    # -- reading -------------------------------------------------------------------------------
    def queryset(self) -> models.QuerySet[Any]:
        """The records with what `to_wire`, `audience` and `present` need, in bulk."""
        return self.model._default_manager.all()

    def presentation_queryset(self) -> models.QuerySet[Any]:
        """The records as `present` needs them (pull pages): `queryset()` unless an adapter
        joins there what only `audience` needs."""
        return self.queryset()

    def to_wire(self, instance: Any) -> dict[str, Any]:
        """The full record as wire data (JSON-ready, canonical): history, merge and pull use it."""
        raise NotImplementedError

    def present(self, instances: Sequence[Any], viewer: Viewer) -> list[dict[str, Any]]:
        """Wire data as this viewer may see it (privacy rules applied)."""
        return [self.to_wire(instance) for instance in instances]

    def hidden_fields(self, instance: Any, viewer: Viewer) -> frozenset[str]:
        """Fields `present` hides from this viewer: a push from them cannot change these."""
        return frozenset()

    def is_locked(self, instance: Any) -> bool:
        """A locked record (verified by the NRA) takes no tablet edits."""
        return False

    # -- scope ---------------------------------------------------------------------------------
    def scope(self, queryset: models.QuerySet[Any], viewer: Viewer) -> models.QuerySet[Any]:
        """The records of `queryset` this viewer sees: `audience` as a query (partner API)."""
        if self.reference or viewer.is_nra:
            return queryset
        return queryset.none()

    def audience(self, instances: Sequence[Any]) -> dict[str, frozenset[str]]:
        """The organisations whose devices see each record (NRA staff see everything)."""
        raise NotImplementedError

    def dependents(self, instances: Sequence[Any]) -> Mapping[str, tuple[set[str], bool]]:
        """Records whose view depends on these: wire model -> (ids, their data changed too).

        When the second element is True the dependents are sent again to every device that sees
        them (their derived fields changed); otherwise only their audience is recomputed.
        """
        return {}

    def dependents_of_created(
        self, instances: Sequence[Any]
    ) -> Mapping[str, tuple[set[str], bool]]:
        """`dependents` of records inserted by the transaction being logged.

        Nothing stored before can refer to a record that did not exist: its dependents were
        inserted in the same transaction and are logged already. An adapter overrides this to
        skip the queries `dependents` makes, keeping what its instances alone tell.
        """
        return self.dependents(instances)

    # -- writing -------------------------------------------------------------------------------
    def writers(self, record: Mapping[str, Any], parent: ParentOf) -> Writers:
        """Who besides NRA staff may write `record` (wire data, its parents by `parent`): the
        contract's "Who may write what", decided in `fieldsync.write_rules`. Nobody by default."""
        return {}

    def load_lookups(self, records: Sequence[Mapping[str, Any]], context: WriteContext) -> None:
        """Fetch in bulk what `validate` needs for these records (reference codes...)."""

    def defaults(self, context: WriteContext) -> dict[str, Any]:
        """Wire values a new record takes for fields it was created without."""
        return {}

    def validate(self, data: Mapping[str, Any], context: WriteContext) -> tuple[dict, Errors]:
        """Check a full record (wire data) and return it canonical, or the errors per field."""
        raise NotImplementedError

    def build(self, record_id: str, data: Mapping[str, Any], context: WriteContext) -> Any:
        """A new, unsaved instance from validated wire data."""
        instance = self.model(pk=record_id)
        self.assign(instance, data)
        return instance

    def assign(self, instance: Any, data: Mapping[str, Any]) -> list[str]:
        """Set validated wire data on an instance; returns the model fields it touched."""
        raise NotImplementedError

    def before_insert(self, instances: Sequence[Any], context: WriteContext) -> None:
        """Last step before new records are inserted (e.g. number them)."""


class ReferenceAdapter(SyncAdapter):
    """Reference data: a list of the model's fields on the wire (foreign keys as codes)."""

    reference = True
    wire_fields: ClassVar[tuple[str, ...]] = ()

    def to_wire(self, instance: Any) -> dict[str, Any]:
        fields = {f.name: f.attname for f in self.model._meta.concrete_fields}
        return {name: getattr(instance, fields[name]) for name in self.wire_fields}


class Registry:
    def __init__(self) -> None:
        self._adapters: dict[str, SyncAdapter] = {}

    def register(self, adapter_class: type[SyncAdapter]) -> type[SyncAdapter]:
        adapter = adapter_class()
        self._adapters[adapter.wire_name] = adapter
        return adapter_class

    def get(self, wire_name: str) -> SyncAdapter | None:
        return self._adapters.get(wire_name)

    def __getitem__(self, wire_name: str) -> SyncAdapter:
        return self._adapters[wire_name]

    def names(self) -> list[str]:
        return list(self._adapters)

    def pushable(self) -> list[SyncAdapter]:
        return [a for a in self._adapters.values() if not a.reference]

    def references(self) -> list[SyncAdapter]:
        return [a for a in self._adapters.values() if a.reference]

    def for_model(self, model: type[models.Model]) -> SyncAdapter:
        for adapter in self._adapters.values():
            if adapter.model is model:
                return adapter
        raise KeyError(model)

    def order(self, names: Iterable[str]) -> list[str]:
        """Wire models ordered so that parents come before the records that refer to them."""
        ordered: list[str] = []
        pending = set(names)
        while pending:
            ready = sorted(
                n
                for n in pending
                if all(
                    p.model in ordered or p.model == n or p.model not in pending
                    for p in self._adapters[n].parents
                )
            )
            if not ready:  # a cycle between models: fall back to name order
                ready = sorted(pending)
            ordered.extend(ready)
            pending.difference_update(ready)
        return ordered


registry = Registry()
