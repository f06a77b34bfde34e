"""Secrets never reach a log line.

Private links carry their secret in the path: an applicant's ``/application/<token>``, an
``/invitations/<token>``, a ``/password/reset/<token>``, a questionnaire's
``/evaluation/answer/<token>`` and a calendar feed's ``/calendar/<secret>.ics``; single sign-on returns with ``?code=...&state=...``. The access
log (``uvicorn.access``) and any other line that quotes a path would keep them for as long as
the logs are kept. :class:`RedactSecrets` is the one filter that replaces them with
``[redacted]``; ``configure_logging`` installs it on every handler and logger that writes.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from peerwork.core.settings import Settings

REDACTED = "[redacted]"

# A secret path segment: everything up to the next /, ?, #, quote or whitespace.
_SECRET_PATHS = re.compile(
    r"(?P<prefix>/(?:application|invitations|password/reset|evaluation/answer|calendar)/)"
    r"(?P<secret>[^/?#\s\"'<>]+?)(?P<suffix>\.ics)?(?=[/?#\s\"'<>]|$)"
)
# Query parameters that carry a secret (an OpenID Connect code and state, any token).
_SECRET_QUERY = re.compile(r"(?P<prefix>[?&](?:code|state|token|secret|access_token|id_token)=)[^&#\s\"'<>]+",
                           re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with every secret path segment and secret query value replaced."""
    if "/" not in text and "=" not in text:
        return text
    text = _SECRET_PATHS.sub(lambda m: f"{m['prefix']}{REDACTED}{m['suffix'] or ''}", text)
    return _SECRET_QUERY.sub(lambda m: f"{m['prefix']}{REDACTED}", text)


def _redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactSecrets(logging.Filter):
    """Rewrites a record's string arguments in place (keeping their shape, which formatters
    such as uvicorn's access formatter unpack), and its message when a secret is still in the
    formatted text; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_value(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _redact_value(v) for k, v in record.args.items()}
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's to report, not ours
            return True
        redacted = redact(message)
        if redacted != message:  # a secret built from the format and its arguments together
            record.msg, record.args = redacted, ()
        return True


# Loggers that write through their own handlers (uvicorn's do not propagate to the root).
LOGGERS = ("", "uvicorn", "uvicorn.access", "uvicorn.error", "litestar", "httpx", "peerwork")


def install(names: tuple[str, ...] = LOGGERS) -> RedactSecrets:
    """Put the one filter on each named logger and on every handler they have (once each)."""
    the_filter = next((f for f in logging.getLogger().filters if isinstance(f, RedactSecrets)), None) \
        or RedactSecrets()
    for name in names:
        logger = logging.getLogger(name)
        for target in (logger, *logger.handlers):
            if not any(isinstance(f, RedactSecrets) for f in target.filters):
                target.addFilter(the_filter)
    return the_filter


# Database drivers log statements with their parameters at DEBUG: that would put supervision
# notes and lived-experience statements in the logs, so they never log below WARNING.
QUIET_LOGGERS = ("aiosqlite", "asyncpg", "piccolo", "piccolo.engine", "apscheduler.executors")


def configure_logging(settings: Settings) -> None:
    """The one logging set-up, for the web app and the command line alike (here, not in the
    app, so a command that needs no web app does not load one)."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    # Private links' secrets (applicant, invitation, reset, questionnaire, calendar feed, SSO code) never
    # reach a log line, the access log included.
    install()
