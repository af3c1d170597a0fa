"""Shared pieces of the benchmark scripts: summarising samples, growth, machine load.

Why a module of its own: every script reports the same figures (median, 95th percentile,
min, max and every sample), so ``run_all.py`` can put them in one table.
Nothing here asserts a timing: figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import time


def summarize(samples: list[float]) -> dict:
    """Median, 95th percentile (nearest rank), min, max and the samples, in seconds."""
    if not samples:
        return {"n": 0, "median": None, "p95": None, "min": None, "max": None, "samples": []}
    ordered = sorted(samples)
    rank = max(1, math.ceil(0.95 * len(ordered)))  # nearest-rank percentile: an observed value
    return {
        "n": len(ordered),
        "median": statistics.median(ordered),
        "p95": ordered[rank - 1],
        "min": ordered[0],
        "max": ordered[-1],
        "samples": [round(s, 6) for s in samples],
    }


def ratio(later: float | None, earlier: float | None) -> float | None:
    """How many times longer ``later`` took than ``earlier`` (None when either is missing)."""
    if later is None or earlier is None or earlier <= 0:
        return None
    return later / earlier


# Linear growth means 10 times the members costs at most 10 times the time. On a shared
# machine a fast call varies by a few tens of percent between runs, so a ratio up to 12.5
# per 10x (10 plus 25 %) still counts as linear; anything above is reported as missed.
LINEAR_LIMIT = 12.5


def machine() -> dict:
    """What the figures were measured on, and how busy it was when they were."""
    load = os.getloadavg()
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "load_average_1_5_15": [round(x, 2) for x in load],
        "time": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def fmt_seconds(value: float | None) -> str:
    """Seconds as a short human figure: 0.8 ms, 45 ms, 3.2 s."""
    if value is None:
        return "n/a"
    if value < 0.001:
        return f"{value * 1000:.2f} ms"
    if value < 1:
        return f"{value * 1000:.1f} ms" if value < 0.1 else f"{value * 1000:.0f} ms"
    return f"{value:.1f} s" if value < 100 else f"{value:.0f} s"


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}x"
