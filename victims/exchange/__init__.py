"""Records in and out as spreadsheets: imports of historic records, exports of filtered ones.

See docs/import-export.md. `victims.exchange.admin` (imported from `VictimsConfig.ready`)
registers the `ImportFile` model's admin and the export actions.
"""
