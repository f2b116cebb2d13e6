"""A served app sets Python's cycle collector for a long-running server (operations/garbage_collection.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from trackmycrime.operations import garbage_collection

pytestmark = pytest.mark.anyio


@pytest.fixture
def collector_as_python_starts() -> Iterator[None]:
    """The collector as a new process has it; put back as it was after the test."""
    threshold = gc.get_threshold()
    was_frozen = gc.get_freeze_count() > 0
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    tuned = garbage_collection._tuned
    garbage_collection._tuned = False
    yield
    garbage_collection._tuned = tuned
    gc.set_threshold(*threshold)
    if was_frozen:
        gc.freeze()


async def test_starting_the_app_freezes_what_is_loaded_and_collects_the_young_less_often(
    app, collector_as_python_starts: None
) -> None:  # type: ignore[no-untyped-def]
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() > 10_000  # the modules, the app and its templates
        assert gc.get_threshold()[0] == garbage_collection.YOUNG_GENERATION_THRESHOLD
        assert gc.get_threshold()[1:] == (10, 10)


async def test_only_the_first_start_in_a_process_freezes(app, collector_as_python_starts: None) -> None:  # type: ignore[no-untyped-def]
    async with app.router.lifespan_context(app):
        frozen = gc.get_freeze_count()
    made_since = [[] for _ in range(1000)]
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() < frozen + len(made_since)  # not frozen by the second start
