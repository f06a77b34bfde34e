"""Invites, feed or both (calendar.delivery): where each booking's calendar copy lives."""

from __future__ import annotations

import pytest

from peerwork.calendar import delivery


@pytest.mark.parametrize("mode, live, state, expected", [
    # auto: invites until there is a feed link, then the feed for new bookings...
    ("auto", False, None, ("REQUEST", "request")),
    ("auto", True, None, (None, None)),
    # ...and a booking that already came as an invite keeps coming as one
    ("auto", True, "request", ("REQUEST", "request")),
    ("auto", True, "cancel", ("REQUEST", "request")),
    ("invites", True, None, ("REQUEST", "request")),
    ("both", True, None, ("REQUEST", "request")),
    ("feed", False, None, (None, None)),
    # feed only: a standing invite is cancelled so the feed's copy is the only one
    ("feed", True, "request", ("CANCEL", None)),
    ("feed", True, "cancel", (None, None)),
])
def test_a_held_place_goes_where_the_choice_puts_it(mode, live, state, expected):
    assert delivery.on_place_held(mode, has_live_feed=live, state=state) == expected


@pytest.mark.parametrize("state, expected", [
    ("request", ("CANCEL", "cancel")), ("cancel", (None, "cancel")), (None, (None, None)),
])
def test_an_ended_place_is_cancelled_only_where_an_invite_stands(state, expected):
    assert delivery.on_place_ended(state) == expected


@pytest.mark.parametrize("mode, state, shown", [
    ("auto", None, True), ("auto", "request", False), ("auto", "cancel", False),
    ("feed", None, True), ("invites", None, False), ("both", "request", True),
])
def test_the_feed_shows_what_has_no_invite_unless_both_were_chosen(mode, state, shown):
    assert delivery.in_feed(mode, state) is shown


@pytest.mark.parametrize("mode", delivery.MODES)
@pytest.mark.parametrize("live", [False, True])
@pytest.mark.parametrize("state", [None, "request"])
def test_after_any_change_of_choice_a_held_place_shows_once_unless_both(mode, live, state):
    method, new_state = delivery.on_choice_changed(mode, has_live_feed=live, state=state)
    as_invite = new_state == "request"
    in_feed = live and delivery.in_feed(mode, new_state)
    assert as_invite + in_feed == (2 if mode == "both" and live else 1) or (mode == "feed" and not live)
    assert method == ("REQUEST" if as_invite and state != "request" else "CANCEL" if state == "request"
                      and not as_invite else None)
