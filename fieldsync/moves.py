"""Moving a model from one app to another in a migration, keeping its rows.

The model's state moves with `SeparateDatabaseAndState` (no table is dropped or created); then
`content_types_move` gives the old content type to the new app, so the permissions granted on
the model and the admin's log entries follow it; `AlterModelTable` renames the table last.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.backends.base.schema import BaseDatabaseSchemaEditor

RunPythonCode = Callable[[Any, BaseDatabaseSchemaEditor], None]


def content_types_move(
    models: Iterable[str], *, old_app: str, new_app: str
) -> tuple[RunPythonCode, RunPythonCode]:
    """Forward and backward `RunPython` functions relabelling the models' content types."""
    names = tuple(models)

    def relabel(source: str, target: str) -> RunPythonCode:
        def run(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
            content_type = apps.get_model("contenttypes", "ContentType")
            database = schema_editor.connection.alias
            for name in names:
                taken = content_type.objects.using(database).filter(app_label=target, model=name)
                if taken.exists():  # created meanwhile by a post_migrate: the old one wins
                    taken.delete()
                content_type.objects.using(database).filter(app_label=source, model=name).update(
                    app_label=target
                )

        return run

    return relabel(old_app, new_app), relabel(new_app, old_app)
