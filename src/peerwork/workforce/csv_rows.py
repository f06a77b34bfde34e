"""Parse and check an ESR-style assignments CSV (format in docs/import-format.md). Pure: no database.

Every problem is reported as ``line N: column: problem``, N being the physical line in the
file (the header is line 1), so HR can find it in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Callable

from peerwork.workforce.rules import (
    RuleError,
    check_dates,
    clean_text,
    parse_band,
    parse_date,
    parse_fte,
    parse_yes_no,
)

REQUIRED = ("assignment_number", "person_id", "position_title", "lived_experience_role", "start_date")
OPTIONAL = ("afc_band", "team", "end_date", "leaving_reason", "fte", "line_manager_assignment_number")
COLUMNS = REQUIRED + OPTIONAL


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str
    problem: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.problem}"


@dataclass(frozen=True)
class AssignmentRow:
    line: int
    assignment_number: str
    employee_number: str
    position_title: str
    lived_experience_role: bool
    afc_band: str | None
    team: str | None
    start_date: date
    end_date: date | None
    leaving_reason: str | None
    fte: Decimal | None
    # The line manager's own assignment number in the organisation. Kept as given: it may name
    # an assignment a later import brings in (see docs/import-format.md).
    line_manager_assignment_number: str | None = None


@dataclass
class ParsedFile:
    rows: list[AssignmentRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    data_lines: int = 0  # rows in the file, good and bad


def decode(data: bytes) -> str:
    """UTF-8 (a spreadsheet's BOM is fine); anything else is a clear error with its line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RowProblemError(RowProblem(line, "file", "is not UTF-8 text (save the file as CSV UTF-8)")) from None


class RowProblemError(ValueError):
    def __init__(self, problem: RowProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _field(values: dict[str, str], name: str) -> str:
    return (values.get(name) or "").strip()


def _parse_row(line: int, values: dict[str, str]) -> tuple[AssignmentRow | None, list[RowProblem]]:
    problems: list[RowProblem] = []

    def check(column: str, parse: Callable[[str], object], *, required: bool) -> object:
        raw = _field(values, column)
        if not raw:
            if required:
                problems.append(RowProblem(line, column, "is required"))
            return None
        try:
            return parse(raw)
        except RuleError as exc:
            problems.append(RowProblem(line, column, str(exc)))
            return None

    def text(limit: int) -> Callable[[str], str | None]:
        return lambda raw: clean_text(raw, limit)

    number = check("assignment_number", text(64), required=True)
    employee = check("person_id", text(64), required=True)
    title = check("position_title", text(200), required=True)
    lived = check("lived_experience_role", parse_yes_no, required=True)
    start = check("start_date", parse_date, required=True)
    band = check("afc_band", parse_band, required=False)
    team = check("team", text(200), required=False)
    end = check("end_date", parse_date, required=False)
    reason = check("leaving_reason", text(2000), required=False)
    fte = check("fte", parse_fte, required=False)
    manager = check("line_manager_assignment_number", text(64), required=False)
    if isinstance(start, date) and isinstance(end, date):
        try:
            check_dates(start, end)
        except RuleError as exc:
            problems.append(RowProblem(line, "end_date", str(exc)))
    if problems:
        return None, problems
    return (
        AssignmentRow(
            line=line, assignment_number=number, employee_number=employee, position_title=title,  # type: ignore[arg-type]
            lived_experience_role=lived, afc_band=band, team=team, start_date=start,  # type: ignore[arg-type]
            end_date=end, leaving_reason=reason, fte=fte,  # type: ignore[arg-type]
            line_manager_assignment_number=manager,  # type: ignore[arg-type]
        ),
        [],
    )


def parse_assignments(text: str, on_row: Callable[[int], None] | None = None) -> ParsedFile:
    """Check every row; a number that appears on several lines is bad on each of them."""
    result = ParsedFile()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        result.problems.append(RowProblem(1, "header", "the file is empty"))
        return result
    missing = [c for c in REQUIRED if c not in header]
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if missing or duplicated:
        for column in missing:
            result.problems.append(RowProblem(1, column, "column is missing from the header"))
        for column in duplicated:
            result.problems.append(RowProblem(1, column, "column appears more than once in the header"))
        return result

    lines_of: dict[str, list[int]] = defaultdict(list)
    start_line = 2
    for values in reader:
        line, start_line = start_line, reader.line_num + 1
        if not values or all(not v.strip() for v in values):
            continue  # a blank line is not a row
        result.data_lines += 1
        if len(values) != len(header):
            result.problems.append(
                RowProblem(line, "row", f"has {len(values)} fields but the header has {len(header)}")
            )
            continue
        row, problems = _parse_row(line, dict(zip(header, values)))
        result.problems.extend(problems)
        if row is not None:
            result.rows.append(row)
            lines_of[row.assignment_number].append(line)
        if on_row is not None:
            on_row(result.data_lines)

    repeated = {n: lines for n, lines in lines_of.items() if len(lines) > 1}
    if repeated:
        for number, lines in repeated.items():
            for line in lines:
                others = ", ".join(str(x) for x in lines if x != line)
                result.problems.append(
                    RowProblem(line, "assignment_number", f"{number!r} also appears on line {others}")
                )
        result.rows = [r for r in result.rows if r.assignment_number not in repeated]
    result.problems.sort(key=lambda p: (p.line, COLUMNS.index(p.column) if p.column in COLUMNS else -1))
    return result


