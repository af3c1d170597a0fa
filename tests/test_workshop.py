"""Workshop kit: sections found from what exists, agendas that fit, handouts without
answers, and generated pages that match their sources (stale pages fail)."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calaim_course import workshop
from calaim_course.errors import CourseInputError
from calaim_course.quiz import load_bank
from calaim_course.workshop import (
    AGENDAS_PATH,
    COMPLETION_PATH,
    FORMATS,
    HANDOUTS_DIR,
    allocate,
    build_agenda,
    discover_sections,
    render_agendas,
    render_completion_record,
    render_handouts,
    split_sessions,
)

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = discover_sections()


# --------------------------------------------------------------------------- sections


def test_sections_are_every_numbered_notebook_but_the_template():
    expected = sorted(
        p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb") if not p.name.startswith("00-")
    )
    assert [s.slug for s in SECTIONS] == expected
    for s in SECTIONS:
        assert s.minutes == s.reading + s.activities > 0
        assert s.title and not s.title.startswith("#")


def _notebook(path: Path, title: str, time_line: str) -> None:
    nbformat.write(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(f"# {title}\n\nSummary.\n\n**Last reviewed:** today · {time_line}"),
        nbformat.v4.new_markdown_cell("## Try it\n\n### A chart\n\nIt shows things. **Try it:** click a bar.\n\n"
                                      "See [the glossary](../book/glossary.md)."),
    ]), path)


def test_a_new_section_is_found_without_editing_any_list(tmp_path):
    notebooks, notes = tmp_path / "notebooks", tmp_path / "notes"
    notebooks.mkdir(), notes.mkdir()
    _notebook(notebooks / "01-first.ipynb", "First", "**Time:** about 30 minutes (20 reading, 10 activities)")
    _notebook(notebooks / "09-quality.ipynb", "Quality", "**Time:** about 45 minutes (30 reading, 15 activities)")
    _notebook(notebooks / "00-section-template.ipynb", "Template", "**Time:** about 5 minutes (5 reading, 0 activities)")
    _notebook(notebooks / "data-explorer.ipynb", "Explorer", "")
    (notes / "09-quality.md").write_text("# Notes\n\n## Activity: rate the audit (10 minutes)\n\nText.\n")
    sections = discover_sections(notebooks, notes, tmp_path)
    assert [(s.number, s.title, s.minutes) for s in sections] == [(1, "First", 30), (9, "Quality", 45)]
    assert sections[1].activity_names == ("rate the audit",)
    assert sections[0].activity == "Try it: A chart"  # no notes: the page's own Try it part
    assert sections[0].try_it == (("A chart", ("Click a bar.",)),)
    assert not sections[0].has_quiz


@pytest.mark.parametrize("line, problem", [
    ("**Time:** about 30 minutes (20 reading, 5 activities)", "add up"),
    ("Time: half an hour", "no Time line"),
])
def test_a_bad_time_line_is_named(tmp_path, line, problem):
    _notebook(tmp_path / "03-bad.ipynb", "Bad", line)
    with pytest.raises(CourseInputError, match=problem) as caught:
        discover_sections(tmp_path, tmp_path, tmp_path)
    assert "03-bad.ipynb" in str(caught.value)


# --------------------------------------------------------------------------- agendas


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.key)
def test_each_agenda_fits_its_format_and_covers_every_section(fmt):
    agenda = build_agenda(fmt, SECTIONS)
    assert len(agenda.sessions) == min(fmt.sessions, len(SECTIONS))
    covered = [s.slug for session in agenda.sessions for s in session.sections]
    assert covered == [s.slug for s in SECTIONS]
    for session in agenda.sessions:
        assert session.minutes <= fmt.session_minutes
        if fmt.flipped or sum(s.minutes for s in SECTIONS) > fmt.content_minutes * fmt.sessions:
            assert session.minutes == fmt.session_minutes
        # Blocks follow each other with no gap or overlap, in 5-minute steps.
        for before, after in zip(session.blocks, session.blocks[1:]):
            assert before.start + timedelta(minutes=before.minutes) == after.start
        assert all(b.minutes > 0 and b.minutes % workshop.STEP == 0 for b in session.blocks)
        assert session.blocks[0].what == "Opening" and session.blocks[-1].what == "Close"
        breaks = [b for b in session.blocks if b.section is None and b.what not in ("Opening", "Close")]
        assert [b.what for b in breaks] == [name for name, _, _ in fmt.breaks]
        for b in session.blocks:
            if b.section:
                assert b.section.activity.lower()[:12] in b.activity.lower()


def test_full_day_keeps_lunch_near_the_middle():
    agenda = build_agenda(next(f for f in FORMATS if f.key == "full-day"), SECTIONS)
    lunch = next(b for b in agenda.sessions[0].blocks if b.what == "Lunch")
    assert 11 <= lunch.start.hour <= 13


def test_activity_names_come_from_the_facilitator_notes():
    for s in SECTIONS:
        notes = ROOT / "book" / "facilitators" / f"{s.slug}.md"
        if notes.is_file() and "## Activity" in notes.read_text(encoding="utf-8"):
            assert s.activity_names, s.slug
            for name in s.activity_names:
                assert name in notes.read_text(encoding="utf-8")


@given(st.lists(st.integers(5, 120).map(lambda m: m // 5 * 5), min_size=1, max_size=14), st.integers(14, 80))
def test_allocate_shares_the_budget_exactly_in_steps(weights, units):
    budget = units * 5
    shares = allocate(weights, budget)
    assert len(shares) == len(weights)
    if sum(weights) <= budget:
        assert shares == weights
    else:
        assert sum(shares) == budget
        assert all(s >= 5 and s % 5 == 0 for s in shares)
        # Larger estimates never get less time than smaller ones.
        for (w1, s1), (w2, s2) in zip(sorted(zip(weights, shares)), sorted(zip(weights, shares))[1:]):
            assert s1 <= s2 or w1 == w2


def test_allocate_refuses_more_sections_than_the_time_holds():
    with pytest.raises(CourseInputError, match="sections"):
        allocate([60] * 20, 90)


def test_split_sessions_keeps_order_and_balances():
    groups = split_sessions(SECTIONS, 6)
    assert [s for g in groups for s in g] == SECTIONS
    largest = max(sum(s.minutes for s in g) for g in groups)
    # No split into 6 ordered groups has a smaller largest group (checked by brute force).
    from itertools import combinations
    n = len(SECTIONS)
    best = min(
        max(sum(s.minutes for s in SECTIONS[a:b]) for a, b in zip((0, *cuts), (*cuts, n)))
        for cuts in combinations(range(1, n), min(6, n) - 1)
    )
    assert largest == best


# --------------------------------------------------------------------------- handouts


def test_handouts_have_every_question_and_option_but_no_answer():
    pages = render_handouts(SECTIONS)
    assert sorted(pages) == sorted([f"{s.slug}.md" for s in SECTIONS] + ["index.md"])
    for s in SECTIONS:
        assert f"]({s.slug}.md)" in pages["index.md"]
    for s in SECTIONS:
        page = pages[f"{s.slug}.md"]
        assert len(re.findall(r"^# ", page, re.M)) == 1
        assert "## Activity" in page and "## Check your understanding" in page
        if not s.has_quiz:
            continue
        bank = load_bank(s.slug)
        for q in bank.questions:
            assert workshop._md(q["question"]) in page
            for a in q.get("answers", []):
                if "answer" in a:
                    assert workshop._md(a["answer"]) in page
                assert workshop._md(a["feedback"]) not in page, f"{s.slug}: feedback gives the answer away"
        assert "right answer" not in page.lower()


def test_handouts_link_only_to_the_web():
    for name, page in render_handouts(SECTIONS).items():
        if name == "index.md":
            continue
        for target in re.findall(r"\]\(([^)]+)\)", page):
            assert target.startswith("https://"), target


# --------------------------------------------------------------------------- generated pages are current


def test_agendas_page_is_up_to_date():
    assert AGENDAS_PATH.read_text(encoding="utf-8") == render_agendas(SECTIONS), (
        "book/facilitators/agendas.md is stale: run  python -m calaim_course.workshop agendas"
    )


def test_completion_record_is_up_to_date():
    assert COMPLETION_PATH.read_text(encoding="utf-8") == render_completion_record(SECTIONS), (
        "book/completion-record.md is stale: run  python -m calaim_course.workshop completion-record"
    )


def test_handouts_are_up_to_date():
    committed = {p.name: p.read_text(encoding="utf-8") for p in HANDOUTS_DIR.glob("*.md")}
    assert committed == render_handouts(SECTIONS), (
        "book/handouts is stale: run  make handouts"
    )


def test_completion_record_lists_every_section_and_the_total():
    page = render_completion_record(SECTIONS)
    for s in SECTIONS:
        assert f"| {workshop._md(s.label)} | {s.minutes} |" in page
    assert f"**{sum(s.minutes for s in SECTIONS)}**" in page
    assert "Signature:" in page and "Supervisor" in page
    assert len(re.findall(r"^# ", page, re.M)) == 1


def test_generated_pages_are_in_the_table_of_contents():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    wanted = ["book/facilitators/guide", "book/facilitators/agendas", "book/facilitators/hosting",
              "book/completion-record", "book/handouts/index"]
    wanted += [f"book/handouts/{s.slug}" for s in SECTIONS]
    missing = [w for w in wanted if f"file: {w}\n" not in toc]
    assert not missing, f"add to _toc.yml: {missing}"


def test_write_handouts_removes_a_worksheet_whose_section_is_gone(tmp_path):
    (tmp_path / "99-gone.md").write_text("# old")
    (tmp_path / "README.txt").write_text("not a worksheet")
    workshop.write_handouts(tmp_path, SECTIONS)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "99-gone.md" not in names and "README.txt" in names
    assert len(names) == len(SECTIONS) + 2  # the worksheets, their index, the README


def test_command_line_writes_where_asked(tmp_path):
    assert workshop.main(["agendas", "--out", str(tmp_path / "a.md")]) == 0
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == render_agendas(SECTIONS)
    assert workshop.main(["handouts", "--out", str(tmp_path / "h")]) == 0
    assert len(list((tmp_path / "h").glob("*.md"))) == len(SECTIONS) + 1
