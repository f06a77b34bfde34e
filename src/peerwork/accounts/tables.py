"""Accounts tables: invitations, password resets, MFA recovery codes and single sign-on.

Every link and code is a random secret shown once; only its SHA-256 is stored.
"""

from __future__ import annotations

from piccolo.columns import UUID, Boolean, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from peerwork.core.tables import Account, Organisation, Person


class Invitation(Table):
    """A single-use link that lets a person set their password and sign in, with a role."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    account = ForeignKey(references=Account, null=False, index=True)
    person = ForeignKey(references=Person, null=True, default=None, index=True)
    email = Varchar(length=254)
    role = Varchar(length=16)
    token_hash = Varchar(length=64, unique=True)
    invited_by = ForeignKey(references=Account, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class PasswordReset(Table):
    """A short-lived, single-use link to choose a new password."""

    id = UUID(primary_key=True)
    account = ForeignKey(references=Account, null=False, index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class RecoveryCode(Table):
    """One-time codes for signing in without the authenticator app (stored hashed)."""

    id = UUID(primary_key=True)
    account = ForeignKey(references=Account, null=False, index=True)
    code_hash = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
    used_at = Timestamptz(null=True, default=None)


class SsoProvider(Table):
    """An organisation's OpenID Connect provider (e.g. Microsoft Entra ID for NHSmail)."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, unique=True)
    issuer = Varchar(length=500)
    client_id = Varchar(length=200)
    client_secret = Text(default="")  # encrypted with a key kept outside the database
    # Comma-separated email domains whose people may be created on first sign-in, when allowed.
    email_domains = Varchar(length=1000, default="")
    create_accounts = Boolean(default=False)
    default_role = Varchar(length=16, default="psw")
    label = Varchar(length=100, default="Sign in with your work account")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class SsoState(Table):
    """One sign-in round trip to the provider (state, nonce, PKCE verifier), kept in the
    database so any instance can finish what another started."""

    id = UUID(primary_key=True)
    state_hash = Varchar(length=64, unique=True)
    organisation = ForeignKey(references=Organisation, null=False)
    nonce = Varchar(length=100)
    code_verifier = Varchar(length=200)
    next_path = Varchar(length=500, default="/")
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
