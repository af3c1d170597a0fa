"""How fast the synthetic-world generator is: rows per second at 1k to 1M members.

Prints a table; asserts nothing (timings depend on the machine). For comparison, the
same run builds 10k members and their services row by row with Faker and plain Python,
the way a first version might, and prints how many times faster the vectorised
generator is.

    python benchmarks/bench_synthetic.py            # 1k, 10k, 100k, 1M
    python benchmarks/bench_synthetic.py 1000 10000 # other scales
"""

from __future__ import annotations

import gc
import random
import resource
import sys
import time
from datetime import date, timedelta

from calaim_course.synthetic import generate_world

SCALES = [1_000, 10_000, 100_000, 1_000_000]
BASELINE_SCALE = 10_000


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


def main(argv: list[str]) -> int:
    scales = [int(a) for a in argv] or SCALES
    print("Synthetic world generator (vectorised numpy), seed 2026, all 11 linked tables")
    print(f"{'members':>10} {'rows':>12} {'seconds':>9} {'CPU seconds':>12} {'rows/second':>13} {'peak memory (GB)':>17}")
    results = {}
    for scale in scales:
        seconds, cpu, rows = time_generator(scale)
        results[scale] = rows / seconds
        print(f"{scale:>10,} {rows:>12,} {seconds:>9.2f} {cpu:>12.2f} {rows / seconds:>13,.0f} {peak_memory_gb():>17.2f}",
              flush=True)
    seconds, rows = faker_baseline(BASELINE_SCALE)
    baseline = rows / seconds
    print()
    print(f"Row-by-row Faker baseline at {BASELINE_SCALE:,} members (members and services only): "
          f"{rows:,} rows in {seconds:.2f} s = {baseline:,.0f} rows/second")
    if BASELINE_SCALE in results:
        print(f"Vectorised generator at {BASELINE_SCALE:,} members is {results[BASELINE_SCALE] / baseline:.1f} times "
              "faster per row (and builds nine more linked tables).")
    print("Figures depend on the machine and its load (compare seconds with CPU seconds: a large gap means other")
    print("processes were competing for the cores); nothing here is asserted.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
