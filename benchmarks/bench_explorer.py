"""How fast the data explorer answers: update latency at 10k, 100k and 1M members.

For each scale: generate the synthetic world, build the explorer's cube once (timed),
then time many filter changes, each a fresh random choice of period, plan, program and
N days:

- "query": ``explorer.explore`` (validation, cube lookups, suppression, chart tables);
- "widget": setting one control's ``.value`` on the dashboard, which runs the whole
  update (query, HTML table, CSV link, both charts refilled and rendered).

Prints the median and the 95th percentile of each, in milliseconds, against the
course's target (every update under 100 ms at 1,000,000 members). Asserts nothing:
timings depend on the machine and on what else it is doing. The 1M world takes about
30 to 70 seconds and 5 GB of memory to generate.

    python benchmarks/bench_explorer.py                 # 10k, 100k, 1M
    python benchmarks/bench_explorer.py 10000 100000    # other scales
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import time

import numpy as np

from calaim_course import explorer as ex
from calaim_course.synthetic import generate_world
from calaim_course.widgets.explorer import data_explorer

SCALES = [10_000, 100_000, 1_000_000]
UPDATES = 200      # filter changes timed per scale and kind
WARMUP = 10
TARGET_MS = 100


def random_choices(cube: ex.ExplorerCube, n: int, seed: int = 2026) -> list[dict]:
    """Random but repeatable filter choices (valid ones: bad input returns early and would flatter the figures)."""
    rng = np.random.default_rng(seed)
    months = [ex.month_code(m) for m in cube.months]
    plans = list(cube.plan_options())
    programs = list(cube.programs)
    out = []
    for _ in range(n):
        a, b = sorted(rng.integers(0, len(months), size=2))
        out.append({"start": months[a], "end": months[b], "plan": plans[rng.integers(len(plans))],
                    "program": programs[rng.integers(len(programs))], "days": str(int(rng.integers(0, 61)))})
    return out


def time_queries(cube: ex.ExplorerCube, choices: list[dict]) -> np.ndarray:
    for choice in choices[:WARMUP]:
        ex.explore(cube, **choice)
    seconds = []
    for choice in choices[WARMUP:]:
        start = time.perf_counter()
        ex.explore(cube, **choice)
        seconds.append(time.perf_counter() - start)
    return np.array(seconds) * 1000


def time_widget(box, choices: list[dict]) -> np.ndarray:
    """Each timed step changes one control (so one update), cycling through the controls."""
    controls = box.controls
    order = ["start", "end", "plan", "program", "days"]
    seconds = []
    for i, choice in enumerate(choices):
        name = order[i % len(order)]
        value = choice[name]
        if name == "start" and value > controls["end"].value or name == "end" and value < controls["start"].value:
            value = controls[name].value  # keep the period valid: a message would skip the work
        if controls[name].value == value:
            continue  # no change, no update
        start = time.perf_counter()
        controls[name].value = value
        elapsed = time.perf_counter() - start
        if box.message.value:
            raise RuntimeError(f"unexpected message while timing: {box.message.value}")
        if i >= WARMUP:
            seconds.append(elapsed)
    return np.array(seconds) * 1000


def peak_memory_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # Linux reports KiB


def main(argv: list[str]) -> int:
    scales = [int(a) for a in argv] or SCALES
    load = os.getloadavg()
    print(f"Data explorer update latency (target: under {TARGET_MS} ms per update at 1,000,000 members)")
    print(f"Machine: {os.cpu_count()} cores; load average at start {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}")
    print()
    header = (f"{'members':>10} | {'generate s':>10} | {'cube s':>7} | {'query median ms':>15} | {'query p95 ms':>12} | "
              f"{'widget median ms':>16} | {'widget p95 ms':>13} | {'peak GB':>7}")
    print(header)
    print("-" * len(header))
    rows = []
    for scale in scales:
        gc.collect()
        start = time.perf_counter()
        world = generate_world(seed=2026, scale=scale)
        generated = time.perf_counter() - start
        start = time.perf_counter()
        cube = ex.build_cube(world)
        built = time.perf_counter() - start
        del world
        gc.collect()
        choices = random_choices(cube, UPDATES + WARMUP)
        query = time_queries(cube, choices)
        box = data_explorer(cube)  # the dashboard over the cube just built
        widget = time_widget(box, choices)
        row = (scale, generated, built, np.median(query), np.percentile(query, 95), np.median(widget),
               np.percentile(widget, 95), peak_memory_gb())
        rows.append(row)
        print(f"{row[0]:>10,} | {row[1]:>10.1f} | {row[2]:>7.1f} | {row[3]:>15.1f} | {row[4]:>12.1f} | "
              f"{row[5]:>16.1f} | {row[6]:>13.1f} | {row[7]:>7.1f}", flush=True)
        del cube, box
        gc.collect()
    if len(rows) >= 2:
        print()
        for before, after in zip(rows, rows[1:]):
            ratio = after[6] / before[6] if before[6] else float("nan")
            print(f"Widget p95 from {before[0]:,} to {after[0]:,} members: x{ratio:.2f} "
                  f"(the members grew x{after[0] / before[0]:.0f}; the cube's size does not depend on them)")
    load = os.getloadavg()
    print(f"Load average at end {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
