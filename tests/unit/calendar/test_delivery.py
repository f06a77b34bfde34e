"""Invites, feed or both (calendar.delivery): where each booking's calendar copy lives."""

from __future__ import annotations

import itertools

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


_STEPS = ("changed", "link made", *(f"choose {m}" for m in delivery.MODES))


@pytest.mark.parametrize("first_mode", delivery.MODES)
def test_any_run_of_changes_link_and_choices_never_leaves_two_copies_or_none(first_mode):
    """Bookings and supervision sessions both follow these rules: walk every run of four steps
    after an item is booked and check where its copies are after each step."""
    for steps in itertools.product(_STEPS, repeat=4):
        mode, live = first_mode, False
        _, state = delivery.on_place_held(mode, has_live_feed=live, state=None)
        for step in steps:
            if step == "changed":
                _, state = delivery.on_place_held(mode, has_live_feed=live, state=state)
            elif step == "link made":
                live = True  # making a link sends nothing and moves nothing
            else:
                mode = step.removeprefix("choose ")
                _, state = delivery.on_choice_changed(mode, has_live_feed=live, state=state)
            as_invite = state == "request"
            in_feed = delivery.in_feed(mode, state)
            assert as_invite or in_feed, (first_mode, steps)  # never lost
            if mode != "both":
                assert not (as_invite and live and in_feed), (first_mode, steps)  # never twice
