"""Calendar schemas."""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct


class FeedOut(Struct):
    url: str
    created_at: datetime
