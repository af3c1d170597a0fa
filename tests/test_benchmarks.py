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
CASES = ["consent_tracker", "npi_checker", "own_data_counts", "enrollment_table"]


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
    assert set(functions["widgets"]) == {"consent_tracker", "npi_checker", "own_data_counts"}
    assert set(functions["loads"]) == {"enrollment_table"}

    tracker = functions["widgets"]["consent_tracker"]
    assert tracker["uses_world"] is True
    update = tracker["update"]["1000"]
    assert "error" not in update, update.get("error")
    assert {"n", "median", "p95", "min", "max", "samples"} <= set(update)
    assert update["n"] == len(update["samples"]) >= 5
    assert update["min"] <= update["median"] <= update["p95"] <= update["max"]
    # A widget that reads no member data is measured once, not per scale.
    assert set(functions["widgets"]["npi_checker"]["update"]) == {"any"}
    assert functions["loads"]["enrollment_table"]["load"]["1000"]["n"] >= 1

    markdown = (tmp_path / "results.md").read_text()
    assert markdown.startswith("# Benchmark results")
    assert "## Targets (issue 11)" in markdown
    assert "| Consent tracker (6) |" in markdown
    assert str(ROOT.parent) not in markdown and str(Path.home()) not in markdown, "no path of this machine"
