"""The quizzes in the built book, driven in headless Chromium (Debian's, through Playwright).

The ``page`` fixture (tests/conftest.py) fails a test on any request to another host and
on any console error, so every test here also checks that the quiz works offline.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from calaim_course.quiz import MARKDOWN_LINK, container_id, load_bank

pytestmark = pytest.mark.browser

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
TEMPLATE = "00-section-template"
QUESTION_COUNT_TIMEOUT = 15_000  # ms; jupyterquiz draws the quiz after the page loads


def _shown(text: str) -> str:
    """A bank text as the browser shows it: Markdown links reduced to their words."""
    return " ".join(MARKDOWN_LINK.sub(r"\1", text).split())


def _exact(text: str) -> re.Pattern:
    return re.compile(r"^\s*" + re.escape(_shown(text)) + r"\s*$")


def _open_quiz(page, book_url: str, page_path: str, bank_name: str):
    """Load a page and wait until every question is drawn and improved by quiz.js."""
    bank = load_bank(bank_name)
    page.goto(book_url + page_path)
    quiz = page.locator(f"#{container_id(bank_name)}")
    questions = quiz.locator(":scope > .Quiz[data-course-a11y]")
    page.wait_for_function(
        "([id, n]) => document.querySelectorAll('#' + id + ' > .Quiz[data-course-a11y]').length === n",
        arg=[container_id(bank_name), len(bank.questions)],
        timeout=QUESTION_COUNT_TIMEOUT,
    )
    return bank, questions


def _after_content(locator) -> str:
    return locator.evaluate("el => getComputedStyle(el, '::after').content")


def _expected_numeric(question: dict, typed: float) -> tuple[bool, str]:
    """What jupyterquiz answers to a typed number: the first entry that matches wins."""
    default = "Incorrect. Try again."
    for entry in question["answers"]:
        if entry["type"] == "value" and typed == entry["value"]:
            return entry["correct"], entry["feedback"]
        if entry["type"] == "range" and entry["range"][0] <= typed < entry["range"][1]:
            return entry["correct"], entry["feedback"]
        if entry["type"] == "default":
            default = entry["feedback"]
    return False, default


def _numeric_input(question: dict, right: bool) -> float:
    """A number to type for a right (or a wrong) answer to a numeric question."""
    for entry in question["answers"]:
        if entry["type"] == "value" and entry["correct"] is right:
            return entry["value"]
        if entry["type"] == "range" and entry["correct"] is right:
            return entry["range"][0]
    assert not right, f"{question['id']} has no right value or range"
    # Only a default entry is wrong: find a number no right entry matches.
    candidate = max([e.get("value", 0) for e in question["answers"]] + [0]) + 1000
    while _expected_numeric(question, candidate)[0]:
        candidate += 1000
    return candidate


def _answer_and_check(wrapper, question: dict, right: bool) -> None:
    """Answer one question by mouse, rightly or wrongly, and check the feedback shown."""
    feedback = wrapper.locator(".Feedback")
    if question["type"] == "numeric":
        typed = _numeric_input(question, right)
        box = wrapper.locator("input.Input-text")
        box.click()
        box.type(f"{typed:g}")
        box.press("Enter")
        is_right, expected = _expected_numeric(question, typed)
        assert is_right is right
    else:
        options = [a for a in question["answers"] if a["correct"] is right]
        assert options, f"{question['id']} has no {'right' if right else 'wrong'} option"
        option = wrapper.locator(".MCButton", has_text=_exact(options[0]["answer"]))
        option.click()
        expected = options[0]["feedback"]
        correct_count = sum(a["correct"] for a in question["answers"])
        marker = "Correct" if right else "Not quite"
        assert marker in _after_content(option), "the chosen option must say right or wrong in words"
    verdict = "correct" if right else "incorrect"
    expect_class = re.compile(rf"\b{verdict}\b")
    from playwright.sync_api import expect

    expect(feedback).to_have_class(expect_class)
    text = feedback.inner_text()
    assert _shown(expected) in " ".join(text.split())
    before = feedback.evaluate("el => getComputedStyle(el, '::before').content")
    assert ("Correct:" if right else "Not quite:") in before, "feedback must say right or wrong in words"
    if question["type"] == "many_choice" and correct_count > 1:
        assert text.rstrip().endswith(f"[{1 if right else 0}/{correct_count}]")


# --------------------------------------------------------------------------- template page


def test_template_quiz_by_mouse_right_and_wrong(page, book_url):
    bank, questions = _open_quiz(page, book_url, f"notebooks/{TEMPLATE}.html", TEMPLATE)
    mc = [i for i, q in enumerate(bank.questions) if q["type"] == "multiple_choice"]
    first, second = mc[0], mc[1]

    _answer_and_check(questions.nth(first), bank.questions[first], right=True)
    _answer_and_check(questions.nth(second), bank.questions[second], right=False)
    # Answering one question leaves the others alone.
    assert questions.nth(mc[2]).locator(".Feedback").inner_text().strip() == ""


def test_template_quiz_each_type_right_and_wrong(page, book_url):
    bank, questions = _open_quiz(page, book_url, f"notebooks/{TEMPLATE}.html", TEMPLATE)
    for kind in ("many_choice", "numeric"):
        index = next(i for i, q in enumerate(bank.questions) if q["type"] == kind)
        _answer_and_check(questions.nth(index), bank.questions[index], right=False)
        _answer_and_check(questions.nth(index), bank.questions[index], right=True)


def _tab_to(page, selector: str, limit: int = 400) -> None:
    """Press Tab until the element matching ``selector`` has focus (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _live_text(wrapper) -> str:
    from playwright.sync_api import expect

    live = wrapper.locator(".quiz-live[aria-live=polite][role=status]")
    expect(live).to_have_count(1)
    expect(live).not_to_have_text("", timeout=5_000)
    return " ".join(live.inner_text().split())


def test_template_quiz_by_keyboard_alone(page, book_url):
    from playwright.sync_api import expect

    bank, questions = _open_quiz(page, book_url, f"notebooks/{TEMPLATE}.html", TEMPLATE)
    cid = container_id(TEMPLATE)
    index = next(i for i, q in enumerate(bank.questions) if q["type"] == "multiple_choice")
    question = bank.questions[index]
    wrapper = questions.nth(index)
    feedback = wrapper.locator(".Feedback")
    right = next(n for n, a in enumerate(question["answers"]) if a["correct"])
    wrong = next(n for n, a in enumerate(question["answers"]) if not a["correct"])

    # Tab from the top of the page to the question's first option.
    _tab_to(page, f"#{cid} > .Quiz[data-qnum='{index}'] .MCButton")
    options = wrapper.locator(".MCButton")
    expect(options.nth(0)).to_be_focused()
    ring = options.nth(0).evaluate("el => [getComputedStyle(el).outlineStyle, getComputedStyle(el).outlineWidth]")
    assert ring == ["solid", "3px"], f"no visible focus ring on the focused answer: {ring}"

    # Moving between options, with Tab and with the arrow keys, never answers.
    for _ in range(len(question["answers"]) - 1):
        page.keyboard.press("Tab")
    expect(options.nth(len(question["answers"]) - 1)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(options.nth(0)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(options.nth(len(question["answers"]) - 1)).to_be_focused()
    assert feedback.inner_text().strip() == ""
    assert wrapper.locator(".correctButton, .incorrectButton").count() == 0

    # Go to the right option with the arrow keys and answer with Enter.
    page.keyboard.press("Home")
    for _ in range(right):
        page.keyboard.press("ArrowDown")
    expect(options.nth(right)).to_be_focused()
    page.keyboard.press("Enter")
    expect(feedback).to_have_class(re.compile(r"\bcorrect\b"))
    assert _live_text(wrapper) == f"Correct. {_shown(question['answers'][right]['feedback'])}"

    # Then a wrong option, answered with Space.
    page.keyboard.press("Home")
    for _ in range(wrong):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(feedback).to_have_class(re.compile(r"\bincorrect\b"))
    expect(wrapper.locator(".quiz-live")).to_have_text(
        f"Not quite. {_shown(question['answers'][wrong]['feedback'])}"
    )

    # A numeric question: Tab into its box, type, Enter.
    n_index = next(i for i, q in enumerate(bank.questions) if q["type"] == "numeric")
    n_question = bank.questions[n_index]
    _tab_to(page, f"#{cid} > .Quiz[data-qnum='{n_index}'] input.Input-text")
    value = _numeric_input(n_question, right=True)
    page.keyboard.type(f"{value:g}")
    page.keyboard.press("Enter")
    _, expected = _expected_numeric(n_question, value)
    assert _live_text(questions.nth(n_index)) == f"Correct. {_shown(expected)}"


def test_template_quiz_prints_questions_without_answers(page, book_url):
    bank, questions = _open_quiz(page, book_url, f"notebooks/{TEMPLATE}.html", TEMPLATE)
    cid = container_id(TEMPLATE)
    # Answer one question first: its feedback must not reach the paper either.
    _answer_and_check(questions.nth(0), bank.questions[0], right=True)
    block = page.locator(f".course-quiz[data-quiz-bank='{TEMPLATE}']")
    printed = block.locator(".quiz-print")
    assert not printed.is_visible(), "the printable copy must stay hidden on screen"

    page.emulate_media(media="print")
    assert printed.is_visible()
    assert not page.locator(f"#{cid}").is_visible()
    text = " ".join(block.inner_text().split())
    items = printed.locator(".quiz-print-questions > li")
    assert items.count() == len(bank.questions)
    for number, question in enumerate(bank.questions):
        item = " ".join(items.nth(number).inner_text().split())
        assert _shown(question["question"]) in item
        if question["type"] == "numeric":
            assert "Your answer:" in item
        else:
            shown_options = items.nth(number).locator(".quiz-print-options > li").all_inner_texts()
            assert [" ".join(o.split()) for o in shown_options] == [_shown(a["answer"]) for a in question["answers"]]
        for answer in question["answers"]:
            assert _shown(answer["feedback"]) not in text, "feedback (the answers) must not print"
    assert "Correct" not in text and "Not quite" not in text


# --------------------------------------------------------------------------- every section page


QUIZ_MARK = re.compile(r'class="course-quiz" data-quiz-bank="([^"]+)"')


def _quiz_notebooks() -> list[tuple[str, str]]:
    """(page path, bank name) for every notebook whose stored output holds a course quiz."""
    found = set()
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        content = json.loads(notebook.read_text(encoding="utf-8"))
        for cell in content.get("cells", []):
            for output in cell.get("outputs", []):
                markup = output.get("data", {}).get("text/html", "")
                markup = "".join(markup) if isinstance(markup, list) else markup
                for bank in QUIZ_MARK.findall(markup):
                    found.add((f"notebooks/{notebook.stem}.html", bank))
    return sorted(found)


def test_every_built_page_with_a_quiz_is_tested(built_book):
    """The parametrised test below covers exactly the built pages that contain a quiz."""
    in_html = set()
    for page_file in Path(built_book).rglob("*.html"):
        for bank in QUIZ_MARK.findall(page_file.read_text(encoding="utf-8")):
            in_html.add((page_file.relative_to(built_book).as_posix(), bank))
    assert in_html, "no page of the built book shows a quiz"
    assert in_html == set(_quiz_notebooks())


@pytest.mark.parametrize(("page_path", "bank_name"), _quiz_notebooks())
def test_section_quiz_right_and_wrong(page, book_url, page_path, bank_name):
    bank, questions = _open_quiz(page, book_url, page_path, bank_name)
    assert len(bank.questions) >= 2
    _answer_and_check(questions.nth(0), bank.questions[0], right=True)
    _answer_and_check(questions.nth(1), bank.questions[1], right=False)
