"""TrackMyCrime: victims and witnesses follow their investigation and message the officer in charge."""

__version__ = "0.1.0"
