"""Choosing a transport from PEERWORK_MAIL_URL, and the file transport's writes."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path
from uuid import uuid4

import pytest

from peerwork.core.mail.transports import FileTransport, SmtpTransport, transport_from_url
from peerwork.core.settings import SettingsError


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example:2525", SmtpTransport("mail.example", 2525)),
        ("smtp://mail.example", SmtpTransport("mail.example", 25)),
        ("smtps://mail.example", SmtpTransport("mail.example", 465, use_tls=True)),
        ("smtps://bot%40trust:p%2Fss@mail.example:4650",
         SmtpTransport("mail.example", 4650, use_tls=True, username="bot@trust", password="p/ss")),
        ("file:///var/spool/peerwork", FileTransport(Path("/var/spool/peerwork"))),
        ("file://var/outbox", FileTransport(Path("var/outbox"))),
    ],
)
def test_mail_urls(url, expected):
    assert transport_from_url(url) == expected


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "smtp://mail.example:port", "file://"])
def test_mail_urls_that_are_refused(url):
    with pytest.raises(SettingsError):
        transport_from_url(url)


def test_the_password_is_kept_out_of_logs():
    assert "s3cret" not in repr(transport_from_url("smtp://bot:s3cret@mail.example"))


async def test_file_transport_writes_one_whole_eml_per_message(tmp_path):
    transport = FileTransport(tmp_path / "outbox")
    message_id = uuid4()
    for subject in ("First try", "Sent again after a crash"):
        message = EmailMessage()
        message["Subject"] = subject
        message.set_content("Hello")
        await transport.send(message_id, message)
    assert [p.name for p in (tmp_path / "outbox").iterdir()] == [f"{message_id}.eml"]  # no temp files left
    parsed = email.message_from_bytes(transport.path_for(message_id).read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "Sent again after a crash"
