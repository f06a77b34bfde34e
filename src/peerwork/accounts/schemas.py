"""API shapes for accounts: who I am, accounts and roles, API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from msgspec import UNSET, Meta, Struct, UnsetType

ShortText = Annotated[str, Meta(max_length=100)]


class AccountOut(Struct):
    id: UUID
    email: str
    display_name: str
    roles: list[str]
    is_active: bool
    person_id: UUID | None


class AccountIn(Struct, forbid_unknown_fields=True):
    email: Annotated[str, Meta(min_length=3, max_length=254)]
    roles: Annotated[list[str], Meta(min_length=1)]
    display_name: ShortText = ""
    password: Annotated[str, Meta(min_length=12, max_length=256)] | None = None
    person_id: UUID | None = None


class AccountPatch(Struct, forbid_unknown_fields=True):
    roles: Annotated[list[str], Meta(min_length=1)] | UnsetType = UNSET
    is_active: bool | UnsetType = UNSET
    display_name: ShortText | UnsetType = UNSET


class TokenIn(Struct, forbid_unknown_fields=True):
    label: ShortText = ""


class TokenIssued(Struct):
    id: UUID
    token: str
    label: str


class TokenOut(Struct):
    id: UUID
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class Me(Struct):
    account_id: UUID
    email: str
    display_name: str
    organisation: str
    roles: list[str]
    person_id: UUID | None


class InvitationIn(Struct, forbid_unknown_fields=True):
    role: Literal["admin", "hr", "peer_lead", "supervisor", "psw"] = "psw"
    email: Annotated[str, Meta(max_length=254)] | None = None  # the staff record's email when omitted
    person_id: UUID | None = None
    display_name: ShortText = ""


class InvitationOut(Struct):
    id: UUID
    email: str
    role: str
    person_id: UUID | None
    status: str  # pending | accepted | expired | revoked
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None


class BulkInviteOut(Struct):
    eligible: int
    without_email: int
    invited: int


# --- single sign-on ---------------------------------------------------------------------

EmailDomain = Annotated[str, Meta(min_length=3, max_length=253)]


class SsoProviderIn(Struct, forbid_unknown_fields=True):
    """An organisation's OpenID Connect provider. The client secret is write-only: leave it
    empty to keep the one stored (it is required the first time)."""

    issuer: Annotated[str, Meta(min_length=8, max_length=500)]
    client_id: Annotated[str, Meta(min_length=1, max_length=200)]
    client_secret: Annotated[str, Meta(max_length=2000)] = ""
    email_domains: Annotated[list[EmailDomain], Meta(max_length=50)] = []
    create_accounts: bool = False
    # Admin and HR see special-category data: sign-in alone never grants them.
    default_role: Literal["psw", "supervisor", "peer_lead"] = "psw"
    label: Annotated[str, Meta(min_length=1, max_length=100)] = "Sign in with your work account"


class SsoProviderOut(Struct):
    issuer: str
    client_id: str
    client_secret_set: bool  # the secret itself is never shown back
    email_domains: list[str]
    create_accounts: bool
    default_role: str
    label: str
    redirect_uri: str  # what to register with the provider
    updated_at: datetime


class CodeIn(Struct, forbid_unknown_fields=True):
    """A code typed by a person: a 6-digit TOTP code or a recovery code (checked by the service)."""

    code: Annotated[str, Meta(max_length=64)] = ""


class MfaPolicyIn(Struct, forbid_unknown_fields=True):
    require_mfa_for_all: bool = False
