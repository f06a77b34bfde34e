"""Workforce pages: home, people, and importing staff records."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Request, Response, post, get
from litestar.datastructures import UploadFile
from litestar.response import Template

from peerwork.core.access import ORGANISATION_ROLES, ROLE_LABELS
from peerwork.core.errors import InvalidInput
from peerwork.core.requests import PageNumber
from peerwork.core.todo import todo_for
from peerwork.web.shell import MULTIPART, form_to, render, signed_in_principal
from peerwork.workforce import csv_rows, importer, organisations, people
from peerwork.workforce.schemas import PeopleFilter


MAX_UPLOAD_BYTES = 64 * 1024 * 1024


@get("/", include_in_schema=False)
async def home(request: Request) -> Template:
    principal = signed_in_principal(request)
    items = await todo_for(principal, request.app.state.todo_providers)
    counts = await people.headline_counts(principal)
    return render(request, "home.html", title="Home", items=items, counts=counts,
                  priority_labels=PRIORITY_LABELS)


PRIORITY_LABELS = {"urgent": "Needs doing now", "soon": "Soon", "info": "For your information"}
PAGE_SIZE = 50
ROLE_CHOICES = [(role, ROLE_LABELS[role]) for role in ORGANISATION_ROLES]


def _query(filters: dict[str, str], page: int) -> str:
    return urlencode({**{k: v for k, v in filters.items() if v}, "page": page})


@get("/people", include_in_schema=False)
async def people_page(request: Request, page: PageNumber = 1) -> Template:
    principal = signed_in_principal(request)
    principal.require("people:read")
    raw = {name: request.query_params.get(name, "") for name in ("q", "team_id", "role", "in_post")}
    may_filter_posts = principal.can("assignments:read")
    if not may_filter_posts:  # team and in-post come from assignments: not offered, not applied
        raw["team_id"] = raw["in_post"] = ""
    error, rows = None, []
    try:
        filters = form_to(PeopleFilter, raw)
        rows = await people.list_people(principal, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE,
                                        filters=filters)
    except InvalidInput as exc:
        error = exc.detail
    shown = rows[:PAGE_SIZE]
    status = await people.sign_in_status(principal.organisation_id, [p.id for p in shown])
    teams = await organisations.list_teams(principal) if may_filter_posts else []
    return render(request, "people.html", status_code=400 if error else 200, title="People", people=shown, page=page,
                  has_more=len(rows) > PAGE_SIZE, sign_in=status, can_invite=principal.can("accounts:invite"),
                  filters=raw, filtered=any(raw.values()), error=error, teams=teams, roles=ROLE_CHOICES,
                  may_filter_posts=may_filter_posts,
                  previous_query=_query(raw, page - 1), next_query=_query(raw, page + 1))


@get("/people/{person_id:uuid}", include_in_schema=False)
async def person_page(request: Request, person_id: UUID) -> Template:
    principal = signed_in_principal(request)
    found = await people.overview(principal, person_id, request.app.state.person_providers)
    name = " ".join(n for n in (found.person.given_name, found.person.family_name) if n) or found.person.employee_number
    return render(request, "person.html", title=name, name=name, person=found.person, sections=found.sections)


# What the import page says about the file: the importer's own description, never a copy.
IMPORT_HELP = {"columns": csv_rows.COLUMN_SPECS, "file_help": csv_rows.FILE_HELP, "date_help": csv_rows.DATE_HELP}


@get("/import", include_in_schema=False)
async def import_form(request: Request) -> Template:
    principal = signed_in_principal(request)
    principal.require("assignments:import")
    return render(request, "import.html", title="Import staff records", report=None, error=None, **IMPORT_HELP)


@get("/import/assignments-template.csv", include_in_schema=False)
async def import_template(request: Request) -> Response[str]:
    signed_in_principal(request).require("assignments:import")
    return Response(csv_rows.template_csv(), media_type="text/csv",  # Litestar adds "; charset=utf-8"
                    headers={"Content-Disposition": 'attachment; filename="assignments-template.csv"'})


@post("/import", include_in_schema=False, status_code=200, request_max_body_size=MAX_UPLOAD_BYTES)
async def import_upload(request: Request, data: Annotated[dict[str, Any], MULTIPART]) -> Template:
    principal = signed_in_principal(request)
    principal.require("assignments:import")
    upload = data.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return render(request, "import.html", status_code=400, title="Import staff records", report=None,
                      error="Choose a CSV file to upload.", **IMPORT_HELP)
    content = await upload.read()
    report = await importer.import_assignments(
        principal.organisation_id, content, actor=principal,
        dry_run=data.get("dry_run") == "yes", all_or_nothing=data.get("all_or_nothing") == "yes",
    )
    return render(request, "import.html", status_code=200 if report.ok else 422, title="Import staff records",
                  report=report, filename=upload.filename, error=None, **IMPORT_HELP)


PAGES = [home, people_page, person_page, import_form, import_upload, import_template]
