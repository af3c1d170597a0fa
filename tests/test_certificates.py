"""Certificates: the roster is checked whole, every PDF is made, or none is left behind."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from calaim_course import certificates
from calaim_course.certificates import (
    RosterError,
    hours_number,
    parse_sections,
    read_roster,
    write_certificates,
)
from calaim_course.errors import CourseInputError
from calaim_course.workshop import discover_sections

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "rosters"
SAMPLE = ROOT / "data" / "examples" / "sample-roster.csv"
SECTIONS = discover_sections()
BY_NUMBER = {s.number: s for s in SECTIONS}

# Each bad roster, and what its message must name: the row and column, and the problem.
BAD_ROSTERS = {
    "missing-column.csv": ["row 1 (the header)", "missing: facilitator"],
    "blank-name.csv": ["row 3, column name", "the participant's name"],
    "unknown-section.csv": ["row 2, column sections", "'42'", "section numbers from 1,"],
    "bad-date.csv": ["row 3, column date", "'2026-02-30'", "a date like 2026-12-03"],
    "empty.csv": ["file", "an empty file"],
    "header-only.csv": ["file", "a header row only"],
    "not-utf8.csv": ["row 3", "UTF-8", "CSV UTF-8"],
    "duplicate-rows.csv": ["row 4, column name", "also on row 2"],
    "unquoted-comma.csv": ["row 2", "at most 4 values", "double quotes"],
    "blank-facilitator.csv": ["row 2, column facilitator", "the facilitator's name"],
}


def _write(tmp_path: Path, text: str, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_fixture_has_expectations():
    assert sorted(p.name for p in FIXTURES.glob("*.csv")) == sorted(BAD_ROSTERS)


@pytest.mark.parametrize("name", sorted(BAD_ROSTERS))
def test_bad_roster_names_the_row_column_and_problem(name, tmp_path):
    out = tmp_path / "certificates"
    with pytest.raises(CourseInputError) as caught:
        write_certificates(FIXTURES / name, out, SECTIONS)
    message = str(caught.value)
    for expected in BAD_ROSTERS[name]:
        assert expected in message, f"{name}: {expected!r} not in {message!r}"
    assert "no certificates were written" in message
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [], "a temporary folder was left behind"


def test_every_problem_is_listed_at_once(tmp_path):
    roster = _write(tmp_path, "name,sections,date,facilitator\n"
                              ",1,2026-12-03,Wren Fieldfare\n"
                              "Poppy Rushwater,99,2026-13-01,\n")
    with pytest.raises(RosterError) as caught:
        read_roster(roster, SECTIONS)
    wheres = [p.where for p in caught.value.problems]
    assert wheres == ["row 2, column name", "row 3, column sections", "row 3, column date", "row 3, column facilitator"]
    assert caught.value.field.endswith("row 2, column name")


def test_one_bad_row_at_the_end_leaves_no_certificate(tmp_path):
    roster = _write(tmp_path, "name,sections,date,facilitator\n"
                              "Cypress Reedmarsh,1,2026-12-03,Wren Fieldfare\n"
                              "Poppy Rushwater,2,2026-12-03,Wren Fieldfare\n"
                              "Sorrel Ambergrove,2,not a date,Wren Fieldfare\n")
    out = tmp_path / "certificates"
    with pytest.raises(RosterError, match="row 4, column date"):
        write_certificates(roster, out, SECTIONS)
    assert not out.exists()


def test_a_failure_while_drawing_leaves_no_partial_set(tmp_path, monkeypatch):
    out = tmp_path / "certificates"
    out.mkdir()
    (out / "keep-me.txt").write_text("a facilitator's own file")
    drawn = []
    real = certificates.draw_certificate

    def draw_then_fail(participant, path, title, total):
        if drawn:
            raise OSError("disk full")
        drawn.append(participant.name)
        real(participant, path, title, total)

    monkeypatch.setattr(certificates, "draw_certificate", draw_then_fail)
    with pytest.raises(OSError, match="disk full"):
        write_certificates(SAMPLE, out, SECTIONS)
    assert drawn, "the first certificate should have been drawn before the failure"
    assert sorted(p.name for p in out.iterdir()) == ["keep-me.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["certificates"]


def test_sample_roster_gives_one_pdf_per_participant_with_name_and_hours(tmp_path):
    out = tmp_path / "certificates"
    written = write_certificates(SAMPLE, out, SECTIONS)
    participants = read_roster(SAMPLE, SECTIONS)
    assert len(written) == len(participants) == 4
    assert sorted(out.iterdir()) == sorted(written)
    for path, participant in zip(written, participants):
        reader = PdfReader(path)
        assert len(reader.pages) == 1
        text = " ".join(reader.pages[0].extract_text().split())
        assert participant.name in text
        assert f"Hours: {hours_number(participant.minutes)}" in text
        assert participant.facilitator in text
        assert "Medi-Cal and CalAIM for domestic violence organizations" in text
        assert reader.metadata.title == f"Certificate of completion: {participant.name}"


def test_hours_come_from_the_sections_time_estimates(tmp_path):
    roster = _write(tmp_path, "Name, Sections ,DATE,facilitator\n"
                              '"Poppy Rushwater","1;3",12/03/2026,Wren Fieldfare\n')
    (participant,) = read_roster(roster, SECTIONS)
    expected = BY_NUMBER[1].minutes + BY_NUMBER[3].minutes
    assert participant.minutes == expected
    assert participant.completed == date(2026, 12, 3)
    written = write_certificates(roster, tmp_path / "out", SECTIONS)
    text = " ".join(PdfReader(written[0]).pages[0].extract_text().split())
    assert f"Hours: {hours_number(expected)}" in text
    assert BY_NUMBER[3].title.split()[0] in text


def test_parse_sections_accepts_lists_ranges_and_all():
    first, second = SECTIONS[0].number, SECTIONS[1].number
    assert parse_sections("all", BY_NUMBER) == (tuple(SECTIONS), [])
    assert parse_sections(f"{second}; {first}", BY_NUMBER) == ((SECTIONS[0], SECTIONS[1]), [])
    assert parse_sections(f"{first}-{second}", BY_NUMBER)[0] == (SECTIONS[0], SECTIONS[1])
    assert parse_sections("1;forty;77", BY_NUMBER)[1] == ["forty", "77"]
    assert parse_sections("3-1", BY_NUMBER)[1] == ["3-1"]


def test_hours_number_is_short_and_exact_enough():
    assert hours_number(195) == "3.25"
    assert hours_number(120) == "2"
    assert hours_number(665) == "11.08"


def test_accented_names_print_and_unprintable_ones_are_refused(tmp_path):
    roster = _write(tmp_path, "name,sections,date,facilitator\n"
                              "Zoë Fernhollow-Peña,1,2026-12-03,Wren Fieldfare\n")
    written = write_certificates(roster, tmp_path / "out", SECTIONS)
    assert "Zoë Fernhollow-Peña" in PdfReader(written[0]).pages[0].extract_text()
    # A private-use character has no glyph in any font: refuse it, naming row and column.
    bad = _write(tmp_path, "name,sections,date,facilitator\nAster \ue000 Elderbank,1,2026-12-03,Wren Fieldfare\n", "bad.csv")
    with pytest.raises(RosterError, match="row 2, column name"):
        read_roster(bad, SECTIONS)


def test_utf8_with_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffname,sections,date,facilitator\nCypress Reedmarsh,1,2026-12-03,Wren Fieldfare\n".encode("utf-8"))
    assert read_roster(path, SECTIONS)[0].name == "Cypress Reedmarsh"


def test_missing_roster_file_is_named(tmp_path):
    with pytest.raises(RosterError, match="an existing CSV file"):
        read_roster(tmp_path / "nope.csv", SECTIONS)


def test_out_must_be_a_folder(tmp_path):
    target = tmp_path / "a-file.pdf"
    target.write_text("x")
    with pytest.raises(CourseInputError, match="--out"):
        write_certificates(SAMPLE, target, SECTIONS)


def test_same_roster_gives_the_same_bytes(tmp_path):
    first = write_certificates(SAMPLE, tmp_path / "a", SECTIONS)
    second = write_certificates(SAMPLE, tmp_path / "b", SECTIONS)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_command_line_exit_codes(tmp_path):
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "calaim_course.certificates", *args], capture_output=True, text=True, cwd=tmp_path
    )
    good = run("--roster", str(SAMPLE), "--out", str(tmp_path / "out"))
    assert good.returncode == 0, good.stderr
    assert "Wrote 4 certificates" in good.stdout
    bad = run("--roster", str(FIXTURES / "bad-date.csv"), "--out", str(tmp_path / "bad"))
    assert bad.returncode == 2
    assert "row 3, column date" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "bad").exists()
