from tests.integration.mail.conftest import smtp, smtp_down  # noqa: F401 - shared SMTP server fixtures
