"""Errors of our own, with messages a user can act on.

Every error that reaches a user names where the problem is: the source id, the file, and where it
can, the row and column (as a spreadsheet shows them: rows from 1, columns as letters).
"""

from __future__ import annotations

from functools import lru_cache

from core.redact import redact_text


class WholeplaceError(Exception):
    """Base class: anything the pipeline raises on purpose. Its message never carries a URL's
    credentials (they are replaced by REDACTED), so neither do logs, run summaries or alerts."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact_text(a) if isinstance(a, str) else a for a in args))


class ConfigError(WholeplaceError, ValueError):
    """A setting, a configuration file (a layouts file, the catalogue) or the landing manifest is
    wrong: the same on every attempt, so the task fails at once instead of retrying. Also a
    ValueError, as a bad value is one."""


class CatalogueError(ConfigError):
    """The source catalogue is inconsistent (a bad URL, an unknown parser, a duplicate id)."""


class FetchError(WholeplaceError):
    """A file could not be fetched (HTTP error, timeout, size cap, host not allowed)."""


class SourceError(WholeplaceError):
    """A publisher's file does not read as expected.

    The message always starts with ``<source>: <file>`` and names the row and column when known.
    """

    def __init__(
        self,
        source_id: str,
        file: str,
        detail: str,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.source_id = source_id
        self.file = file
        self.row = row
        self.column = column
        self.detail = detail
        self.period: str | None = None  # the file's period, when the caller knows it (alerts name it)
        where = [f"{source_id}: {file}"]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column}")
        super().__init__(", ".join(where) + f": {detail}")


class ValidationFailed(WholeplaceError):
    """A data-quality gate (Great Expectations or dbt tests) failed; nothing is published."""


class PublishError(WholeplaceError):
    """A release could not be written."""


class WarehouseBusy(WholeplaceError):
    """Another process holds the DuckDB file for too long (transient: worth a retry)."""


@lru_cache(maxsize=4096)
def column_letter(index: int) -> str:
    """0-based column index -> spreadsheet letters (0 -> A, 25 -> Z, 26 -> AA)."""
    if index < 0:
        raise ValueError(f"column index must be >= 0, got {index}")
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
