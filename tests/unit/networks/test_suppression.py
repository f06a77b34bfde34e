"""Small numbers in network figures: 4 is "<5" and withholds its rates, 5 is shown."""

from peerwork.networks.suppression import Count, count, rate, withheld_below


def test_a_count_of_four_reads_under_five_and_five_is_shown():
    assert count(4) == Count(value=None, shown="<5")
    assert count(0) == Count(value=None, shown="<5")
    assert count(5) == Count(value=5, shown="5")
    assert count(1234) == Count(value=1234, shown="1234")


def test_a_rate_is_withheld_when_either_count_is_under_five():
    assert rate(4, 10) is None
    assert rate(5, 4) is None
    assert rate(4, 4) is None
    assert rate(5, 10) == 0.5
    assert rate(5, 5) == 1.0
    assert rate(0, 0) is None


def test_a_figure_resting_on_four_people_is_withheld_and_on_five_kept():
    assert withheld_below(0.8, 4) is None
    assert withheld_below(0.8, 5) == 0.8
    assert withheld_below(None, 50) is None
