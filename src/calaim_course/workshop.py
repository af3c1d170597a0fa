"""Workshop kit: the sections list, agendas, participant handouts and the completion record.

Everything here is generated from what exists, never from a list typed by hand: the
section notebooks (``notebooks/NN-slug.ipynb``, NN from 01), the "**Time:**" line on each
(``about N minutes (X reading, Y activities)``), the facilitator notes' "Activity" headings
(``book/facilitators/NN-slug.md``) and the quiz banks (``data/quizzes/NN-slug.yaml``).
When a section lands, run the commands again; tests fail while a generated page is stale.

From a shell::

    python -m calaim_course.workshop agendas              # book/facilitators/agendas.md
    python -m calaim_course.workshop handouts --out book/handouts
    python -m calaim_course.workshop completion-record    # book/completion-record.md
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import nbformat

from calaim_course.errors import CourseInputError
from calaim_course.quiz import HINTS, QUIZ_DIR, _md, load_bank

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTES_DIR = ROOT / "book" / "facilitators"
AGENDAS_PATH = NOTES_DIR / "agendas.md"
HANDOUTS_DIR = ROOT / "book" / "handouts"
COMPLETION_PATH = ROOT / "book" / "completion-record.md"

# 00 is the template page ("how a section works"), not a section of the toolkit.
SECTION_NOTEBOOK = re.compile(r"^(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*\.ipynb$")
TIME_LINE = re.compile(
    r"\*\*Time:\*\*\s*about\s+(\d+)\s+minutes\s*\(\s*(\d+)\s+reading,\s*(\d+)\s+activit(?:y|ies)\s*\)"
)
ACTIVITY_HEADING = re.compile(r"^##\s+Activity\b[^:]*:\s*(.+?)\s*(?:\(\d+\s+minutes\))?\s*$", re.M)
TRY_IT = re.compile(r"\*\*Try it:?\*\*:?\s*")
MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
ROLE = re.compile(r"\{[a-z:]+\}`([^`<]*?)(?:\s*<[^>]*>)?`")


# --------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class Section:
    """One course section, as its notebook, notes and quiz bank describe it."""

    number: int
    slug: str  # "03-closed-loop-referrals", the shared name of notebook, notes and bank
    title: str
    minutes: int
    reading: int
    activities: int
    activity_names: tuple[str, ...] = ()  # from the facilitator notes ("Activity: ...")
    try_it: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (sub-heading, instructions)
    has_quiz: bool = False

    @property
    def label(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def activity(self) -> str:
        """The activity to name in an agenda: the facilitator notes', else the page's."""
        if self.activity_names:
            return "; ".join(_sentence(a) for a in self.activity_names)
        if self.try_it:
            return "Try it: " + "; ".join(heading for heading, _ in self.try_it if heading)
        return "The section's Try it part"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plain(text: str) -> str:
    """Notebook Markdown -> text that stands alone on another page.

    Relative links would point nowhere from the handouts' folder, so they become their
    words; web links stay. MyST roles become their text.
    """
    text = ROLE.sub(lambda m: m.group(1), text)
    text = MD_LINK.sub(lambda m: m.group(0) if m.group(2).startswith("https://") else m.group(1), text)
    return " ".join(text.split())


def _title(notebook, path: Path) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise CourseInputError(f"{path.name}", "no title", "a first Markdown cell that starts with '# ' and the section title")


def _time(notebook, path: Path) -> tuple[int, int, int]:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = TIME_LINE.search(cell.source)
            if match:
                total, reading, activities = map(int, match.groups())
                if reading + activities != total:
                    raise CourseInputError(
                        f"{path.name}, the Time line", match.group(0),
                        f"reading and activities that add up to the total ({reading} + {activities} is not {total})",
                    )
                return total, reading, activities
    raise CourseInputError(
        f"{path.name}", "no Time line",
        'a line like "**Time:** about 60 minutes (40 reading, 20 activities)" near the title',
    )


def _try_it(notebook) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The page's activities: each "Try it" sub-heading with its "**Try it:**" instructions."""
    parts: list[tuple[str, list[str]]] = []
    in_try_it = False
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for block in re.split(r"\n\s*\n", cell.source):
            first = block.lstrip().splitlines()[0] if block.strip() else ""
            if first.startswith("## "):
                in_try_it = first[3:].strip().lower().startswith("try it")
                if in_try_it:
                    parts.append(("", []))
            if first.startswith("### ") and in_try_it:
                parts.append((_plain(first[4:]), []))
                block = "\n".join(block.lstrip().splitlines()[1:])
            found = TRY_IT.search(block)
            if found:
                if not parts:
                    parts.append(("", []))
                parts[-1][1].append(_sentence(_plain(block[found.end():])))
    return tuple((heading, tuple(steps)) for heading, steps in parts if steps)


def discover_sections(
    notebooks_dir: Path = NOTEBOOK_DIR, notes_dir: Path = NOTES_DIR, quiz_dir: Path = QUIZ_DIR
) -> list[Section]:
    """Every section notebook that exists (01 upward), in order, with its time and activities."""
    sections = []
    for path in sorted(Path(notebooks_dir).glob("*.ipynb")):
        match = SECTION_NOTEBOOK.match(path.name)
        if not match or int(match.group(1)) == 0:
            continue
        notebook = nbformat.read(path, as_version=4)
        total, reading, activities = _time(notebook, path)
        notes = Path(notes_dir) / f"{path.stem}.md"
        names = tuple(ACTIVITY_HEADING.findall(notes.read_text(encoding="utf-8"))) if notes.is_file() else ()
        sections.append(Section(
            number=int(match.group(1)), slug=path.stem, title=_title(notebook, path),
            minutes=total, reading=reading, activities=activities, activity_names=names,
            try_it=_try_it(notebook), has_quiz=(Path(quiz_dir) / f"{path.stem}.yaml").is_file(),
        ))
    if not sections:
        raise CourseInputError("notebooks", "no section notebooks", "files named like 01-short-slug.ipynb")
    return sections


def hours_text(minutes: int) -> str:
    """270 -> "4 hours 30 minutes"; 60 -> "1 hour"."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


# --------------------------------------------------------------------------- agendas

STEP = 5  # agendas are planned in 5-minute steps


@dataclass(frozen=True)
class Format:
    """A workshop format: how long each session is, and what is not section time."""

    key: str
    title: str
    summary: str
    sessions: int
    session_minutes: int
    start: str  # "9:00"
    opening: int
    closing: int
    breaks: tuple[tuple[str, int, float], ...]  # (name, minutes, where in the content: 0-1)
    section_minimum: int
    # "flipped": participants read before each session, which is then filled with the
    # sections' activities and discussion (so section time fills the session).
    flipped: bool = False

    @property
    def content_minutes(self) -> int:
        return self.session_minutes - self.opening - self.closing - sum(b[1] for b in self.breaks)


FORMATS = (
    Format(
        "overview", "90-minute overview",
        "A tour of every section for leaders and new staff: the facilitator shows each section's "
        "key points and the starting view of its main activity, then points to the pages for "
        "self-paced study.",
        1, 90, "9:00", 10, 10, (), STEP,
    ),
    Format(
        "half-day", "Half-day workshop",
        "Three and a half hours with one break: every section in short form, with its main "
        "activity shown live. Participants read the sections most useful for their role afterwards.",
        1, 210, "9:00", 10, 10, (("Break", 15, 0.5),), STEP,
    ),
    Format(
        "full-day", "Full-day workshop",
        "Seven and a half hours with two breaks and lunch: every section, with time for its "
        "activity in pairs or small groups and a short discussion.",
        1, 450, "9:00", 15, 15, (("Break", 15, 0.25), ("Lunch", 60, 0.5), ("Break", 15, 0.75)), STEP,
    ),
    Format(
        "series", "Six-session series",
        "Six two-hour sessions, a week or so apart. Participants read each session's sections "
        "before it; session time goes to the activities, discussion and the quizzes.",
        6, 120, "10:00", 10, 10, (("Break", 10, 0.5),), STEP, flipped=True,
    ),
)


@dataclass(frozen=True)
class Block:
    start: datetime
    minutes: int
    what: str  # "Opening", a section label, "Break", "Lunch", "Close"
    activity: str
    section: Section | None = None


@dataclass(frozen=True)
class Session:
    number: int
    blocks: tuple[Block, ...]
    sections: tuple[Section, ...]

    @property
    def minutes(self) -> int:
        return sum(b.minutes for b in self.blocks)

    @property
    def end(self) -> datetime:
        last = self.blocks[-1]
        return last.start + timedelta(minutes=last.minutes)


@dataclass(frozen=True)
class Agenda:
    format: Format
    sessions: tuple[Session, ...] = field(default_factory=tuple)

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.sessions)


def allocate(
    weights: list[int], budget: int, step: int = STEP, minimum: int = STEP, fill: bool = False
) -> list[int]:
    """Share ``budget`` minutes among sections in proportion to their time estimates.

    Sections keep their full time when it fits (unless ``fill``: then they share the
    whole budget). Otherwise each gets a multiple of ``step`` and at least ``minimum``,
    and the shares add up to the budget exactly (largest remainder rounding), so the
    agenda's clock times are exact.
    """
    if not weights:
        return []
    if sum(weights) <= budget and not fill:
        return list(weights)
    units, least = budget // step, max(1, minimum // step)
    if least * len(weights) > units:
        raise CourseInputError(
            "agenda", f"{len(weights)} sections in {budget} minutes",
            f"at most {units // least} sections at {minimum} minutes each",
            hint="Use a longer format, or the six-session series.",
        )
    total = sum(weights)
    exact = [w * units / total for w in weights]
    shares = [max(least, math.floor(e)) for e in exact]
    while sum(shares) > units:  # the minimum pushed us over: take from the largest
        i = max((i for i, s in enumerate(shares) if s > least), key=lambda i: (shares[i] - exact[i], shares[i]))
        shares[i] -= 1
    order = sorted(range(len(weights)), key=lambda i: (exact[i] - shares[i], weights[i]), reverse=True)
    for i in order[: units - sum(shares)]:
        shares[i] += 1
    return [s * step for s in shares]


def split_sessions(sections: list[Section], count: int) -> list[list[Section]]:
    """Split sections, in order, into ``count`` sessions with the most even workload."""
    count = min(count, len(sections))
    weights = [s.minutes for s in sections]
    n = len(weights)
    prefix = [0]
    for w in weights:
        prefix.append(prefix[-1] + w)
    # best[k][i]: the smallest possible largest session for the first i sections in k sessions
    inf = float("inf")
    best = [[inf] * (n + 1) for _ in range(count + 1)]
    cut = [[0] * (n + 1) for _ in range(count + 1)]
    best[0][0] = 0
    for k in range(1, count + 1):
        for i in range(k, n + 1):
            for j in range(k - 1, i):
                value = max(best[k - 1][j], prefix[i] - prefix[j])
                if value < best[k][i]:
                    best[k][i], cut[k][i] = value, j
    groups, i = [], n
    for k in range(count, 0, -1):
        j = cut[k][i]
        groups.append(sections[j:i])
        i = j
    return groups[::-1]


def _clock(text: str) -> datetime:
    return datetime.strptime(text, "%H:%M")


def clock_text(moment: datetime) -> str:
    return moment.strftime("%I:%M %p").lstrip("0")


OPENING = "Welcome, goals, content note and room agreements (see the facilitator guide)"
CLOSING = "Questions, key points, where to check current rules, completion record"


def build_session(fmt: Format, number: int, sections: list[Section]) -> Session:
    """One session: opening, the sections (scaled to fit) with breaks between them, close."""
    shares = allocate([s.minutes for s in sections], fmt.content_minutes, minimum=fmt.section_minimum, fill=fmt.flipped)
    parts = [(s, m, "") for s, m in zip(sections, shares)]
    if len(parts) == 1 and fmt.breaks and shares[0] >= 4 * STEP:
        # One long section: split it around the break rather than break at the end.
        first = shares[0] // 2 // STEP * STEP
        parts = [(sections[0], first, " (part 1)"), (sections[0], shares[0] - first, " (part 2)")]
        shares = [first, shares[0] - first]
    # Each break goes at the boundary between sections closest to its planned place.
    total = sum(shares)
    ends = [sum(shares[: i + 1]) for i in range(len(shares))]
    break_after: dict[int, list[tuple[str, int]]] = {}
    taken: set[int] = set()
    for name, minutes, where in fmt.breaks:
        free = [i for i in range(len(ends) - 1) if i not in taken] or [len(ends) - 1]
        i = min(free, key=lambda i: abs(ends[i] - where * total))
        taken.add(i)
        break_after.setdefault(i, []).append((name, minutes))
    moment = _clock(fmt.start)
    blocks = []

    def add(minutes: int, what: str, activity: str, section: Section | None = None) -> None:
        nonlocal moment
        blocks.append(Block(moment, minutes, what, activity, section))
        moment += timedelta(minutes=minutes)

    add(fmt.opening, "Opening", OPENING)
    for i, (section, minutes, part) in enumerate(parts):
        if fmt.flipped:
            activity = f"Questions from the reading; the activity: {section.activity}; discussion and the quiz"
        elif minutes >= section.minutes:
            activity = f"The full section; activity: {section.activity}"
        elif minutes >= 20:
            activity = f"Key points, then the activity: {section.activity}"
        else:
            activity = f"Key points, and the starting view of: {section.activity}"
        if part == " (part 2)":
            activity = f"The activity and discussion continue: {section.activity}"
        add(minutes, section.label + part, activity, section)
        for name, length in break_after.get(i, []):
            add(length, name, "Step away; the facilitator stays available for anyone who needs support")
    add(fmt.closing, "Close", CLOSING)
    return Session(number, tuple(blocks), tuple(sections))


def build_agenda(fmt: Format, sections: list[Section]) -> Agenda:
    groups = split_sessions(sections, fmt.sessions) if fmt.sessions > 1 else [sections]
    return Agenda(fmt, tuple(build_session(fmt, n, g) for n, g in enumerate(groups, start=1)))


def _cell(text: str) -> str:
    return _md(text)


def _session_table(session: Session) -> list[str]:
    lines = ["| Start | Minutes | Part | What happens |", "|---|---|---|---|"]
    for block in session.blocks:
        what = f"**{_cell(block.what)}**" if block.section is None else _cell(block.what)
        lines.append(f"| {clock_text(block.start)} | {block.minutes} | {what} | {_cell(block.activity)} |")
    lines.append(f"| {clock_text(session.end)} | | **End** | Total {session.minutes} minutes |")
    return lines


def render_agendas(sections: list[Section] | None = None) -> str:
    sections = discover_sections() if sections is None else sections
    full = sum(s.minutes for s in sections)
    lines = [
        "<!-- Generated by `python -m calaim_course.workshop agendas` from the sections' time estimates and facilitator notes. Do not edit by hand. -->",
        "",
        "# Workshop agendas",
        "",
        f"Four ready plans for leading the course with a group. They are built from the time "
        f"estimate on each section's page (the {len(sections)} sections available now take "
        f"about {hours_text(full)} to study alone) and from the activity in each section's "
        "facilitator notes. Where a format is shorter than the sections' full time, every "
        f"section keeps a share in proportion to its estimate, in {STEP}-minute steps, so "
        "the whole course is always covered; the section's own facilitator notes say what to "
        "shorten.",
        "",
        "Start times are examples: move the whole table to your own start time. Before any "
        "session, read the facilitator guide for room agreements and what to do if someone "
        "discloses violence. The course is education, not legal or billing advice.",
        "",
        "| Format | Sessions | Minutes per session | Section time | Breaks |",
        "|---|---|---|---|---|",
    ]
    agendas = [build_agenda(fmt, sections) for fmt in FORMATS]
    for agenda in agendas:
        fmt = agenda.format
        breaks = ", ".join(f"{name.lower()} {minutes} minutes" for name, minutes, _ in fmt.breaks) or "none"
        content = sum(b.minutes for s in agenda.sessions for b in s.blocks if b.section)
        lines.append(
            f"| {fmt.title} | {len(agenda.sessions)} | {fmt.session_minutes} | "
            f"{content} of {full} minutes | {breaks} |"
        )
    for agenda in agendas:
        fmt = agenda.format
        lines += ["", f"## {fmt.title}", "", fmt.summary, ""]
        if len(agenda.sessions) == 1:
            lines += _session_table(agenda.sessions[0])
        else:
            for session in agenda.sessions:
                reading = sum(s.reading for s in session.sections)
                names = "; ".join(s.label for s in session.sections)
                lines += [
                    "", f"### Session {session.number}", "",
                    f"Before the session, participants read: {_md(names)} (about {reading} minutes).", "",
                ]
                lines += _session_table(session)
    return "\n".join(lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- handouts

def blank(length: int = 40) -> str:
    """A line to write on, on paper (escaped underscores, so Markdown keeps them)."""
    return "\\_" * length


BLANK = blank(40)


def handout_name(section: Section) -> str:
    return f"{section.slug}.md"


def render_handout(section: Section) -> str:
    lines = [
        f"<!-- Generated from notebooks/{section.slug}.ipynb and data/quizzes/{section.slug}.yaml by `python -m calaim_course.workshop handouts`. Do not edit by hand. -->",
        "",
        f"# Worksheet: section {section.number}, {_md(section.title)}",
        "",
        f"About {section.minutes} minutes ({section.reading} reading, {section.activities} "
        "activities). Use this sheet beside the section's page, in the book or in JupyterLab. "
        "Every person, agency and plan in the course is fictional: write no real names or "
        "details on this sheet. The course is education, not legal or billing advice.",
        "",
        f"Name: {blank(20)}  Date: {blank(15)}",
        "",
        "## Activity",
        "",
    ]
    if not section.try_it:
        lines += ["Follow the \"Try it\" part of the section's page.", ""]
    for heading, steps in section.try_it:
        if heading:
            lines += [f"### {_md(heading)}", ""]
        for step in steps:
            lines += [step, ""]
        lines += ["What did you notice?", "", BLANK, "", BLANK, ""]
    lines += ["## Check your understanding", ""]
    if not section.has_quiz:
        lines += ["This section's quiz is not ready yet.", ""]
    else:
        bank = load_bank(section.slug)
        lines += [
            "Answer on paper, then check your answers with the quiz on the section's page: "
            "it explains every answer.",
            "",
        ]
        for number, q in enumerate(bank.questions, start=1):
            hint = HINTS[q["type"]].replace(", then press Enter", "")
            lines += [f"{number}. {_md(q['question'])} *({hint})*", ""]
            if q["type"] == "numeric":
                lines += [f"   Your answer: {blank(20)}", ""]
            else:
                for letter, answer in zip("ABCDEFGHIJ", q["answers"]):
                    lines.append(f"   - **{letter}.** {_md(answer['answer'])}")
                lines.append("")
    lines += ["## My notes", "", BLANK, "", BLANK, "", BLANK]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_handouts_index(sections: list[Section]) -> str:
    lines = [
        "<!-- Generated by `python -m calaim_course.workshop handouts`. Do not edit by hand. -->",
        "",
        "# Participant worksheets",
        "",
        "One printable worksheet per section: the section's activities, with space for notes, "
        "and its quiz questions with their options but not the answers (those are in the "
        "answer key). Print from the browser; each worksheet starts on a new page.",
        "",
    ]
    lines += [f"- [Section {s.number}: {_md(s.title)}]({handout_name(s)})" for s in sections]
    return "\n".join(lines) + "\n"


def render_handouts(sections: list[Section] | None = None) -> dict[str, str]:
    """File name -> content: one worksheet per section, and the index page."""
    sections = discover_sections() if sections is None else sections
    pages = {handout_name(s): render_handout(s) for s in sections}
    pages["index.md"] = render_handouts_index(sections)
    return pages


def write_handouts(out: Path, sections: list[Section] | None = None) -> list[Path]:
    """Write every worksheet into ``out``; remove worksheets of sections that are gone."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    pages = render_handouts(sections)
    for old in out.glob("[0-9][0-9]-*.md"):
        if old.name not in pages:
            old.unlink()
    written = []
    for name, text in pages.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


# --------------------------------------------------------------------------- completion record


def render_completion_record(sections: list[Section] | None = None) -> str:
    sections = discover_sections() if sections is None else sections
    total = sum(s.minutes for s in sections)
    lines = [
        "<!-- Generated by `python -m calaim_course.workshop completion-record` from the sections' time estimates. Do not edit by hand. -->",
        "",
        "# Completion record",
        "",
        "For learners who study on their own. Print this page, write the date you finished each "
        "section, and ask your supervisor to sign it. The minutes are the time estimates on "
        "each section's page; write the time you actually spent if it was different. A "
        "workshop facilitator can instead give each participant a certificate.",
        "",
        f"Name: {blank(20)}",
        "",
        f"Organization: {blank(20)}",
        "",
        "## Sections",
        "",
        "| Section | Estimated minutes | Minutes spent | Date completed | Your initials |",
        "|---|---|---|---|---|",
    ]
    for s in sections:
        lines.append(f"| {_md(s.label)} | {s.minutes} | | | |")
    lines += [
        f"| **All {len(sections)} sections** | **{total}** ({hours_text(total)}) | | | |",
        "",
        "## Supervisor",
        "",
        "I confirm that the person named above completed the sections dated on this page.",
        "",
        f"Total hours completed: {blank(10)}",
        "",
        f"Supervisor's name: {blank(20)}",
        "",
        f"Signature: {blank(20)}  Date: {blank(10)}",
        "",
        "This record shows training completed. It is not a professional license, a "
        "certification, or continuing education credit.",
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- command line


def _shown(path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return Path(path).name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m calaim_course.workshop", description="Generate the workshop kit from the sections.")
    sub = parser.add_subparsers(dest="command", required=True)
    agendas = sub.add_parser("agendas", help="write book/facilitators/agendas.md")
    agendas.add_argument("--out", type=Path, default=AGENDAS_PATH)
    handouts = sub.add_parser("handouts", help="write one worksheet per section")
    handouts.add_argument("--out", type=Path, default=HANDOUTS_DIR, help="a folder; default: book/handouts")
    record = sub.add_parser("completion-record", help="write book/completion-record.md")
    record.add_argument("--out", type=Path, default=COMPLETION_PATH)
    args = parser.parse_args(argv)
    try:
        if args.command == "handouts":
            written = write_handouts(args.out)
            print(f"Wrote {len(written) - 1} worksheets and their index in {_shown(args.out)}.")
            return 0
        text = render_agendas() if args.command == "agendas" else render_completion_record()
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"Wrote {_shown(args.out)}.")
    except CourseInputError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
