"""One clock and one idea of London time: core.time, and no copy of it anywhere else."""

from __future__ import annotations

import ast
from datetime import date, datetime, timezone
from pathlib import Path

import peerwork
from peerwork.core.time import LONDON, in_london, london, london_today, now

SRC = Path(peerwork.__file__).parent


def test_now_is_aware_utc_and_london_today_is_the_date_in_london():
    instant = now()
    assert instant.tzinfo is timezone.utc
    assert london_today() in {instant.astimezone(LONDON).date(), now().astimezone(LONDON).date()}


def test_in_london_shows_an_instant_as_uk_wall_clock_time_in_summer_and_winter():
    summer = in_london(datetime(2026, 7, 1, 23, 30, tzinfo=timezone.utc))
    assert (summer.date(), summer.hour, summer.minute) == (date(2026, 7, 2), 0, 30)  # BST
    winter = in_london(datetime(2026, 1, 1, 23, 30, tzinfo=timezone.utc))
    assert (winter.date(), winter.hour) == (date(2026, 1, 1), 23)  # GMT
    assert in_london(london(datetime(2026, 3, 29, 10))) == london(datetime(2026, 3, 29, 10))


def _copies(tree: ast.AST) -> list[str]:
    """Calls of datetime.now(...)/utcnow() and functions that only return x.astimezone(LONDON)."""
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("now", "utcnow") and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "datetime"):
            found.append(f"line {node.lineno}: datetime.{node.func.attr}()")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and len(node.body) == 1:
            body = node.body[0]
            if (isinstance(body, ast.Return) and isinstance(body.value, ast.Call)
                    and isinstance(body.value.func, ast.Attribute) and body.value.func.attr == "astimezone"
                    and any(isinstance(a, ast.Name) and a.id == "LONDON" for a in body.value.args)):
                found.append(f"line {node.lineno}: def {node.name} (a copy of core.time.in_london)")
    return found


def test_no_module_but_core_time_reads_the_clock_or_copies_the_london_helper():
    copies = {}
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "core" / "time.py":
            continue
        found = _copies(ast.parse(path.read_text(), filename=str(path)))
        if found:
            copies[str(path.relative_to(SRC))] = found
    assert copies == {}, "use core.time.now(), london_today() and in_london() instead"
