"""Python's cycle collector, set for a process that serves requests for hours.

A signed-in request makes some thousands of container objects (the request, the session's rows
as model objects, the response), nearly all freed by reference counting as it ends. With Python's
default thresholds (700, 10, 10) the youngest generation was collected several times a request,
and each tenth of those walked the middle one, which holds most of what the request has made so
far; every hundredth walked everything the process had ever loaded (SQLAlchemy's metadata, the
templates, the catalogues: some 150,000 objects). That was a sixth of the CPU of the case page
served from the memo (bench/README.md, "The collector, checked cookies, and the digests in
PostgreSQL").

So, once the app has started: what is loaded by then is frozen (left out of every collection;
it lives as long as the process anyway), and the youngest generation is collected every
YOUNG_GENERATION_THRESHOLD allocations instead of every 700. Cycles are still collected, later:
the young generation never holds more than that many objects.
"""

from __future__ import annotations

import gc

YOUNG_GENERATION_THRESHOLD = 10_000

_tuned = False


def tune_for_serving() -> None:
    """Freeze what the process has loaded and collect the young less often; once per process
    (the tests start many apps in one process: only the first one's start freezes anything)."""
    global _tuned
    if _tuned:
        return
    _tuned = True
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, old)
