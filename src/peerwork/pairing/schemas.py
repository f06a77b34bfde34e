"""API shapes for pairing peers."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from msgspec import Meta, Struct

Purpose = Literal["buddy", "co_facilitation", "linked_role"]
Tag = Annotated[str, Meta(min_length=1, max_length=40)]


class ProfileIn(Struct, forbid_unknown_fields=True):
    interests: Annotated[list[Tag], Meta(max_length=20)] = []
    preferences: Annotated[list[Tag], Meta(max_length=20)] = []
    exclusions: Annotated[list[UUID], Meta(max_length=50)] = []
    network_opt_in: bool = False
    capacity: Annotated[int, Meta(ge=0, le=5)] = 1


class ProfileOut(ProfileIn):
    account_id: UUID | None = None


class SuggestionOut(Struct):
    new_peer_id: UUID
    new_peer: str
    experienced_peer_id: UUID
    experienced_peer: str
    experienced_organisation: str
    score: int
    parts: dict[str, int]


class NotPairableOut(Struct):
    person_id: UUID  # the staff record
    name: str
    reason: str


class SuggestionsOut(Struct):
    suggestions: list[SuggestionOut]
    total_score: int
    unmatched: list[str]  # new peers no one could be paired with this time
    needs_a_person_to_confirm: bool = True
    # In post in a lived-experience role, but not pairable yet (no account), with the reason.
    not_pairable: list[NotPairableOut] = []


class PairIn(Struct, forbid_unknown_fields=True):
    new_peer_id: UUID
    experienced_peer_id: UUID
    purpose: Purpose = "buddy"
    start_date: date | None = None


class PairOut(Struct):
    id: UUID
    new_peer_id: UUID
    new_peer: str
    experienced_peer_id: UUID
    experienced_peer: str
    purpose: str
    start_date: date
    end_date: date | None
    score: int | None
    status: str  # active | ended | partner_left
    needs_new_pair: str | None  # the name of the partner left without a pair
