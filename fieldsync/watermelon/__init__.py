"""The WatermelonDB sync protocol (contract watermelondb.md) over the same engine as sync v1:
an adapter from its tables, rows and timestamps to the change log and the push batch."""
