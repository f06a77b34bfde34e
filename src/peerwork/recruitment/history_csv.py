"""Parse and check a CSV of past recruitment rounds (format in docs/recruitment-history.md). Pure.

One row is one round from before peerwork: its posts and applications, and each later stage
where it is known. An empty stage is unknown, never zero. Every problem is reported as
``line N: column: problem`` (the header is line 1), as the staff records import reports them,
and the file is loaded only when it has none.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from statistics import mean

from peerwork.workforce import csv_rows
from peerwork.workforce.csv_rows import Column, RowProblem
from peerwork.workforce.rules import DATE_FORMATS, RuleError, parse_date

MAX_POSTS = 500  # a vacancy's own limit
MAX_COUNT = 1_000_000
FIRST_YEAR, LAST_YEAR = 1990, 2100
REFERENCE_LIMIT, TITLE_LIMIT = 64, 200

# The stages after applications, in funnel order, as the file names them and the funnel does.
STAGE_COLUMNS = (("shortlisted", "shortlisted"), ("interviewed", "interviewed"), ("offers", "offered"),
                 ("hires", "hired"))

COLUMN_SPECS = (
    Column("reference", True, "Your own reference for the round, unique in your organisation; loading the "
           "same reference again updates that round", f"text, up to {REFERENCE_LIMIT} characters", REFERENCE_LIMIT),
    Column("title", True, "The vacancy's title, e.g. Peer Support Worker", f"text, up to {TITLE_LIMIT} characters",
           TITLE_LIMIT),
    Column("year", False, "The year the round opened (needed when opened is empty)",
           f"a year from {FIRST_YEAR} to {LAST_YEAR}; the year of opened when both are given"),
    Column("opened", False, "The day the vacancy opened for applications", "a date"),
    Column("closed", False, "The day it closed for applications", "a date, not before opened"),
    Column("posts", True, "How many posts the round filled or meant to fill", f"a whole number from 1 to {MAX_POSTS}"),
    Column("applications", True, "Applications received", "a whole number, 0 or more"),
    Column("shortlisted", False, "Applicants shortlisted; empty if not known",
           "a whole number, not more than applications"),
    Column("interviewed", False, "Applicants interviewed; empty if not known",
           "a whole number, not more than the stage before it"),
    Column("offers", False, "Offers made; empty if not known", "a whole number, not more than the stage before it"),
    Column("hires", False, "People who started in post; empty if not known",
           "a whole number, not more than the stage before it"),
    Column("hire_dates", False, "The first day in post of each hire, where known (days to hire are counted "
           "from opened)", "dates separated by ; (needs opened and hires)"),
    Column("days_to_hire", False, "Mean days from opening to a hire's first day, when only that is known",
           "a number, 0 or more (needs hires; not with hire_dates)"),
)
REQUIRED = tuple(c.name for c in COLUMN_SPECS if c.required)
COLUMNS = tuple(c.name for c in COLUMN_SPECS)

FILE_HELP = ("UTF-8 text (Excel's \"CSV UTF-8\"), comma separated, a header row first; columns in any order; "
             "other columns are ignored.")
DATE_HELP = f"Dates: {' or '.join(DATE_FORMATS)} (e.g. 2018-03-01 or 01/03/2018)."

_TEMPLATE_ROWS = (
    ("PSW-2018", "Peer Support Worker", "2018", "2018-03-01", "2018-03-29", "6", "217", "31", "24", "7", "6",
     "2018-07-02;2018-07-02;2018-07-16;2018-08-01;2018-08-01;2018-09-03", ""),
    ("PSW-2021", "Peer Support Worker", "2021", "", "", "12", "121", "", "", "", "12", "", "104"),
)


def template_csv() -> str:
    """A ready-to-fill file: every column, and two example rounds to overwrite."""
    from peerwork.core.export import write_csv

    return write_csv(COLUMNS, _TEMPLATE_ROWS)


def columns_help(width: int = 88) -> str:
    """The file's format as plain text (the command line's help), written as the staff import's."""
    return csv_rows.columns_help(width, file_help=FILE_HELP, specs=COLUMN_SPECS, heading="Columns:")


@dataclass(frozen=True)
class RoundRow:
    """One checked round, as it will be stored."""

    line: int
    reference: str
    title: str
    year: int
    opened_on: date | None
    closed_on: date | None
    posts: int
    applications: int
    shortlisted: int | None
    interviewed: int | None
    offered: int | None
    hired: int | None
    hire_dates: tuple[date, ...]
    days_to_hire_mean: float | None
    days_to_hire_hires: int | None  # how many hires the mean covers


@dataclass
class ParsedRounds:
    rows: list[RoundRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    data_lines: int = 0


def _count(raw: str, low: int = 0, high: int = MAX_COUNT) -> int:
    if not (raw.isascii() and raw.isdigit()):
        raise RuleError(f"{raw!r} is not a whole number")
    value = int(raw)
    if not low <= value <= high:
        raise RuleError(f"{value} is out of range ({low} to {high})")
    return value


def _days(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise RuleError(f"{raw!r} is not a number") from None
    if not 0 <= value <= 3650:  # also refuses nan and inf
        raise RuleError(f"{raw} is out of range (0 to 3650 days)")
    return value


def _text(limit: int):
    def parse(raw: str) -> str:
        if len(raw) > limit:
            raise RuleError(f"is longer than {limit} characters")
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):  # a NUL or line break is no title
            raise RuleError("must be one line of text, without control characters")
        return raw

    return parse


def _dates(raw: str) -> tuple[date, ...]:
    return tuple(sorted(parse_date(part) for part in raw.split(";") if part.strip()))


_PARSERS = {
    "reference": _text(REFERENCE_LIMIT), "title": _text(TITLE_LIMIT),
    "year": lambda raw: _count(raw, FIRST_YEAR, LAST_YEAR), "opened": parse_date, "closed": parse_date,
    "posts": lambda raw: _count(raw, 1, MAX_POSTS), "applications": _count, "shortlisted": _count,
    "interviewed": _count, "offers": _count, "hires": _count, "hire_dates": _dates, "days_to_hire": _days,
}


def _cells(line: int, values: list[str], header: list[str]) -> tuple[dict[str, object], list[RowProblem]]:
    cells: dict[str, object] = {}
    problems = []
    for name in COLUMNS:
        raw = values[header.index(name)].strip() if name in header else ""
        if not raw:
            if name in REQUIRED:
                problems.append(RowProblem(line, name, "is required"))
            cells[name] = None
            continue
        try:
            cells[name] = _PARSERS[name](raw)
        except RuleError as exc:
            problems.append(RowProblem(line, name, str(exc)))
            cells[name] = None
    return cells, problems


def _consistency(line: int, c: dict[str, object]) -> list[RowProblem]:
    """What the columns say together: dates in order, each known stage within the one before."""
    problems = []
    opened, closed, year = c["opened"], c["closed"], c["year"]
    if year is None and opened is None and "opened" not in c["_bad"]:
        problems.append(RowProblem(line, "year", "is required when opened is empty"))
    if isinstance(year, int) and isinstance(opened, date) and opened.year != year:
        problems.append(RowProblem(line, "year", f"{year} is not the year of opened ({opened.isoformat()})"))
    if isinstance(opened, date) and isinstance(closed, date) and closed < opened:
        problems.append(RowProblem(line, "closed", f"{closed.isoformat()} is before opened {opened.isoformat()}"))
    before_name, before = "applications", c["applications"]
    for column, _ in STAGE_COLUMNS:
        value = c[column]
        if isinstance(value, int) and isinstance(before, int) and value > before:
            problems.append(RowProblem(line, column, f"{value} is more than {before_name} ({before})"))
        if value is not None:
            before_name, before = column, value
    hires, dates, days = c["hires"], c["hire_dates"], c["days_to_hire"]
    if dates:
        if hires is None and "hires" not in c["_bad"]:
            problems.append(RowProblem(line, "hires", "is required when hire_dates are given"))
        elif isinstance(hires, int) and len(dates) > hires:
            problems.append(RowProblem(line, "hire_dates", f"has {len(dates)} dates but hires is {hires}"))
        if opened is None and "opened" not in c["_bad"]:
            problems.append(RowProblem(line, "hire_dates", "needs opened: days to hire are counted from it"))
        elif isinstance(opened, date) and dates[0] < opened:
            problems.append(RowProblem(line, "hire_dates", f"{dates[0].isoformat()} is before opened {opened.isoformat()}"))
    if days is not None:
        if dates:
            problems.append(RowProblem(line, "days_to_hire", "give hire_dates or days_to_hire, not both"))
        elif not hires and "hires" not in c["_bad"]:
            problems.append(RowProblem(line, "days_to_hire", "needs hires above 0 (the hires the mean covers)"))
    return problems


def _row(line: int, c: dict[str, object]) -> RoundRow:
    opened = c["opened"]
    dates: tuple[date, ...] = c["hire_dates"] or ()  # type: ignore[assignment]
    if dates:
        mean_days: float | None = mean((d - opened).days for d in dates)  # type: ignore[operator]
        covered: int | None = len(dates)
    elif c["days_to_hire"] is not None:
        mean_days, covered = c["days_to_hire"], c["hires"]  # type: ignore[assignment]
    else:
        mean_days = covered = None
    return RoundRow(
        line=line, reference=c["reference"], title=c["title"],  # type: ignore[arg-type]
        year=c["year"] if c["year"] is not None else opened.year,  # type: ignore[union-attr,arg-type]
        opened_on=opened, closed_on=c["closed"], posts=c["posts"], applications=c["applications"],  # type: ignore[arg-type]
        shortlisted=c["shortlisted"], interviewed=c["interviewed"], offered=c["offers"],  # type: ignore[arg-type]
        hired=c["hires"], hire_dates=dates, days_to_hire_mean=mean_days, days_to_hire_hires=covered,  # type: ignore[arg-type]
    )


def parse_rounds(text: str) -> ParsedRounds:
    """Check every row; a reference on several lines is a problem on each of them."""
    result = ParsedRounds()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        result.problems.append(RowProblem(1, "header", "the file is empty"))
        return result
    missing = [c for c in REQUIRED if c not in header]
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if missing or duplicated:
        result.problems += [RowProblem(1, c, "column is missing from the header") for c in missing]
        result.problems += [RowProblem(1, c, "column appears more than once in the header") for c in duplicated]
        return result
    lines_of: dict[str, list[int]] = defaultdict(list)
    start_line = 2
    for values in reader:
        line, start_line = start_line, reader.line_num + 1
        if not values or all(not v.strip() for v in values):
            continue
        result.data_lines += 1
        if len(values) != len(header):
            result.problems.append(RowProblem(line, "row", f"has {len(values)} fields but the header has {len(header)}"))
            continue
        cells, problems = _cells(line, values, header)
        cells["_bad"] = {p.column for p in problems}
        problems += _consistency(line, cells)
        if problems:
            result.problems += problems
            continue
        row = _row(line, cells)
        result.rows.append(row)
        lines_of[row.reference].append(line)
    for reference, lines in lines_of.items():
        if len(lines) > 1:
            result.problems += [
                RowProblem(line, "reference", f"{reference!r} also appears on line "
                           f"{', '.join(str(x) for x in lines if x != line)}")
                for line in lines
            ]
    result.problems.sort(key=lambda p: (p.line, COLUMNS.index(p.column) if p.column in COLUMNS else -1))
    return result
