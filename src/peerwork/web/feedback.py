"""Asking before a destructive action, and saying what was done after a change.

**Confirmation** (no JavaScript). A page's form posts as it always did; the handler first asks
``confirmed(data)``. Until the form carries ``confirm=yes`` the handler changes nothing and
returns ``ask(request, Confirmation(...))``: a page naming the thing, what will happen and who
is told, with a form that posts the same fields again (CSRF token included) plus
``confirm=yes``. Only that second POST acts::

    if not confirmed(data):
        return ask(request, Confirmation(
            title="Withdraw your application?", action=request.url.path, back="/application/...",
            button="Withdraw my application", effects=["..."], told=["..."], fields=data))

``told`` lists who is emailed; an empty list says plainly that nobody is. ``fields`` are the
values to post again (the CSRF token and ``confirm`` itself are left out and added afresh).

**Notices** after a redirect. Redirect to ``with_notice(url, key)`` (it adds ``done=key``); the
page passes ``notice=notice_for(request, NOTICES)`` to ``render``, where ``NOTICES`` maps fixed
keys to text. An unknown key shows nothing, so no text from the address is ever shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from litestar import Request
from litestar.response import Redirect, Template

from peerwork.web.shell import render

CONFIRM_FIELD = "confirm"
NOTICE_PARAMETER = "done"
_NOT_CARRIED = frozenset({CONFIRM_FIELD, "_csrf_token"})


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page says and where its button posts."""

    title: str  # the question, naming the person or thing: "Withdraw application C-ABC123?"
    action: str  # where the confirming form posts (usually the same address as the first post)
    back: str  # where "No, go back" leads, changing nothing
    button: str  # what the confirming button says it does
    effects: list[str] = field(default_factory=list)  # what will happen, one sentence each
    told: list[str] = field(default_factory=list)  # who is emailed, one line each; empty: nobody
    fields: Mapping[str, str] = field(default_factory=dict)  # the first post's values, posted again


def confirmed(data: Mapping[str, object]) -> bool:
    """Whether the form is the second, confirming post."""
    return data.get(CONFIRM_FIELD) == "yes"


def ask(request: Request, confirmation: Confirmation, template: str = "_confirm.html", **context: object) -> Template:
    """The confirmation page; nothing has changed when it is shown. A page with more to say
    passes a ``template`` that extends ``_confirm.html`` and the ``context`` it needs."""
    carried = {k: v for k, v in confirmation.fields.items() if k not in _NOT_CARRIED and isinstance(v, str)}
    return render(request, template, title=confirmation.title, confirm=confirmation, carried=carried, **context)


def with_notice(url: str, key: str) -> str:
    """``url`` with the notice ``key`` added to its query string."""
    joiner = "&" if urlsplit(url).query else "?"
    return f"{url}{joiner}{urlencode({NOTICE_PARAMETER: key})}"


def redirect_with_notice(url: str, key: str) -> Redirect:
    """The usual 303 after a POST, carrying the notice ``key``."""
    return Redirect(with_notice(url, key), status_code=303)


def notice_for(request: Request, notices: Mapping[str, str]) -> str | None:
    """The text for the notice key in the address, or None for none or an unknown one."""
    return notices.get(request.query_params.get(NOTICE_PARAMETER) or "")
