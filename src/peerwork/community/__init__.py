"""Reflective spaces: event series, occurrences, bookings, calendars, newsletter."""
