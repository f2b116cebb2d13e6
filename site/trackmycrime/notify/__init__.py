"""Alerts: the outbox, the worker, email and text message senders, message templates."""
