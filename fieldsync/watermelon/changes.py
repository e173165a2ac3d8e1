"""A pushed WatermelonDB `Changes` body, checked as an envelope (contract watermelondb.md, Push):
a shape error refuses the whole push, anything wrong inside a row is the engine's to judge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from fieldsync.watermelon.tables import Table, table_named

KINDS = ("created", "updated", "deleted")


class ChangesRefused(Exception):
    """The body is not a Changes object the server can take: nothing is applied."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Row:
    table: Table
    kind: str  # created, updated or deleted
    record_id: str
    raw: dict[str, Any]  # the row as sent ({} for a deletion)

    @property
    def changed(self) -> list[str]:
        """The columns the device changed (`_changed`, comma-separated)."""
        changed = self.raw.get("_changed")
        if not isinstance(changed, str):
            return []
        return [name for name in (part.strip() for part in changed.split(",")) if name]


def parse_changes(body: Any) -> list[Row]:
    """The rows of a Changes body, in its order (the engine applies parents first anyway)."""
    if not isinstance(body, dict):
        raise ChangesRefused(400, "invalid_changes", "The body must be a JSON object of tables.")
    rows: list[Row] = []
    for name, table_changes in body.items():
        if not isinstance(table_changes, dict) or any(
            not isinstance(table_changes.get(kind, []), list) for kind in KINDS
        ):
            raise ChangesRefused(
                400,
                "invalid_changes",
                f"Table '{str(name)[:64]}' must map created, updated and deleted to lists.",
            )
        table = table_named(name)
        if table is None:
            if any(table_changes.get(kind) for kind in KINDS):
                raise ChangesRefused(
                    400, "unknown_table", f"The server has no table '{str(name)[:64]}'."
                )
            continue  # an app's local table with nothing in it: no change to take
        rows.extend(_table_rows(table, table_changes))
    limit = settings.FIELDSYNC["MAX_BATCH_RECORDS"]
    if len(rows) > limit:
        raise ChangesRefused(413, "batch_too_large", f"More than {limit} rows in one push.")
    return rows


def _table_rows(table: Table, table_changes: dict[str, Any]) -> list[Row]:
    rows = []
    for kind in ("created", "updated"):
        for raw in table_changes.get(kind, []):
            if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
                raise ChangesRefused(
                    400,
                    "invalid_changes",
                    f"Every row of {table.name}.{kind} must be an object with a string id.",
                )
            rows.append(Row(table, kind, raw["id"], raw))
    for record_id in table_changes.get("deleted", []):
        if not isinstance(record_id, str) or not record_id:
            raise ChangesRefused(
                400, "invalid_changes", f"{table.name}.deleted must list string ids."
            )
        rows.append(Row(table, "deleted", record_id, {}))
    return rows
