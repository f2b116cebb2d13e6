"""One home for each case event: an update, a message, a property change, a change of officer, a
hearing, a decision, an update withdrawn or corrected.

The records system (ingest/), the officer pages and the victim pages all record an event by calling
the same function here. These functions take plain values (the actor, the client's address for the
audit row), never a web request, and leave committing to the caller's transaction.
"""
