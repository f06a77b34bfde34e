"""HTML pages: sign-in, home, people, import, profile. Handlers stay thin; services decide."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any, TypeVar
from urllib.parse import quote

import msgspec
import msgspec.inspect as mi

from litestar import Request, Response
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.params import Body
from litestar.response import Redirect, Template

from peerwork.core.errors import DomainError, InvalidInput, NotAuthenticated, database_unavailable, log_unexpected
from peerwork.core.access import ROLE_LABELS, Principal

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
MULTIPART = Body(media_type=RequestEncodingType.MULTI_PART)

NAV = [  # (path, label, right needed — or any one of several — or None for everyone signed in)
    ("/", "Home", None),
    ("/community", "Reflective spaces", "community:read"),
    ("/my-calendar", "My calendar", None),
    ("/supervision", "Supervision", None),
    ("/supervision/compliance", "Supervision compliance", "supervision:manage"),
    ("/people", "People", "people:read"),
    ("/retention", "Retention", "retention:read"),
    ("/cpd", "My CPD", "cpd:record"),
    ("/cpd/compliance", "CPD compliance", "cpd:report"),
    ("/training", "Training", "training:read"),
    ("/wellbeing", "My wellbeing", "wellbeing:own"),
    ("/pairing", "Pairing", "pairing:manage"),
    ("/supports", "Seven supports", "supports:read"),
    ("/board-pack", "Board pack", "board_pack:read"),
    # Network leads see their networks; HR sees there what the organisation shares.
    ("/networks", "Networks", ("network:read", "network:share")),
    ("/recruitment", "Recruitment", "recruitment:panel"),
    ("/evaluation", "Course evaluation", "training:lead"),
    ("/coproduction", "Co-production", "coproduction:manage"),
    ("/coproduction/mine", "My involvement", "coproduction:mine"),
    ("/debrief", "Debrief", ("debrief:ask", "debrief:rota", "debrief:figures")),
    ("/import", "Import staff records", "assignments:import"),
    ("/invitations", "Invitations", "accounts:invite"),
    ("/admin/sso", "Single sign-on", "accounts:write"),
    ("/profile", "My profile", None),
]


def nav_for(principal: Principal | None) -> list[tuple[str, str]]:
    if principal is None:
        return []
    return [(path, label) for path, label, right in NAV if _may_see(principal, right)]


def _may_see(principal: Principal, right: str | tuple[str, ...] | None) -> bool:
    if right is None:
        return True
    return any(principal.can(r) for r in ((right,) if isinstance(right, str) else right))


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Template:
    principal = request.scope.get("user")
    return Template(
        template_name=template,
        context={
            "principal": principal, "nav": nav_for(principal), "path": request.url.path,
            "role_labels": ROLE_LABELS, "zip": zip, **context,
        },
        status_code=status_code,
    )


def signed_in_principal(request: Request) -> Principal:
    principal = request.scope.get("user")
    if principal is None:
        raise NotAuthenticated("Please sign in.")
    return principal


def error_page(request: Request, exc: Exception) -> Response:
    exc = database_unavailable(exc) or exc  # a lost database is a 503, not our bug
    status = getattr(exc, "status_code", 500)
    if status == 401:
        return Redirect(f"/login?next={quote(request.url.path)}")
    if isinstance(exc, DomainError):
        message = exc.detail
    elif isinstance(exc, HTTPException) and status < 500:
        message = exc.detail
    else:
        log_unexpected(request, exc)
        status, message = 500, "Something went wrong on our side. Please try again."
    titles = {403: "You do not have access to this page", 404: "Page not found", 429: "Too many attempts",
              503: "Service temporarily unavailable"}
    template = render(request, "error.html", status_code=status, title=titles.get(status, "There is a problem"), message=message)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        template.headers["Retry-After"] = str(retry_after)
    return template  # type: ignore[return-value]




# --- forms into the API's own input schemas --------------------------------------------------

T = TypeVar("T")

CHECKED = frozenset({"on", "yes", "true", "1"})  # what a ticked box or a yes/no choice sends
UNCHECKED = frozenset({"off", "no", "false", "0"})
HTML_TIME = re.compile(r"\d\d:\d\d")  # <input type="time"> sends HH:MM; msgspec wants HH:MM:SS


def _kinds(kind: mi.Type) -> tuple[mi.Type, ...]:
    """The plain types a field accepts (unions and Annotated metadata unwrapped)."""
    if isinstance(kind, mi.Metadata):
        return _kinds(kind.type)
    if isinstance(kind, mi.UnionType):
        return tuple(k for member in kind.types for k in _kinds(member))
    return (kind,)


@cache
def _fields(schema: type) -> dict[str, mi.Field]:
    info = mi.type_info(schema)
    if not isinstance(info, mi.StructType):
        raise TypeError(f"{schema!r} is not a msgspec Struct")
    return {field.encode_name: field for field in info.fields}


def _from_form(raw: str, field: mi.Field) -> Any:
    """One submitted string as the field will accept it; ``msgspec.UNSET`` leaves it out.

    Text is kept as typed. An empty box leaves an optional field out, so its default (or
    None) applies; a required field left empty reads "required". Other values lose stray
    spaces; ticked boxes and yes/no choices become booleans; HH:MM times gain seconds.
    """
    kinds = _kinds(field.type)
    if any(isinstance(k, mi.StrType) for k in kinds):
        return msgspec.UNSET if raw == "" and not field.required else raw
    value = raw.strip()
    if value == "":
        return msgspec.UNSET
    if any(isinstance(k, mi.BoolType) for k in kinds):
        if value.lower() in CHECKED:
            return True
        if value.lower() in UNCHECKED:
            return False
    if any(isinstance(k, mi.TimeType) for k in kinds) and HTML_TIME.fullmatch(value):
        return f"{value}:00"
    return value


_PROBLEMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Expected `str` of length >= 1"), "must not be empty"),
    (re.compile(r"Expected `str` of length >= (\S+)"), "must be at least {0} characters"),
    (re.compile(r"Expected `str` of length <= (\S+)"), "must be at most {0} characters"),
    (re.compile(r"Expected `(?:array|object)` of length >= (\S+)"), "needs at least {0}"),
    (re.compile(r"Expected `(?:array|object)` of length <= (\S+)"), "can have at most {0}"),
    (re.compile(r"Expected `[^`]+` >= (\S+)"), "must be at least {0}"),
    (re.compile(r"Expected `[^`]+` <= (\S+)"), "must be at most {0}"),
    (re.compile(r"Expected `[^`]+` > (\S+)"), "must be more than {0}"),
    (re.compile(r"Expected `[^`]+` < (\S+)"), "must be less than {0}"),
    (re.compile(r"Expected `int(?: \| null)?`"), "must be a whole number"),
    (re.compile(r"Expected `(?:float|decimal)(?: \| null)?`|Invalid decimal"), "must be a number, e.g. 1.5"),
    (re.compile(r"Expected `bool(?: \| null)?`"), "must be yes or no"),
    (re.compile(r"Invalid RFC3339 encoded datetime"), "must be a date and time"),
    (re.compile(r"Invalid RFC3339 encoded date"), "must be a date (YYYY-MM-DD)"),
    (re.compile(r"Invalid RFC3339 encoded time"), "must be a time (HH:MM)"),
    (re.compile(r"Invalid UUID"), "choose one from the list"),
]


def _choices(schema: type, path: str) -> tuple[str, ...]:
    """The allowed values of a Literal field (or of a list of them) at a top-level ``path``."""
    field = _fields(schema).get(re.sub(r"\[\d+\]$", "", path))
    if field is None:
        return ()
    for kind in _kinds(field.type):
        for inner in (kind, *(_kinds(kind.item_type) if isinstance(kind, mi.ListType) else ())):
            if isinstance(inner, mi.LiteralType):
                return tuple(str(v) for v in inner.values)
    return ()


def _explain(schema: type, message: str) -> tuple[str, str]:
    """msgspec's "Problem - at `$.field`" as ("field", "a problem a person can act on")."""
    problem, _, where = message.partition(" - at `$")
    path = where.rstrip("`").lstrip(".")
    missing = re.fullmatch(r"Object missing required field `([^`]+)`", problem)
    if missing:
        return (f"{path}.{missing.group(1)}" if path else missing.group(1)), "required"
    if problem.startswith("Invalid enum value"):
        choices = _choices(schema, path)
        return path, f"must be one of {', '.join(choices)}" if choices else "is not one of the choices"
    for pattern, phrase in _PROBLEMS:
        found = pattern.search(problem)
        if found:
            return path, phrase.format(*found.groups())
    return path, problem.replace("`", "")


def form_to(schema: type[T], form: Mapping[str, Any], /, **extra: Any) -> T:
    """Build the API's input ``schema`` (a msgspec Struct) from a submitted form.

    The schema's own rules decide what is accepted, so a page refuses exactly what the API
    refuses. Only the schema's fields are read (the CSRF token and page-only inputs are
    ignored). ``extra`` gives fields the page maps itself (a list from several checkboxes, a
    rule built from a plain-language choice); strings in it are treated like form values.
    Raises ``InvalidInput`` ("field: problem") for anything the schema refuses.
    """
    fields = _fields(schema)
    given = {**form, **extra}
    data: dict[str, Any] = {}
    for name, field in fields.items():  # in the schema's order: the problem reported is the first given field's
        if name not in given:
            continue
        value = given[name]
        if isinstance(value, str):
            value = _from_form(value, field)
        if value is not msgspec.UNSET:
            data[name] = value
    try:
        return msgspec.convert(data, schema, strict=False)
    except msgspec.ValidationError as exc:
        field_name, problem = _explain(schema, str(exc))
        label = field_name or "form"
        raise InvalidInput(f"{label}: {problem}", errors=[{"field": label, "problem": problem}]) from None
