"""ESR-style ethnicity and disability values to the WRES and WDES groups; unknown values refused."""

import pytest

from peerwork.workforce.equality import parse_disability, parse_ethnicity
from peerwork.workforce.rules import RuleError


@pytest.mark.parametrize("raw, group", [
    ("A", "white"), ("b", "white"), ("C", "white"), ("A White - British", "white"),
    ("C3 White - Any other White background", "white"), ("CA White English", "white"), ("C2", "white"),
    ("D", "bme"), ("H Asian or Asian British - Indian", "bme"), ("LK Asian Sri Lankan", "bme"),
    ("N Black or Black British - African", "bme"), ("R", "bme"), ("S Any other ethnic group", "bme"),
    ("G-Mixed - Any other mixed background", "bme"),
    ("Z", "not_stated"), ("Z Not Stated", "not_stated"), ("99", "not_stated"), ("99 Not Known", "not_stated"),
    ("", "not_stated"),
    ("White", "white"), ("BME", "bme"), ("not  stated", "not_stated"), ("Prefer not to say", "not_stated"),
])
def test_ethnicity_codes_map_to_wres_groups(raw, group):
    assert parse_ethnicity(raw) == group


@pytest.mark.parametrize("raw", ["X", "I", "O Other", "Q", "Mixed", "Pakistani", "Martian", "9", "100", "AAA"])
def test_unknown_ethnicity_values_are_refused(raw):
    with pytest.raises(RuleError, match="NHS ethnic category code"):
        parse_ethnicity(raw)


@pytest.mark.parametrize("raw, group", [
    ("Y", "disabled"), ("yes", "disabled"), ("N", "not_disabled"), ("No", "not_disabled"),
    ("", "not_stated"), ("Not Declared", "not_stated"), ("Prefer Not To Answer", "not_stated"),
    ("Unspecified", "not_stated"),
])
def test_disability_answers_map_to_wdes_groups(raw, group):
    assert parse_disability(raw) == group


@pytest.mark.parametrize("raw", ["Maybe", "2", "Disabled person"])
def test_unknown_disability_values_are_refused(raw):
    with pytest.raises(RuleError, match="not a disability answer"):
        parse_disability(raw)
