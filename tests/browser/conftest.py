"""Fixtures for the browser tests: Debian's Chromium, the live demo server, a page without JavaScript.

The officer pages' signed-in browsers (tests/browser/officer_browsers.py) stay registered by each
module that uses them: here, one session-wide sign-in would be shared by every module.
"""

from tests.browser_fixtures import browser_type_launch_args, js_off_page, live_server

__all__ = ["browser_type_launch_args", "js_off_page", "live_server"]
