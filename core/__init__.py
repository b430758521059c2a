"""The project-wide core: settings, errors, the DuckDB connection, run state, the landing zone,
the source catalogue and regions. It imports nothing of the project above it (see .importlinter)."""
