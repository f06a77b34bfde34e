"""The board pack for a network of 20 organisations: where its time goes.

The same network as bench/network_figures.py (20 organisations, 2,000 peer support workers in
post, ten years of records, PostgreSQL). A pack is the figures on the day, the same figures
replayed at twelve quarter ends (the trends), the pooled retention curve, the charts and the
PDF. Printed: each part's time (median of a few rounds), and the trends as a multiple of one
day's figures -- the replay is that many full sets of figures, so about 12x is expected.

    python bench/board_pack.py        # BENCH_ORGS (20), BENCH_PSWS (2000), BENCH_ROUNDS (3)
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from datetime import date

from _common import Result, Row, fresh_database
from network_figures import ORGS, PSWS, build_organisation

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:.0f} ms"


async def main() -> None:
    from peerwork.core.tables import Account
    from peerwork.networks import board_pack
    from peerwork.networks.figures import network_figures
    from peerwork.networks.trends import replay

    result = Result("board_pack")
    async with fresh_database("board_pack"):
        today = date.today()
        for i in range(ORGS):
            await build_organisation(i, "bench-network", today)
        await Account.raw("ANALYZE")
        network = await board_pack.network_id_by_slug("bench-network")
        members = [m["id"] for m in await board_pack.network_members(network)]
        await network_figures(network, today)  # warm up

        parts: dict[str, list[float]] = {"figures": [], "trends": [], "curve": [], "charts and HTML": [], "PDF": [],
                                         "whole pack": []}
        for _ in range(ROUNDS):
            began = time.perf_counter()
            await network_figures(network, today)
            parts["figures"].append(time.perf_counter() - began)
            began = time.perf_counter()

            async def pooled_on(day: date):
                return (await network_figures(network, day)).pooled

            await replay(pooled_on, today)
            parts["trends"].append(time.perf_counter() - began)
            began = time.perf_counter()
            await board_pack.curve_steps(members, today)
            parts["curve"].append(time.perf_counter() - began)
            began = time.perf_counter()
            pack = await board_pack.network_pack(network, today)
            data = time.perf_counter() - began
            began = time.perf_counter()
            html = board_pack.pack_html(pack)
            parts["charts and HTML"].append(time.perf_counter() - began)
            began = time.perf_counter()
            pdf = board_pack.pack_pdf(html)
            parts["PDF"].append(time.perf_counter() - began)
            parts["whole pack"].append(data + parts["charts and HTML"][-1] + parts["PDF"][-1])
        ratio = statistics.median(parts["trends"]) / statistics.median(parts["figures"])
        print(f"board pack for {ORGS} organisations, {PSWS} PSWs ({len(pdf)} bytes of PDF), medians of {ROUNDS}: "
              + "; ".join(f"{name} {ms(times)}" for name, times in parts.items())
              + f"; trends = {ratio:.1f}x one day's figures")
        result.rows += [
            Row(f"board pack, network of {ORGS} organisations, {PSWS} PSWs", ms(parts["whole pack"]), "", "", "", None),
            Row("board pack trends (12 quarter ends replayed)", ms(parts["trends"]),
                f"{ms(parts['figures'])} (figures once)", f"{ratio:.1f}x", "", None),
        ]
    result.emit()


if __name__ == "__main__":
    asyncio.run(main())
