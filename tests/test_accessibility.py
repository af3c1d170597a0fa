"""Every page of the built book passes axe-core with no serious or critical violation,
declares its language, names its images and charts, and never skips a heading level.

axe-core is vendored as one file (tests/vendor/axe.min.js, see tests/vendor/README.md)
and injected into each page in Debian's Chromium: nothing is fetched. Findings that come
from the theme or from widget libraries are fixed in book/_static/a11y.css and a11y.js,
not by switching axe rules off.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from calaim_course.pdf import wait_until_rendered
from conftest import assert_page_behaved, guarded_page
from test_book import toc_files

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}
# No axe rule is disabled. If one ever has to be, list it here with the reason.
DISABLED_RULES: dict[str, str] = {}

PAGES = [f"{entry}.html" for entry in toc_files()]


def run_axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (disabled) => {
            const rules = Object.fromEntries(disabled.map((id) => [id, {enabled: false}]));
            const result = await axe.run(document, {resultTypes: ["violations"], rules});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
            }));
        }""",
        list(DISABLED_RULES),
    )


@pytest.fixture(scope="module", params=PAGES)
def rendered(request, browser, book_url):
    """(path, page): each page loaded and drawn once for both tests below, since loading
    and drawing take longer than the checks. Each test also checks the page's behaviour."""
    with guarded_page(browser) as page:
        page.goto(book_url + request.param)
        wait_until_rendered(page)
        yield request.param, page


@pytest.mark.browser
def test_page_has_no_serious_axe_violation(rendered):
    page_path, page = rendered
    assert_page_behaved(page)
    blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING_IMPACTS]
    report = "\n".join(f"  {v['impact']} {v['id']}: {v['help']} at {v['nodes']}" for v in blocking)
    assert not blocking, f"{page_path}: axe found serious or critical violations:\n{report}"


@pytest.mark.browser
def test_page_language_alternatives_and_heading_order(rendered):
    page_path, page = rendered
    assert_page_behaved(page)
    assert page.evaluate("document.documentElement.lang").startswith("en"), f"{page_path}: <html lang> is not English"

    unnamed = page.evaluate(
        """() => {
            const name = (el) => (el.getAttribute("alt") || el.getAttribute("aria-label")
                || (el.getAttribute("aria-labelledby") && document.getElementById(el.getAttribute("aria-labelledby"))?.textContent)
                || el.querySelector(":scope > .chart-wrapper[aria-label], :scope > svg[aria-label], :scope svg.marks[aria-label]")?.getAttribute("aria-label")
                || "").trim();
            const decorative = (el) => el.getAttribute("role") === "presentation" || el.getAttribute("aria-hidden") === "true"
                || el.getAttribute("alt") === "" && el.closest("a, button") === null && el.getAttribute("role") === "none";
            const items = [...document.querySelectorAll("main img, main .vega-embed, main .plotly-graph-div")];
            return items.filter((el) => !decorative(el) && !name(el)).map((el) => el.outerHTML.slice(0, 160));
        }"""
    )
    assert not unnamed, f"{page_path}: images or charts without a text alternative: {unnamed}"

    levels = page.evaluate(
        """() => [...document.querySelectorAll("main article :is(h1,h2,h3,h4,h5,h6)")]
            .filter((h) => h.offsetParent !== null || h.getClientRects().length)
            .map((h) => [Number(h.tagName[1]), h.textContent.trim().slice(0, 60)])"""
    )
    assert levels and levels[0][0] == 1, f"{page_path}: the first heading is not an h1: {levels[:1]}"
    for (before, _), (level, text) in zip(levels, levels[1:]):
        assert level <= before + 1, f"{page_path}: heading '{text}' jumps from h{before} to h{level}"
