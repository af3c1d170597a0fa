"""Certificates of completion for a workshop: one PDF per participant, from a roster CSV.

``make certificates ROSTER=path.csv`` runs::

    python -m calaim_course.certificates --roster path.csv --out certificates

The roster has a header row and one row per participant, with these columns (any order,
any capitalisation; other columns are ignored)::

    name,sections,date,facilitator
    Cypress Reedmarsh,1;2;3,2026-12-03,Wren Fieldfare

``sections`` lists section numbers separated by semicolons, ranges like ``1-6``, or
``all``. ``date`` is the completion date as 2026-12-03 (or 12/03/2026). Hours come from
the sections' time estimates (see ``calaim_course.workshop``), never typed by hand.

Why validate everything first and write into a temporary folder: a facilitator who fixes
one bad row and runs again must not be left with half a set, some certificates old and
some new. The whole roster is checked (every problem listed at once); the PDFs are made in
a temporary folder beside ``--out`` and moved in only when every one was made.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import shutil
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml

from calaim_course.errors import CourseInputError
from calaim_course.workshop import ROOT, Section, discover_sections, hours_text

REQUIRED = ("name", "sections", "date", "facilitator")
MAX_NAME = 80  # characters; longer will not fit the certificate's name line
MAX_BYTES = 1_000_000  # a roster is a few kilobytes; refuse something that is not a roster
# A TrueType font that covers accented and many non-Latin names; Helvetica (built into
# every PDF reader, Latin-1 only) when none is installed.
FONT_FILES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/Library/Fonts/DejaVuSans.ttf"),
)


@dataclass(frozen=True)
class Participant:
    row: int  # the row number a spreadsheet shows (the header is row 1)
    name: str
    sections: tuple[Section, ...]
    completed: date
    facilitator: str

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.sections)


@dataclass(frozen=True)
class Problem:
    where: str
    found: object
    expected: str
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.where}: got {self.found!r}; expected {self.expected}."
        return f"{text} {self.hint}" if self.hint else text


class RosterError(CourseInputError):
    """The roster cannot be used; ``problems`` lists every problem found, in row order."""

    def __init__(self, roster: str, problems: list[Problem]):
        self.problems = problems
        first = problems[0]
        super().__init__(f"{roster}, {first.where}", first.found, first.expected, first.hint)
        lines = [f"{roster}: {len(problems)} problem(s); no certificates were written."]
        lines += [f"  {p}" for p in problems]
        self.args = ("\n".join(lines),)

    def __str__(self) -> str:
        return self.args[0]


def course_title() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return str(config.get("title") or "Medi-Cal and CalAIM for domestic violence organizations")


# --------------------------------------------------------------------------- reading


def _decode(data: bytes, shown: str) -> str:
    try:
        # utf-8-sig: spreadsheet programs often start a UTF-8 CSV with a byte-order mark.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        bad = data[error.start:error.end]
        raise RosterError(shown, [Problem(
            f"row {row}", bad, "text saved as UTF-8",
            "In Excel choose File > Save As > 'CSV UTF-8'; in LibreOffice choose the UTF-8 character set.",
        )]) from None


def parse_sections(text: str, known: dict[int, Section]) -> tuple[tuple[Section, ...], list[str]]:
    """'1;2;5-7' or 'all' -> the sections, and the tokens that are not known sections."""
    text = text.strip()
    if text.lower() == "all":
        return tuple(known.values()), []
    chosen: dict[int, Section] = {}
    unknown: list[str] = []
    for token in (t for t in re.split(r"[;,\s]+", text) if t):
        span = re.fullmatch(r"(\d{1,2})(?:\s*-\s*(\d{1,2}))?", token)
        if not span:
            unknown.append(token)
            continue
        low = int(span.group(1))
        high = int(span.group(2) or low)
        numbers = range(low, high + 1) if low <= high else []
        if not numbers or any(n not in known for n in numbers):
            unknown.append(token)
            continue
        for n in numbers:
            chosen[n] = known[n]
    return tuple(chosen[n] for n in sorted(chosen)), unknown


def parse_date(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _font_can_print(text: str) -> list[str]:
    """The characters of ``text`` that the certificate font has no glyph for."""
    font = _font()
    if font == "Helvetica":
        return [c for c in text if not _cp1252(c)]
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(font).face
    return [c for c in text if ord(c) not in face.charToGlyph]


def _cp1252(char: str) -> bool:
    try:
        char.encode("cp1252")
        return True
    except UnicodeEncodeError:
        return False


def read_roster(path: Path, sections: list[Section] | None = None) -> list[Participant]:
    """Read and check the whole roster; raise RosterError listing every problem."""
    path = Path(path)
    shown = path.name
    if not path.is_file():
        raise RosterError(shown, [Problem("file", str(path.name), "an existing CSV file")])
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise RosterError(shown, [Problem("file", f"{len(data)} bytes", f"a roster under {MAX_BYTES} bytes")])
    text = _decode(data, shown)
    if not text.strip():
        raise RosterError(shown, [Problem(
            "file", "an empty file", "a header row (name,sections,date,facilitator) and one row per participant",
        )])
    sections = discover_sections() if sections is None else sections
    known = {s.number: s for s in sections}
    numbers = ", ".join(str(n) for n in known)

    reader = csv.reader(io.StringIO(text, newline=""))
    rows = [r for r in reader]
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RosterError(shown, [Problem(
            "row 1 (the header)", ",".join(rows[0]),
            f"the columns {', '.join(REQUIRED)}; missing: {', '.join(missing)}",
        )])
    repeated = sorted({h for h in header if h in REQUIRED and header.count(h) > 1})
    if repeated:
        raise RosterError(shown, [Problem("row 1 (the header)", ",".join(rows[0]), f"each column once; given twice: {', '.join(repeated)}")])
    index = {c: header.index(c) for c in REQUIRED}

    problems: list[Problem] = []
    participants: list[Participant] = []
    seen: dict[str, int] = {}
    body = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(cell.strip() for cell in row)]
    if not body:
        raise RosterError(shown, [Problem("file", "a header row only", "one row per participant under the header")])
    for number, row in body:
        if len(row) > len(header):
            problems.append(Problem(f"row {number}", row, f"at most {len(header)} values, like the header",
                                    "A name with a comma must be in double quotes."))
            continue
        value = {c: (row[i].strip() if i < len(row) else "") for c, i in index.items()}
        ok = True
        name = " ".join(value["name"].split())
        if not name:
            problems.append(Problem(f"row {number}, column name", value["name"], "the participant's name"))
            ok = False
        elif len(name) > MAX_NAME:
            problems.append(Problem(f"row {number}, column name", name[:20] + "...", f"a name of at most {MAX_NAME} characters"))
            ok = False
        elif unprintable := _font_can_print(name):
            problems.append(Problem(f"row {number}, column name", "".join(dict.fromkeys(unprintable)),
                                    "letters the certificate font can print"))
            ok = False
        else:
            key = unicodedata.normalize("NFKC", name).casefold()
            if key in seen:
                problems.append(Problem(f"row {number}, column name", name, f"each participant once (also on row {seen[key]})",
                                        "If they are two people, add a middle initial to tell them apart."))
                ok = False
            seen.setdefault(key, number)
        chosen, unknown = parse_sections(value["sections"], known)
        if unknown or not chosen:
            problems.append(Problem(
                f"row {number}, column sections", value["sections"] if not unknown else "; ".join(unknown),
                f"section numbers from {numbers}, separated by semicolons (ranges like 1-3, or all)",
            ))
            ok = False
        completed = parse_date(value["date"])
        if completed is None:
            problems.append(Problem(f"row {number}, column date", value["date"], "a date like 2026-12-03 (or 12/03/2026)"))
            ok = False
        facilitator = " ".join(value["facilitator"].split())
        if not facilitator:
            problems.append(Problem(f"row {number}, column facilitator", value["facilitator"], "the facilitator's name"))
            ok = False
        elif unprintable := _font_can_print(facilitator):
            problems.append(Problem(f"row {number}, column facilitator", "".join(dict.fromkeys(unprintable)),
                                    "letters the certificate font can print"))
            ok = False
        if ok:
            participants.append(Participant(number, name, chosen, completed, facilitator))
    if problems:
        raise RosterError(shown, problems)
    return participants


# --------------------------------------------------------------------------- drawing

_FONT: str | None = None


def _font() -> str:
    """Register the certificate font once; return its name."""
    global _FONT
    if _FONT is None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        _FONT = "Helvetica"
        for candidate in FONT_FILES:
            if candidate.is_file():
                pdfmetrics.registerFont(TTFont("CourseSans", str(candidate)))
                _FONT = "CourseSans"
                break
    return _FONT


def hours_number(minutes: int) -> str:
    """195 -> "3.25"; 120 -> "2"."""
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


def file_name(participant: Participant) -> str:
    ascii_name = unicodedata.normalize("NFKD", participant.name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40] or "participant"
    return f"certificate-row{participant.row:03d}-{slug}.pdf"


def draw_certificate(participant: Participant, path: Path, title: str, total_sections: int) -> None:
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    font = _font()
    width, height = landscape(letter)
    # invariant=1: the same roster gives the same bytes (no creation time or random id).
    pdf = canvas.Canvas(str(path), pagesize=(width, height), invariant=1)
    pdf.setTitle(f"Certificate of completion: {participant.name}")
    pdf.setAuthor(participant.facilitator)
    pdf.setSubject(title)
    pdf.setLineWidth(3)
    pdf.setStrokeColorRGB(0.22, 0.13, 0.38)
    pdf.rect(30, 30, width - 60, height - 60)
    pdf.setLineWidth(1)
    pdf.rect(40, 40, width - 80, height - 80)

    def centred(text: str, y: float, size: float) -> None:
        pdf.setFont(font, size)
        pdf.drawCentredString(width / 2, y, text)

    centred("Certificate of completion", height - 110, 30)
    centred("This certifies that", height - 155, 14)
    size = 28
    while size > 14 and pdf.stringWidth(participant.name, font, size) > width - 160:
        size -= 1
    centred(participant.name, height - 200, size)
    centred("completed the training", height - 235, 14)
    centred(title, height - 265, 18)

    count = len(participant.sections)
    scope = "every section" if count == total_sections else f"{count} of {total_sections} sections"
    listed = "; ".join(s.label for s in participant.sections)
    lines = simpleSplit(f"Sections completed ({scope}): {listed}", font, 11, width - 200)
    y = height - 300
    pdf.setFont(font, 11)
    for line in lines[:6]:
        pdf.drawCentredString(width / 2, y, line)
        y -= 15
    if len(lines) > 6:
        pdf.drawCentredString(width / 2, y, "(and more: see the completion record)")
        y -= 15

    hours = hours_number(participant.minutes)
    centred(f"Hours: {hours} ({hours_text(participant.minutes)}, from the course's time estimates)", y - 12, 13)
    centred(f"Date completed: {participant.completed.strftime('%B')} {participant.completed.day}, {participant.completed.year}", y - 32, 13)

    pdf.setFont(font, 12)
    pdf.line(width / 2 - 160, 110, width / 2 + 160, 110)
    pdf.drawCentredString(width / 2, 95, f"Facilitator: {participant.facilitator}")
    pdf.setFont(font, 8)
    pdf.drawCentredString(
        width / 2, 55,
        "Educational training, not legal or billing advice. This certificate records attendance; "
        "it is not a license, a certification or continuing education credit.",
    )
    pdf.showPage()
    pdf.save()


# --------------------------------------------------------------------------- writing


def write_certificates(roster: Path, out: Path, sections: list[Section] | None = None) -> list[Path]:
    """Check the roster, make every certificate, then move them into ``out`` together."""
    sections = discover_sections() if sections is None else sections
    participants = read_roster(roster, sections)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise CourseInputError("--out", out.name, "a folder (or a name for a new one)")
    out.parent.mkdir(parents=True, exist_ok=True)
    title = course_title()
    # The temporary folder sits beside ``out`` so the final moves are renames on one disk.
    scratch = Path(tempfile.mkdtemp(prefix=".certificates-", dir=out.parent))
    try:
        for participant in participants:
            draw_certificate(participant, scratch / file_name(participant), title, len(sections))
        out.mkdir(exist_ok=True)
        written = []
        for participant in participants:
            target = out / file_name(participant)
            (scratch / target.name).replace(target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m calaim_course.certificates",
        description="Write one PDF certificate of completion per participant in a roster CSV.",
    )
    parser.add_argument("--roster", type=Path, required=True, help="CSV with name,sections,date,facilitator")
    parser.add_argument("--out", type=Path, default=Path("certificates"), help="folder for the PDFs (default: certificates)")
    args = parser.parse_args(argv)
    try:
        written = write_certificates(args.roster, args.out)
    except CourseInputError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Wrote {len(written)} certificates in {args.out}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
