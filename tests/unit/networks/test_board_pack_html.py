"""The pack's HTML from figures built here: what the figures say, and only that."""

from __future__ import annotations

import re
from datetime import date

import pytest

from peerwork.core.errors import InvalidInput
from peerwork.networks.board_pack import BoardPack, check_format, filename, pack_html
from peerwork.networks.charts import CurveStep
from peerwork.networks.figures import (
    ComplianceShare,
    FunnelFigures,
    ReferenceFigure,
    RetentionAt,
    SupportShare,
    UnitFigures,
)
from peerwork.networks.suppression import count
from peerwork.networks.trends import Trends, quarter_ends, series_of
from peerwork.supports.service import SUPPORTS

AS_OF = date(2026, 3, 31)


def unit(key: str, name: str, headcount: int, received: int) -> UnitFigures:
    def share(n: int, d: int) -> float | None:
        return None if n < 5 or d < 5 else n / d

    return UnitFigures(
        key=key, name=name, headcount=count(headcount),
        retention=[RetentionAt(years=k, survival=0.9 - k / 10, lower=0.8 - k / 10, upper=0.95 - k / 10,
                               at_risk=count(headcount - k), cohort_rate=share(headcount - 2 * k, headcount),
                               cohort_retained=count(headcount - 2 * k), cohort_eligible=count(headcount))
                   for k in (1, 2, 3)],
        supports=[SupportShare(key=k, label=label, received=count(received), share=share(received, headcount))
                  for k, label in SUPPORTS.items()],
        supervision_one_to_one=ComplianceShare(people=count(headcount), compliant=count(headcount - 1),
                                               share=share(headcount - 1, headcount)),
        supervision_group=ComplianceShare(people=count(headcount), compliant=count(3), share=None),
        cpd=ComplianceShare(people=count(headcount), compliant=count(headcount), share=share(headcount, headcount)),
        recruitment=FunnelFigures(posts=count(6), applications=count(217), applications_per_post=217 / 6,
                                  hires=count(4), conversion=None, days_to_hire_mean=None, decisions=count(12),
                                  compliant_panel_share=0.75))


def pack(*units: UnitFigures, scope: str = "organisation") -> BoardPack:
    references = (ReferenceFigure(key="survey:role_training", label="Trusts not providing role training", value=0.89,
                                  source="National survey"),
                  ReferenceFigure(key="reference_trust:retention_1y", label="Reference trust: retained at 1 year",
                                  value=0.98, source="A reference trust"))
    quarters = quarter_ends(AS_OF)
    return BoardPack(scope=scope, slug="north", name="North Trust", as_of=AS_OF, units=units, references=references,
                     trends=Trends(quarters=quarters, series=series_of([units[0]] * len(quarters))),
                     curve=(CurveStep(0, 20, 1.0, 1.0, 1.0), CurveStep(200, 18, 0.9, 0.8, 0.95)),
                     made_on=date(2026, 4, 2))


def text_of(html: str) -> str:
    """The document's words, tags and runs of white space dropped (charts left out)."""
    html = re.sub(r'src="data:[^"]*"', "", html)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_counts_under_five_read_lt5_and_withheld_rates_read_a_dash():
    html = pack_html(pack(unit("north", "North Trust", 20, 3)))
    words = text_of(html)
    assert "Role training 3 – 89.0%" not in words  # the count is never shown bare...
    assert "Role training &lt;5 – 89.0%" in words  # ...but as "<5", its share withheld
    assert "20 19 95.0% 20 &lt;5 – 20 20 100.0%" in words  # 1:1, group (withheld), CPD
    assert "6 217 36.2 &lt;5 – – 12 75.0%" in words  # the funnel, as the figures give it
    assert "1 year 80.0% 70.0% to 85.0% 19 90.0% 18 of 20 98.0%" in words


def test_every_page_is_headed_with_the_data_date_and_the_page_is_a4_with_numbers():
    html = pack_html(pack(unit("north", "North Trust", 20, 8)))
    assert "size: A4" in html and 'counter(page) " of " counter(pages)' in html
    sections = re.findall(r"<section id=\"(\w+)\">\s*<div class=\"running\">([^<]*)</div>", html)
    assert [name for name, _ in sections] == ["summary", "retention", "supports", "compliance", "recruitment",
                                              "trends", "definitions"]
    assert all(header.endswith("Data as of 31 March 2026") for _, header in sections)
    assert html.count('<dl class="definitions">') == 6
    assert html.count('src="data:image/svg+xml;base64,') == 3


def test_a_networks_pack_lists_the_pool_first_then_each_member():
    html = pack_html(pack(unit("pooled", "Bay Network", 30, 12), unit("north", "North Trust", 20, 8),
                          unit("south", "South Trust", 10, 4), scope="network"))
    words = text_of(html)
    pooled, north, south = (words.index(name) for name in
                            ("Bay Network: all members pooled 30", "North Trust 20", "South Trust 10"))
    assert pooled < north < south
    assert "South Trust: supports received (10 in post)" in words


def test_names_are_escaped():
    html = pack_html(pack(unit("north", "<script>x</script> & Co", 20, 8)))
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt; &amp; Co" in html


def test_filenames_are_dated_and_formats_are_pdf_or_html():
    assert filename("north", AS_OF, "pdf") == "board-pack-north-2026-03-31.pdf"
    assert check_format("html") == "html"
    with pytest.raises(InvalidInput):
        check_format("docx")
