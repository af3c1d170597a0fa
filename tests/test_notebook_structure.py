"""Every section notebook follows the course skeleton (COURSE-DESIGN.md)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
SECTIONS = [p for p in NOTEBOOKS if not p.name.startswith("00-")]
REQUIRED_HEADINGS = [
    "Questions this section answers",
    "You will be able to",
    "Try it",
    "Check your understanding",
    "Key points",
    "Helpful links",
]
LATIN = re.compile(r"\b(e\.g\.|i\.e\.|etc\.|vs\.)", re.I)


def _markdown(nb) -> str:
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def _headings(text: str) -> list[tuple[int, str]]:
    # Skip fenced blocks (admonitions, code), whose lines are not page headings.
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return [(len(m.group(1)), m.group(2).strip()) for m in re.finditer(r"^(#{1,6})\s+(.*)$", text, re.M)]


def test_there_is_a_template_notebook():
    assert (ROOT / "notebooks" / "00-section-template.ipynb").exists()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_skeleton(path):
    nb = nbformat.read(path, as_version=4)
    text = _markdown(nb)
    headings = _headings(text)
    assert [h for h in headings if h[0] == 1].__len__() == 1, "exactly one H1"
    assert headings[0][0] == 1, "the page starts with its H1"
    for (level, title), (next_level, next_title) in zip(headings, headings[1:]):
        assert next_level <= level + 1, f"heading level skipped before {next_title!r}"
    names = [title for _, title in headings]
    for required in REQUIRED_HEADINGS:
        assert required in names, f"missing the section part {required!r}"
    assert "**Last reviewed:**" in text and "**Time:**" in text
    assert not LATIN.search(text), f"Latin abbreviation: {LATIN.search(text).group(0)}"
    assert "click here" not in text.lower()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_outputs_tags_and_quiz(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and any(c.outputs for c in code), "run `make outputs` to store outputs"
    for cell in code:
        assert not any(o.output_type == "error" for o in cell.outputs), cell.source[:80]
        assert not re.search(r"#\s*NBVAL_", cell.source), "use cell tags, not NBVAL comments"
    quiz_cells = [c for c in code if "show_quiz(" in c.source]
    assert len(quiz_cells) == 1, "one quiz per section"
    assert f'show_quiz("{path.stem}")' in quiz_cells[0].source, "the quiz bank is named like the notebook"
    assert "remove-input" in quiz_cells[0].metadata.get("tags", [])


@pytest.mark.parametrize("path", SECTIONS, ids=lambda p: p.name)
def test_section_has_facilitator_notes_and_a_quiz_bank(path):
    assert (ROOT / "book" / "facilitators" / f"{path.stem}.md").exists()
    assert (ROOT / "data" / "quizzes" / f"{path.stem}.yaml").exists()
