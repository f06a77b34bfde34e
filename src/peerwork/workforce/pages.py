"""Workforce pages: home, people, and importing staff records."""

from __future__ import annotations

from typing import Annotated, Any
from litestar import Request, Response, post, get
from litestar.datastructures import UploadFile
from litestar.response import Template

from peerwork.core.requests import PageNumber
from peerwork.web.shell import MULTIPART, render, signed_in_principal
from peerwork.workforce import csv_rows, importer, people


MAX_UPLOAD_BYTES = 64 * 1024 * 1024


@get("/", include_in_schema=False)
async def home(request: Request) -> Template:
    principal = signed_in_principal(request)
    counts = await people.headline_counts(principal)
    return render(request, "home.html", title="Home", counts=counts)


@get("/people", include_in_schema=False)
async def people_page(request: Request, page: PageNumber = 1) -> Template:
    principal = signed_in_principal(request)
    page = max(page, 1)
    rows = await people.list_people(principal, limit=51, offset=(page - 1) * 50)
    shown = rows[:50]
    status = await people.sign_in_status(principal.organisation_id, [p.id for p in shown])
    return render(request, "people.html", title="People", people=shown, page=page, has_more=len(rows) > 50,
                  sign_in=status, can_invite=principal.can("accounts:invite"))


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


PAGES = [home, people_page, import_form, import_upload, import_template]
