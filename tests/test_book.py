"""The book builds strictly, and every built page is complete and self-contained."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from calaim_course.pdf import wait_until_rendered

ROOT = Path(__file__).resolve().parents[1]


def toc_files() -> list[str]:
    """Every document named in _toc.yml, as a path without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            files.append(chapter["file"])
            files.extend(section["file"] for section in chapter.get("sections", []))
    return files


def test_every_notebook_is_in_the_toc_and_every_toc_entry_exists():
    listed = set(toc_files())
    notebooks = {f"notebooks/{p.stem}" for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert notebooks <= listed, f"notebooks missing from _toc.yml: {sorted(notebooks - listed)}"
    for entry in listed:
        candidates = [ROOT / f"{entry}{suffix}" for suffix in (".md", ".ipynb")]
        assert any(c.exists() for c in candidates), f"_toc.yml names {entry}, which does not exist"


@pytest.mark.book
def test_strict_build_has_no_warnings(built_book):
    log = (built_book.parents[1] / "build.log").read_text()
    assert "WARNING" not in log, log[-3000:]
    for entry in toc_files():
        assert (built_book / f"{entry}.html").exists(), f"{entry} was not built"


@pytest.mark.book
def test_built_pages_reference_no_other_host_in_scripts_styles_or_fonts(built_book):
    # Links to sources are fine; anything the browser loads by itself is not.
    loaded = re.compile(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(https?:)?//', re.I)
    for page in built_book.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        match = loaded.search(text)
        assert not match, f"{page.relative_to(built_book)} loads from another host: {match.group(0)}"


def _pages() -> list[str]:
    return [f"{entry}.html" for entry in toc_files()]


@pytest.mark.browser
@pytest.mark.parametrize("page_path", _pages())
def test_page_opens_offline_with_its_heading(page, book_url, page_path):
    """Each page: no request to another host, no console error (the fixture checks),
    exactly one main heading."""
    page.goto(book_url + page_path, wait_until="load")
    wait_until_rendered(page)  # every chart and widget drawn, so any request they make is seen
    headings = page.locator("main article h1")  # the theme adds a print-only copy elsewhere
    assert headings.count() == 1, f"{page_path}: expected one h1, found {headings.count()}"
    assert headings.first.inner_text().strip()


@pytest.mark.browser
def test_template_page_renders_charts_and_widget_offline(page, book_url):
    page.goto(book_url + "notebooks/00-section-template.html", wait_until="load")
    page.wait_for_selector(".vega-embed svg, .vega-embed canvas", timeout=15000)
    page.wait_for_selector(".plotly-graph-div .main-svg", timeout=15000)
    page.wait_for_selector(".jupyter-widgets", timeout=15000)
    # The Altair legend selection is client-side: clicking an entry dims the other bars.
    assert page.locator(".vega-embed").count() >= 1
