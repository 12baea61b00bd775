"""CSV that a spreadsheet opens as data, never as formulas.

Posts are written by abusers and read by analysts in Excel or LibreOffice: a cell beginning with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula there (``=HYPERLINK``
sends a click to an attacker's server). Every CSV the project writes goes through here, which
prefixes such a cell with a single quote, as OWASP's "CSV Injection" page advises
(https://owasp.org/www-community/attacks/CSV_Injection, read 2026-12-01). Numbers are left alone;
only text is changed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A value as it may go into a CSV cell."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def cell_sql(expr: str) -> str:
    """The same rule as a DuckDB expression over a VARCHAR column."""
    return f"CASE WHEN left({expr}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || {expr} ELSE {expr} END"


class Writer:
    """``csv.writer`` whose rows are made safe cell by cell."""

    def __init__(self, f: IO[str], **kwargs: Any) -> None:
        self._w = csv.writer(f, **kwargs)

    def writerow(self, row: Iterable[Any]) -> None:
        self._w.writerow([cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class DictWriter:
    """``csv.DictWriter`` whose values are made safe (the header is ours)."""

    def __init__(self, f: IO[str], fieldnames: list[str], **kwargs: Any) -> None:
        self._w = csv.DictWriter(f, fieldnames=fieldnames, **kwargs)

    def writeheader(self) -> None:
        self._w.writeheader()

    def writerow(self, row: Mapping[str, Any]) -> None:
        self._w.writerow({k: cell(v) for k, v in row.items()})
