"""The loopback SMTP server for the mail tests."""

from __future__ import annotations

import pytest

from tests.mailserver import SmtpServer, free_port


@pytest.fixture
def smtp_down():
    """A server that is not listening yet: nothing answers on its port until ``start()``."""
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_down):
    smtp_down.start()
    return smtp_down


__all__ = ["free_port"]
