"""The board pack: one dated document for a trust board or an ICS committee.

For one organisation (its own figures, as it would share them) or for a network (pooled, then
each member): retention (curve and table at 1, 2 and 3 years), the seven supports against the
national survey, supervision and CPD compliance, the recruitment funnel, and trends over the
last three years; definitions and the data date on every page.

Built only from :mod:`peerwork.networks.figures` (so every count under 5 reads "<5" and every
rate resting on one is withheld, exactly as the figures say) plus the retention curve's points
from the retention service, for the chart. HTML from one Jinja template; PDF from that HTML by
WeasyPrint, imported only when a PDF is made. Charts are SVG, embedded as images, so they stay
vector in the PDF and their text stays text.

The builders check no rights; the ``export_*`` functions at the end check the caller's right,
render, and write the audit entry, for the page, the API and the CLI alike.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID


from peerwork.core import audit
from peerwork.core.access import Principal, system_principal
from peerwork.core.errors import InvalidInput, NotFound
from peerwork.core.privacy import SMALL_NUMBER
from peerwork.core.time import LONDON
from peerwork.evaluation.report import course_report
from peerwork.evaluation.schemas import EvaluationReport
from peerwork.evaluation.tables import AnswerInvitation, CourseQuestionnaire
from peerwork.networks import charts
from peerwork.networks.figures import (
    ReferenceFigure,
    UnitFigures,
    network_figures,
    network_members,
    organisation_figures,
    references,
)
from peerwork.networks.service import visible_network
from peerwork.networks.trends import Trends, replay, short_support_label
from peerwork.retention.query import fetch_spell_columns
from peerwork.retention.report import build_retention_report
from peerwork.retention.service import check_as_of, percent
from peerwork.retention.survival import SpellColumns

FORMATS = ("pdf", "html")
MEDIA_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}
TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"
SURVEY = "survey:"
REFERENCE_RETENTION = "reference_trust:retention_{years}y"


@dataclass(frozen=True)
class BoardPack:
    """Everything one pack shows. ``units`` is what the tables list, headline first: the
    organisation alone, or the pooled network followed by each member."""

    scope: str  # "organisation" | "network"
    slug: str
    name: str
    as_of: date
    units: tuple[UnitFigures, ...]
    references: tuple[ReferenceFigure, ...]
    trends: Trends
    curve: tuple[charts.CurveStep, ...] = field(default=())
    evaluations: tuple[EvaluationReport, ...] = field(default=())  # an organisation's own courses only
    made_on: date = field(default_factory=date.today)

    @property
    def headline(self) -> UnitFigures:
        return self.units[0]

    @property
    def title(self) -> str:
        return f"{self.name}: peer support workforce board pack"


def filename(scope_slug: str, as_of: date, fmt: str) -> str:
    """What a downloaded pack is saved as, e.g. board-pack-northfield-nhs-2026-03-31.pdf."""
    return f"board-pack-{scope_slug}-{as_of.isoformat()}.{fmt}"


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InvalidInput(f"format: use one of {', '.join(FORMATS)}")
    return fmt


# --- building the pack from the figures -----------------------------------------------------


async def curve_steps(organisation_ids: Sequence[UUID], as_of: date) -> tuple[charts.CurveStep, ...]:
    """The Kaplan–Meier curve over the lived-experience spells of these organisations together
    (one organisation's own curve, or a network's pooled one), from the retention capability's
    own spells and report."""
    parts = [await fetch_spell_columns(organisation_id, as_of, labels=False) for organisation_id in organisation_ids]
    report = build_retention_report(SpellColumns.joined(parts), as_of, by=())
    return tuple(charts.CurveStep(days=p.days, at_risk=p.at_risk, survival=p.survival, lower=p.lower, upper=p.upper)
                 for p in report.curve)


async def course_evaluations(organisation_id: UUID, slug: str, name: str, as_of: date) -> tuple[EvaluationReport, ...]:
    """The evaluation report of each course that has a questionnaire and was answered in the
    12 months to ``as_of`` (a link used in that time: answers themselves carry no time), from
    the evaluation capability's own report, so the pack shows exactly what the lead sees."""
    year_before = as_of - timedelta(days=366 if (as_of.month, as_of.day) == (2, 29) else 365)
    start = datetime.combine(year_before + timedelta(days=1), time.min, tzinfo=LONDON)
    end = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=LONDON)
    answered = AnswerInvitation.select(AnswerInvitation.course).where(
        (AnswerInvitation.organisation == organisation_id) & (AnswerInvitation.used_at >= start)
        & (AnswerInvitation.used_at < end))
    courses = await CourseQuestionnaire.select(CourseQuestionnaire.course).where(
        (CourseQuestionnaire.organisation == organisation_id) & CourseQuestionnaire.course.is_in(answered)
    ).order_by(CourseQuestionnaire.course.title).output(as_list=True)
    principal = system_principal(organisation_id, slug, name)
    return tuple([await course_report(principal, course_id) for course_id in courses])


async def organisation_pack(organisation_id: UUID, slug: str, name: str, as_of: date) -> BoardPack:
    """One organisation's pack: its figures exactly as it would share them."""
    unit = await organisation_figures(organisation_id, as_of)
    trends = await replay(lambda day: organisation_figures(organisation_id, day), as_of)
    return BoardPack(scope="organisation", slug=slug, name=name, as_of=as_of, units=(unit,),
                     evaluations=await course_evaluations(organisation_id, slug, name, as_of),
                     references=tuple(await references()), trends=trends,
                     curve=await curve_steps([organisation_id], as_of))


async def network_pack(network_id: UUID, as_of: date) -> BoardPack:
    """A network's pack: the pooled figures first, then each member's."""
    figures = await network_figures(network_id, as_of)

    async def pooled_on(day: date) -> UnitFigures:
        return (await network_figures(network_id, day)).pooled

    trends = await replay(pooled_on, as_of)
    ids = [member["id"] for member in await network_members(network_id)]
    return BoardPack(scope="network", slug=figures.network_slug, name=figures.network_name, as_of=as_of,
                     units=(figures.pooled, *figures.members), references=tuple(figures.references), trends=trends,
                     curve=await curve_steps(ids, as_of))


# --- the document ---------------------------------------------------------------------------


def number(value: float | None, digits: int = 1) -> str:
    """A plain number (applications per post, days to hire), or "–" when withheld."""
    return "–" if value is None else f"{value:.{digits}f}"


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def svg_image(svg: str) -> str:
    """An SVG as a data: address for an <img>: kept as vectors by WeasyPrint, allowed by the
    pages' content security policy (img-src data:), and one self-contained file either way."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def reference_values(pack: BoardPack) -> dict[str, ReferenceFigure]:
    return {reference.key: reference for reference in pack.references}


def chart_images(pack: BoardPack) -> dict[str, str]:
    """The pack's three charts, as data: addresses."""
    headline, refs = pack.headline, reference_values(pack)
    at_risk = [headline.headcount.shown] + [r.at_risk.shown for r in headline.retention]
    curve = charts.retention_curve_svg(
        pack.curve, title=f"{pack.name}: retention as of {long_date(pack.as_of)}", at_risk=at_risk,
        label="Lived-experience roles" + (" (all members pooled)" if pack.scope == "network" else ""),
        reference=[(r.years, refs[key].value) for r in headline.retention
                   if (key := REFERENCE_RETENTION.format(years=r.years)) in refs],
        reference_label="Reference trust")
    bars = [charts.Bar(label=short_support_label(s.label), share=s.share,
                       reference=(1 - refs[SURVEY + s.key].value) if SURVEY + s.key in refs else None)
            for s in headline.supports]
    supports = charts.supports_svg(bars, title=f"Supports received in the 12 months to {long_date(pack.as_of)}",
                                   reference_label="Trusts providing it (national survey)")
    panels = [charts.Panel(title=series.label, values=series.values) for series in pack.trends.series]
    trends = charts.trends_svg(pack.trends.quarters, panels)
    return {"curve": svg_image(curve), "supports": svg_image(supports), "trends": svg_image(trends)}


@cache
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def pack_html(pack: BoardPack) -> str:
    """The whole pack as one self-contained HTML document (its CSS and charts inside it)."""
    return _environment().get_template("board_pack.html").render(
        pack=pack, charts=chart_images(pack), refs=reference_values(pack), percent=percent, number=number,
        long_date=long_date, survey=SURVEY, reference_retention=REFERENCE_RETENTION, small_number=SMALL_NUMBER,
        short=short_support_label, zip=zip)


def pack_pdf(html: str) -> bytes:
    """The HTML as an A4 PDF with real, searchable text (CPU-bound: call it off the event loop
    in a server)."""
    # WeasyPrint logs each layout step at INFO and every CSS property it skips at WARNING
    # (matplotlib's SVG styles): neither is news for whoever reads peerwork's logs.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from weasyprint import HTML

    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


def render(pack: BoardPack, fmt: str) -> bytes:
    html = pack_html(pack)
    return pack_pdf(html) if fmt == "pdf" else html.encode()


# --- for a signed-in caller (page, API) or the CLI -------------------------------------------

# Matplotlib's pyplot keeps global state: one pack's charts at a time, whichever thread draws.
_DRAWING = threading.Lock()


def _render_locked(pack: BoardPack, fmt: str) -> bytes:
    with _DRAWING:
        html = pack_html(pack)
    return pack_pdf(html) if fmt == "pdf" else html.encode()


async def rendered(pack: BoardPack, fmt: str) -> bytes:
    """The pack as PDF or HTML bytes, drawn in a worker thread so that a server keeps
    answering other requests meanwhile (a pack takes seconds of CPU)."""
    return await asyncio.to_thread(_render_locked, pack, check_format(fmt))


async def export_organisation_pack(principal: Principal, as_of: date | None, fmt: str) -> tuple[bytes, str]:
    """The caller's own organisation's pack, audited as an export: (body, filename)."""
    principal.require("board_pack:read")
    check_format(fmt)
    as_of = check_as_of(as_of)
    pack = await organisation_pack(principal.organisation_id, principal.organisation_slug,
                                   principal.organisation_name, as_of)
    body = await rendered(pack, fmt)
    await audit.record(principal, "export", "board_pack", principal.organisation_id, scope="organisation",
                       as_of=as_of.isoformat(), format=fmt)
    return body, filename(principal.organisation_slug, as_of, fmt)


async def export_network_pack(network_id: UUID, as_of: date | None, fmt: str, principal: Principal | None = None
                              ) -> tuple[bytes, str]:
    """A network's pack, audited as an export: (body, filename). The caller has already
    decided that ``principal`` may see this network (None: the command line, on the server)."""
    check_format(fmt)
    as_of = check_as_of(as_of)
    pack = await network_pack(network_id, as_of)
    body = await rendered(pack, fmt)
    await audit.record(principal, "export", "board_pack", network_id, scope="network", as_of=as_of.isoformat(),
                       format=fmt)
    return body, filename(pack.slug, as_of, fmt)


async def network_id_by_slug(slug: str) -> UUID:
    """The network's id, or NotFound (for the command line, which names networks by slug)."""
    from peerwork.core.tables import Network

    found = await Network.select(Network.id).where(Network.slug == slug).first()
    if found is None:
        raise NotFound(f"No network with slug {slug!r}.")
    return found["id"]


async def export_network_pack_for(principal: Principal, network_slug: str, as_of: date | None, fmt: str
                                  ) -> tuple[bytes, str]:
    """A network's pack for a signed-in caller: only for a network they may see (its leads and
    its members' admins); any other is NotFound, whether or not it exists."""
    view = await visible_network(principal, network_slug)
    return await export_network_pack(view.id, as_of, fmt, principal)
