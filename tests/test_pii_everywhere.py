"""The PII scan over everything a learner can see: notebook outputs and saved widget
state, every page of the built book, and the PDF when the course has one.

tests/test_pii_scan.py already scans ``data/`` and the notebooks' outputs; this file adds
what those scans do not reach: the widget state saved in each notebook (the book renders
it), the built HTML pages (text and inline scripts, tags stripped) and the PDF.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from calaim_course.pii_scan import scan_text

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
_TAG = re.compile(r"<[^>]+>")


def page_text(markup: str) -> str:
    """An HTML page's text: tags removed, entities decoded. Script and style contents
    are kept on purpose: saved widget state and chart data live in scripts."""
    text = _TAG.sub("\n", markup)
    return html.unescape(text)


def widget_state_text(path: Path) -> str:
    """The widget state a notebook saved (what the book shows for its widgets)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return json.dumps(notebook.get("metadata", {}).get("widgets", {}), ensure_ascii=False, indent=0)


def test_page_text_keeps_visible_text_and_script_data_but_not_tags():
    markup = ('<p title="x">Call <b>916-555-1234</b></p><script type="application/json">'
              '{"value": "a@gmail.com"}</script><a href="mailto:ok@example.org">ok@example.org</a>')
    text = page_text(markup)
    assert "916-555-1234" in text and "a@gmail.com" in text and "<b>" not in text
    found = {f.value for f in scan_text(text, "probe")}
    assert found == {"916-555-1234", "a@gmail.com"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_saved_widget_state_has_no_pii_look_alikes(path):
    findings = scan_text(widget_state_text(path), f"{path.name} widget state")
    assert findings == [], "\n".join(map(str, findings))


@pytest.mark.book
def test_every_built_page_has_no_pii_look_alikes(built_book):
    pages = sorted(built_book.rglob("*.html"))
    assert pages, "the build made no pages"
    findings = []
    for page in pages:
        findings += scan_text(page_text(page.read_text(encoding="utf-8", errors="replace")),
                              str(page.relative_to(built_book)))
    assert findings == [], "\n".join(map(str, findings[:50]))


# The printed PDF is scanned in tests/test_pdf.py, which prints the course once per run.
