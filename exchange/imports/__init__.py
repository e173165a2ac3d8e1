"""Import accidents, victims and assistance from a spreadsheet (docs/import-export.md).

Two steps. The *plan* (a dry run, nothing written) reads the file, turns every row into wire data
and checks it as the sync engine will: the adapters' `validate`, parents found in the file or
the database, legacy ids unique, each row's outcome (new, changed, unchanged) foreseen. Its report
names every rejected row and why, keyed by column. Only a file without rejected rows is
*applied*: every record in batches of at most 1,000, all in one transaction
(`batches_push_atomically` with the importer's server device, source `import`): versions,
history, the change log and the figures are those of any other write. If the engine rejects
anything, nothing is kept.

Record ids are uuid5 of the kind and the legacy id, and batch ids derive from the file's hash,
so the same file imported again replays its batches and changes nothing; a corrected file
changes only the rows that differ.

The parts, one job each: `reading` turns a sheet's rows into wire records, `checking` resolves
parents and legacy ids and validates each row, `plan` makes the dry run and its batches,
`applying` pushes them through the engine, `files` holds the import file services (store,
check, apply, queue, discard, expire); `report` and `base` are what they share.
"""

from exchange.imports.applying import APPLIED_OUTCOMES, import_plan_apply
from exchange.imports.base import (
    CHUNK_RECORDS,
    DEVICE_NAME,
    IMPORT_NAMESPACE,
    Progress,
    no_progress,
    record_id,
)
from exchange.imports.checking import RowChecker
from exchange.imports.files import (
    SYSTEM_USERNAME,
    import_file_apply,
    import_file_check,
    import_file_discard,
    import_file_queue,
    import_file_store,
    import_files_expire,
    system_user,
)
from exchange.imports.plan import ImportPlan, import_plan
from exchange.imports.reading import PRECISIONS, Row, RowReader
from exchange.imports.report import (
    ImportRejected,
    ImportReport,
    RowError,
    rejected_rows_write,
)

__all__ = [
    "APPLIED_OUTCOMES",
    "CHUNK_RECORDS",
    "DEVICE_NAME",
    "IMPORT_NAMESPACE",
    "PRECISIONS",
    "SYSTEM_USERNAME",
    "ImportPlan",
    "ImportRejected",
    "ImportReport",
    "Progress",
    "Row",
    "RowChecker",
    "RowError",
    "RowReader",
    "import_file_apply",
    "import_file_check",
    "import_file_discard",
    "import_file_queue",
    "import_file_store",
    "import_files_expire",
    "import_plan",
    "import_plan_apply",
    "no_progress",
    "record_id",
    "rejected_rows_write",
    "system_user",
]
