"""Helpers for API shapes shared by every capability."""

from __future__ import annotations

from msgspec import UNSET, Struct


def provided(struct: Struct) -> dict[str, object]:
    """The fields a PATCH body actually set (UNSET ones left out)."""
    return {f: v for f in struct.__struct_fields__ if (v := getattr(struct, f)) is not UNSET}
