"""Co-production recorded: involvement activities, who took part, and what is due to them."""
