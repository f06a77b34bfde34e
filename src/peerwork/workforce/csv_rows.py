"""Parse and check an ESR-style assignments CSV (format in docs/import-format.md). Pure: no database.

Every problem is reported as ``line N: column: problem``, N being the physical line in the
file (the header is line 1), so HR can find it in a spreadsheet.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import BinaryIO, Callable, Iterable, Iterator, NamedTuple

from peerwork.workforce.equality import (
    DISABILITY_ACCEPTED,
    ETHNICITY_ACCEPTED,
    NOT_STATED,
    parse_disability,
    parse_ethnicity,
)
from peerwork.workforce.rules import (
    AFC_BANDS,
    DATE_FORMATS,
    RuleError,
    check_dates,
    parse_band,
    parse_date,
    parse_fte,
    parse_yes_no,
)

@dataclass(frozen=True)
class Column:
    """One column of the file, as the import checks it and as the help describes it."""

    name: str
    required: bool
    meaning: str
    accepted: str
    limit: int | None = None  # longest text accepted, for text columns


# The one description of the file: the parser, the template, the import page and
# `peerwork import assignments --help` all read it. docs/import-format.md explains it at length.
COLUMN_SPECS = (
    Column("assignment_number", True, "The assignment's number, unique in your organisation; "
           "importing the same number again updates it", "text, up to 64 characters", 64),
    Column("person_id", True, "The person's employee number (one person, many assignments)",
           "text, up to 64 characters", 64),
    Column("position_title", True, "The post, e.g. Peer Support Worker", "text, up to 200 characters", 200),
    Column("lived_experience_role", True, "Whether the post asks the holder to use their own lived experience",
           "Y or N (also YES or NO, any capitals)"),
    Column("afc_band", False, "Agenda for Change band", f"{', '.join(AFC_BANDS)}; 'Band 5' is fine"),
    Column("team", False, "Team, ward or service (a new name creates the team)", "text, up to 200 characters", 200),
    Column("start_date", True, "First day in the assignment", "a date"),
    Column("end_date", False, "Last day in the assignment; empty while still in post",
           "a date, not before start_date"),
    Column("leaving_reason", False, "Why the assignment ended: free text or the ESR wording",
           "text, up to 2,000 characters", 2000),
    Column("fte", False, "Whole-time equivalent", "a number above 0 and at most 1, e.g. 0.6"),
    Column("line_manager_assignment_number", False, "The line manager's own assignment number in your organisation",
           "text, up to 64 characters", 64),
    # Special-category: kept only as the NHS equality standards' groups, read only by admin and
    # HR, and only ever reported in aggregate (docs/equality.md). Leave the column out of the
    # file to keep what is stored; when it is there, an empty cell means not stated.
    Column("ethnicity", False, "Ethnic category, for equality monitoring (kept as white / BME / not stated)",
           ETHNICITY_ACCEPTED),
    Column("disability", False, "Whether the person declared a disability, for equality monitoring",
           DISABILITY_ACCEPTED),
)
# The columns that describe the person rather than the assignment: every row of one person in
# a file must agree on them.
EQUALITY_COLUMNS = ("ethnicity", "disability")
REQUIRED = tuple(c.name for c in COLUMN_SPECS if c.required)
OPTIONAL = tuple(c.name for c in COLUMN_SPECS if not c.required)
COLUMNS = REQUIRED + OPTIONAL
_LIMIT = {c.name: c.limit for c in COLUMN_SPECS if c.limit}

DATE_HELP = (f"Dates: {' or '.join(DATE_FORMATS)} (e.g. 2024-04-01 or 01/04/2024; one-digit days and months "
             "are fine). DD/MM/YYYY is always day first; two-digit years are refused.")
FILE_HELP = "UTF-8 text (Excel's \"CSV UTF-8\"), comma separated, a header row first; columns in any order."

# Example rows for the template: a PSW promoted within 31 days (one spell), a leaver, a peer lead.
_TEMPLATE_ROWS = (
    ("20481736", "20481736", "Peer Support Worker", "Y", "4", "Riverside Community Mental Health Team",
     "2021-03-01", "2023-06-30", "", "1", "20399012", "A White - British", "N"),
    ("20481736-2", "20481736", "Senior Peer Support Worker", "Y", "Band 5", "Riverside Community Mental Health Team",
     "03/07/2023", "", "", "1", "20399012", "A White - British", "N"),
    ("20517294", "20517294", "Peer Support Worker", "Y", "Band 4", "Willow Ward", "14/11/2022", "31/01/2024",
     "Voluntary Resignation - Work Life Balance", "0.6", "20399012", "N Black or Black British - African", "Y"),
    ("20399012", "20399012", "Peer Lead", "Y", "Band 7", "Riverside Community Mental Health Team",
     "2019-09-02", "", "", "1", "", "Z Not Stated", ""),
)


def template_csv() -> str:
    """A ready-to-fill file: every column in the usual order, with example rows to overwrite."""
    from peerwork.core.export import write_csv

    return write_csv([c.name for c in COLUMN_SPECS], _TEMPLATE_ROWS)


def columns_help(width: int = 88, *, file_help: str = FILE_HELP, specs: Iterable[Column] = COLUMN_SPECS,
                 heading: str = "Columns (other columns are ignored):") -> str:
    """A CSV file's format, its columns and date formats as plain text (the command line's
    help): this file's by default, or another import's ``specs`` written the same way."""
    import textwrap

    lines = [file_help, "", heading]
    for c in specs:
        lines.append(f"  {c.name}{' (required)' if c.required else ''}")
        lines += textwrap.wrap(f"{c.meaning}. Accepted: {c.accepted}.", width, initial_indent=" " * 6,
                               subsequent_indent=" " * 6)
    lines += ["", *textwrap.wrap(DATE_HELP, width)]
    return "\n".join(lines)


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
    # The person's WRES ethnicity and WDES disability groups (equality.py); None when the file
    # has no such column (what is stored is then kept).
    ethnicity: str | None = None
    disability: str | None = None


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


def _text(limit: int) -> Callable[[str], str]:
    def parse(raw: str) -> str:  # raw is already stripped and not empty (clean_text's rule)
        if len(raw) > limit:
            raise RuleError(f"is longer than {limit} characters")
        return raw

    return parse


# How each column is checked, in COLUMNS order. Built once: a 1,000,000-row file checks
# eleven million cells, so the per-cell work is kept to a lookup, a strip and the rule.
_CHECKS: tuple[tuple[str, Callable[[str], object], bool], ...] = tuple(
    (name, {"lived_experience_role": parse_yes_no, "start_date": parse_date, "end_date": parse_date,
            "afc_band": parse_band, "fte": parse_fte, "ethnicity": parse_ethnicity,
            "disability": parse_disability}.get(name) or _text(_LIMIT[name]), name in REQUIRED)
    for name in COLUMNS
)


_ETHNICITY, _DISABILITY = COLUMNS.index("ethnicity"), COLUMNS.index("disability")


def _positions(header: list[str]) -> tuple[int | None, ...]:
    """Where each of COLUMNS is in the file's header (None: not in the file, so empty)."""
    return tuple(header.index(name) if name in header else None for name in COLUMNS)


def _parse_row(line: int, values: list[str], positions: tuple[int | None, ...]) -> tuple[AssignmentRow | None, list[RowProblem]]:
    problems: list[RowProblem] = []
    cells: list[object] = []
    for (column, parse, required), position in zip(_CHECKS, positions):
        raw = values[position].strip() if position is not None else ""
        if not raw:
            if required:
                problems.append(RowProblem(line, column, "is required"))
            cells.append(None)
            continue
        try:
            cells.append(parse(raw))
        except RuleError as exc:
            problems.append(RowProblem(line, column, str(exc)))
            cells.append(None)
    number, employee, title, lived, start, band, team, end, reason, fte, manager, ethnicity, disability = cells
    # A column in the file with an empty cell: not stated (left out of the file: None, kept).
    if ethnicity is None and positions[_ETHNICITY] is not None:
        ethnicity = NOT_STATED
    if disability is None and positions[_DISABILITY] is not None:
        disability = NOT_STATED
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
            line_manager_assignment_number=manager, ethnicity=ethnicity, disability=disability,  # type: ignore[arg-type]
        ),
        [],
    )


class Checked(NamedTuple):
    """One line checked: a data row (good, with ``row``, or bad) or the header's problems."""

    line: int
    row: AssignmentRow | None
    problems: list[RowProblem]
    is_data: bool  # a data row (the header is not one, nor is a blank line)


def check_rows(lines: Iterable[str]) -> Iterator[Checked]:
    """Check the file a row at a time, so a caller can stream a file of any length.

    Yields the header's problems (``is_data`` False; nothing follows them), else one item per
    data row. Repeated assignment numbers are not checked here: that needs the whole file (see
    ``parse_assignments``; the PostgreSQL import checks them in the database).
    """
    reader = csv.reader(lines)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        yield Checked(1, None, [RowProblem(1, "header", "the file is empty")], False)
        return
    missing = [c for c in REQUIRED if c not in header]
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if missing or duplicated:
        yield Checked(1, None, [
            *(RowProblem(1, column, "column is missing from the header") for column in missing),
            *(RowProblem(1, column, "column appears more than once in the header") for column in duplicated),
        ], False)
        return
    positions = _positions(header)
    start_line = 2
    for values in reader:
        line, start_line = start_line, reader.line_num + 1
        if not values or all(not v.strip() for v in values):
            continue  # a blank line is not a row
        if len(values) != len(header):
            yield Checked(line, None, [
                RowProblem(line, "row", f"has {len(values)} fields but the header has {len(header)}")
            ], True)
        else:
            row, problems = _parse_row(line, values, positions)
            yield Checked(line, row, problems, True)


def problem_order(problem: RowProblem) -> tuple[int, int]:
    """Problems are listed by line, then in the order of the columns."""
    return problem.line, COLUMNS.index(problem.column) if problem.column in COLUMNS else -1


def repeated_problems(number: str, lines: list[int]) -> list[RowProblem]:
    """The same assignment number on several lines makes each of them bad."""
    return [
        RowProblem(line, "assignment_number",
                   f"{number!r} also appears on line {', '.join(str(x) for x in lines if x != line)}")
        for line in lines
    ]


def disagreement(line: int, column: str, first_line: int) -> RowProblem:
    return RowProblem(line, column, f"differs from line {first_line} for the same person_id (one person, one value)")


def equality_disagreements(rows: Iterable[AssignmentRow]) -> list[RowProblem]:
    """Ethnicity and disability describe the person: a row whose value differs from the one on
    that person's first line in the file is bad (the first line's value stands). The PostgreSQL
    import makes the same check in SQL (import_postgres)."""
    first: dict[str, AssignmentRow] = {}
    problems = []
    for row in sorted(rows, key=lambda r: r.line):
        earliest = first.setdefault(row.employee_number, row)
        problems += [disagreement(row.line, column, earliest.line) for column in EQUALITY_COLUMNS
                     if getattr(row, column) != getattr(earliest, column)]
    return problems


_LINE_BREAKS = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def file_lines(source: BinaryIO, digest: "hashlib._Hash | None" = None) -> Iterator[str]:
    """The lines of a UTF-8 file read a line at a time (memory flat in its length), as a
    spreadsheet's reader sees them: a BOM at the start is ignored; \\r, \\n and \\r\\n all end a
    line. Bytes that are not UTF-8 raise RowProblemError naming their line. ``digest`` is fed the
    file's bytes after any BOM."""
    line_number = 0
    for raw in source:
        if line_number == 0 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise RowProblemError(RowProblem(
                line_number + 1, "file", "is not UTF-8 text (save the file as CSV UTF-8)")) from None
        line_number += 1
        if digest is not None:
            digest.update(raw)
        if "\r" in text and text.count("\r") > text.endswith("\r\n"):  # old Mac line ends: split them
            yield from _LINE_BREAKS.findall(text)
        else:
            yield text


def count_data_lines(source: BinaryIO) -> int:
    """Lines that are not blank, less the header: the progress bar's total. This first, quick
    read also refuses a file that is not UTF-8 before any row is checked (RowProblemError)."""
    lines = 0
    for number, raw in enumerate(source, start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            raise RowProblemError(RowProblem(number, "file", "is not UTF-8 text (save the file as CSV UTF-8)")) from None
        lines += bool(raw.strip())
    return max(lines - 1, 1)


def parse_assignments(text: str, on_row: Callable[[int], None] | None = None) -> ParsedFile:
    """Check every row; a number that appears on several lines is bad on each of them."""
    result = ParsedFile()
    lines_of: dict[str, list[int]] = defaultdict(list)
    for checked in check_rows(io.StringIO(text, newline="")):
        result.problems.extend(checked.problems)
        if not checked.is_data:
            continue
        result.data_lines += 1
        if checked.row is not None:
            result.rows.append(checked.row)
            lines_of[checked.row.assignment_number].append(checked.line)
        if on_row is not None:  # every data row counts, good or bad
            on_row(result.data_lines)

    repeated = {n: lines for n, lines in lines_of.items() if len(lines) > 1}
    if repeated:
        for number, lines in repeated.items():
            result.problems.extend(repeated_problems(number, lines))
        result.rows = [r for r in result.rows if r.assignment_number not in repeated]
    disagreeing = equality_disagreements(result.rows)
    if disagreeing:
        result.problems.extend(disagreeing)
        bad = {p.line for p in disagreeing}
        result.rows = [r for r in result.rows if r.line not in bad]
    result.problems.sort(key=problem_order)
    return result


@dataclass
class ImportReport:
    """What an import found and did (both the SQLite and the streamed PostgreSQL paths)."""

    rows: int = 0
    valid_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    people_created: int = 0
    # Existing people whose ethnicity or disability the file changed (never the values themselves).
    people_updated: int = 0
    teams_created: int = 0
    applied: bool = False
    dry_run: bool = False
    errors: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors
