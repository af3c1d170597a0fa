"""Run every benchmark and write benchmarks/results.md (tables) and results.json (every sample).

``make bench`` runs this file. Each part runs in its own Python process (so a 1M-member
world's memory is given back before the next part), writes its raw figures to a JSON
file, and this script puts them together, with the issue's targets and whether each
was met. Figures are printed and recorded, never asserted.

    python benchmarks/run_all.py                          # everything (about 30 minutes)
    python benchmarks/run_all.py --quick --skip-test-suite
    python benchmarks/run_all.py --only functions --scales 1000 --output-dir /tmp/bench

Parts: functions (widget updates and page analyses at 10k, 100k, 1M members), synthetic
(generator against a row-by-row Faker baseline, 1k to 1M), notebooks (each against an
import-only floor), book (build time and page weights), tests (wall time of make test),
explorer (the data explorer's own benchmark, benchmarks/bench_explorer.py, when present).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from timing import LINEAR_LIMIT, fmt_ratio, fmt_seconds, machine, ratio, summarize  # noqa: E402

PARTS = ["functions", "synthetic", "notebooks", "book", "tests", "explorer"]
UPDATE_TARGET = 0.100      # seconds, 95th percentile, at 1M members
TARGET_SCALE = 1_000_000
TEST_TARGET = 600.0        # make test, seconds
BOOK_TARGET = 60.0         # seconds
TEST_COMMAND = ["-m", "pytest", "-n", "2", "--dist", "loadfile", "--nbval", "--nbval-sanitize-with",
                "tests/nbval-sanitize.cfg", "tests", "notebooks"]


def python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def run_part(script: str, args: list[str], out: Path, log) -> dict | None:
    """Run one benchmark script in its own process; its JSON, or an error record."""
    command = [python(), str(HERE / script), *args, "--json", str(out)]
    log(f"== {script} {' '.join(args)}")
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT)
    seconds = time.perf_counter() - start
    if done.returncode != 0 or not out.exists():
        return {"error": f"{script} stopped with exit code {done.returncode}", "wall_seconds": seconds}
    data = json.loads(out.read_text())
    data["wall_seconds"] = seconds
    return data


def run_tests(log) -> dict:
    """Wall time of the make test command (pytest on 2 workers), run once."""
    command = [python(), *TEST_COMMAND]
    log("== make test: " + " ".join(["python", *TEST_COMMAND]))
    before = machine()
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    lines = (done.stdout + done.stderr).strip().splitlines()
    summary = next((line.strip("= ") for line in reversed(lines) if " in " in line and ("passed" in line or "failed" in line
                                                                                       or "error" in line)), "")
    log(f"   {seconds:.0f} s, exit code {done.returncode}: {summary}")
    # The ids of failing tests (not their messages, which can hold paths of this machine).
    failing = [line.split(" - ")[0] for line in lines if line.startswith(("FAILED ", "ERROR "))][:300]
    return {"failing": failing, "machine_before": before, "machine_after": machine(), "wall": summarize([seconds]),
            "exit_code": done.returncode, "summary": summary, "target_seconds": TEST_TARGET,
            "target_met": seconds < TEST_TARGET}


def run_explorer(scales: list[int], log) -> dict:
    """The data explorer helper's own benchmark (text output kept as it prints it)."""
    script = HERE / "bench_explorer.py"
    if not script.exists():
        return {"not_run": "benchmarks/bench_explorer.py is not there yet"}
    log(f"== bench_explorer.py {' '.join(map(str, scales))}")
    start = time.perf_counter()
    done = subprocess.run([python(), str(script), *map(str, scales)], cwd=ROOT, capture_output=True, text=True)
    print(done.stdout, flush=True)
    return {"exit_code": done.returncode, "wall_seconds": time.perf_counter() - start,
            "stdout": done.stdout[-20000:], "stderr_tail": done.stderr[-2000:]}


# --------------------------------------------------------------------------- markdown
def _met(flag: bool | None) -> str:
    return "n/a" if flag is None else ("met" if flag else "**missed**")


def _range(s: dict | None) -> str:
    if not s or s.get("median") is None:
        return "n/a"
    return f"{fmt_seconds(s['median'])} ({fmt_seconds(s['min'])} to {fmt_seconds(s['max'])})"


def _growth(cell_by_scale: dict, scales: list[int], stat: str = "median") -> list[float | None]:
    values = [cell_by_scale.get(str(s), {}).get(stat) for s in scales]
    return [ratio(b, a) for a, b in zip(values, values[1:])]


def _per_10x(r: float | None, small: int, large: int) -> float | None:
    """A ratio between two scales, expressed per 10 times more members."""
    if r is None or r <= 0:
        return None
    return r ** (1 / math.log10(large / small)) if large != small * 10 else r


def _cell(entry: dict | None, stat: str) -> str:
    if not entry:
        return "n/a"
    if entry.get("not_measurable"):
        return "not measured (see note)"
    if entry.get("error") and entry.get(stat) is None:
        return "error (see note)"
    return fmt_seconds(entry.get(stat))


def functions_md(data: dict, notes: list[str], summary: dict) -> list[str]:
    scales = data["scales"]
    top = max(scales)
    judged = top == TARGET_SCALE
    lines = ["## 1. Widget updates and analyses, by number of members", ""]
    lines.append(f"Worlds generated with seed {data['seed']}: " + ", ".join(
        f"{int(s):,} members ({sum(data['world_rows'][s].values()):,} rows, generated in "
        f"{data['generate_seconds'][s]:.0f} s)" for s in map(str, scales)) + ".")
    lines.append("")
    lines.append("Each update is one control change made the way the browser makes it (setting the control's "
                 "value), which runs the widget's own callback: the analysis and the HTML. p95 is the 95th "
                 "percentile of the changes timed (n per scale in results.json); growth is the ratio of medians "
                 f"per 10 times more members. Linear growth is a ratio up to {LINEAR_LIMIT:g} (10 plus 25 % for "
                 "noise on a shared machine).")
    lines.append("")
    head = ["Widget (section)", *(f"median / p95 at {s:,}" for s in scales)]
    head += [f"growth {a:,} to {b:,}" for a, b in zip(scales, scales[1:])]
    head += [f"p95 under 100 ms at {top:,}" + ("" if judged else " (target is judged at 1M)"), "at most linear growth"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    widget_rows, fixed_rows = [], []
    for key, w in data["widgets"].items():
        if not w["uses_world"]:
            fixed_rows.append((key, w))
            continue
        cells = []
        for s in scales:
            e = w["update"].get(str(s))
            if e and e.get("median") is not None:
                cells.append(f"{fmt_seconds(e['median'])} / {fmt_seconds(e['p95'])}")
            else:
                cells.append(_cell(e, "median"))
            if e and (e.get("not_measurable") or e.get("error")):
                notes.append(f"{w['name']} at {s:,} members: {e.get('not_measurable') or e.get('error')}")
        growth = _growth(w["update"], scales)
        big = w["update"].get(str(top), {})
        p95_met = None if big.get("p95") is None or big.get("error") else big["p95"] < UPDATE_TARGET
        measured = [g for g in growth if g is not None]
        last_growth = max(measured) if measured else None  # the steepest 10x step measured
        linear = None if last_growth is None else last_growth <= LINEAR_LIMIT
        if judged and p95_met is not None:
            summary["update_p95"].append((w["name"], big["p95"], p95_met))
        elif judged and big.get("by_design"):
            # The widget refuses data this large (the own-data loader's 20 MB limit): judged
            # apart, by its figure at the largest scale it accepts.
            largest = max((int(s) for s, e in w["update"].items() if e.get("p95") is not None), default=None)
            at_largest = w["update"][str(largest)] if largest else {}
            summary["refused"].append((w["name"], largest, at_largest.get("p95"),
                                       at_largest.get("first_feedback", {}).get("p95")))
        elif judged:
            summary["unmeasured"].append(w["name"])
        if linear is not None:
            summary["growth"].append((w["name"], last_growth, linear))
        row = [f"{w['name']} ({w['section']})", *cells, *map(fmt_ratio, growth), _met(p95_met), _met(linear)]
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "Widgets that read only the course's reference tables (their work does not depend on the number "
              "of members, so they were timed once):", "",
              "| Widget (section) | median | p95 | min to max | n | p95 under 100 ms |", "|---|---|---|---|---|---|"]
    for key, w in fixed_rows:
        e = w["update"].get("any", {})
        met = None if e.get("p95") is None or e.get("error") else e["p95"] < UPDATE_TARGET
        if e.get("error"):
            notes.append(f"{w['name']}: {e['error']}")
        if met is not None:
            summary["update_p95"].append((w["name"], e["p95"], met))
        lines.append(f"| {w['name']} ({w['section']}) | {fmt_seconds(e.get('median'))} | {fmt_seconds(e.get('p95'))} | "
                     f"{fmt_seconds(e.get('min'))} to {fmt_seconds(e.get('max'))} | {e.get('n', 0)} | {_met(met)} |")
    lines += ["", "### Loading: what runs once when a page or the dashboard opens", "",
              "Building each widget from the world (the analysis behind it: preparing tables, cubes, suppression) "
              "and the analyses a notebook runs on the world for its charts and findings. Median (min to max) of "
              "up to 3 runs. The 100 ms target is for updates, not for these.", ""]
    head = ["What loads (section)", *(f"{s:,}" for s in scales), *(f"growth {a:,} to {b:,}" for a, b in zip(scales, scales[1:]))]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    rows = [(f"{w['name']}: build the widget", w["section"], w["load"]) for w in data["widgets"].values() if w["uses_world"]]
    rows += [(l["name"], l["section"], l["load"]) for l in data["loads"].values()]
    for name, section, load in rows:
        cells = []
        for s in scales:
            e = load.get(str(s))
            if e and e.get("not_measurable"):
                cells.append("not measured (see note)")
                notes.append(f"{name} at {s:,} members: {e['not_measurable']}")
            elif e and e.get("error"):
                cells.append("error (see note)")
                notes.append(f"{name} at {s:,} members: {e['error']}")
            else:
                cells.append(_range(e))
        lines.append("| " + " | ".join([f"{name} ({section})", *cells, *map(fmt_ratio, _growth(load, scales))]) + " |")
    return lines


def synthetic_md(data: dict) -> list[str]:
    lines = ["## 2. Synthetic generator against the row-by-row Faker baseline", "",
             "The generator makes all 11 linked tables with numpy; the baseline makes members and their services "
             "(2 tables) one Python dict at a time with Faker names. Rows per second compare like with like. "
             f"Median (min to max) of up to {data['runs']} runs.", "",
             "| members | generator: seconds | rows | rows/s | CPU s (median) | baseline: seconds | rows | rows/s | "
             "generator faster per row |", "|---|---|---|---|---|---|---|---|---|"]
    for scale, e in data["scales"].items():
        g, b = e["generator"], e["baseline"]
        base = ([_range(b), f"{b['rows']:,}", f"{b['rows_per_second']:,.0f}"] if b.get("median") is not None
                else [b.get("not_measurable", "n/a"), "", ""])
        lines.append("| " + " | ".join([f"{int(scale):,}", _range(g), f"{g['rows']:,}", f"{g['rows_per_second']:,.0f}",
                                         fmt_seconds(g["cpu_seconds"]["median"]), *base,
                                         fmt_ratio(e.get("speed_up_per_row"))]) + " |")
    return lines


def notebooks_md(data: dict, summary: dict) -> list[str]:
    floor = data["floor"]
    lines = ["## 3. Notebook execution against the import-only floor", "",
             f"Each notebook executed with nbclient in a fresh kernel (a temporary copy), {data['runs']} runs, "
             f"interleaved with the floor (a notebook whose one cell imports the package): floor median "
             f"{fmt_seconds(floor['median'])} ({fmt_seconds(floor['min'])} to {fmt_seconds(floor['max'])}). "
             "Target: under 2 x the floor + 3 s.", "",
             "| notebook | median (min to max) | ratio to floor | target | under target |", "|---|---|---|---|---|"]
    for name, e in data["notebooks"].items():
        met = e.get("target_met")
        if met is not None:
            summary["notebooks"].append((name, e["median"], e["target_seconds"], met))
        error = f" error: {e['error']}" if e.get("error") else ""
        lines.append(f"| {name} | {_range(e)}{error} | {fmt_ratio(e.get('ratio_to_floor'))} | "
                     f"{fmt_seconds(e.get('target_seconds'))} | {_met(met)} |")
    return lines


def book_md(data: dict, summary: dict) -> list[str]:
    b = data["build"]
    summary["book"] = (b["median"], b["median"] is not None and b["median"] < BOOK_TARGET)
    lines = ["## 4. Book build and page weights", "",
             f"`jupyter-book build` with the stored outputs (`-W --keep-going`, into a temporary folder), "
             f"{data['runs']} runs: median {_range(b)}; target under {BOOK_TARGET:.0f} s: "
             f"{_met(summary['book'][1])}."]
    for f in data["failures"]:
        lines.append(f"\nBuild {f['run']} exited with code {f['exit_code']}; its last lines:\n\n```\n{f['output_tail']}\n```")
    w = data.get("weights")
    if not w:
        return lines + ["", "No HTML was built, so no page weights."]
    lines += ["", f"Shared assets, counted once ({w['shared_files']} files under `_static/`, or loaded by most pages, "
              f"that pages load): "
              f"{w['shared_bytes'] / 1e6:.2f} MB in all: " + "; ".join(
                  f"{k} {v / 1e6:.2f} MB" for k, v in sorted(w["shared_by_kind"].items(), key=lambda kv: -kv[1])) + ".",
              "", "Page weight = the HTML (with its stored outputs and widget state) plus the page-specific files it "
              "loads (outside `_static/`). Target: no page over 1 MB beyond the shared assets.", "",
              "| page | HTML | page-specific files | total | under 1 MB |", "|---|---|---|---|---|"]
    pages = sorted(w["pages"].items(), key=lambda kv: -kv[1]["total_bytes"])
    for name, p in pages:
        lines.append(f"| {name} | {p['html_bytes'] / 1e3:,.0f} kB | {p['page_assets_bytes'] / 1e3:,.0f} kB | "
                     f"{p['total_bytes'] / 1e3:,.0f} kB | {_met(p['target_met'])} |")
    summary["pages"] = (pages[0][0], pages[0][1]["total_bytes"], all(p["target_met"] for _, p in pages))
    return lines


def tests_md(data: dict, summary: dict) -> list[str]:
    w = data["wall"]["median"]
    summary["tests"] = (w, data["target_met"], data["summary"], data["exit_code"])
    failing = data.get("failing") or []
    shown = ("" if not failing else " Failing or erroring tests (ids): " + "; ".join(f"`{f}`" for f in failing[:40])
             + (f"; and {len(failing) - 40} more (results.json)" if len(failing) > 40 else "") + ".")
    return ["## 5. make test on 2 cores", "",
            f"`python -m pytest -n 2 --dist loadfile --nbval ...` (the make test command), one run (a full run "
            f"takes minutes, so it is not repeated): {fmt_seconds(w)}; exit code {data['exit_code']}; pytest said: "
            f"{data['summary'] or 'no summary line'}. Target under 10 minutes: {_met(data['target_met'])}. "
            f"Load average before: {data['machine_before']['load_average_1_5_15']}, after: "
            f"{data['machine_after']['load_average_1_5_15']}." + shown]


def targets_md(summary: dict, parts: dict) -> list[str]:
    lines = ["## Targets (issue 11)", "", "| target | figure | met |", "|---|---|---|"]
    if summary["update_p95"]:
        missed = [(n, p) for n, p, ok in summary["update_p95"] if not ok]
        worst = max(summary["update_p95"], key=lambda t: t[1])
        unmeasured = summary["unmeasured"]
        lines.append(f"| every widget update under 100 ms at the 95th percentile with 1M members | "
                     f"{len(summary['update_p95']) - len(missed)} of {len(summary['update_p95'])} measured under; slowest "
                     f"{worst[0]} {fmt_seconds(worst[1])}" + (f"; missed: " + ", ".join(f"{n} {fmt_seconds(p)}" for n, p in missed)
                                                              if missed else "")
                     + (f"; not measured at 1M (see notes): " + ", ".join(unmeasured) if unmeasured else "")
                     + f" | {_met(not missed and not unmeasured)} |")
    if summary["refused"]:
        figures = ", ".join((f"{n} {fmt_seconds(p)} at {s:,}" + (f" (first feedback {fmt_seconds(f)})" if f else ""))
                            if s else f"{n} not measured" for n, s, p, f in summary["refused"])
        slow = [n for n, _, p, _ in summary["refused"] if p is None or p >= UPDATE_TARGET]
        lines.append("| the same for widgets that refuse 1M members' data by design (the own-data loader takes files "
                     f"up to 20 MB): p95 at the largest scale each accepts | {figures} | "
                     + (f"**missed** by {len(slow)} of {len(summary['refused'])} (file loads: every cell checked and "
                        "ids hashed; first feedback is the widget's 'Reading and checking' message, shown before "
                        "the load; see notes)" if slow else "met") + " |")
    elif "functions" in parts:
        lines.append("| every widget update under 100 ms at p95 with 1M members | not judged: this run did not reach 1M members | n/a |")
    if summary["growth"]:
        over = [(n, g) for n, g, ok in summary["growth"] if not ok]
        lines.append(f"| at most linear growth (per 10x members, steepest step measured) | "
                     f"{len(summary['growth']) - len(over)} of {len(summary['growth'])} linear"
                     + (f"; above: " + ", ".join(f"{n} {fmt_ratio(g)}" for n, g in over) if over else "") +
                     f" | {_met(not over)} |")
    if summary["notebooks"]:
        missed = [t for t in summary["notebooks"] if not t[3]]
        lines.append(f"| every notebook under 2x the floor + 3 s | {len(summary['notebooks']) - len(missed)} of "
                     f"{len(summary['notebooks'])} under" + (f"; over: " + ", ".join(
                         f"{n} {fmt_seconds(m)} (target {fmt_seconds(t)})" for n, m, t, _ in missed) if missed else "")
                     + f" | {_met(not missed)} |")
    if "tests" in summary:
        w, met, said, code = summary["tests"]
        lines.append(f"| make test under 10 minutes on 2 cores | {fmt_seconds(w)} (exit code {code}: {said or 'no summary'}) "
                     f"| {_met(met)} |")
    if "book" in summary:
        lines.append(f"| book build under 60 s | {fmt_seconds(summary['book'][0])} (median) | {_met(summary['book'][1])} |")
    if "pages" in summary:
        name, size, ok = summary["pages"]
        lines.append(f"| no page over 1 MB beyond the shared assets | heaviest: {name} {size / 1e6:.2f} MB | {_met(ok)} |")
    return lines


def write_markdown(results: dict, path: Path) -> None:
    parts = results["parts"]
    notes: list[str] = []
    summary: dict = {"update_p95": [], "growth": [], "notebooks": [], "unmeasured": [], "refused": []}
    body: list[str] = []
    if isinstance(parts.get("functions"), dict) and "widgets" in parts["functions"]:
        body += functions_md(parts["functions"], notes, summary) + [""]
    if isinstance(parts.get("synthetic"), dict) and "scales" in parts["synthetic"]:
        body += synthetic_md(parts["synthetic"]) + [""]
    if isinstance(parts.get("notebooks"), dict) and "notebooks" in parts["notebooks"]:
        body += notebooks_md(parts["notebooks"], summary) + [""]
    if isinstance(parts.get("book"), dict) and "build" in parts["book"]:
        body += book_md(parts["book"], summary) + [""]
    if isinstance(parts.get("tests"), dict) and "wall" in parts["tests"]:
        body += tests_md(parts["tests"], summary) + [""]
    if isinstance(parts.get("explorer"), dict) and parts["explorer"].get("stdout"):
        body += ["## The data explorer's own benchmark (bench_explorer.py)", "",
                 "Random filter changes on the explorer, as that script prints them:", "", "```",
                 parts["explorer"]["stdout"].strip(), "```", ""]
    for name, part in parts.items():
        if isinstance(part, dict) and part.get("error"):
            notes.append(f"Part {name} did not finish: {part['error']}")
    head = ["# Benchmark results", ""]
    if results.get("machine_before"):
        head += [_when(results["command"], results["machine_before"], results["machine_after"]) + " Figures are "
                 "medians with min and max (every sample is in results.json); nothing is asserted.", ""]
    else:  # parts merged from several runs (run_all.py --merge): each says when and how it ran
        head += ["Figures are medians with min and max (every sample is in results.json); nothing is asserted. "
                 "The parts come from separate runs:", ""]
        head += [f"- **{name}**: " + _when(part["run"]["command"], part["run"]["machine_before"],
                                           part["run"]["machine_after"])
                 for name, part in parts.items() if isinstance(part, dict) and part.get("run")] + [""]
    head += targets_md(summary, parts) + [""]
    tail = ["## Notes", ""] + [f"- {n}" for n in notes] if notes else []
    path.write_text("\n".join(head + body + tail).rstrip() + "\n", encoding="utf-8")


def _when(command: str, m0: dict, m1: dict) -> str:
    """When, where and how a run was measured, and how busy the machine was."""
    return (f"Measured {m0['time']} to {m1['time']} on {m0['cores']} cores (Python {m0['python']}); load average "
            f"(1, 5, 15 min) {m0['load_average_1_5_15']} at the start and {m1['load_average_1_5_15']} at the end "
            f"(above 2 means processes waited for a core). Command: `{command}`.")


def merge(previous: dict, current: dict) -> dict:
    """The previous results with the parts run now replaced; each part keeps its own
    command and machine load, so a table never mixes figures from two runs."""
    parts = {**previous.get("parts", {}), **current["parts"]}
    for name in current["parts"]:
        parts[name]["run"] = {"command": current["command"], "machine_before": current["machine_before"],
                              "machine_after": current["machine_after"]}
    for name in previous.get("parts", {}):
        if name not in current["parts"]:
            parts[name].setdefault("run", {key: previous.get(key) for key in ("command", "machine_before", "machine_after")})
    return {**current, "command": "several runs (each part names its own below)", "parts": parts,
            "machine_before": None, "machine_after": None}


def _shown_argument(argument: str) -> str:
    """A command-line argument as the results show it: a path inside the project relative
    to it, any other absolute path as its last part only (no folder of this machine)."""
    path = Path(argument)
    if not path.is_absolute():
        return argument
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(Path("...") / path.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small scales and one run of each part")
    parser.add_argument("--skip-test-suite", action="store_true", help="do not time make test")
    parser.add_argument("--only", nargs="+", choices=PARTS, help="run only these parts")
    parser.add_argument("--scales", type=int, nargs="+", help="members per world for the functions part")
    parser.add_argument("--cases", nargs="+", help="functions part: only these case keys (see bench_functions.py)")
    parser.add_argument("--output-dir", type=Path, default=HERE, help="where results.md and results.json go")
    parser.add_argument("--from-json", type=Path, help="only rewrite results.md from this results.json (nothing is run)")
    parser.add_argument("--merge", action="store_true",
                        help="keep the other parts of the existing results.json and replace only the parts run now")
    args = parser.parse_args(argv)
    if args.from_json:
        write_markdown(json.loads(args.from_json.read_text()), args.output_dir / "results.md")
        return 0
    log = lambda m: print(m, flush=True)  # noqa: E731
    chosen = args.only or PARTS
    if args.skip_test_suite:
        chosen = [p for p in chosen if p != "tests"]
    if args.quick:
        chosen = [p for p in chosen if p != "explorer"]  # the explorer's own script always goes to 1M
    shown_args = [_shown_argument(a) for a in (argv if argv is not None else sys.argv[1:])]
    results = {"command": " ".join(["python benchmarks/run_all.py", *shown_args]).strip(),
               "machine_before": machine(), "parts": {}}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        tmp = Path(tmp)
        fn_scales = args.scales or ([1_000, 10_000] if args.quick else [10_000, 100_000, 1_000_000])
        if "functions" in chosen:
            results["parts"]["functions"] = run_part(
                "bench_functions.py", ["--scales", *map(str, fn_scales), *(["--quick"] if args.quick else []),
                                       *(["--only", *args.cases] if args.cases else [])], tmp / "functions.json", log)
        if "synthetic" in chosen:
            scales = ["1000", "10000"] if args.quick else []
            results["parts"]["synthetic"] = run_part(
                "bench_synthetic.py", [*scales, "--runs", "1" if args.quick else "3"], tmp / "synthetic.json", log)
        if "notebooks" in chosen:
            results["parts"]["notebooks"] = run_part(
                "bench_notebooks.py", ["--runs", "1" if args.quick else "3"], tmp / "notebooks.json", log)
        if "book" in chosen:
            results["parts"]["book"] = run_part("bench_book.py", ["--runs", "1" if args.quick else "3"],
                                                tmp / "book.json", log)
        if "tests" in chosen:
            results["parts"]["tests"] = run_tests(log)
        if "explorer" in chosen:
            results["parts"]["explorer"] = run_explorer(fn_scales, log)
    results["machine_after"] = machine()
    previous = args.output_dir / "results.json"
    if args.merge and previous.exists():
        results = merge(json.loads(previous.read_text()), results)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    (args.output_dir / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    write_markdown(results, args.output_dir / "results.md")
    print((args.output_dir / "results.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
