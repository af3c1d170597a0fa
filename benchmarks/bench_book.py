"""How long the book takes to build (stored outputs, no execution) and how heavy each page is.

The book is built into a temporary folder with the course's strict settings
(``jupyter-book build <root> --path-output <tmp> -W --keep-going``), several times; the
page weights come from the last build.

Page weight = the page's HTML plus the page-specific files it loads (images and other
local files outside ``_static/``). Files under ``_static/`` are shared by every page (the
vendored JavaScript in ``_static/vendor/``, the theme's and Sphinx's files, the course's
own CSS and JS), and so is a file that most pages load (Sphinx's search index): a
reader's browser fetches them once, so they are counted once, separately, and not in
any page. Target (issue 11): no page over 1 MB beyond the shared
assets; the build under 60 s.

    python benchmarks/bench_book.py --runs 1
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import machine, summarize  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = ROOT / ".venv" / "bin" / "jupyter-book"
RUNS = 3
PAGE_LIMIT = 1_000_000  # bytes
COURSE_STATIC = {p.name for p in (ROOT / "book" / "_static").glob("*") if p.is_file()}


class _Assets(HTMLParser):
    """Local files a page loads: scripts, style sheets, images, icons, media."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "source", "audio", "video", "iframe", "embed") and a.get("src"):
            self.found.append(a["src"])
        elif tag == "link" and a.get("href") and set((a.get("rel") or "").split()) & {"stylesheet", "icon", "preload", "modulepreload"}:
            self.found.append(a["href"])
        elif tag == "object" and a.get("data"):
            self.found.append(a["data"])


def _local(page: Path, ref: str, html_root: Path) -> Path | None:
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc or ref.startswith("data:"):
        return None  # external or inline: inline bytes are already in the HTML
    target = (page.parent / unquote(parts.path)).resolve()
    try:
        target.relative_to(html_root.resolve())
    except ValueError:
        return None
    return target if target.is_file() else None


def shared_kind(rel: str) -> str:
    if rel.startswith("_static/vendor/"):
        return "vendored libraries (_static/vendor)"
    if rel.startswith("_static/") and Path(rel).name in COURSE_STATIC:
        return "course CSS and JS (book/_static)"
    return "theme and Sphinx files (_static, search index)"


def page_weights(html_root: Path) -> dict:
    loads: dict[str, dict[str, int]] = {}
    for page in sorted(html_root.rglob("*.html")):
        rel_page = page.relative_to(html_root).as_posix()
        if rel_page.startswith(("_static/", "_sources/")):
            continue
        parser = _Assets()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        found = {}
        for ref in parser.found:
            target = _local(page, ref, html_root)
            if target is not None:
                found[target.relative_to(html_root.resolve()).as_posix()] = target.stat().st_size
        loads[rel_page] = found
    # Shared: everything under _static/, and any other file most pages load (Sphinx's search index).
    users: dict[str, int] = {}
    for found in loads.values():
        for rel in found:
            users[rel] = users.get(rel, 0) + 1
    common = {rel for rel, n in users.items() if n > len(loads) / 2}
    shared: dict[str, int] = {}
    pages = {}
    for rel_page, found in loads.items():
        own = {rel: size for rel, size in found.items() if not rel.startswith("_static/") and rel not in common}
        shared.update({rel: size for rel, size in found.items() if rel not in own})
        html_bytes = (html_root / rel_page).stat().st_size
        total = html_bytes + sum(own.values())
        pages[rel_page] = {"html_bytes": html_bytes, "page_assets_bytes": sum(own.values()), "page_assets": own,
                           "total_bytes": total, "target_met": total <= PAGE_LIMIT}
    kinds: dict[str, int] = {}
    for rel, size in shared.items():
        kinds[shared_kind(rel)] = kinds.get(shared_kind(rel), 0) + size
    return {"pages": pages, "shared_bytes": sum(shared.values()), "shared_by_kind": kinds,
            "shared_files": len(shared), "page_limit_bytes": PAGE_LIMIT}


def build_once(out: Path) -> tuple[float, int, str]:
    command = [str(JUPYTER_BOOK), "build", str(ROOT), "--path-output", str(out), "-W", "--keep-going"]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
    return seconds, done.returncode, tail


def run(runs: int = RUNS, log=print) -> dict:
    samples, failures = [], []
    weights = None
    with tempfile.TemporaryDirectory(prefix="bench-book-") as tmp:
        for number in range(1, runs + 1):
            out = Path(tmp) / f"build-{number}"
            seconds, code, tail = build_once(out)
            samples.append(seconds)
            log(f"  build {number}: {seconds:.1f} s (exit code {code})")
            if code != 0:
                # A failed strict build (for example another page being edited) is recorded with its last lines.
                failures.append({"run": number, "exit_code": code,
                                 "output_tail": re.sub(r"(/[^\s:]+)+/", "", tail)[-2000:]})
            html_root = out / "_build" / "html"
            if html_root.is_dir():
                weights = page_weights(html_root)
    return {"machine": machine(), "runs": runs, "build": summarize(samples), "failures": failures,
            "weights": weights}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    results = run(args.runs, log=lambda m: print(m, flush=True))
    if results["weights"]:
        heaviest = sorted(results["weights"]["pages"].items(), key=lambda kv: -kv[1]["total_bytes"])[:5]
        for name, w in heaviest:
            print(f"  {name}: {w['total_bytes'] / 1e6:.2f} MB")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
