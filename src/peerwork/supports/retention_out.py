"""Retention by supports as an API answer."""

from __future__ import annotations

from datetime import date

from msgspec import Struct

from peerwork.retention.split_out import SplitOut, split_out
from peerwork.supports.retention import CAVEAT, SupportRetention


class SupportRetentionOut(Struct):
    as_of: date
    landmark_days: int  # supports judged on each spell's first this many days
    records_begin: date | None  # spells starting earlier are not compared
    compared: int
    left_before_landmark: int
    before_records: int
    caveat: str
    supports: list[SplitOut]


def support_retention_out(result: SupportRetention) -> SupportRetentionOut:
    return SupportRetentionOut(
        as_of=result.as_of, landmark_days=result.landmark_days, records_begin=result.records_begin,
        compared=result.compared, left_before_landmark=result.left_before_landmark,
        before_records=result.before_records, caveat=CAVEAT, supports=[split_out(s) for s in result.splits],
    )
