"""API shapes for recruitment. Panel-facing shapes never carry name, contact or equality data."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal
from uuid import UUID

from msgspec import Meta, Struct

VacancyStatus = Literal["draft", "open", "closed", "shortlisting", "interviewing", "filled", "withdrawn"]
Band = Literal["2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9"]
ValueName = Annotated[str, Meta(min_length=1, max_length=100)]


class ValuesIn(Struct, forbid_unknown_fields=True):
    values: Annotated[list[ValueName], Meta(min_length=1, max_length=20)]


class ValuesOut(Struct):
    values: list[str]
    is_default: bool


class VacancyIn(Struct, forbid_unknown_fields=True):
    title: Annotated[str, Meta(min_length=1, max_length=200)]
    closing_date: date
    posts: Annotated[int, Meta(ge=1, le=500)] = 1
    team_id: UUID | None = None
    afc_band: Band | None = None
    remit: Annotated[str, Meta(max_length=10_000)] = ""
    criteria: Annotated[str, Meta(max_length=10_000)] = ""
    values: Annotated[list[ValueName], Meta(max_length=20)] | None = None  # default: the organisation's list


class VacancyPatch(Struct, forbid_unknown_fields=True):
    title: Annotated[str, Meta(min_length=1, max_length=200)] | None = None
    closing_date: date | None = None
    posts: Annotated[int, Meta(ge=1, le=500)] | None = None
    afc_band: Band | None = None
    remit: Annotated[str, Meta(max_length=10_000)] | None = None
    criteria: Annotated[str, Meta(max_length=10_000)] | None = None
    values: Annotated[list[ValueName], Meta(min_length=1, max_length=20)] | None = None


class StatusIn(Struct, forbid_unknown_fields=True):
    status: VacancyStatus


class PanelMemberIn(Struct, forbid_unknown_fields=True):
    account_id: UUID
    lived_experience: bool = False


class ConflictsIn(Struct, forbid_unknown_fields=True):
    conflicts: Annotated[str, Meta(max_length=2000)] = ""  # empty: none to declare


class PanelMemberOut(Struct):
    account_id: UUID
    name: str
    lived_experience: bool
    declared: bool


class VacancyOut(Struct):
    id: UUID
    title: str
    team_id: UUID | None
    team: str | None
    afc_band: str | None
    posts: int
    remit: str
    criteria: str
    values: list[str]
    closing_date: date
    status: str
    panel: list[PanelMemberOut]
    public_url: str


class ApplicationSummary(Struct):
    """One line of a vacancy's applications; ``name`` only for recruiters (None for the panel)."""

    id: UUID
    reference: str
    status: str
    scorers: int
    my_scores_submitted: bool
    name: str | None = None


class ApplicationOut(Struct):
    """What the caller may see: the panel gets the answers under a reference, no identity."""

    id: UUID
    vacancy_id: UUID
    reference: str
    status: str
    answers: dict[str, str]
    statement: str | None
    adjustments: str | None = None  # recruiters only, to arrange the interview
    name: str | None = None
    email: str | None = None
    phone: str | None = None


class ScoreIn(Struct, forbid_unknown_fields=True):
    value: ValueName
    score: Annotated[int, Meta(ge=1, le=5)]
    comment: Annotated[str, Meta(max_length=2000)] = ""


class ScoresIn(Struct, forbid_unknown_fields=True):
    scores: Annotated[list[ScoreIn], Meta(min_length=1, max_length=20)]


class ScoreOut(Struct):
    scorer: str
    value: str
    score: int
    comment: str


class ValueSpread(Struct):
    value: str
    scores: list[int]
    lowest: int | None
    highest: int | None
    mean: float | None
    spread: int | None


class ScoresOut(Struct):
    """Others' scores and the spread appear only once the caller has submitted their own."""

    mine: list[ScoreOut]
    others_visible: bool
    others: list[ScoreOut]
    spread: list[ValueSpread]
    total_mean: float | None
    compliance: list[str]  # reasons a decision would be refused now; empty = compliant


class DecisionIn(Struct, forbid_unknown_fields=True):
    decision: Literal["shortlist", "reject", "offer"]
    note: Annotated[str, Meta(max_length=2000)] = ""


class DecisionOut(Struct):
    application_id: UUID
    decision: str
    status: str


class HireIn(Struct, forbid_unknown_fields=True):
    start_date: date
    employee_number: Annotated[str, Meta(min_length=1, max_length=64)] | None = None
    team_id: UUID | None = None
    fte: Annotated[float, Meta(gt=0, le=1)] | None = None
    supervisor_id: UUID | None = None


class OnboardingStep(Struct):
    step: str
    status: str  # done | pending | skipped
    detail: str


class HireOut(Struct):
    application_id: UUID
    person_id: UUID
    assignment_id: UUID
    account_id: UUID | None
    onboarding: list[OnboardingStep]


class SlotIn(Struct, forbid_unknown_fields=True):
    start: time
    end: time
    capacity: Annotated[int, Meta(ge=1, le=50)] = 1


class DayIn(Struct, forbid_unknown_fields=True):
    day: date
    slots: Annotated[list[SlotIn], Meta(min_length=1, max_length=50)]
    location: Annotated[str, Meta(max_length=300)] = ""


class SlotOut(Struct):
    id: UUID
    day: date
    start: datetime
    end: datetime
    location: str
    capacity: int
    booked: int
    references: list[str]


class StageFigures(Struct):
    """Counts at each stage; null where a loaded past round did not record that stage."""

    applications: int
    shortlisted: int | None
    interviewed: int | None
    offered: int | None
    hired: int | None


class FunnelRow(Struct):
    """Figures for one vacancy (or one year): counts, conversion, days to hire, fair decisions."""

    label: str
    posts: int
    stages: StageFigures
    applications_per_post: float | None
    conversion: dict[str, float | None]
    days_to_hire_mean: float | None
    decisions: int
    compliant_share: float | None
    vacancy_id: UUID | None = None
    history_rounds: int = 0  # past rounds loaded as figures (recruitment history) included here


class EqualityCount(Struct):
    question: str
    answer: str
    applied: int | str
    shortlisted: int | str
    shortlisted_rate: float | None


class PastRoundOut(Struct):
    """A recruitment round from before peerwork, loaded as figures; null stages are unknown."""

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
    hire_dates: list[date]
    days_to_hire_mean: float | None


class RoundProblemOut(Struct):
    line: int
    column: str
    problem: str


class RoundsImportOut(Struct):
    """What loading a file of past rounds did: all of it, or (with any problem) nothing."""

    rows: int
    created: int
    updated: int
    unchanged: int
    applied: bool
    dry_run: bool
    errors: list[RoundProblemOut]


class SplitGroup(Struct):
    """One group's way through the funnel; counts under 5 read "<5" and their rates are withheld."""

    group: str
    label: str
    applied: int | str
    shortlisted: int | str
    appointed: int | str
    shortlisted_rate: float | None  # of those who applied
    appointed_rate: float | None  # of those shortlisted


class SplitBy(Struct):
    """One characteristic's groups, and the relative likelihood of appointment from shortlisting
    (``likelihood_of`` relative to ``relative_to``: WRES indicator 2, WDES metric 2)."""

    characteristic: Literal["ethnicity", "disability"]
    groups: list[SplitGroup]
    likelihood_of: str
    relative_to: str
    relative_likelihood: float | None


class EqualityFunnelYear(Struct):
    year: int
    ethnicity: SplitBy
    disability: SplitBy


class PeriodFunnel(Struct):
    """An organisation's funnel for vacancies and past rounds opened in a period, with the sums
    a network needs to pool organisations exactly (days to hire as a total and a count)."""

    start: date
    end: date
    vacancies: int
    history_rounds: int
    posts: int
    stages: StageFigures
    applications_per_post: float | None
    decisions: int
    compliant_decisions: int
    compliant_share: float | None
    days_to_hire_total: float
    days_to_hire_count: int
    days_to_hire_mean: float | None
