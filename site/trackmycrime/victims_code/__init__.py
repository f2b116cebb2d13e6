"""Victims' Code entitlements, deadlines and working days."""
