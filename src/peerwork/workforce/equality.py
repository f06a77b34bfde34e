"""Equality monitoring codes from an ESR-style import, reduced to the NHS equality standards'
groups. Pure: no database.

peerwork keeps only what the retention split needs (data minimisation): the Workforce Race
Equality Standard's (WRES) ethnicity group and the Workforce Disability Equality Standard's
(WDES) disability group, never the finer ethnic category. docs/equality.md explains the purpose
and who may read them.

Ethnicity: an NHS ethnic category code (the data dictionary's letters A–S, Z; 99), alone
("C") or as ESR writes it, code then its wording ("C3 White - Any other White background").
A, B, C (with any ESR sub-code, e.g. C2, CA) are "white"; D to S are "bme" (black and minority
ethnic, as WRES counts them); Z and 99 are "not_stated", as is an empty cell. The group names
themselves are accepted too ("White", "BME", "Not stated").

Disability: Y/Yes is "disabled", N/No "not_disabled"; an empty cell and ESR's "Not Declared",
"Prefer Not To Answer" and "Unspecified" are "not_stated".
"""

from __future__ import annotations

import re

from peerwork.workforce.rules import RuleError

WHITE, BME, NOT_STATED = "white", "bme", "not_stated"
DISABLED, NOT_DISABLED = "disabled", "not_disabled"

ETHNICITY_GROUPS = (WHITE, BME, NOT_STATED)
DISABILITY_GROUPS = (DISABLED, NOT_DISABLED, NOT_STATED)
GROUP_LABELS = {
    WHITE: "White", BME: "Black and minority ethnic (BME)", NOT_STATED: "Not stated",
    DISABLED: "Disabled", NOT_DISABLED: "Not disabled",
}

# The NHS data dictionary's ethnic category letters, by WRES group (I, O, Q, T to Y are unused).
_LETTER_GROUP = {**dict.fromkeys("ABC", WHITE), **dict.fromkeys("DEFGHJKLMNPRS", BME), "Z": NOT_STATED}
_NOT_STATED_WORDS = {"NOT STATED", "NOT KNOWN", "UNKNOWN", "NOT DECLARED", "PREFER NOT TO SAY",
                     "PREFER NOT TO ANSWER", "UNSPECIFIED"}
_ETHNICITY_WORDS = {"WHITE": WHITE, "BME": BME, "BAME": BME, **dict.fromkeys(_NOT_STATED_WORDS, NOT_STATED)}
_DISABILITY_WORDS = {"Y": DISABLED, "YES": DISABLED, "N": NOT_DISABLED, "NO": NOT_DISABLED,
                     **dict.fromkeys(_NOT_STATED_WORDS, NOT_STATED)}

_BARE_CODE = re.compile(r"99|[A-Za-z][A-Za-z0-9]?")
# ESR's "code wording": the code in capitals (so free text such as "Mixed" is never taken for
# the code "M"), then a space or a dash, then the wording.
_CODE_WITH_WORDING = re.compile(r"(99|[A-Z][A-Z0-9]?)(?:\s+|\s*-\s*)\S")

ETHNICITY_ACCEPTED = ("an NHS ethnic category code (A-S, Z = not stated, 99 = not known), alone or as ESR "
                      "writes it (e.g. 'C3 White - Any other White background'); empty = not stated")
DISABILITY_ACCEPTED = "Y or N (Yes/No); empty, 'Not Declared' or 'Prefer Not To Answer' = not stated"


def _words(raw: str) -> str:
    return " ".join(raw.upper().split())


def parse_ethnicity(raw: str) -> str:
    """The WRES group of one cell (already stripped; empty means not stated)."""
    if not raw:
        return NOT_STATED
    if (group := _ETHNICITY_WORDS.get(_words(raw))) is not None:
        return group
    match = _BARE_CODE.fullmatch(raw) or _CODE_WITH_WORDING.match(raw)
    code = match[1] if match and match.re is _CODE_WITH_WORDING else raw.upper() if match else ""
    if code == "99":
        return NOT_STATED
    if code and code[0] in _LETTER_GROUP:
        return _LETTER_GROUP[code[0]]
    # The value itself is not echoed: special-category data stays out of messages (and so out
    # of any terminal, page or log that shows them); the line number finds it.
    raise RuleError("is not an NHS ethnic category code (A-S, Z or 99, e.g. 'A' or 'A White - British')")


def parse_disability(raw: str) -> str:
    """The WDES group of one cell (already stripped; empty means not stated)."""
    if not raw:
        return NOT_STATED
    group = _DISABILITY_WORDS.get(_words(raw))
    if group is None:
        raise RuleError("is not a disability answer (Y, N, or empty when not stated)")
    return group
