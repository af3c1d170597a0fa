"""The benchmark harness runs end to end on a tiny world and records what it promises.

No timing is asserted (figures depend on the machine): only that the harness runs, that
results.json has the expected keys and every sample, and that results.md has its tables.
A few fast cases keep this under a minute; ``make bench`` runs them all.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = ["consent_tracker", "npi_checker", "own_data_counts", "own_data_load_members", "enrollment_table"]


def test_quick_functions_run_writes_results(tmp_path):
    command = [sys.executable, str(ROOT / "benchmarks" / "run_all.py"), "--quick", "--skip-test-suite",
               "--only", "functions", "--scales", "1000", "--cases", *CASES, "--output-dir", str(tmp_path)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]

    results = json.loads((tmp_path / "results.json").read_text())
    assert {"command", "machine_before", "machine_after", "parts"} <= set(results)
    functions = results["parts"]["functions"]
    assert functions["scales"] == [1000]
    assert functions["world_rows"]["1000"]["members"] == 1000
    assert set(functions["widgets"]) == {"consent_tracker", "npi_checker", "own_data_counts", "own_data_load_members"}
    assert set(functions["loads"]) == {"enrollment_table"}

    tracker = functions["widgets"]["consent_tracker"]
    assert tracker["uses_world"] is True
    update = tracker["update"]["1000"]
    assert "error" not in update, update.get("error")
    assert {"n", "median", "p95", "min", "max", "samples"} <= set(update)
    assert update["n"] == len(update["samples"]) >= 5
    assert update["min"] <= update["median"] <= update["p95"] <= update["max"]
    # A file load goes through the widget, which says it is reading before the load ends:
    # the first feedback is timed for every load and comes within it.
    load = functions["widgets"]["own_data_load_members"]["update"]["1000"]
    assert "error" not in load, load.get("error")
    feedback = load["first_feedback"]
    assert feedback["n"] == load["n"]
    assert all(0 < f <= t for f, t in zip(feedback["samples"], load["samples"], strict=True))
    # A widget that reads no member data is measured once, not per scale.
    assert set(functions["widgets"]["npi_checker"]["update"]) == {"any"}
    assert functions["loads"]["enrollment_table"]["load"]["1000"]["n"] >= 1

    markdown = (tmp_path / "results.md").read_text()
    assert markdown.startswith("# Benchmark results")
    assert "## Targets (issue 11)" in markdown
    assert "| Consent tracker (6) |" in markdown
    for folder in (tmp_path, ROOT, Path.home()):  # where the output went, the checkout, the home folder
        assert str(folder) not in markdown, "no path of this machine"
    assert "--output-dir .../" + tmp_path.name in markdown  # the command is still shown


def test_merge_keeps_other_parts_and_says_when_each_ran(tmp_path):
    """--merge replaces only the parts run now; the header names each part's own run."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import run_all

    machine = {"time": "2026-01-01 10:00:00", "cores": 2, "python": "3.11", "load_average_1_5_15": [0.1, 0.1, 0.1]}
    book = {"build": {"n": 1, "median": 12.0, "min": 12.0, "max": 12.0, "samples": [12.0]}, "pages": [],
            "shared_bytes": 0}
    first = {"command": "python benchmarks/run_all.py --only book", "machine_before": machine,
             "machine_after": machine, "parts": {"book": book}}
    later = {**machine, "time": "2026-01-02 10:00:00"}
    second = {"command": "python benchmarks/run_all.py --only tests", "machine_before": later, "machine_after": later,
              "parts": {"tests": {"wall": {"median": 500.0}}}}
    merged = run_all.merge(first, second)
    assert set(merged["parts"]) == {"book", "tests"}
    assert merged["parts"]["book"]["build"]["median"] == 12.0
    assert merged["parts"]["book"]["run"]["command"].endswith("--only book")
    assert merged["parts"]["tests"]["run"]["machine_before"]["time"] == "2026-01-02 10:00:00"
    # Merging again keeps each part's own run.
    again = run_all.merge(merged, {**second, "parts": {"tests": {"wall": {"median": 400.0}}}})
    assert again["parts"]["book"]["run"]["command"].endswith("--only book")
    assert again["parts"]["tests"]["wall"]["median"] == 400.0
