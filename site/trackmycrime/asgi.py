"""The ASGI application for `tmc serve` and any ASGI server: `trackmycrime.asgi:app`."""

from .app import create_app

app = create_app()
