"""What a check-in suggests, for each need, with and without something to offer."""

from __future__ import annotations

from datetime import datetime, timezone

from peerwork.wellbeing.suggest import NextSpace, suggestion

SPACE = NextSpace("Tuesday co-reflection", datetime(2027, 3, 2, 13, tzinfo=timezone.utc), "/community/occurrences/x")


def test_connection_offers_the_next_space_or_the_list():
    offered = suggestion("connection", next_space=SPACE, what_helps="")
    assert "Tuesday co-reflection on 2 Mar at 13:00" in offered.text
    assert [link.href for link in offered.links] == ["/community/occurrences/x", "/community"]
    assert [link.href for link in suggestion("connection", next_space=None, what_helps="").links] == ["/community"]


def test_rest_gives_back_the_persons_own_words():
    assert "A quiet walk" in suggestion("rest", next_space=None, what_helps="  A quiet walk ").text
    assert "does not say yet" in suggestion("rest", next_space=None, what_helps=" ").text


def test_support_offers_a_debrief_and_the_supervisor():
    named = suggestion("support", next_space=None, what_helps="", supervisor="Robin")
    assert named.text.endswith("talk to your supervisor, Robin.")
    assert {link.href for link in named.links} == {"/debrief", "/supervision"}
    assert suggestion("support", next_space=None, what_helps="").text.endswith("talk to your supervisor.")
