"""The SQLite file: schema, readers, the reload's writes, the query log, spooled rows, feeds."""
