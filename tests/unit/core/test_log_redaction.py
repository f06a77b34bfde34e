"""Secrets in private links never reach a log line: the access log and every other logger,
through the real logging configuration (``app.configure_logging``)."""

from __future__ import annotations

import logging

import pytest

from peerwork.app import configure_logging
from peerwork.core.logs import RedactSecrets, redact
from peerwork.core.settings import load_settings

SECRETS = {
    "/application/Ap9_-secretTOKEN/book": "/application/[redacted]/book",
    "/invitations/InvSecret123": "/invitations/[redacted]",
    "/password/reset/ResetSecret456?x=1": "/password/reset/[redacted]?x=1",
    "/calendar/FeedSecret789.ics": "/calendar/[redacted].ics",
    "/evaluation/answer/AnswerSecret012": "/evaluation/answer/[redacted]",
    "/login/sso/callback?code=OidcCode&state=OidcState": "/login/sso/callback?code=[redacted]&state=[redacted]",
}


@pytest.mark.parametrize("path, shown", SECRETS.items())
def test_secret_path_segments_are_redacted(path, shown):
    assert redact(f'GET {path} HTTP/1.1') == f"GET {shown} HTTP/1.1"


def test_every_route_with_a_token_in_its_path_is_redacted():
    """A private link added later (the questionnaire answer link was one) is redacted too:
    every route whose path carries a ``{token}``, and the calendar feed's secret name."""
    import re

    from peerwork.app import create_app

    app = create_app(load_settings())
    secret = "S3cretPathSegment"
    paths = [route.path for route in app.routes if re.search(r"\{(token|name):str\}", route.path)]
    assert "/evaluation/answer/{token:str}" in paths and "/application/{token:str}" in paths
    for path in paths:
        filled = re.sub(r"\{\w+:(\w+)\}", lambda m: secret if m[1] == "str" else "x", path)
        assert secret not in redact(f"GET {filled} HTTP/1.1"), path


def test_other_paths_are_left_alone():
    for path in ("/community/series", "/recruitment/applications/7f0c", "/password/reset", "/calendar"):
        assert redact(path) == path


@pytest.fixture
def configured(caplog):
    configure_logging(load_settings())
    caplog.set_level(logging.INFO)
    return caplog


@pytest.mark.parametrize("path, shown", SECRETS.items())
def test_the_access_log_line_is_redacted(configured, path, shown):
    # As uvicorn logs a request: the path is an argument its formatter unpacks.
    logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", path, "1.1", 200)
    [record] = [r for r in configured.records if r.name == "uvicorn.access"]
    assert len(record.args) == 5 and record.args[2] == shown
    assert shown in record.getMessage()
    assert "secret" not in record.getMessage().lower() and "oidc" not in record.getMessage().lower()


@pytest.mark.parametrize("name", ["peerwork", "peerwork.mail", "litestar", "some.library"])
def test_any_logger_is_redacted(configured, name):
    logging.getLogger(name).warning("could not open /invitations/%s", "InvSecret123")
    logging.getLogger(name).warning("feed https://x.example/calendar/FeedSecret789.ics failed")
    messages = [r.getMessage() for r in configured.records if r.name == name]
    assert messages == ["could not open /invitations/[redacted]",
                        "feed https://x.example/calendar/[redacted].ics failed"]
    assert not any("Secret" in line for line in configured.text.splitlines())


def test_the_filter_is_installed_on_every_handler_and_the_access_logger():
    configure_logging(load_settings())
    configure_logging(load_settings())  # idempotent
    for logger in (logging.getLogger(), logging.getLogger("uvicorn.access"), logging.getLogger("uvicorn.error")):
        assert sum(isinstance(f, RedactSecrets) for f in logger.filters) == 1
    for handler in logging.getLogger().handlers:
        assert any(isinstance(f, RedactSecrets) for f in handler.filters)


def test_the_filter_survives_uvicorn_configuring_its_own_loggers():
    """``peerwork serve`` builds the app (configure_logging) and then uvicorn applies its own
    logging config, replacing its handlers: the access line is still redacted."""
    import logging.config

    from uvicorn.config import LOGGING_CONFIG

    access = logging.getLogger("uvicorn.access")
    loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error", "uvicorn.access")]
    saved = [(logger.handlers[:], logger.propagate, logger.level) for logger in loggers]
    configure_logging(load_settings())
    logging.config.dictConfig(LOGGING_CONFIG)
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    keep = Keep()
    access.addHandler(keep)
    try:
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/calendar/FeedSecret789.ics", "1.1", 200)
    finally:
        for logger, (handlers, propagate, level) in zip(loggers, saved):
            logger.handlers[:], logger.propagate, logger.level = handlers, propagate, level
    assert lines == ['127.0.0.1:5000 - "GET /calendar/[redacted].ics HTTP/1.1" 200']
