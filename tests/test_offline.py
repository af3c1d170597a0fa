"""The built book works without a server and without a network.

- Opened from the file system (``file://``), the section template, a section and the
  glossary show their quizzes, Vega charts and widget views, with no request leaving
  the folder and no console error.
- The search page finds pages offline.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from calaim_course.pdf import wait_until_rendered
from conftest import PageGuard
from test_book import toc_files


def _file_pages() -> list[str]:
    """The template, the first section after it, and the glossary (as _toc.yml lists them)."""
    entries = toc_files()
    sections = [e for e in entries if e.startswith("notebooks/") and not e.endswith("section-template")]
    chosen = ["notebooks/00-section-template", sections[0] if sections else None,
              next((e for e in entries if e.endswith("/glossary")), None)]
    return [f"{entry}.html" for entry in chosen if entry]


class FileGuard(PageGuard):
    """Like the lead's PageGuard, but for file:// pages: only file: (and data:, blob:,
    about:) URLs are allowed; any http(s) request, even to 127.0.0.1, is recorded."""

    def on_request(self, request):
        if urlparse(request.url).scheme not in ("file", "data", "blob", "about"):
            self.external_requests.append(request.url)


@pytest.fixture
def file_page(browser):
    context = browser.new_context()
    guard = FileGuard()
    context.route(
        "**/*",
        lambda route: route.continue_()
        if urlparse(route.request.url).scheme in ("file", "data", "blob", "about")
        else route.abort(),
    )
    page = context.new_page()
    page.on("request", guard.on_request)
    page.on("console", guard.on_console)
    page.on("pageerror", guard.on_page_error)
    yield page
    context.close()
    assert not guard.external_requests, f"requests that left the folder: {guard.external_requests}"
    assert not guard.console_errors, f"console errors: {guard.console_errors}"


@pytest.mark.browser
@pytest.mark.parametrize("page_path", _file_pages())
def test_page_works_from_the_file_system(file_page, built_book, page_path):
    html_file = built_book / page_path
    source = html_file.read_text(encoding="utf-8")
    file_page.goto(html_file.as_uri())
    wait_until_rendered(file_page)  # waits for every quiz, chart and widget the page has
    assert file_page.locator("main article h1").count() == 1
    if "course-quiz" in source:
        assert file_page.locator(".course-quiz .MCButton, .course-quiz .Input-text").count() > 0
    if "altair-viz-" in source:
        assert file_page.locator(".vega-embed svg, .vega-embed canvas").count() > 0
    if "application/vnd.jupyter.widget-view+json" in source:
        assert file_page.locator(".jupyter-widgets").count() > 0
    if page_path.endswith("section-template.html"):
        # The template shows every kind of interactive part; all must work from a folder.
        for selector in (".course-quiz .MCButton", ".vega-embed svg, .vega-embed canvas",
                         ".jupyter-widgets", ".plotly-graph-div .main-svg"):
            assert file_page.locator(selector).count() > 0, f"template: nothing matches {selector}"
    if page_path.endswith("/glossary.html"):
        assert file_page.locator("dl.glossary dt").count() >= 50


@pytest.mark.browser
def test_search_finds_pages_offline(page, book_url):
    page.goto(book_url + "search.html")
    box = page.locator("input[name=q]:visible").first  # the search page's own box
    box.fill("Medi-Cal")
    box.press("Enter")
    page.wait_for_url("**/search.html?q=Medi-Cal*")
    page.wait_for_selector("#search-results li", timeout=15000)
    results = page.locator("#search-results li")
    assert results.count() > 0
    assert page.locator("#search-results li a[href*='intro.html']").count() >= 1
