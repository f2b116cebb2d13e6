"""Passwords, sessions, tokens, CSRF and rate limits: shared by the victim and officer sides."""
