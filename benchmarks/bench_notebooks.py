"""How long each notebook takes to execute, against a notebook that only imports the package.

Each notebook is copied into a temporary folder and executed there with nbclient in a
fresh kernel, the way ``calaim_course.notebook_outputs`` runs them (the notebooks in the
repository are never written). The floor is a one-cell notebook, ``import calaim_course``,
executed in the same run, interleaved with the others, so both see the same machine load.
Target (issue 11): every notebook under 2 x the floor + 3 s.

    python benchmarks/bench_notebooks.py                 # every notebook, 3 runs each
    python benchmarks/bench_notebooks.py --runs 1 notebooks/01-*.ipynb
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import machine, summarize  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
FLOOR_NAME = "floor-import-only.ipynb"
RUNS = 3


def floor_notebook() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("import calaim_course")]
    notebook.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    return notebook


def execute(path: Path, timeout: int = 900) -> float:
    """Seconds to start a fresh kernel, run every cell and stop the kernel."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}},
                            store_widget_state=True, record_timing=False)
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def run(paths: list[Path], runs: int = RUNS, log=print) -> dict:
    os.environ.setdefault("PYTHONHASHSEED", "0")
    samples: dict[str, list[float]] = {FLOOR_NAME: [], **{p.name: [] for p in paths}}
    errors: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="bench-notebooks-") as tmp:
        folder = Path(tmp) / "notebooks"
        folder.mkdir()
        nbformat.write(floor_notebook(), folder / FLOOR_NAME)
        for path in paths:
            shutil.copy2(path, folder / path.name)
        for round_number in range(1, runs + 1):
            for name in [FLOOR_NAME, *(p.name for p in paths)]:
                if name in errors:
                    continue
                try:
                    seconds = execute(folder / name)
                except Exception as exc:  # a failing notebook is recorded, and the run goes on
                    errors[name] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:300] if str(exc).strip() else ''}"
                    log(f"  run {round_number}: {name}: ERROR {errors[name]}")
                    continue
                samples[name].append(seconds)
                log(f"  run {round_number}: {name}: {seconds:.1f} s")
    floor = summarize(samples[FLOOR_NAME])
    results = {"machine": machine(), "runs": runs, "floor": floor, "notebooks": {}}
    for path in paths:
        stats = summarize(samples[path.name])
        if path.name in errors:
            stats["error"] = errors[path.name]
        if stats["median"] is not None and floor["median"]:
            stats["ratio_to_floor"] = stats["median"] / floor["median"]
            stats["target_seconds"] = 2 * floor["median"] + 3
            stats["target_met"] = stats["median"] < stats["target_seconds"]
        results["notebooks"][path.name] = stats
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or sorted(NOTEBOOKS.glob("*.ipynb"))
    results = run(paths, args.runs, log=lambda m: print(m, flush=True))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
