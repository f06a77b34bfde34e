"""1:1 and group peer supervision: agreements, sessions, confidential notes, compliance."""
