"""The publication: an immutable, versioned release of the marts (data package, SQLite for
Datasette, place profiles, feed, lineage), written and checked; it reads the core only."""
