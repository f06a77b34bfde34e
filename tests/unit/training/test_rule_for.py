from peerwork.training.runs import rule_for


def test_a_short_series_repeats_by_count():
    assert rule_for(1, "week") == "FREQ=WEEKLY;COUNT=1"
    assert rule_for(3, "day") == "FREQ=DAILY;COUNT=3"
    assert rule_for(4, "fortnight") == "FREQ=WEEKLY;INTERVAL=2;COUNT=4"
