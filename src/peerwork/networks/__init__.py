"""Networks: organisations that work together (an NHS trust and its voluntary partners, an
integrated care system), seen together through aggregates only -- see docs/networks.md."""
