"""Wellbeing owned by the peer worker: their wellness plan, adjustments passport, shares and check-ins."""
