"""Items typed one a line on the questionnaire pages."""

from __future__ import annotations

import pytest

from peerwork.core.errors import InvalidInput
from peerwork.evaluation.editor_pages import items_from_lines, lines_from_items
from peerwork.evaluation.schemas import Item


def test_lines_become_items_and_back():
    typed = "Likert:  I feel hopeful | Hope \n\ntext: What helped?\nfree text: Anything else?"
    items = items_from_lines(typed)
    assert items == [{"kind": "likert", "text": "I feel hopeful", "value": "Hope"},
                     {"kind": "text", "text": "What helped?", "value": ""},
                     {"kind": "text", "text": "Anything else?", "value": ""}]
    shown = lines_from_items([Item(key="k", labels=[], **item) for item in items])
    assert shown == "likert: I feel hopeful | Hope\ntext: What helped?\ntext: Anything else?"
    assert items_from_lines(shown) == items


@pytest.mark.parametrize(("typed", "error"), [
    ("", "at least one item"), ("  \n ", "at least one item"),
    ("I feel hopeful", "line 1 must start"), ("likert: ok\nrating: 5", "line 2 must start"),
    ("text:   | Hope", "line 1 has no wording"),
])
def test_bad_lines_are_refused_with_their_number(typed, error):
    with pytest.raises(InvalidInput, match=error):
        items_from_lines(typed)
