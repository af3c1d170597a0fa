"""Print the built HTML course into one PDF.

    python -m calaim_course.pdf --html _build/html --out _build/pdf/course.pdf

Why print the HTML: the PDF then shows exactly what the book shows, including the
charts and the default views of the widgets, which a LaTeX build would turn into
placeholder text. Headless Debian Chromium (driven by Playwright, never a downloaded
browser) prints each page of ``_toc.yml`` in order with the book's print stylesheet
(``book/_static/print.css``); pypdf joins them after a title page and stamps the page
numbers, so that numbering runs through the whole course and every section starts on
a new page. Nothing is fetched from the network.

Two editions come from one printing of the pages: the whole course, and a learner
edition without the part for facilitators and authors (facilitator notes, agendas,
worksheets, the answer key), for self-paced learners who should meet the quizzes before
their answers. Each edition has its own title page and page numbers.
"""

from __future__ import annotations

import argparse
import html
import io
import os
import re
import sys
from pathlib import Path

import yaml
from pypdf import PdfReader, PdfWriter

from calaim_course.sources import toc_files, toc_parts

# The _toc.yml part that the learner edition leaves out.
FACILITATOR_PART = "For facilitators and authors"
EDITION_LINES = {
    "full": "Complete edition, with the facilitator and author pages and the answer key",
    "learner": "Learner edition, without the facilitator and author pages and the answer key",
}

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# The same flags as tests/conftest.py: keep Chromium from calling home on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
PAPER = {"format": "Letter", "margin": {"top": "18mm", "bottom": "20mm", "left": "16mm", "right": "16mm"}}
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def course_title(root: Path = ROOT) -> str:
    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))["title"]


def last_reviewed(root: Path = ROOT) -> str:
    """The welcome page's "Content last reviewed" date, as written there."""
    text = (root / "book" / "intro.md").read_text(encoding="utf-8")
    match = re.search(r"last reviewed:?\**:?\s*([A-Z][a-z]+ \d{1,2}, \d{4})", text, re.I)
    if not match:
        raise ValueError("book/intro.md: no 'Content last reviewed: <Month D, YYYY>' line found")
    return match.group(1)


def learner_files(root: Path = ROOT) -> list[str]:
    """The toc's documents, in order, without the facilitators' and authors' part."""
    parts = toc_parts(root)
    captions = [caption for caption, _files in parts[1:]]
    if FACILITATOR_PART not in captions:
        raise ValueError(f"_toc.yml has no part captioned {FACILITATOR_PART!r} (its parts: {captions}); "
                         "update FACILITATOR_PART in calaim_course/pdf.py to the part the learner edition leaves out")
    return [entry for caption, files in parts if caption != FACILITATOR_PART for entry in files]


def title_page_html(title: str, reviewed: str, edition: str = "full") -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
  body {{ font-family: sans-serif; margin: 0; }}
  .title {{ margin-top: 35vh; text-align: center; }}
  h1 {{ font-size: 26pt; margin: 0 2em 0.6em; }}
  p {{ font-size: 13pt; margin: 0.4em 2em; }}
</style></head><body><div class="title">
<h1>{html.escape(title)}</h1>
<p>A course for California domestic violence organizations</p>
<p>{html.escape(EDITION_LINES[edition])}</p>
<p>Content last reviewed: {html.escape(reviewed)}</p>
<p>Educational material, not legal or billing advice. All people, agencies, plans and records in it are synthetic.</p>
</div></body></html>"""


def number_pages_html(count: int, skip_first: bool = True) -> str:
    """One page per number, the number at the bottom centre: stamped onto the content."""
    pages = []
    for number in range(1, count + 1):
        label = "" if skip_first and number == 1 else f"Page {number} of {count}"
        pages.append(f'<div class="p"><span>{label}</span></div>')
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><style>
  @page {{ size: Letter; margin: 0; }}
  body {{ margin: 0; font-family: sans-serif; font-size: 9pt; color: #333; }}
  .p {{ height: 279mm; position: relative; break-after: page; }}
  .p span {{ position: absolute; bottom: 8mm; left: 0; right: 0; text-align: center; }}
</style></head><body>{''.join(pages)}</body></html>"""


# Resolves once the page has made no change to its document for ``quiet`` ms (or after
# ``limit`` ms whatever happens): the last chart has drawn and the course's a11y.js and
# quiz.js, which run on the next animation frame after a change, have done their work.
_SETTLED = """([quiet, limit]) => new Promise((done) => {
    const start = performance.now();
    let last = start;
    const observer = new MutationObserver(() => { last = performance.now(); });
    observer.observe(document.documentElement, {childList: true, subtree: true, attributes: true, characterData: true});
    const check = () => {
        const now = performance.now();
        if (now - last >= quiet || now - start >= limit) { observer.disconnect(); done(now - start); }
        else requestAnimationFrame(check);
    };
    document.fonts.ready.then(() => requestAnimationFrame(check));
})"""


def wait_until_rendered(page, quiet_ms: int = 150, limit_ms: int = 5000) -> None:
    """Wait until the page's widget views, charts and quizzes have drawn and the page is still.

    Shared by ``make pdf`` and the browser tests. Each kind of interactive part the page
    has is waited for by what it draws; then the page must stay unchanged for
    ``quiet_ms``, instead of a fixed pause that is too long for most pages and could be
    too short for a slow one.
    """
    page.wait_for_load_state("load")
    checks = [
        ('script[type="application/vnd.jupyter.widget-view+json"]', ".jupyter-widgets"),
        (".vega-embed, [id^=altair-viz-]", ".vega-embed svg, .vega-embed canvas"),
        (".plotly-graph-div", ".plotly-graph-div .main-svg"),
        (".course-quiz", ".course-quiz .MCButton, .course-quiz .Input-text"),
    ]
    for present, drawn in checks:
        if page.locator(present).count():
            page.wait_for_selector(drawn, state="attached", timeout=20000)
    page.evaluate(_SETTLED, [quiet_ms, limit_ms])


def print_course(html_dir: Path, out: Path, root: Path = ROOT, learner_out: Path | None = None) -> dict[str, int]:
    """Write the PDF of the whole course (and, with ``learner_out``, the learner edition);
    return the number of pages of each edition written ("full", "learner")."""
    from playwright.sync_api import sync_playwright

    html_dir = html_dir.resolve()
    entries = toc_files(root)
    pages = {entry: html_dir / f"{entry}.html" for entry in entries}
    missing = [str(p.relative_to(html_dir)) for p in pages.values() if not p.exists()]
    if missing:
        raise FileNotFoundError(f"pages listed in _toc.yml are not in the built HTML: {missing}")
    if not CHROMIUM.exists():
        raise FileNotFoundError(f"Chromium not found at {CHROMIUM}: install Debian's chromium.")
    editions = {"full": (out, entries)}
    if learner_out is not None:
        editions["learner"] = (learner_out, learner_files(root))

    printed: dict[str, bytes] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context()
        # Only files from the built book may load: nothing leaves the machine.
        context.route("**/*", lambda route: route.continue_()
                      if route.request.url.startswith(LOCAL_SCHEMES) else route.abort())
        page = context.new_page()
        for entry, path in pages.items():  # each page printed once, whatever the editions
            page.goto(path.as_uri())
            wait_until_rendered(page)
            page.emulate_media(media="print")
            printed[entry] = page.pdf(**PAPER, print_background=True)
            print(f"printed {path.relative_to(html_dir)}", file=sys.stderr)
        totals = {}
        for edition, (target, chosen) in editions.items():
            writer = PdfWriter()
            page.set_content(title_page_html(course_title(root), last_reviewed(root), edition))
            writer.append(PdfReader(io.BytesIO(page.pdf(**PAPER, print_background=True))))
            for entry in chosen:
                writer.append(PdfReader(io.BytesIO(printed[entry])))
            total = totals[edition] = len(writer.pages)
            page.set_content(number_pages_html(total))
            numbers = PdfReader(io.BytesIO(page.pdf(format="Letter",
                                                    margin={"top": "0", "bottom": "0", "left": "0", "right": "0"})))
            for content, number in zip(writer.pages, numbers.pages):
                content.merge_page(number)
            title = course_title(root) + ("" if edition == "full" else " (learner edition)")
            writer.add_metadata({"/Title": title})
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as handle:
                writer.write(handle)
        browser.close()
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the built HTML course into one PDF.")
    parser.add_argument("--html", type=Path, required=True, help="the built HTML folder (_build/html)")
    parser.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the book's source folder, with _toc.yml, _config.yml and book/intro.md")
    parser.add_argument("--learner-out", type=Path, default=None,
                        help="also write the learner edition (without the facilitator and author pages) here")
    args = parser.parse_args(argv)
    totals = print_course(args.html, args.out, args.root, args.learner_out)
    print(f"wrote {args.out} ({totals['full']} pages)")
    if args.learner_out is not None:
        print(f"wrote {args.learner_out} (learner edition: {totals['learner']} pages)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
