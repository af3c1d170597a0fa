"""`make pdf`: the printed course has a title page, every page's title, page numbers,
and no blank page."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from calaim_course import pdf
from test_book import toc_files

ROOT = Path(__file__).resolve().parents[1]
LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}


def squash(text: str) -> str:
    """Text with ligatures spelled out and no whitespace (PDF text breaks lines anywhere)."""
    for ligature, letters in LIGATURES.items():
        text = text.replace(ligature, letters)
    return re.sub(r"\s+", "", text).replace("\u2019", "'")


def page_titles(built_book) -> dict[str, str]:
    titles = {}
    for entry in toc_files():
        soup = BeautifulSoup((built_book / f"{entry}.html").read_text(encoding="utf-8"), "html.parser")
        heading = soup.select_one("main article h1")
        for anchor in heading.select("a.headerlink"):
            anchor.decompose()
        titles[entry] = heading.get_text(" ", strip=True)
    return titles


@pytest.fixture(scope="module")
def editions(built_book, tmp_path_factory) -> dict[str, PdfReader]:
    """Both editions, as `make pdf` writes them."""
    if not pdf.CHROMIUM.exists():
        pytest.skip("Chromium not found")
    folder = tmp_path_factory.mktemp("pdf")
    out, learner_out = folder / "course.pdf", folder / "course-learner.pdf"
    # A separate process, as `make pdf` runs it: Playwright's sync API cannot start a
    # second time inside a worker whose session browser fixture is already running.
    result = subprocess.run(
        [sys.executable, "-m", "calaim_course.pdf", "--html", str(built_book), "--out", str(out),
         "--root", str(ROOT), "--learner-out", str(learner_out)],
        capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return {"full": PdfReader(str(out)), "learner": PdfReader(str(learner_out))}


@pytest.fixture(scope="module")
def printed(editions) -> PdfReader:
    return editions["full"]


@pytest.fixture(scope="module")
def page_texts(printed) -> list[str]:
    """Each printed page's text, extracted once (pypdf takes about 20 s for the course)."""
    return [page.extract_text() or "" for page in printed.pages]


@pytest.fixture(scope="module")
def learner_texts(editions) -> list[str]:
    return [page.extract_text() or "" for page in editions["learner"].pages]


def _in_order(texts: list[str], titles: dict[str, str]) -> None:
    texts = [squash(text) for text in texts]
    position = 0
    for entry, title in titles.items():
        wanted = squash(title)
        found = next((i for i in range(position, len(texts)) if wanted in texts[i]), None)
        assert found is not None, f"{entry}: its title {title!r} is not in the PDF after page {position + 1}"
        position = found


@pytest.mark.browser
def test_pdf_has_every_page_title_in_toc_order(page_texts, built_book):
    _in_order(page_texts, page_titles(built_book))


@pytest.mark.browser
def test_learner_edition_has_the_learner_pages_and_no_answer_key(learner_texts, page_texts, built_book):
    titles = page_titles(built_book)
    learner = pdf.learner_files(ROOT)
    assert "notebooks/11-policy-considerations" in learner and "book/glossary" in learner
    _in_order(learner_texts, {entry: titles[entry] for entry in learner})
    text = squash("".join(learner_texts))
    for entry in ("book/answer-key", "book/facilitators/guide", "book/facilitators/03-closed-loop-referrals"):
        assert entry not in learner
        assert squash(titles[entry]) not in text, f"{entry} is in the learner edition"
    assert squash("Learner edition") in squash(learner_texts[0])
    assert squash("Complete edition") in squash(page_texts[0])
    total = len(learner_texts)
    assert total < len(page_texts)
    assert squash(f"Page {total} of {total}") in squash(learner_texts[-1])


def test_learner_edition_names_the_part_it_leaves_out(tmp_path):
    # A renamed part must stop the print with a clear message, not print answers to learners.
    (tmp_path / "_toc.yml").write_text((ROOT / "_toc.yml").read_text(encoding="utf-8").replace(
        pdf.FACILITATOR_PART, "For trainers"), encoding="utf-8")
    with pytest.raises(ValueError, match="no part captioned 'For facilitators and authors'"):
        pdf.learner_files(tmp_path)


@pytest.mark.browser
def test_pdf_title_page_and_page_numbers(page_texts):
    first = squash(page_texts[0])
    assert squash(pdf.course_title(ROOT)) in first
    assert squash(f"Content last reviewed: {pdf.last_reviewed(ROOT)}") in first
    total = len(page_texts)
    assert squash(f"Page 2 of {total}") in squash(page_texts[1])
    assert squash(f"Page {total} of {total}") in squash(page_texts[-1])


@pytest.mark.browser
def test_pdf_has_no_blank_page(printed, page_texts):
    total = len(printed.pages)
    blank = []
    for number, (page, page_text) in enumerate(zip(printed.pages, page_texts), start=1):
        text = squash(page_text).replace(squash(f"Page {number} of {total}"), "")
        if not text and not page.images:
            blank.append(number)
    assert not blank, f"blank pages: {blank}"


@pytest.mark.browser
def test_quizzes_print_as_questions_without_answers(browser, built_book):
    """Printed, a section's quiz shows its questions and options but no feedback (the
    facilitators' answer key prints answers on purpose, so one section is printed alone)."""
    import io

    entry = next(e for e in toc_files() if e.startswith("notebooks/")
                 and "quiz-print" in (built_book / f"{e}.html").read_text(encoding="utf-8"))
    html = (built_book / f"{entry}.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    questions = [q.get_text(" ", strip=True) for q in soup.select(".quiz-print .quiz-print-questions > li > p")][:3]
    options = [o.get_text(" ", strip=True) for o in soup.select(".quiz-print-options li")][:3]
    feedback = re.findall(r'"feedback":\s*"([^"\\]{40,70})', html)[:3]
    assert questions and options and feedback, f"{entry}: expected a quiz with questions, options and feedback"

    page = browser.new_page()
    page.goto((built_book / f"{entry}.html").as_uri())
    pdf.wait_until_rendered(page)
    text = squash("".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(page.pdf(format="Letter"))).pages))
    page.close()
    for item in questions + options:
        assert squash(item)[:60] in text, f"{entry}: quiz text not printed: {item!r}"
    for sentence in feedback:
        assert squash(sentence) not in text, f"{entry}: quiz feedback printed: {sentence!r}"


@pytest.mark.browser
def test_pdf_has_no_pii_look_alikes(page_texts, learner_texts):
    from calaim_course.pii_scan import scan_text

    text = "\n".join(page_texts + learner_texts[:1])  # the learner pages are the same printed pages
    assert text.strip(), "the PDF has no extractable text"
    findings = scan_text(text, "course.pdf")
    assert findings == [], "\n".join(map(str, findings[:50]))
