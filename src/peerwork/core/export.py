"""CSV for people to open in a spreadsheet: the one writer every export uses.

Text that a spreadsheet would run as a formula (a cell starting ``=``, ``+``, ``-``, ``@``, tab
or carriage return) is prefixed with an apostrophe, so an imported team name or a course title
cannot become a live formula on someone's machine. Numbers are rounded for people: a rate
such as ``0.6999999999999998`` is written ``0.7`` (at most four decimal places).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FLOAT_PLACES = 4


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS:
        return "'" + value
    if isinstance(value, float):
        return round(value, FLOAT_PLACES) + 0.0  # + 0.0 turns -0.0 into 0.0
    return value


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A header row and the rows (RFC 4180 line ends), every text cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()
