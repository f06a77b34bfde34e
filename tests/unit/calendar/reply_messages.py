"""REPLY messages built the way Outlook and Gmail send them when someone answers an invite.

Outlook (Exchange): multipart/alternative with text/plain and a base64 ``text/calendar;
method=REPLY`` whose VCALENDAR has Exchange's PRODID, a "GMT Standard Time" VTIMEZONE, the
answering ATTENDEE with PARTSTAT, and X-MICROSOFT-CDO-* properties. Gmail: multipart/mixed
holding a multipart/alternative (text/plain, text/html, a 7bit ``text/calendar; method=REPLY``)
and the same calendar again as an ``invite.ics`` attachment (application/ics, base64).
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

_OUTLOOK_ZONE = """BEGIN:VTIMEZONE
TZID:GMT Standard Time
BEGIN:STANDARD
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T010000
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE"""


def _crlf(text: str) -> str:
    return "\r\n".join(text.splitlines()) + "\r\n"


def outlook_calendar(*, organizer: str, attendee: str, uid: str, partstat: str, sequence: int | None = 0,
                     name: str = "Alex Doe") -> str:
    word = {"DECLINED": "Declined", "ACCEPTED": "Accepted", "TENTATIVE": "Tentative"}.get(partstat, partstat)
    lines = [
        "BEGIN:VCALENDAR", "METHOD:REPLY", "PRODID:Microsoft Exchange Server 2010", "VERSION:2.0", _OUTLOOK_ZONE,
        "BEGIN:VEVENT",
        f"ATTENDEE;PARTSTAT={partstat};CN={name}:mailto:{attendee}",
        f"ORGANIZER;CN=North Trust:mailto:{organizer}",
        "COMMENT;LANGUAGE=en-GB:\\n",
        f"SUMMARY;LANGUAGE=en-GB:{word}: Co-reflection",
        "DTSTART;TZID=GMT Standard Time:20261208T130000",
        "DTEND;TZID=GMT Standard Time:20261208T143000",
        f"UID:{uid}", "CLASS:PUBLIC", "PRIORITY:5", "DTSTAMP:20261130T012000Z", "TRANSP:OPAQUE",
        "STATUS:CONFIRMED",
        *([f"SEQUENCE:{sequence}"] if sequence is not None else []),
        "LOCATION;LANGUAGE=en-GB:Room 4\\, Oak House",
        f"X-MICROSOFT-CDO-APPT-SEQUENCE:{sequence or 0}", "X-MICROSOFT-CDO-BUSYSTATUS:BUSY",
        "X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY", "X-MICROSOFT-CDO-ALLDAYEVENT:FALSE",
        "X-MICROSOFT-CDO-IMPORTANCE:1", "X-MICROSOFT-CDO-INSTTYPE:0", "X-MICROSOFT-DONOTFORWARDMEETING:FALSE",
        "X-MICROSOFT-DISALLOW-COUNTER:FALSE",
        "END:VEVENT", "END:VCALENDAR",
    ]
    return _crlf("\n".join(lines))


def gmail_calendar(*, organizer: str, attendee: str, uid: str, partstat: str, sequence: int | None = 0,
                   name: str = "Alex Doe") -> str:
    lines = [
        "BEGIN:VCALENDAR", "PRODID:-//Google Inc//Google Calendar 70.9054//EN", "VERSION:2.0",
        "CALSCALE:GREGORIAN", "METHOD:REPLY", "BEGIN:VEVENT",
        "DTSTART:20261208T130000Z", "DTEND:20261208T143000Z", "DTSTAMP:20261130T012000Z",
        f"ORGANIZER;CN=North Trust:mailto:{organizer}", f"UID:{uid}",
        f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};CN={name};X-NUM-GUESTS=0:mailto:{attendee}",
        "CREATED:20261130T010000Z", "LAST-MODIFIED:20261130T012000Z", "LOCATION:Room 4\\, Oak House",
        *([f"SEQUENCE:{sequence}"] if sequence is not None else []),
        "STATUS:CONFIRMED", "SUMMARY:Co-reflection", "TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR",
    ]
    return _crlf("\n".join(lines))


def _headers(msg: EmailMessage, *, sender: str, to: str, subject: str) -> None:
    msg["From"] = f"Alex Doe <{sender}>"
    msg["To"] = f"North Trust <{to}>"
    msg["Subject"] = subject
    msg["Message-ID"] = "<reply-1@mail.example>"


def outlook_reply(*, to: str, attendee: str, uid: str, partstat: str = "DECLINED", sequence: int | None = 0,
                  sender: str | None = None) -> bytes:
    msg = EmailMessage(policy=SMTP)
    _headers(msg, sender=sender or attendee, to=to, subject=f"{partstat.title()}: Co-reflection")
    msg["Thread-Topic"] = "Co-reflection"
    msg.set_content("\n")
    calendar = outlook_calendar(organizer=to, attendee=attendee, uid=uid, partstat=partstat, sequence=sequence)
    msg.add_alternative(calendar.encode(), maintype="text", subtype="calendar", cte="base64",
                        params={"charset": "utf-8", "method": "REPLY"})
    return msg.as_bytes()


def gmail_reply(*, to: str, attendee: str, uid: str, partstat: str = "DECLINED", sequence: int | None = 0,
                sender: str | None = None) -> bytes:
    msg = EmailMessage(policy=SMTP)
    _headers(msg, sender=sender or attendee, to=to, subject=f"Invitation: Co-reflection ({partstat.lower()})")
    word = "has declined" if partstat == "DECLINED" else "has accepted"
    msg.set_content(f"Alex Doe {word} this invitation.\n")
    msg.add_alternative(f"<p>Alex Doe {word} this invitation.</p>", subtype="html")
    calendar = gmail_calendar(organizer=to, attendee=attendee, uid=uid, partstat=partstat, sequence=sequence)
    msg.add_alternative(calendar, subtype="calendar", params={"method": "REPLY"})
    msg.add_attachment(calendar.encode(), maintype="application", subtype="ics", filename="invite.ics",
                       params={"name": "invite.ics"})
    return msg.as_bytes()
