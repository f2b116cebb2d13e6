"""Where several `tmc serve` workers share their counters (prometheus_client's multiprocess mode).

Kept apart from metrics.py on purpose: the variable must be set before prometheus_client is first
imported, or the process keeps its counters in memory where the other workers cannot see them.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess_directory() -> Path:
    """Use PROMETHEUS_MULTIPROC_DIR if set (emptied of a previous run's files), else a new temporary one."""
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prepare the metrics directory before prometheus_client is imported")
    existing = os.environ.get(VARIABLE, "").strip()
    if existing:
        directory = Path(existing)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
    else:
        directory = Path(tempfile.mkdtemp(prefix="tmc-metrics-"))
        os.environ[VARIABLE] = str(directory)
    return directory
