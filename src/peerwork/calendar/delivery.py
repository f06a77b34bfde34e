"""Which way a calendar item (a reflective-space booking, a supervision session) reaches a
person's calendar: an emailed invite, their feed, or both. Pure, and shared by every capability
that sends invites, so one choice covers them all.

Below, "booking" stands for any such item and "place held" for the item being on. An invite lands in the calendar of the person's mailbox; the feed is a separate subscribed
calendar. Both carry the booking's UID, but calendar apps do not merge across calendars, so a
booking sent both ways shows twice. Each person chooses (``MODES``); the default, ``auto``,
sends invites while they have no live feed link and puts new bookings in the feed once they
have one, and a booking whose copy is already an invite stays an invite until it ends, so
making a link never leaves two copies and never needs a burst of cancellations.

A booking's ``invite_state`` (per person, for a session) says where its mail-calendar copy is: ``"request"`` (an invite
stands), ``"cancel"`` (the last invite cancelled it) or ``None`` (no invite: it is in the feed,
if anywhere).
"""

from __future__ import annotations

from typing import Literal

Mode = Literal["auto", "invites", "feed", "both"]
MODES: tuple[Mode, ...] = ("auto", "invites", "feed", "both")
DEFAULT: Mode = "auto"
InviteState = Literal["request", "cancel"] | None
Method = Literal["REQUEST", "CANCEL"] | None


def invites_wanted(mode: str, *, has_live_feed: bool, state: InviteState) -> bool:
    """Should this booking's next change go out as an invite?"""
    if mode in ("invites", "both"):
        return True
    if mode == "feed":
        return False
    # auto: keep a booking where its copy already is; a new one goes to the feed if there is one.
    return state is not None or not has_live_feed


def in_feed(mode: str, state: InviteState) -> bool:
    """Does the person's feed show this booking?"""
    if mode == "both":
        return True
    if mode == "invites":
        return False
    return state is None  # feed and auto: whatever has no invite in the mail calendar


def on_place_held(mode: str, *, has_live_feed: bool, state: InviteState) -> tuple[Method, InviteState]:
    """A place is booked, given from the waiting list or changed: the invite to send (if any)
    and the booking's new ``invite_state``. Moving a booking out of invites cancels its copy."""
    if invites_wanted(mode, has_live_feed=has_live_feed, state=state):
        return "REQUEST", "request"
    if state == "request":
        return "CANCEL", None
    return None, None


def on_place_ended(state: InviteState) -> tuple[Method, InviteState]:
    """A place is given up or its occurrence called off: a CANCEL only where an invite stands
    (in every mode, so no copy is left behind after the person changes their choice)."""
    if state == "request":
        return "CANCEL", "cancel"
    return None, state


def on_choice_changed(mode: str, *, has_live_feed: bool, state: InviteState) -> tuple[Method, InviteState]:
    """The person changed their choice: what a held place needs so it sits where the new
    choice puts it (nothing when it is there already)."""
    method, new_state = on_place_held(mode, has_live_feed=has_live_feed, state=state)
    if method == "REQUEST" and state == "request":
        return None, state  # the invite they have is current
    return method, new_state
