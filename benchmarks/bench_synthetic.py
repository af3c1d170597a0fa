"""How fast the synthetic-world generator is, at 1k to 1M members, against a row-by-row baseline.

For each scale the vectorised generator (``calaim_course.synthetic.generate_world``, all
11 linked tables) runs a few times; beside it, at the same scale, a row-by-row version
builds members and their services one Python dict at a time with Faker names, the way a
first version might. Both report rows per second, so the columns compare like with like
(the baseline makes 2 of the 11 tables, so its rows per second flatter it).

Prints a table; asserts nothing (timings depend on the machine). Compare seconds with CPU
seconds: a large gap means other processes were competing for the cores.

    python benchmarks/bench_synthetic.py                 # 1k, 10k, 100k, 1M
    python benchmarks/bench_synthetic.py 1000 10000      # other scales
    python benchmarks/bench_synthetic.py --runs 1 --json out.json 1000
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import machine, summarize  # noqa: E402

from calaim_course.synthetic import generate_world  # noqa: E402

SCALES = [1_000, 10_000, 100_000, 1_000_000]
RUNS = 3
RUN_BUDGET = 150.0  # seconds per scale: at least one run, more while under this
BASELINE_LIMIT = 300.0  # the baseline is not run where its linear estimate passes this


def peak_memory_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # Linux reports KiB


def time_generator(scale: int) -> tuple[float, float, int]:
    """Wall-clock seconds, CPU seconds of this process, and rows made."""
    gc.collect()
    start, cpu_start = time.perf_counter(), time.process_time()
    world = generate_world(seed=2026, scale=scale)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    rows = world.row_count()
    del world
    gc.collect()
    return seconds, cpu, rows


def faker_baseline(scale: int) -> tuple[float, int]:
    """Members and their services, one Python dict per row, names from Faker."""
    from faker import Faker

    fake = Faker("en_US")
    Faker.seed(2026)
    rng = random.Random(2026)
    start = time.perf_counter()
    members, services = [], []
    first_day = date(2025, 7, 1)
    for i in range(scale):
        intake = first_day + timedelta(days=rng.randrange(365))
        members.append({
            "member_id": f"SYN-M-{i + 1:07d}", "first_name": fake.first_name(), "last_name": fake.last_name(),
            "birth_date": fake.date_of_birth(minimum_age=16, maximum_age=80), "intake": intake,
            "plan": rng.choice(["SYN-ORG-002", "SYN-ORG-003", None]), "phone": f"555-01{rng.randrange(100):02d}",
        })
        for _ in range(1 + rng.randrange(21)):  # about as many services per member as the generator makes
            services.append({
                "service_id": f"SYN-SVC-{len(services) + 1:09d}", "member_id": members[-1]["member_id"],
                "service_date": intake + timedelta(days=rng.randrange(120)),
                "program": rng.choice(["ecm", "community_supports", "chw", "advocacy"]),
                "minutes": rng.randrange(15, 121),
            })
    seconds = time.perf_counter() - start
    return seconds, len(members) + len(services)


def _repeat(function, runs: int) -> list[tuple]:
    out, started = [], time.perf_counter()
    while len(out) < runs and (not out or time.perf_counter() - started < RUN_BUDGET):
        out.append(function())
    return out


def run(scales: list[int], runs: int = RUNS, log=print) -> dict:
    results: dict = {"machine": machine(), "runs": runs, "scales": {}}
    last_baseline = None
    for scale in scales:
        made = _repeat(lambda: time_generator(scale), runs)
        rows = made[0][2]
        generator = {**summarize([m[0] for m in made]), "cpu_seconds": summarize([m[1] for m in made]),
                     "rows": rows, "peak_memory_gb": round(peak_memory_gb(), 2)}
        generator["rows_per_second"] = rows / generator["median"]
        entry = {"generator": generator}
        estimate = last_baseline and last_baseline[0] * scale / last_baseline[1]
        if estimate and estimate > BASELINE_LIMIT:
            entry["baseline"] = {"n": 0, "not_measurable": (
                f"not run at this scale: about {estimate:,.0f} s by a linear estimate from "
                f"{last_baseline[1]:,} members")}
        else:
            done = _repeat(lambda: faker_baseline(scale), runs)
            baseline = {**summarize([d[0] for d in done]), "rows": done[0][1]}
            baseline["rows_per_second"] = baseline["rows"] / baseline["median"]
            entry["baseline"] = baseline
            entry["speed_up_per_row"] = generator["rows_per_second"] / baseline["rows_per_second"]
            last_baseline = (baseline["median"], scale)
        results["scales"][str(scale)] = entry
        b = entry["baseline"]
        log(f"  {scale:>9,} members: generator {generator['median']:.2f} s ({rows:,} rows, "
            f"{generator['rows_per_second']:,.0f} rows/s); baseline "
            + (f"{b['median']:.2f} s ({b['rows_per_second']:,.0f} rows/s)" if b.get("median") else b["not_measurable"]))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scales", nargs="*", type=int)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    print("Synthetic world generator (vectorised numpy, seed 2026, 11 linked tables) against a row-by-row "
          "Faker baseline (members and services)", flush=True)
    results = run(args.scales or SCALES, args.runs, log=lambda m: print(m, flush=True))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    print("Figures depend on the machine and its load; nothing here is asserted.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
