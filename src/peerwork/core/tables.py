"""Core tables: tenants and networks, people, accounts and their credentials, the audit log,
scheduled-run claims and the mail outbox.

Every row that belongs to a tenant carries ``organisation`` so that every query can be
scoped by it; public identifiers are UUIDs so they reveal nothing about other tenants.
Composite unique keys and the audit log's append-only triggers live in the migrations.
A Person exists whether or not they have an Account; an Account is how a person signs in.
"""


from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Network(Table):
    """Organisations that share community events (e.g. an NHS trust and its VCSE partners)."""

    id = UUID(primary_key=True)
    slug = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    created_at = Timestamptz(default=TimestamptzNow())


class Organisation(Table):
    """A tenant: an NHS trust or a voluntary (VCSE) organisation."""

    id = UUID(primary_key=True)
    slug = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    kind = Varchar(length=16, default="nhs_trust")  # nhs_trust | vcse
    created_at = Timestamptz(default=TimestamptzNow())
    # Admin and HR always need a second factor; this asks it of every role.
    require_mfa_for_all = Boolean(default=False)


class NetworkMembership(Table):
    network = ForeignKey(references=Network, null=False)
    organisation = ForeignKey(references=Organisation, null=False)
    joined_at = Timestamptz(default=TimestamptzNow())


class Person(Table):
    """Someone employed (or once employed) by an organisation, keyed by its employee number."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    employee_number = Varchar(length=64)
    given_name = Varchar(length=100, null=True, default=None)
    family_name = Varchar(length=100, null=True, default=None)
    email = Varchar(length=254, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    # Special-category equality monitoring, from the import only (docs/equality.md): the WRES
    # ethnicity group (white | bme | not_stated) and WDES disability group (disabled |
    # not_disabled | not_stated); None = never imported. Read only through
    # peerwork.retention.equality (right equality:read, audited); never in people responses.
    ethnicity = Varchar(length=16, null=True, default=None)
    disability = Varchar(length=16, null=True, default=None)


class Account(Table):
    """A sign-in identity. Roles are held per organisation (see :class:`Membership`)."""

    id = UUID(primary_key=True)
    email = Varchar(length=254, unique=True)
    password_hash = Varchar(length=255, null=True, default=None)
    display_name = Varchar(length=200, default="")
    person = ForeignKey(references=Person, null=True, default=None)
    is_active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    password_changed_at = Timestamptz(null=True, default=None)
    # TOTP (RFC 6238): the secret is encrypted with a key kept outside the database.
    totp_secret = Text(null=True, default=None)
    totp_enabled_at = Timestamptz(null=True, default=None)
    totp_last_step = Integer(null=True, default=None)  # a code is accepted once, never replayed


class Membership(Table):
    """An account's role in an organisation; one row per role held."""

    id = UUID(primary_key=True)
    account = ForeignKey(references=Account, null=False, index=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    role = Varchar(length=16)
    created_at = Timestamptz(default=TimestamptzNow())


class ApiToken(Table):
    """A bearer token for the API; only its SHA-256 is stored."""

    id = UUID(primary_key=True)
    account = ForeignKey(references=Account, null=False, index=True)
    organisation = ForeignKey(references=Organisation, null=False)
    token_hash = Varchar(length=64, unique=True)
    label = Varchar(length=100, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class LoginSession(Table):
    """A browser session; the cookie holds a random secret, the table only its SHA-256."""

    id = UUID(primary_key=True)
    account = ForeignKey(references=Account, null=False, index=True)
    organisation = ForeignKey(references=Organisation, null=False)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    # Signed in with a password, but the second factor is still to come: such a session
    # identifies nobody to the app until it is cleared.
    second_factor_due = Boolean(default=False)
    via = Varchar(length=16, default="password")  # password | invitation | reset | sso
    user_agent = Varchar(length=200, default="")


class LoginAttempt(Table):
    """Failed sign-ins, kept in the database so the rate limit holds across app instances."""

    id = UUID(primary_key=True)
    email_hash = Varchar(length=64, index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)


class AuditLog(Table):
    """Append-only: who did what to which record, and when (never field values)."""

    id = UUID(primary_key=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    organisation = ForeignKey(references=Organisation, null=True, default=None, index=True)
    account = ForeignKey(references=Account, null=True, default=None)
    action = Varchar(length=32)  # read | create | update | delete | login | import | ...
    table_name = Varchar(length=64)
    record_id = Varchar(length=64, null=True, default=None)
    detail = JSONB(default={})


class ScheduledRun(Table):
    """One row per job and due time: the backstop that makes a job's effect happen once."""

    id = UUID(primary_key=True)
    job_id = Varchar(length=100)
    due_key = Varchar(length=64)
    claimed_at = Timestamptz(default=TimestamptzNow())
    claimed_by = Varchar(length=100, default="")


class OutboxMessage(Table):
    """An email waiting to go, going, sent or given up on. Nothing is sent except from here,
    so a message survives an SMTP outage and is retried with backoff."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=True, default=None, index=True)
    to_address = Varchar(length=254)
    to_name = Varchar(length=200, default="")
    subject = Varchar(length=300)
    body_text = Text()
    body_html = Text(null=True, default=None)
    calendar_method = Varchar(length=16, null=True, default=None)  # REQUEST | CANCEL | PUBLISH
    calendar_ics = Text(null=True, default=None)
    # Makes enqueueing idempotent: a job re-run or a retried request adds nothing twice.
    dedupe_key = Varchar(length=200, null=True, default=None, unique=True)
    status = Varchar(length=16, default="pending", index=True)  # pending | sending | sent | failed
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    last_error = Varchar(length=300, null=True, default=None)  # error type only, never content
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
