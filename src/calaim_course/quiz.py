"""Quiz banks: load and check them, show them with jupyterquiz, print them, make the answer key.

One YAML bank per section lives in ``data/quizzes/`` and is named like its notebook
(``01-medi-cal-calaim-background.yaml``). Its format is jupyterquiz's question format plus
``id``, ``objective`` and ``source`` on each question and ``section``, ``title`` and
``objectives`` at the top; ``data/quizzes/schema.json`` describes it.

In a notebook::

    from calaim_course.quiz import show_quiz
    show_quiz("01-medi-cal-calaim-background")

From a shell::

    python -m calaim_course.quiz check        # every bank, every problem at once
    python -m calaim_course.quiz answer-key   # regenerate book/answer-key.md

Why the rendering is ours and not ``jupyterquiz.display_quiz``: that function gives each
quiz a random id (noise for nbval and git) and shuffles answers in the browser. We call
its building blocks with an id derived from the bank's name, keep the authors' order,
and add a static copy of the questions that only shows when the page is printed.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import jsonschema
import yaml

from calaim_course.errors import CourseInputError

ROOT = Path(__file__).resolve().parents[2]
QUIZ_DIR = ROOT / "data" / "quizzes"
NOTEBOOK_DIR = ROOT / "notebooks"
SCHEMA_PATH = QUIZ_DIR / "schema.json"
ANSWER_KEY_PATH = ROOT / "book" / "answer-key.md"

# A section's bank needs this many questions once its notebook exists (authors aim for 10).
MIN_QUESTIONS = 8
BANK_NAME = re.compile(r"^(\d{2})-[a-z0-9]+(-[a-z0-9]+)*$")
# LaTeX delimiters: jupyterquiz would hand them to MathJax, which JupyterLab 4 then
# fetches from a CDN. A single "$" (an amount of money) is fine: we encode it.
MATH = re.compile(r"\\\(|\\\[|\$\$")
_MATHJAX_CHECK = re.compile(r"typeof\s*\(?\s*MathJax\s*\)?\s*!==?\s*['\"]undefined['\"]")
MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")

TYPE_NAMES = {
    "multiple_choice": "multiple choice (one right answer)",
    "many_choice": "many choice (every right answer must be chosen)",
    "numeric": "numeric (type a number)",
}
# Shown under each question, in the page and on paper, so the type is never told by colour.
HINTS = {
    "multiple_choice": "Choose one answer.",
    "many_choice": "Choose every answer that applies.",
    "numeric": "Type a number, then press Enter.",
}

# Colours passed to jupyterquiz: its defaults put white text on orange (3.2:1) and
# green (4.2:1), below the 4.5:1 that WCAG AA asks for. All pairs below are at least 6:1.
COLOURS = {
    "--jq-multiple-choice-bg": "#392061",
    "--jq-mc-button-bg": "#fafafa",
    "--jq-mc-button-border": "#6b6b6b",
    "--jq-mc-button-inset-shadow": "#555555",
    "--jq-many-choice-bg": "#8a3b00",
    "--jq-numeric-bg": "#1f5f99",
    "--jq-numeric-input-bg": "#ffffff",
    "--jq-numeric-input-label": "#101010",
    "--jq-numeric-input-shadow": "#999999",
    "--jq-string-bg": "#4c1a57",
    "--jq-incorrect-color": "#b3261e",
    "--jq-correct-color": "#1d6f32",
    "--jq-text-color": "#ffffff",
    "--jq-link-color": "#cfe0ff",
}


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bank: which file, where in it, and what."""

    file: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}, {self.where}: {self.message}"


class QuizBankError(CourseInputError):
    """One or more quiz banks are not valid; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        first = self.problems[0] if self.problems else Problem("quiz bank", "top level", "?")
        super().__init__(
            field=f"{first.file}, {first.where}",
            found=first.message,
            expected="a bank that follows data/quizzes/schema.json",
        )
        # The message is the list itself, one problem a line, in the documented format.
        self.args = ("\n".join(str(p) for p in self.problems),)

    def __str__(self) -> str:
        return self.args[0]


@dataclass(frozen=True)
class Bank:
    """A parsed bank. ``data`` is the YAML as read (checked only by ``validate_bank``)."""

    name: str
    path: Path
    data: Any

    @property
    def section(self) -> int:
        return self.data["section"]

    @property
    def title(self) -> str:
        return self.data["title"]

    @property
    def objectives(self) -> dict[str, str]:
        return self.data["objectives"]

    @property
    def questions(self) -> list[dict]:
        return self.data["questions"]


def _shown_path(path: Path) -> str:
    """The path as an author would type it: relative to the repository when inside it."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return path.name


# --------------------------------------------------------------------------- loading


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that refuses a key given twice (PyYAML would keep the last silently)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} is given twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


if getattr(yaml, "__with_libyaml__", False):
    class _FastStrictLoader(yaml.CSafeLoader):
        """The same loader with libyaml's C parser: about 10 times faster on a bank."""

    _FastStrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
else:  # PyYAML built without libyaml
    _FastStrictLoader = _StrictLoader


def _parse_yaml(text: str):
    """Parse with the fast loader; for a broken file, parse again with the pure-Python
    loader, whose error messages (and line numbers) are the ones the course shows."""
    try:
        return yaml.load(text, Loader=_FastStrictLoader)
    except yaml.YAMLError:
        return yaml.load(text, Loader=_StrictLoader)


def bank_path(name_or_path: str | Path) -> Path:
    """``"01-medi-cal-calaim-background"`` -> its file in data/quizzes; a path stays a path."""
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or "/" in text or text.endswith((".yaml", ".yml")):
        return Path(name_or_path)
    return QUIZ_DIR / f"{text}.yaml"


def read_bank(name_or_path: str | Path) -> Bank:
    """Parse a bank's YAML without checking it. Raises QuizBankError if it cannot be read."""
    path = bank_path(name_or_path)
    shown = _shown_path(path)
    if not path.is_file():
        available = ", ".join(p.stem for p in sorted(QUIZ_DIR.glob("*.yaml"))) or "none"
        raise QuizBankError(
            [Problem(shown, "file", f"no such quiz bank (banks in data/quizzes: {available})")]
        )
    try:
        data = _parse_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        reason = getattr(error, "problem", None) or str(error)
        raise QuizBankError([Problem(shown, where, f"not valid YAML: {reason}")]) from None
    return Bank(name=path.stem, path=path, data=data)


def load_bank(name_or_path: str | Path, notebooks_dir: Path | None = NOTEBOOK_DIR) -> Bank:
    """Read and check one bank; raise QuizBankError listing every problem found."""
    bank = read_bank(name_or_path)
    problems = bank_problems(bank, notebooks_dir=notebooks_dir)
    if problems:
        raise QuizBankError(problems)
    return bank


# --------------------------------------------------------------------------- checking


def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _where(data: Any, path: list) -> tuple[str, list]:
    """Turn a JSON path into "question s01-q03, answer 2" and the rest of the path."""
    if len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int):
        index = path[1]
        question = data["questions"][index]
        qid = question.get("id") if isinstance(question, dict) else None
        where = f"question {qid}" if isinstance(qid, str) and qid else f"question #{index + 1}"
        rest = path[2:]
        if len(rest) >= 2 and rest[0] == "answers" and isinstance(rest[1], int):
            where += f", answer {rest[1] + 1}"
            rest = rest[2:]
        return where, rest
    return "top level", list(path)


def _field(rest: list) -> str:
    names = [str(p) if isinstance(p, str) else f"item {p + 1}" for p in rest]
    return "'" + " ".join(names) + "'" if names else "this entry"


_TYPE_WORDS = {"string": "text", "integer": "a whole number", "number": "a number",
               "boolean": "true or false", "object": "a mapping of keys", "array": "a list"}


def _schema_message(error: jsonschema.ValidationError, rest: list) -> str:
    """A plain-language message for one schema error."""
    field = _field(rest)
    found = error.instance
    if error.validator == "required":
        key = re.search(r"'(.+?)' is a required property", error.message)
        return f"'{key.group(1) if key else error.message}' is missing"
    if error.validator == "additionalProperties":
        unknown = sorted(set(found) - set(error.schema.get("properties", {})))
        allowed = ", ".join(k for k in error.schema.get("properties", {}))
        return f"unknown key {', '.join(map(repr, unknown))} (allowed here: {allowed})"
    if error.validator is None and error.schema is False:  # a key forbidden for this type
        key = rest[-1] if rest else "?"
        only = "numeric" if key == "precision" else "multiple_choice and many_choice"
        return f"'{key}' is only allowed in {only} questions"
    if error.validator == "type":
        wanted = error.validator_value
        wanted = [wanted] if isinstance(wanted, str) else wanted
        message = f"{field} should be {' or '.join(_TYPE_WORDS.get(w, w) for w in wanted)}, found {found!r}"
        if "string" in wanted and not isinstance(found, (dict, list)):
            message += " (put the text in quotes: YAML reads yes, no, dates and numbers as other types)"
        return message
    if error.validator == "enum":
        allowed = ", ".join(map(str, error.validator_value))
        return f"{field} must be one of {allowed}; found {found!r}"
    if error.validator == "pattern":
        key = rest[-1] if rest else ""
        if key == "source":
            return f"'source' must be an https URL of the fact tested; found {found!r}"
        if key == "id":
            return f"'id' must use lower-case letters, digits and hyphens (like s01-q01); found {found!r}"
        return f"{field} must not be blank"
    if error.validator == "minLength":
        return f"{field} must not be empty"
    if error.validator == "minItems":
        if rest == ["answers"]:
            return f"needs at least {error.validator_value} answers; found {len(found)}"
        return f"{field} needs at least {error.validator_value} entries; found {len(found)}"
    if error.validator == "maxItems":
        return f"{field} may have at most {error.validator_value} entries; found {len(found)}"
    if error.validator == "propertyNames":
        return f"objective key {found!r} must look like O1, O2, O3"
    if error.validator == "minProperties":
        return f"{field} needs at least one entry"
    if error.validator in ("minimum", "maximum"):
        return f"{field} must be {'at least' if error.validator == 'minimum' else 'at most'} {error.validator_value}; found {found!r}"
    return f"{field}: {error.message}"


def _schema_problems(bank: Bank) -> list[Problem]:
    validator = jsonschema.Draft202012Validator(_schema())
    shown = _shown_path(bank.path)
    problems = []
    errors = sorted(validator.iter_errors(bank.data), key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        # if/then errors are reported by their leaves; the parent "allOf" adds nothing.
        if error.validator in ("allOf", "if"):
            continue
        path = list(error.absolute_path)
        if path[:1] == ["objectives"] and len(path) == 2 and error.validator == "pattern":
            path = ["objectives"]
        where, rest = _where(bank.data, path)
        problems.append(Problem(shown, where, _schema_message(error, rest)))
    return problems


def _number(value: float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _numeric_problems(question: dict, where: str) -> list[tuple[str, str]]:
    """(where, message) pairs for a numeric question's answers."""
    found: list[tuple[str, str]] = []
    answers = [a for a in question.get("answers", []) if isinstance(a, dict)]
    has_right = False
    defaults = 0
    earlier: list[tuple[int, str, Any]] = []  # (position, kind, value or range) already tried
    for position, answer in enumerate(question.get("answers", []), start=1):
        if not isinstance(answer, dict):
            continue
        kind = answer.get("type")
        here = f"{where}, answer {position}"
        if kind == "default":
            defaults += 1
            continue
        if kind == "value" and isinstance(answer.get("value"), (int, float)) and not isinstance(answer.get("value"), bool):
            value = answer["value"]
            has_right |= answer.get("correct") is True
            for before, before_kind, target in earlier:
                hit = value == target if before_kind == "value" else target[0] <= value < target[1]
                if hit:
                    found.append((here, f"can never be reached: answer {before} already matches {_number(value)} (jupyterquiz uses the first entry that matches)"))
                    break
            earlier.append((position, "value", value))
        elif kind == "range" and isinstance(answer.get("range"), list) and len(answer["range"]) == 2 \
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in answer["range"]):
            low, high = answer["range"]
            if not low < high:
                found.append((here, f"range [{_number(low)}, {_number(high)}] must have its low end first and below its high end"))
                continue
            has_right |= answer.get("correct") is True
            for before, before_kind, target in earlier:
                if before_kind == "range" and target[0] <= low and high <= target[1]:
                    found.append((here, f"can never be reached: answer {before}'s range already covers [{_number(low)}, {_number(high)})"))
                    break
            earlier.append((position, "range", (low, high)))
    if answers and not has_right:
        found.append((where, "numeric needs a value or range marked correct: true"))
    if defaults > 1:
        found.append((where, f"numeric may have one default answer; found {defaults}"))
    return found


def bank_problems(bank: Bank, notebooks_dir: Path | None = NOTEBOOK_DIR) -> list[Problem]:
    """Every problem in one bank: the schema, then rules a schema cannot express.

    ``notebooks_dir``: where to look for the section's notebook (the bank needs
    MIN_QUESTIONS questions once the notebook exists); None skips that rule.
    """
    shown = _shown_path(bank.path)
    data = bank.data
    if not isinstance(data, dict):
        return [Problem(shown, "top level", "the file must be a mapping with section, title, objectives and questions")]
    problems = _schema_problems(bank)

    def add(where: str, message: str) -> None:
        problems.append(Problem(shown, where, message))

    name = BANK_NAME.match(bank.name)
    if not name:
        add("file", "the file name must look like NN-short-slug.yaml, named like the section's notebook")
    elif isinstance(data.get("section"), int) and data["section"] != int(name.group(1)):
        add("top level", f"section is {data['section']} but the file name starts with {name.group(1)}")

    objectives = data.get("objectives") if isinstance(data.get("objectives"), dict) else {}
    questions = data.get("questions") if isinstance(data.get("questions"), list) else []
    seen_ids: dict[str, str] = {}
    seen_texts: dict[str, str] = {}
    for index, question in enumerate(questions):
        if not isinstance(question, dict):
            continue
        where, _ = _where(data, ["questions", index])
        qid = question.get("id")
        if isinstance(qid, str):
            if qid in seen_ids:
                add(where, f"id {qid!r} is used twice in this bank")
            seen_ids.setdefault(qid, where)
        text = question.get("question")
        if isinstance(text, str) and text.strip():
            key = _normalized(text)
            if key in seen_texts:
                add(where, f"same question text as {seen_texts[key]}")
            seen_texts.setdefault(key, f"question #{index + 1} ({qid})" if isinstance(qid, str) else f"question #{index + 1}")
        objective = question.get("objective")
        if isinstance(objective, str) and objectives and objective not in objectives:
            add(where, f"objective {objective!r} is not a key of objectives ({', '.join(objectives)})")
        for label, value in _texts(question):
            if MATH.search(value):
                add(where, f"{label} contains math (\\(, \\[ or $$); write it in words: math makes JupyterLab fetch MathJax from the internet")
        kind = question.get("type")
        answers = question.get("answers") if isinstance(question.get("answers"), list) else []
        choices = [a for a in answers if isinstance(a, dict)]
        right = sum(1 for a in choices if a.get("correct") is True)
        if kind == "multiple_choice" and choices and right != 1:
            add(where, f"multiple_choice needs exactly one correct answer; found {right}")
        elif kind == "many_choice" and choices and right < 1:
            add(where, "many_choice needs at least one correct answer")
        if kind in ("multiple_choice", "many_choice"):
            texts: dict[str, int] = {}
            for position, answer in enumerate(choices, start=1):
                if isinstance(answer.get("answer"), str):
                    key = _normalized(answer["answer"])
                    if key in texts:
                        add(f"{where}, answer {position}", f"same text as answer {texts[key]}")
                    texts.setdefault(key, position)
        if kind == "numeric":
            for here, message in _numeric_problems(question, where):
                add(here, message)

    if notebooks_dir is not None and name:
        notebook = Path(notebooks_dir) / f"{bank.name}.ipynb"
        if notebook.is_file() and len(questions) < MIN_QUESTIONS:
            add("top level", f"has {len(questions)} questions; a section with a notebook needs at least {MIN_QUESTIONS} (authors aim for 10)")
    return problems


def _normalized(text: str) -> str:
    return " ".join(text.split()).casefold()


def _texts(question: dict) -> Iterable[tuple[str, str]]:
    """Every learner-facing text of a question, with a label for messages."""
    if isinstance(question.get("question"), str):
        yield "the question", question["question"]
    for position, answer in enumerate(question.get("answers") or [], start=1):
        if isinstance(answer, dict):
            for key in ("answer", "feedback"):
                if isinstance(answer.get(key), str):
                    yield f"answer {position}'s {key}", answer[key]


def validate_bank(name_or_path: str | Path, notebooks_dir: Path | None = NOTEBOOK_DIR) -> list[Problem]:
    """The problems of one bank (an empty list when it is valid). Never raises for content."""
    try:
        bank = read_bank(name_or_path)
    except QuizBankError as error:
        return error.problems
    return bank_problems(bank, notebooks_dir=notebooks_dir)


def bank_files(quiz_dir: Path = QUIZ_DIR) -> list[Path]:
    """Every bank file, in section order (file names start with the section number)."""
    quiz_dir = Path(quiz_dir)
    return sorted(p for p in quiz_dir.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def validate_all(quiz_dir: Path = QUIZ_DIR, notebooks_dir: Path | None = NOTEBOOK_DIR) -> list[Problem]:
    """Check every bank and the rules across banks (ids and question texts used once)."""
    problems: list[Problem] = []
    ids: dict[str, str] = {}
    texts: dict[str, str] = {}
    sections: dict[int, str] = {}
    for path in bank_files(quiz_dir):
        shown = _shown_path(path)
        if path.suffix == ".yml":
            problems.append(Problem(shown, "file", "rename to .yaml so show_quiz finds it"))
        bank_problems_here = validate_bank(path, notebooks_dir=notebooks_dir)
        problems.extend(bank_problems_here)
        try:
            data = read_bank(path).data
        except QuizBankError:
            continue
        if not isinstance(data, dict):
            continue
        section = data.get("section")
        if isinstance(section, int):
            if section in sections:
                problems.append(Problem(shown, "top level", f"section {section} also has a bank: {sections[section]}"))
            sections.setdefault(section, shown)
        for index, question in enumerate(data.get("questions") or []):
            if not isinstance(question, dict):
                continue
            where, _ = _where(data, ["questions", index])
            qid = question.get("id")
            if isinstance(qid, str):
                if qid in ids and ids[qid] != shown:
                    problems.append(Problem(shown, where, f"id {qid!r} is also used in {ids[qid]}; ids must be unique across all banks"))
                ids.setdefault(qid, shown)
            text = question.get("question")
            if isinstance(text, str):
                key = _normalized(text)
                if key in texts and texts[key] != shown:
                    problems.append(Problem(shown, where, f"the same question text is in {texts[key]}"))
                texts.setdefault(key, shown)
    return problems


def load_all(quiz_dir: Path = QUIZ_DIR, notebooks_dir: Path | None = NOTEBOOK_DIR) -> list[Bank]:
    """Every bank, checked; raise QuizBankError with every problem of every bank."""
    problems = validate_all(quiz_dir, notebooks_dir)
    if problems:
        raise QuizBankError(problems)
    banks = [read_bank(p) for p in bank_files(quiz_dir)]
    return sorted(banks, key=lambda b: (b.section, b.name))


# --------------------------------------------------------------------------- rendering


def container_id(bank_name: str) -> str:
    """A stable id for the quiz's container, derived from the bank's name.

    jupyterquiz uses the id both as an HTML id and as a JavaScript identifier
    (``questions<id>``, ``show_questions(..., <id>)``), so only letters, digits and _.
    """
    return "quiz_" + re.sub(r"[^0-9A-Za-z]", "_", bank_name)


def _inline_html(text: str) -> str:
    """Bank text -> HTML for jupyterquiz (which sets innerHTML): escaped, links kept.

    "$" becomes an entity so jupyterquiz does not read it as a math delimiter.
    """
    text = " ".join(text.split())
    return html.escape(text, quote=False).replace("$", "&#36;")


def _print_html(text: str) -> str:
    """Bank text -> HTML for the printable copy: escaped, Markdown links as real links."""
    parts = []
    last = 0
    text = " ".join(text.split())
    for match in MARKDOWN_LINK.finditer(text):
        parts.append(html.escape(text[last:match.start()], quote=False))
        parts.append(f'<a href="{html.escape(match.group(2))}">{html.escape(match.group(1), quote=False)}</a>')
        last = match.end()
    parts.append(html.escape(text[last:], quote=False))
    return "".join(parts)


def jupyterquiz_questions(bank: Bank) -> list[dict]:
    """The bank in jupyterquiz's own JSON format (our extra keys dropped)."""
    questions = []
    for q in bank.questions:
        item: dict[str, Any] = {
            "type": q["type"],
            "question": _inline_html(q["question"])
            + f' <span class="quiz-hint">({HINTS[q["type"]]})</span>',
        }
        if q.get("code"):
            item["code"] = html.escape(q["code"], quote=False)
        if q.get("answer_cols"):
            item["answer_cols"] = q["answer_cols"]
        # jupyterquiz calls Number.toPrecision(precision): 0 throws in the browser, so
        # precision 0 means "compare exactly", which is what leaving it out does.
        if q.get("precision"):
            item["precision"] = q["precision"]
        answers = []
        for a in q["answers"]:
            if q["type"] == "numeric":
                entry = {k: a[k] for k in ("type", "value", "range", "correct") if k in a}
            else:
                entry = {"answer": _inline_html(a["answer"]), "correct": a["correct"]}
                if a.get("code"):
                    entry["code"] = html.escape(a["code"], quote=False)
            entry["feedback"] = _inline_html(a["feedback"])
            answers.append(entry)
        item["answers"] = answers
        questions.append(item)
    return questions


# Contrast fixes that must hold wherever the quiz shows (book and JupyterLab).
_EXTRA_CSS = """
#{id} .Input-text {{ color: #111111; border: 2px solid #6b6b6b; }}
#{id} .Feedback .JQLink, #{id} .MCButton .JQLink {{ color: #1f5f99 !important; }}
#{id} .MCButton {{ border-width: 2px; }}
#{id} .quiz-hint {{ font-size: 0.8em; font-style: italic; }}
"""


def _print_copy(bank: Bank) -> str:
    """A static copy of the questions and options, without answers, for paper."""
    lines = [
        '<div class="quiz-print" hidden>',
        f'<p class="quiz-print-title"><strong>Check your understanding: {html.escape(bank.title, quote=False)}</strong></p>',
        '<ol class="quiz-print-questions">',
    ]
    for q in bank.questions:
        lines.append("<li>")
        lines.append(f"<p>{_print_html(q['question'])} <em>({HINTS[q['type']].replace(', then press Enter', '')})</em></p>")
        if q["type"] == "numeric":
            lines.append('<p class="quiz-print-blank">Your answer: ____________________</p>')
        else:
            lines.append('<ol class="quiz-print-options" type="A">')
            for a in q["answers"]:
                lines.append(f"<li>{_print_html(a['answer'])}</li>")
            lines.append("</ol>")
        lines.append("</li>")
    lines += ["</ol>", "</div>"]
    return "\n".join(lines)


def quiz_html(bank_name: str) -> tuple[str, str]:
    """The (HTML, JavaScript) that ``show_quiz`` displays; same bank, same bytes."""
    from jupyterquiz.dynamic.loader import load_questions_script
    from jupyterquiz.dynamic.renderer import build_script, build_styles, render_div

    bank = load_bank(bank_name)
    div_id = container_id(bank.name)
    questions = jupyterquiz_questions(bank)
    prefix, static, url = load_questions_script(questions, div_id)
    container = render_div(
        div_id, shuffle_questions=False, shuffle_answers=False, preserve_responses=False,
        num=1_000_000, max_width=700, border_radius=10, question_alignment="left",
    )
    # render_div leaves the div open; close it, and mark it for quiz.css and quiz.js.
    container = container.replace(
        "<div ", f'<div class="course-quiz-interactive" role="group" aria-label="Quiz: {html.escape(bank.title)}" ', 1
    ) + "</div>"
    styles = build_styles(div_id, COLOURS).replace("</style>", _EXTRA_CSS.format(id=div_id) + "</style>")
    markup = "\n".join([
        f'<div class="course-quiz" data-quiz-bank="{html.escape(bank.name)}">',
        container,
        styles,
        _print_copy(bank),
        "</div>",
    ])
    script = build_script(prefix, static, url, div_id, load_js=True)
    # jupyterquiz typesets with MathJax when the page has it, and when MathJax is still
    # loading it fetches a second copy from a CDN. Quizzes are math-free (checked), so
    # switch every MathJax branch off: no request can leave the page.
    script, count = _MATHJAX_CHECK.subn("false /* course quizzes are math-free */", script)
    if not count:
        raise RuntimeError("jupyterquiz changed: update the MathJax switch-off in calaim_course.quiz")
    return markup, script


def show_quiz(bank: str) -> None:
    """Show a section's quiz in a notebook or the book: ``show_quiz("01-medi-cal-calaim-background")``."""
    from IPython.display import HTML, Javascript, display

    markup, script = quiz_html(bank)
    display(HTML(markup))
    display(Javascript(script))


# --------------------------------------------------------------------------- answer key


def _md(text: str) -> str:
    """Bank text -> one line of MyST Markdown (Markdown links kept, markup characters escaped)."""
    text = " ".join(str(text).split())
    return re.sub(r"([\\`*<>{}$|])", r"\\\1", text)


def _link(url: str) -> str:
    label = url.removeprefix("https://").rstrip("/")
    return f"[{_md(label)}]({url})"


def _numeric_option(answer: dict) -> str:
    if answer["type"] == "value":
        return f"exactly {_number(answer['value'])}"
    if answer["type"] == "range":
        low, high = answer["range"]
        return f"from {_number(low)} up to, but not including, {_number(high)}"
    return "any other number"


def _answer_key_question(q: dict, objectives: dict[str, str]) -> list[str]:
    lines = [f"### Question {q['id']}", "", _md(q["question"]), ""]
    lines.append(f"- **Type:** {TYPE_NAMES[q['type']]}")
    lines.append(f"- **Objective:** {q['objective']}. {_md(objectives[q['objective']])}")
    lines.append(f"- **Source:** {_link(q['source'])}")
    if q["type"] == "numeric":
        right = [_numeric_option(a) for a in q["answers"] if a.get("correct")]
        lines.append(f"- **Right answer:** {'; or '.join(right)}")
        if q.get("precision"):
            lines.append(f"- **Compared to:** {q['precision']} significant digits")
    else:
        right = [_md(a["answer"]) for a in q["answers"] if a["correct"]]
        label = "Right answer" if len(right) == 1 else "Right answers (all of them)"
        lines.append(f"- **{label}:** {'; '.join(right)}")
    lines += ["", "Every option and the feedback it gives:", ""]
    for number, a in enumerate(q["answers"], start=1):
        if q["type"] == "numeric":
            option = _numeric_option(a)
            verdict = "Right" if a.get("correct") else ("Otherwise" if a["type"] == "default" else "Not right")
        else:
            option = _md(a["answer"])
            verdict = "Right" if a["correct"] else "Not right"
        lines.append(f"{number}. **{verdict}:** {option}")
        lines.append(f"   - Feedback: {_md(a['feedback'])}")
    lines.append("")
    return lines


def render_answer_key(quiz_dir: Path = QUIZ_DIR) -> str:
    """The facilitators' answer key (book/answer-key.md) for every bank, as Markdown."""
    banks = load_all(quiz_dir, notebooks_dir=None)
    lines = [
        "<!-- Generated from data/quizzes/ by `python -m calaim_course.quiz answer-key`. Do not edit by hand. -->",
        "",
        "# Quiz answer key for facilitators",
        "",
        "The right answers to every section's quiz, the feedback each option gives, the",
        "objective each question checks and the source of the fact it tests. Learners see the",
        "same feedback in the quizzes; use this page to prepare a discussion. Like the rest of",
        "the course, it is educational material, not legal or billing advice.",
        "",
    ]
    for bank in banks:
        heading = "Template page" if bank.section == 0 else f"Section {bank.section}"
        lines += [f"## {heading}: {_md(bank.title)}", ""]
        lines.append(f"Quiz bank: `data/quizzes/{bank.path.name}`, {len(bank.questions)} questions.")
        lines += ["", "Objectives:", ""]
        lines += [f"- {key}. {_md(text)}" for key, text in bank.objectives.items()]
        lines.append("")
        for q in bank.questions:
            lines += _answer_key_question(q, bank.objectives)
    return "\n".join(lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m calaim_course.quiz", description="Check quiz banks and write the answer key.")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check every bank in data/quizzes; exit 1 listing every problem")
    check.add_argument("--quiz-dir", type=Path, default=QUIZ_DIR, help="default: data/quizzes")
    sub.add_parser("answer-key", help="write book/answer-key.md from the banks")
    args = parser.parse_args(argv)

    quiz_dir = getattr(args, "quiz_dir", QUIZ_DIR)
    problems = validate_all(quiz_dir)
    if problems:
        print(f"{len(problems)} problem(s) in the quiz banks:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    if args.command == "check":
        banks = load_all(quiz_dir)
        total = sum(len(b.questions) for b in banks)
        print(f"All {len(banks)} quiz banks are valid ({total} questions).")
        return 0
    ANSWER_KEY_PATH.write_text(render_answer_key(), encoding="utf-8")
    print(f"Wrote {_shown_path(ANSWER_KEY_PATH)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
