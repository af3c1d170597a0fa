"""Quiz banks, their checks, the quiz output and the facilitators' answer key."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from calaim_course import quiz
from calaim_course.errors import CourseInputError
from calaim_course.quiz import (
    ANSWER_KEY_PATH,
    MIN_QUESTIONS,
    QuizBankError,
    bank_files,
    container_id,
    load_bank,
    quiz_html,
    read_bank,
    render_answer_key,
    validate_all,
    validate_bank,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "quizzes"
NOTEBOOKS = ROOT / "notebooks"
BANKS = [p.stem for p in bank_files()]
TEMPLATE = "00-section-template"


# --------------------------------------------------------------------------- the real banks


def test_every_bank_validates():
    problems = validate_all()
    assert not problems, "quiz bank problems:\n" + "\n".join(map(str, problems))


def test_there_is_a_template_bank():
    assert TEMPLATE in BANKS


@pytest.mark.parametrize("name", BANKS)
def test_every_source_is_https(name):
    for question in read_bank(name).questions:
        url = urlparse(question["source"])
        assert url.scheme == "https" and "." in url.netloc, f"{name}, {question['id']}: {question['source']}"


@pytest.mark.parametrize("name", BANKS)
def test_section_bank_has_enough_questions_once_its_notebook_exists(name):
    if not (NOTEBOOKS / f"{name}.ipynb").exists():
        pytest.skip(f"notebooks/{name}.ipynb does not exist yet")
    assert len(read_bank(name).questions) >= MIN_QUESTIONS


def test_template_bank_mixes_all_three_types():
    kinds = [q["type"] for q in load_bank(TEMPLATE).questions]
    assert len(kinds) >= MIN_QUESTIONS
    assert {"multiple_choice", "many_choice", "numeric"} <= set(kinds)


# --------------------------------------------------------------------------- broken banks

# Each fixture, and every problem its validation must report, in the documented format.
F = "tests/fixtures/quizzes"
BROKEN = {
    "84-no-id": [f"{F}/84-no-id.yaml, question #1: 'id' is missing"],
    "85-section-mismatch": [f"{F}/85-section-mismatch.yaml, top level: section is 3 but the file name starts with 85"],
    "86-unreachable-numeric": [
        f"{F}/86-unreachable-numeric.yaml, question s86-q01, answer 2: can never be reached: "
        "answer 1 already matches 42 (jupyterquiz uses the first entry that matches)",
        f"{F}/86-unreachable-numeric.yaml, question s86-q01, answer 3: "
        "range [500, 200] must have its low end first and below its high end",
    ],
    "87-duplicate-key": [f"{F}/87-duplicate-key.yaml, line 16: not valid YAML: the key 'feedback' is given twice"],
    "88-bad-yaml": [f"{F}/88-bad-yaml.yaml, line 9: not valid YAML: expected ',' or ']', but got '<stream end>'"],
    "89-math": [
        f"{F}/89-math.yaml, question s89-q01: the question contains math (\\(, \\[ or $$); write it in "
        "words: math makes JupyterLab fetch MathJax from the internet"
    ],
    "90-mc-two-correct": [f"{F}/90-mc-two-correct.yaml, question s90-q01: multiple_choice needs exactly one correct answer; found 2"],
    "91-many-none-correct": [f"{F}/91-many-none-correct.yaml, question s91-q01: many_choice needs at least one correct answer"],
    "92-numeric-no-right": [f"{F}/92-numeric-no-right.yaml, question s92-q01: numeric needs a value or range marked correct: true"],
    "93-missing-feedback": [f"{F}/93-missing-feedback.yaml, question s93-q01, answer 2: 'feedback' is missing"],
    "94-http-source": [
        f"{F}/94-http-source.yaml, question s94-q01: 'source' must be an https URL of the fact tested; "
        "found 'http://example.org/fact'"
    ],
    "95-unknown-objective": [f"{F}/95-unknown-objective.yaml, question s95-q01: objective 'O9' is not a key of objectives (O1)"],
    "96-duplicates": [
        f"{F}/96-duplicates.yaml, question s96-q01: id 's96-q01' is used twice in this bank",
        f"{F}/96-duplicates.yaml, question s96-q01: same question text as question #1 (s96-q01)",
    ],
    "97-too-few": [
        f"{F}/97-too-few.yaml, top level: has 2 questions; a section with a notebook needs at least 8 (authors aim for 10)"
    ],
    "98-wrong-types": [
        f"{F}/98-wrong-types.yaml, question s98-q01: 'type' must be one of multiple_choice, many_choice, numeric; "
        "found 'multiple-choice'",
        f"{F}/98-wrong-types.yaml, question s98-q02, answer 2: 'feedback' is missing",
        f"{F}/98-wrong-types.yaml, question s98-q02, answer 2: unknown key 'feedbak' "
        "(allowed here: answer, correct, feedback, code)",
        f"{F}/98-wrong-types.yaml, question s98-q02, answer 2: 'answer' should be text, found False "
        "(put the text in quotes: YAML reads yes, no, dates and numbers as other types)",
    ],
}


def test_every_fixture_has_expectations():
    assert sorted(BROKEN) == sorted(p.stem for p in FIXTURES.glob("*.yaml"))


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_bank_reports_file_question_and_problem(name):
    problems = [str(p) for p in validate_bank(FIXTURES / f"{name}.yaml", notebooks_dir=FIXTURES)]
    assert sorted(problems) == sorted(BROKEN[name])


def test_load_bank_raises_one_error_with_every_problem():
    with pytest.raises(QuizBankError) as caught:
        load_bank(FIXTURES / "98-wrong-types.yaml")
    error = caught.value
    assert isinstance(error, CourseInputError)
    assert len(error.problems) == 4
    assert str(error).splitlines() == [str(p) for p in error.problems]


def test_too_few_questions_only_counts_once_the_notebook_exists():
    assert validate_bank(FIXTURES / "97-too-few.yaml", notebooks_dir=None) == []


def test_duplicates_across_banks_are_reported():
    problems = [str(p) for p in validate_all(FIXTURES / "cross", notebooks_dir=None)]
    assert problems == [
        f"{F}/cross/81-second.yaml, question shared-q01: id 'shared-q01' is also used in "
        f"{F}/cross/80-first.yaml; ids must be unique across all banks",
        f"{F}/cross/81-second.yaml, question shared-q01: the same question text is in {F}/cross/80-first.yaml",
    ]


def test_unknown_bank_name_lists_the_banks():
    with pytest.raises(QuizBankError, match=r"no such quiz bank \(banks in data/quizzes: .*00-section-template"):
        load_bank("99-no-such-section")


def test_check_command_exit_codes(capsys):
    assert quiz.main(["check"]) == 0
    assert "quiz banks are valid" in capsys.readouterr().out
    assert quiz.main(["check", "--quiz-dir", str(FIXTURES / "cross")]) == 1
    err = capsys.readouterr().err
    assert "81-second.yaml, question shared-q01: id 'shared-q01' is also used in" in err


# --------------------------------------------------------------------------- rendering


def test_show_quiz_output_is_deterministic():
    assert quiz_html(TEMPLATE) == quiz_html(TEMPLATE)


def test_show_quiz_output_does_not_depend_on_the_process():
    """Same bytes from fresh interpreters with different hash seeds (what nbval sees)."""
    code = (
        "import hashlib; from calaim_course.quiz import quiz_html; "
        f"h, j = quiz_html({TEMPLATE!r}); print(hashlib.sha256((h + j).encode()).hexdigest())"
    )
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        digests.add(result.stdout.strip())
    markup, script = quiz_html(TEMPLATE)
    assert digests == {hashlib.sha256((markup + script).encode()).hexdigest()}


def test_container_id_comes_from_the_bank_name():
    markup, script = quiz_html(TEMPLATE)
    cid = container_id(TEMPLATE)
    assert cid == "quiz_00_section_template"
    assert f'id="{cid}"' in markup
    assert f"show_questions(questions{cid}, {cid})" in script
    # jupyterquiz's random container id is 12 letters; none may be left.
    assert not re.search(r'id="[A-Za-z]{12}"', markup)


def test_quiz_makes_no_request_and_never_calls_mathjax():
    markup, script = quiz_html(TEMPLATE)
    assert "typeof MathJax" not in script
    assert not re.search(r"""(src|href)=["']?https?:""", markup)
    assert "fetch(" not in script and "XMLHttpRequest" not in script


def test_jupyterquiz_json_keeps_order_drops_our_keys_and_escapes_text(tmp_path):
    bank = load_bank(TEMPLATE)
    questions = quiz.jupyterquiz_questions(bank)
    assert len(questions) == len(bank.questions)
    for ours, theirs in zip(bank.questions, questions):
        assert set(theirs) <= {"type", "question", "answers", "precision", "code", "answer_cols"}
        assert theirs["type"] == ours["type"]
        assert html.unescape(theirs["question"]).startswith(" ".join(ours["question"].split()))
        assert [html.unescape(a["feedback"]) for a in theirs["answers"]] == [
            " ".join(a["feedback"].split()) for a in ours["answers"]
        ]
    # Markup characters are escaped, "$" cannot start math, precision 0 is dropped.
    special = {
        "type": "numeric", "question": "Is <b>5</b> & $3 less?", "precision": 0,
        "answers": [{"type": "value", "value": 1, "correct": True, "feedback": "Yes & $1."}],
    }
    converted = quiz.jupyterquiz_questions(quiz.Bank("x", tmp_path / "x.yaml", {"questions": [special]}))[0]
    assert converted["question"].startswith("Is &lt;b&gt;5&lt;/b&gt; &amp; &#36;3 less?")
    assert converted["answers"][0]["feedback"] == "Yes &amp; &#36;1."
    assert "precision" not in converted


def test_print_copy_has_every_question_and_option_but_no_answers():
    bank = load_bank(TEMPLATE)
    markup, _ = quiz_html(TEMPLATE)
    printed = re.search(r'<div class="quiz-print" hidden>(.*?)\n</div>', markup, re.S)
    assert printed, "the printable copy must be hidden on screen (hidden attribute)"
    text = html.unescape(re.sub(r"<[^>]+>", " ", printed.group(1)))
    text = " ".join(text.split())
    for question in bank.questions:
        assert " ".join(question["question"].split()) in text
        for answer in question["answers"]:
            if "answer" in answer:
                assert " ".join(answer["answer"].split()) in text
            assert " ".join(answer["feedback"].split()) not in text
    assert "correct" not in printed.group(1).lower()


def test_show_quiz_displays_the_html_then_the_script(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    quiz.show_quiz(TEMPLATE)
    markup, script = quiz_html(TEMPLATE)
    assert [type(o).__name__ for o in shown] == ["HTML", "Javascript"]
    assert shown[0].data == markup and shown[1].data == script


def test_show_quiz_refuses_a_broken_bank():
    with pytest.raises(QuizBankError, match="multiple_choice needs exactly one correct answer"):
        quiz_html(str(FIXTURES / "90-mc-two-correct.yaml"))


def _stored_quiz_outputs():
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
        for cell in cells:
            for output in cell.get("outputs", []):
                markup = output.get("data", {}).get("text/html", "")
                markup = "".join(markup) if isinstance(markup, list) else markup
                found = re.search(r'class="course-quiz" data-quiz-bank="([^"]+)"', markup)
                if found:
                    yield pytest.param(notebook.name, found.group(1), markup, id=notebook.stem)


@pytest.mark.parametrize(("notebook", "bank", "stored"), list(_stored_quiz_outputs()))
def test_stored_quiz_output_matches_its_bank(notebook, bank, stored):
    """A bank changed without `make outputs` shows a stale quiz in the book."""
    assert stored == quiz_html(bank)[0], f"{notebook}: run make outputs NB=notebooks/{notebook}"


# --------------------------------------------------------------------------- answer key


def test_answer_key_is_up_to_date():
    assert ANSWER_KEY_PATH.read_text(encoding="utf-8") == render_answer_key(), (
        "book/answer-key.md is stale: run  python -m calaim_course.quiz answer-key"
    )


def test_answer_key_has_every_question_answer_feedback_and_source():
    key = render_answer_key()
    assert key.count("\n# ") + key.startswith("# ") == 1, "one H1"
    for name in BANKS:
        bank = load_bank(name, notebooks_dir=None)
        for question in bank.questions:
            section = key.split(f"### Question {question['id']}\n", 1)[1].split("\n### ", 1)[0]
            assert f"]({question['source']})" in section
            assert f"**Objective:** {question['objective']}." in section
            for answer in question["answers"]:
                feedback = quiz._md(answer["feedback"])
                assert f"Feedback: {feedback}" in section
            right = [a for a in question["answers"] if a.get("correct")]
            assert section.count("**Right:**") == len(right)


# --------------------------------------------------------------------------- fast YAML parsing
@pytest.mark.parametrize("path", [*bank_files(), *sorted(FIXTURES.glob("*.yaml"))], ids=lambda p: p.stem)
def test_fast_yaml_loader_reads_every_bank_like_the_pure_python_one(path):
    import yaml

    text = path.read_text(encoding="utf-8")
    try:
        expected = ("data", yaml.load(text, Loader=quiz._StrictLoader))
    except yaml.YAMLError as error:
        expected = ("error", str(error))
    try:
        found = ("data", quiz._parse_yaml(text))
    except yaml.YAMLError as error:
        found = ("error", str(error))
    assert found == expected


def test_fast_yaml_loader_refuses_a_key_given_twice():
    import yaml

    with pytest.raises(yaml.constructor.ConstructorError, match="given twice"):
        yaml.load("a: 1\nb: 2\na: 3\n", Loader=quiz._FastStrictLoader)
