"""API shapes for accounts: who I am, accounts and roles, API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
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
