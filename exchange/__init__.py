"""Records in and out as spreadsheets: imports of historic records, exports of filtered ones.

See docs/import-export.md. `exchange.admin` registers the `ImportFile` model's admin; the export
actions and the import permissions of NRA staff are registered in `ExchangeConfig.ready`.
"""
