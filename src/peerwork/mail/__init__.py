"""Email: an outbox table that every message passes through, and the transports that send it."""
