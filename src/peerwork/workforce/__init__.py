"""Organisations, networks, teams, people, employment assignments, accounts and audit."""
