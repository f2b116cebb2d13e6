"""The records-system (RMS) ingest API and its keys."""
