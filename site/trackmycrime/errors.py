"""The error an operator reads when a setting, or a file a setting names, is wrong.

Its own module so that what settings.py checks (the Victims' Code rules) can raise it without
importing settings.py back.
"""

from __future__ import annotations


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line meant for the operator."""
